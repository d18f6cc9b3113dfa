/*
 * Unit tests of issue 5's outbound documents and schemas: the embedded XSDs compile from memory
 * (with the deny-all loader in place afterwards), the pickup manifest and the outbound
 * DespatchAdvice keep hostile and non-Latin text as text, validate against our XSDs (in
 * process) and, written to a file, against the files in src/xml/schemas and the OASIS schema
 * (xmllint); a broken document is refused naming the element; the core rules of the manifest
 * (pickup date, service, version) hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "core/err.h"
#include "core/manifest.h"
#include "xml/manifest.h"
#include "xml/schemas.h"
#include "xml/xml.h"

#define SCHEMA_DIR RMAD_SOURCE_DIR "/src/xml/schemas"
#define OASIS_DESPATCH                                                                             \
    RMAD_SHARED_DIR "/standards/oasis-ubl-2.1/xsd/maindoc/UBL-DespatchAdvice-2.1.xsd"

#define CUSTOMER "Smith & Sons <x> \"Ltd\" \xce\xa9\xce\xbc\xce\xad\xce\xb3\xce\xb1 \xe6\xa0\xaa"

static const char *const marks[] = {"FRAGILE", "THIS SIDE UP & <dry>"};

static struct manifest_parcel parcels[2];

static struct manifest sample_manifest(void)
{
    struct address consignee = {CUSTOMER, "Mainzer Landstr. 1", "Frankfurt", "60329", "DE"};

    parcels[0] = (struct manifest_parcel){.sscc = "003401234567890125",
                                          .tracking_number = "1Z999AA10123456784",
                                          .rma_number = "R000000174",
                                          .parcel_no = 1,
                                          .parcel_count = 2,
                                          .consignee = consignee,
                                          .service = MANIFEST_SERVICE_EXPRESS,
                                          .handling_marks = marks,
                                          .n_marks = 2};
    parcels[1] = (struct manifest_parcel){.sscc = "003401234567890132",
                                          .rma_number = "R000000174",
                                          .parcel_no = 2,
                                          .parcel_count = 2,
                                          .consignee = consignee};
    return (struct manifest){.manifest_no = "M00000001",
                             .carrier_code = "UPS",
                             .carrier_account = "A1B2C3",
                             .pickup_date = "2026-12-03",
                             .created = "2026-12-03T16:00:00Z",
                             .shipper = {"rmad Depot \"Nord\" & Co",
                                         "Stra\xc3\x9f"
                                         "e 1",
                                         "Z\xc3\xbcrich", "8001", "CH"},
                             .parcels = parcels,
                             .n_parcels = 2};
}

static char *write_temp(const char *buf, size_t len)
{
    const char *dir = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
    size_t n = strlen(dir) + 64;
    char *path = malloc(n);
    FILE *f;
    int fd;

    assert_non_null(path);
    snprintf(path, n, "%s/rmad-manifest-XXXXXX.xml", dir);
    fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static void assert_xmllint(const char *buf, size_t len, const char *xsd)
{
    char *path = write_temp(buf, len);
    char cmd[4096];

    assert_int_equal(system("command -v xmllint >/dev/null 2>&1"), 0);
    snprintf(cmd, sizeof cmd, "xmllint --nonet --noout --schema '%s' '%s' 2>&1", xsd, path);
    if (system(cmd) != 0) {
        fprintf(stderr, "%.*s\n", (int)len, buf);
        fail_msg("does not validate against %s: %s", xsd, path);
    }
    unlink(path);
    free(path);
}

static void assert_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr obj;
    char *got;

    assert_non_null(ctx);
    xmlXPathRegisterNs(ctx, BAD_CAST "m", BAD_CAST XML_NS_MANIFEST);
    xmlXPathRegisterNs(ctx, BAD_CAST "da", BAD_CAST XML_NS_DESPATCH_ADVICE);
    xmlXPathRegisterNs(ctx, BAD_CAST "cac", BAD_CAST XML_NS_CAC);
    xmlXPathRegisterNs(ctx, BAD_CAST "cbc", BAD_CAST XML_NS_CBC);
    obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    assert_non_null(obj);
    got = (char *)xmlXPathCastToString(obj);
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    assert_string_equal(got, want);
    xmlFree(got);
}

static int set_up(void **state)
{
    struct err err = {0};

    (void)state;
    return xml_init(NULL, &err);
}

static int tear_down(void **state)
{
    (void)state;
    xml_shutdown();
    return 0;
}

static void schemas_compile_from_memory(void **state)
{
    (void)state;
    for (int i = 0; i < XML_SCHEMA__COUNT; i++)
        assert_non_null(xml_schema_get((enum xml_schema)i));
    assert_string_equal(xml_schema_file(XML_SCHEMA_MANIFEST), "rmad-manifest-1.xsd");
}

static void manifest_validates_and_round_trips(void **state)
{
    struct manifest m = sample_manifest();
    struct err err = {0};
    char *out = NULL;
    size_t len = 0;
    xmlDocPtr doc;

    (void)state;
    assert_int_equal(xml_write_manifest(&m, &out, &len, &err), 0);
    assert_int_equal(xml_schema_validate_memory(XML_SCHEMA_MANIFEST, out, len, &err), 0);
    assert_xmllint(out, len, SCHEMA_DIR "/rmad-manifest-1.xsd");
    doc = xmlReadMemory(out, (int)len, NULL, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    assert_xpath(doc, "string(/m:PickupManifest/@version)", "1.0");
    assert_xpath(doc, "string(/m:PickupManifest/m:ParcelCount)", "2");
    assert_xpath(doc, "string(/m:PickupManifest/m:Parcel[1]/m:Consignee/m:Name)", CUSTOMER);
    assert_xpath(doc, "string(/m:PickupManifest/m:Parcel[1]/m:HandlingMark[2])",
                 "THIS SIDE UP & <dry>");
    assert_xpath(doc, "string(/m:PickupManifest/m:Parcel[1]/m:Service)", "express");
    assert_xpath(doc, "string(/m:PickupManifest/m:Parcel[2]/m:Service)", "standard");
    assert_xpath(doc, "string(count(/m:PickupManifest/m:Parcel[2]/m:TrackingNumber))", "0");
    assert_xpath(doc, "string(count(/m:PickupManifest/m:TotalWeightKg))", "0");
    assert_xpath(doc, "string(/m:PickupManifest/m:Shipper/m:City)", "Z\xc3\xbcrich");
    xmlFreeDoc(doc);
    free(out);
}

static void a_broken_manifest_is_refused_naming_the_element(void **state)
{
    static const char bad[] =
        "<PickupManifest xmlns=\"urn:rmad:xml:pickup-manifest:1\" version=\"2.0\">"
        "<ManifestID>M1</ManifestID></PickupManifest>";
    static const char wrong_order[] =
        "<PickupManifest xmlns=\"urn:rmad:xml:pickup-manifest:1\" version=\"1.3\">\n"
        "<CarrierCode>UPS</CarrierCode>\n<ManifestID>M1</ManifestID></PickupManifest>";
    struct err err = {0};

    (void)state;
    assert_int_equal(xml_schema_validate_memory(XML_SCHEMA_MANIFEST, bad, strlen(bad), &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    memset(&err, 0, sizeof err);
    assert_int_equal(
        xml_schema_validate_memory(XML_SCHEMA_MANIFEST, wrong_order, strlen(wrong_order), &err),
        -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "CarrierCode");
    assert_int_equal(err.line, 2);
    memset(&err, 0, sizeof err);
    assert_int_equal(xml_schema_validate_memory(XML_SCHEMA_MANIFEST, "<a", 2, &err), -1);
    assert_int_equal(err.kind, ERR_INTERNAL);
}

static void a_manifest_without_parcels_is_not_written(void **state)
{
    struct manifest m = sample_manifest();
    struct err err = {0};
    char *out = NULL;
    size_t len = 0;

    (void)state;
    m.n_parcels = 0;
    assert_int_equal(xml_write_manifest(&m, &out, &len, &err), -1);
    assert_string_equal(err.field, "parcels");
    assert_null(out);
}

/* Text stored before intake refused noncharacters (and U+FFFE/U+FFFF, which XML cannot carry)
 * becomes U+FFFD: the manifest and the despatch advice are still written and valid. */
#define NONCHAR_NAME "ACME\xef\xbf\xbfGmbH \xef\xbf\xbe\xef\xb7\x90\xf4\x8f\xbf\xbf"
#define SCRUBBED_NAME "ACME\xef\xbf\xbdGmbH \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"

static void stored_noncharacters_become_replacement_characters(void **state)
{
    struct manifest m = sample_manifest();
    static const struct despatch_out_line lines[] = {
        {.line_no = 1, .quantity = 1, .product_model = "SRV-R740", .product_name = NONCHAR_NAME}};
    struct despatch_out d = {
        .id = "R000000174-D1",
        .issue_date = "2026-12-03",
        .rma_number = "R000000174",
        .depot = {"rmad Depot", "Hanauer Landstrasse 200", "Frankfurt am Main", "60314", "DE"},
        .customer = {NONCHAR_NAME, "Mainzer Landstr. 1", "Frankfurt", "60329", "DE"},
        .sscc = "003401234567890125",
        .lines = lines,
        .n_lines = 1,
    };
    struct err err = {0};
    char *out = NULL;
    size_t len = 0;
    xmlDocPtr doc;

    (void)state;
    parcels[0].consignee.name = NONCHAR_NAME;
    m.shipper.city = "Z\xef\xbf\xbfrich";
    assert_int_equal(xml_write_manifest(&m, &out, &len, &err), 0);
    assert_int_equal(xml_schema_validate_memory(XML_SCHEMA_MANIFEST, out, len, &err), 0);
    doc = xmlReadMemory(out, (int)len, NULL, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    assert_xpath(doc, "string(/m:PickupManifest/m:Parcel[1]/m:Consignee/m:Name)", SCRUBBED_NAME);
    xmlFreeDoc(doc);
    free(out);
    assert_int_equal(xml_write_despatch_advice(&d, &out, &len, &err), 0);
    assert_int_equal(xml_schema_validate_memory(XML_SCHEMA_DESPATCH_ADVICE, out, len, &err), 0);
    assert_non_null(strstr(out, SCRUBBED_NAME));
    free(out);
    assert_int_equal(err.kind, ERR_NONE);
}

static void despatch_advice_validates_against_both_schemas(void **state)
{
    static const struct despatch_out_line lines[] = {
        {.line_no = 1,
         .quantity = 1,
         .product_model = "SRV-R740",
         .product_name = "Server <R740> & rails",
         .serial_number = "SN-<1>&'2'"},
    };
    struct despatch_out d = {
        .id = "R000000174-D1",
        .issue_date = "2026-12-03",
        .issue_time = "16:00:00+00:00",
        .rma_number = "R000000174",
        .depot = {"rmad Depot", "Hanauer Landstrasse 200", "Frankfurt am Main", "60314", "DE"},
        .customer = {CUSTOMER, "Mainzer Landstr. 1", "Frankfurt", "60329", "DE"},
        .sscc = "003401234567890125",
        .tracking_number = "1Z999AA10123456784",
        .handling_marks = marks,
        .n_marks = 2,
        .lines = lines,
        .n_lines = 1,
    };
    struct err err = {0};
    char *out = NULL;
    size_t len = 0;
    xmlDocPtr doc;

    (void)state;
    assert_int_equal(xml_write_despatch_advice(&d, &out, &len, &err), 0);
    assert_int_equal(xml_schema_validate_memory(XML_SCHEMA_DESPATCH_ADVICE, out, len, &err), 0);
    assert_xmllint(out, len, SCHEMA_DIR "/rmad-ubl-DespatchAdvice-2.1.xsd");
    assert_xmllint(out, len, OASIS_DESPATCH);
    doc = xmlReadMemory(out, (int)len, NULL, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    assert_xpath(doc, "string(/da:DespatchAdvice/cac:OrderReference/cbc:ID)", "R000000174");
    assert_xpath(doc,
                 "string(/da:DespatchAdvice/cac:DeliveryCustomerParty/cac:Party/cac:PartyName/"
                 "cbc:Name)",
                 CUSTOMER);
    assert_xpath(doc, "string(/da:DespatchAdvice/cac:Shipment/cac:TransportHandlingUnit/cbc:ID)",
                 "003401234567890125");
    assert_xpath(doc,
                 "string(/da:DespatchAdvice/cac:DespatchLine/cac:Item/cac:ItemInstance/"
                 "cbc:SerialID)",
                 "SN-<1>&'2'");
    xmlFreeDoc(doc);
    free(out);
    /* the profile is stricter than UBL: no despatch line, no document */
    memset(&err, 0, sizeof err);
    d.n_lines = 0;
    assert_int_equal(xml_write_despatch_advice(&d, &out, &len, &err), -1);
}

static void the_reader_streams_against_a_schema(void **state)
{
    struct manifest m = sample_manifest();
    struct err err = {0};
    char *out = NULL;
    size_t len = 0;
    xmlTextReaderPtr r;
    int rc, elements = 0;

    (void)state;
    assert_int_equal(xml_write_manifest(&m, &out, &len, &err), 0);
    r = xmlReaderForMemory(out, (int)len, NULL, NULL, XML_PARSE_NONET);
    assert_non_null(r);
    assert_int_equal(xml_schema_reader_attach(XML_SCHEMA_MANIFEST, r, &err), 0);
    while ((rc = xmlTextReaderRead(r)) == 1)
        if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT)
            elements++;
    assert_int_equal(rc, 0);
    assert_int_equal(xmlTextReaderIsValid(r), 1);
    assert_true(elements > 20);
    xmlFreeTextReader(r);
    free(out);
}

static void pickup_dates_and_versions(void **state)
{
    static const char *const good[] = {"2026-12-03", "2024-02-29", "2000-01-01"};
    static const char *const bad[] = {"2026-13-01",       "2026-02-29", "2026-12-3",  "03.12.2026",
                                      "2026-12-03T10:00", "",           "1999-12-31", "2026-04-31"};
    struct err err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(manifest_date_parse(good[i], "date", &err), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(manifest_date_parse(bad[i], "date", &err), -1);
        assert_string_equal(err.field, "date");
    }
    /* a pickup closes for a day from a week ago to 30 days ahead; now = 2026-12-03T23:30:00Z */
    static const char *const near[] = {"2026-11-26", "2026-12-03", "2027-01-02"};
    static const char *const far[] = {"2026-11-25", "2027-01-03", "9999-12-31", "2000-01-01"};
    const int64_t now = 1796340600;
    for (size_t i = 0; i < sizeof near / sizeof near[0]; i++)
        assert_int_equal(manifest_pickup_date_check(near[i], now, "date", &err), 0);
    for (size_t i = 0; i < sizeof far / sizeof far[0]; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(manifest_pickup_date_check(far[i], now, "date", &err), -1);
        assert_string_equal(err.field, "date");
    }
    assert_true(manifest_version_supported("1.0"));
    assert_true(manifest_version_supported("1.17"));
    assert_false(manifest_version_supported("2.0"));
    assert_false(manifest_version_supported("1"));
    assert_false(manifest_version_supported("1."));
    assert_false(manifest_version_supported("1.0a"));
    assert_false(manifest_version_supported("10.0"));
    assert_int_equal(manifest_service_for(RMA_TYPE_ADVANCE_REPLACEMENT), MANIFEST_SERVICE_EXPRESS);
    assert_int_equal(manifest_service_for(RMA_TYPE_REPAIR), MANIFEST_SERVICE_STANDARD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schemas_compile_from_memory),
        cmocka_unit_test(manifest_validates_and_round_trips),
        cmocka_unit_test(a_broken_manifest_is_refused_naming_the_element),
        cmocka_unit_test(a_manifest_without_parcels_is_not_written),
        cmocka_unit_test(despatch_advice_validates_against_both_schemas),
        cmocka_unit_test(stored_noncharacters_become_replacement_characters),
        cmocka_unit_test(the_reader_streams_against_a_schema),
        cmocka_unit_test(pickup_dates_and_versions),
    };
    return cmocka_run_group_tests(tests, set_up, tear_down);
}

/*
 * Unit tests of the outbound ReceiptAdvice: hostile and non-Latin text stays text, the result
 * validates against the OASIS schema (checked by xmllint, a required test tool) and reads back.
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
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "core/err.h"
#include "xml/xml.h"

#define RECEIPT_XSD RMAD_SHARED_DIR "/standards/oasis-ubl-2.1/xsd/maindoc/UBL-ReceiptAdvice-2.1.xsd"

#define CUSTOMER "Smith & Sons <x> \"Ltd\" \xce\xa9\xce\xbc\xce\xad\xce\xb3\xce\xb1 \xe6\xa0\xaa"
#define SERIAL "SN-<1>&'2'\xf0\x9f\x94\xa7"

static const struct receipt_line hostile_lines[] = {
    {.line_no = 1,
     .serial_number = SERIAL,
     .product_model = "HS-200",
     .product_name = "Scanner <HS-200> & dock",
     .received_quantity = 1,
     .short_quantity = 0,
     .sscc = "003401234567890125"},
    {.line_no = 2,
     .serial_number = NULL,
     .product_model = "Cable ]]> set",
     .product_name = NULL,
     .received_quantity = 3,
     .short_quantity = 2,
     .sscc = NULL},
};

static struct receipt_advice hostile_receipt(void)
{
    struct receipt_advice ra = {
        .id = "R000000174-R1",
        .issue_date = "2024-03-20",
        .issue_time = "09:15:00+00:00",
        .rma_number = "R000000174",
        .depot_name = "rmad Depot \"Nord\" & Co",
        .depot = {.name = "rmad Depot",
                  .street = "Stra\xc3\x9f"
                            "e 1 <b>",
                  .city = "Z\xc3\xbcrich",
                  .postcode = "8001",
                  .country = "CH"},
        .customer_name = CUSTOMER,
        .lines = hostile_lines,
        .n_lines = 2,
    };
    return ra;
}

/* Writes buf to a fresh temporary file and returns its malloc'd path. */
static char *write_temp(const char *buf, size_t len)
{
    const char *dir = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
    size_t n = strlen(dir) + 64;
    char *path = malloc(n);
    FILE *f;
    int fd;

    assert_non_null(path);
    snprintf(path, n, "%s/rmad-receipt-XXXXXX.xml", dir);
    fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static void assert_validates(const char *buf, size_t len)
{
    char *path = write_temp(buf, len);
    char cmd[4096];

    assert_int_equal(system("command -v xmllint >/dev/null 2>&1"), 0);
    snprintf(cmd, sizeof cmd, "xmllint --nonet --noout --schema '%s' '%s'", RECEIPT_XSD, path);
    if (system(cmd) != 0) {
        fprintf(stderr, "%.*s\n", (int)len, buf);
        fail_msg("receipt advice does not validate: %s", path);
    }
    unlink(path);
    free(path);
}

/* The string value of an XPath expression over the written document. */
static char *xpath_string(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr obj;
    char *s;

    assert_non_null(ctx);
    xmlXPathRegisterNs(ctx, BAD_CAST "ra", BAD_CAST XML_NS_RECEIPT_ADVICE);
    xmlXPathRegisterNs(ctx, BAD_CAST "cac", BAD_CAST XML_NS_CAC);
    xmlXPathRegisterNs(ctx, BAD_CAST "cbc", BAD_CAST XML_NS_CBC);
    obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    assert_non_null(obj);
    s = (char *)xmlXPathCastToString(obj);
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return s;
}

static void assert_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
    char *got = xpath_string(doc, expr);

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

static void hostile_text_validates_and_round_trips(void **state)
{
    struct receipt_advice ra = hostile_receipt();
    struct err err = {0};
    char *out = NULL;
    size_t len = 0;
    xmlDocPtr doc;

    (void)state;
    assert_int_equal(xml_write_receipt_advice(&ra, &out, &len, &err), 0);
    assert_int_equal(err.kind, ERR_NONE);
    assert_int_equal(strlen(out), len);
    assert_validates(out, len);

    doc = xmlReadMemory(out, (int)len, NULL, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    assert_null(doc->intSubset);
    assert_xpath(doc, "string(/ra:ReceiptAdvice/cbc:UBLVersionID)", "2.1");
    assert_xpath(doc, "string(/ra:ReceiptAdvice/cbc:ID)", "R000000174-R1");
    assert_xpath(doc, "string(/ra:ReceiptAdvice/cac:OrderReference/cbc:ID)", "R000000174");
    assert_xpath(doc,
                 "string(/ra:ReceiptAdvice/cac:DespatchSupplierParty/cac:Party/cac:PartyName/"
                 "cbc:Name)",
                 CUSTOMER);
    assert_xpath(doc,
                 "string(/ra:ReceiptAdvice/cac:DeliveryCustomerParty/cac:Party/cac:PartyName/"
                 "cbc:Name)",
                 "rmad Depot \"Nord\" & Co");
    assert_xpath(doc,
                 "string(/ra:ReceiptAdvice/cac:DeliveryCustomerParty/cac:Party/cac:PostalAddress/"
                 "cbc:StreetName)",
                 "Stra\xc3\x9f"
                 "e 1 <b>");
    assert_xpath(doc, "string(count(/ra:ReceiptAdvice/cac:ReceiptLine))", "2");
    assert_xpath(doc,
                 "string(/ra:ReceiptAdvice/cac:ReceiptLine[cbc:ID='1']/cac:Item/cac:ItemInstance/"
                 "cbc:SerialID)",
                 SERIAL);
    assert_xpath(doc, "string(/ra:ReceiptAdvice/cac:ReceiptLine[cbc:ID='1']/cac:Item/cbc:Name)",
                 "Scanner <HS-200> & dock");
    assert_xpath(doc,
                 "string(/ra:ReceiptAdvice/cac:ReceiptLine[cbc:ID='1']/cac:Shipment/"
                 "cac:TransportHandlingUnit/cbc:ID)",
                 "003401234567890125");
    assert_xpath(
        doc, "string(count(/ra:ReceiptAdvice/cac:ReceiptLine[cbc:ID='1']/cbc:ShortQuantity))", "0");
    assert_xpath(doc, "string(/ra:ReceiptAdvice/cac:ReceiptLine[cbc:ID='2']/cbc:ShortQuantity)",
                 "2");
    assert_xpath(doc,
                 "string(/ra:ReceiptAdvice/cac:ReceiptLine[cbc:ID='2']/cbc:ReceivedQuantity/"
                 "@unitCode)",
                 "C62");
    assert_xpath(doc, "string(/ra:ReceiptAdvice/cac:ReceiptLine[cbc:ID='2']/cac:Item/cbc:Name)",
                 "Cable ]]> set");
    assert_xpath(doc, "string(count(//cac:ReceiptLine[cbc:ID='2']//cac:ItemInstance))", "0");
    xmlFreeDoc(doc);
    free(out);
}

static void nameless_customer_is_customer(void **state)
{
    static const struct receipt_line bare = {.line_no = 1, .received_quantity = 0};
    struct receipt_advice ra = {
        .id = "R1-R1",
        .issue_date = "2024-03-20",
        .rma_number = "R1",
        .depot = {.name = "Depot"},
        .lines = &bare,
        .n_lines = 1,
    };
    struct err err = {0};
    char *out = NULL;
    size_t len = 0;
    xmlDocPtr doc;

    (void)state;
    assert_int_equal(xml_write_receipt_advice(&ra, &out, &len, &err), 0);
    assert_validates(out, len);
    doc = xmlReadMemory(out, (int)len, NULL, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    assert_xpath(doc, "string(//cac:DespatchSupplierParty//cbc:Name)", "Customer");
    assert_xpath(doc, "string(//cac:DeliveryCustomerParty//cbc:Name)", "Depot");
    xmlFreeDoc(doc);
    free(out);
}

/* Stored text XML cannot carry (controls, bad UTF-8, surrogates, noncharacters) is written as
 * U+FFFD: a receipt never fails on what was accepted once. */
static void uncarriable_text_becomes_replacement_characters(void **state)
{
    struct receipt_line line = {.line_no = 1, .received_quantity = 1, .serial_number = "SN\x1b[0m"};
    struct receipt_advice ra = {
        .id = "X",
        .issue_date = "2024-03-20",
        .rma_number = "R1",
        .depot_name = "Depot",
        .customer_name = "Bell\x07 \xc3\x28 \xed\xa0\x80 \xef\xbf\xbf",
        .lines = &line,
        .n_lines = 1,
    };
    struct err err = {0};
    char *out = NULL;
    size_t len = 0;

    (void)state;
    assert_int_equal(xml_write_receipt_advice(&ra, &out, &len, &err), 0);
    assert_non_null(strstr(out,
                           "Bell\xef\xbf\xbd \xef\xbf\xbd( \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
                           "\xef\xbf\xbd<"));
    assert_non_null(strstr(out, "SN\xef\xbf\xbd[0m"));
    free(out);
}

static void unwritable_receipts_are_refused(void **state)
{
    static const struct {
        const char *field;
        const char *customer;
        const char *rma;
        const char *date;
        const char *time;
        int64_t received;
        const char *serial;
    } cases[] = {
        {"rma_number", NULL, NULL, "2024-03-20", NULL, 1, NULL},
        {"rma_number", NULL, "", "2024-03-20", NULL, 1, NULL},
        {"issue_date", NULL, "R1", "20.03.2024", NULL, 1, NULL},
        {"issue_time", NULL, "R1", "2024-03-20", "9:15", 1, NULL},
        {"received_quantity", NULL, "R1", "2024-03-20", NULL, -1, NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct receipt_line line = {
            .line_no = 1, .received_quantity = cases[i].received, .serial_number = cases[i].serial};
        struct receipt_advice ra = {
            .id = "X",
            .issue_date = cases[i].date,
            .issue_time = cases[i].time,
            .rma_number = cases[i].rma,
            .depot_name = "Depot",
            .customer_name = cases[i].customer,
            .lines = &line,
            .n_lines = 1,
        };
        struct err err = {0};
        char *out = NULL;
        size_t len = 0;

        assert_int_equal(xml_write_receipt_advice(&ra, &out, &len, &err), -1);
        assert_int_equal(err.kind, ERR_INTERNAL);
        assert_string_equal(err.field, cases[i].field);
        assert_null(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hostile_text_validates_and_round_trips),
        cmocka_unit_test(uncarriable_text_becomes_replacement_characters),
        cmocka_unit_test(nameless_customer_is_customer),
        cmocka_unit_test(unwritable_receipts_are_refused),
    };
    return cmocka_run_group_tests(tests, set_up, tear_down);
}

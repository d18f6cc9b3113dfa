/*
 * Unit tests of the inbound DespatchAdvice: the mapping of core/docs.h, refusal of DOCTYPEs,
 * entities and external loads, line numbers of malformed input, the schema check, and use from
 * several threads at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "core/arena.h"
#include "core/err.h"
#include "xml/xml.h"

#define UBL_XSD_DIR RMAD_SHARED_DIR "/standards/oasis-ubl-2.1/xsd"
#define OASIS_EXAMPLE                                                                              \
    RMAD_SHARED_DIR "/standards/oasis-ubl-2.1/xml/UBL-DespatchAdvice-2.0-Example.xml"
#define RETURNS_FIXTURE RMAD_TEST_FIXTURES "/xml/despatch-advice-returns.xml"

#define NS_DECLS                                                                                   \
    "xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:DespatchAdvice-2\" "                     \
    "xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" "      \
    "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\""

/* Valid against the schema; %s is placed alone on line 5. */
#define SCHEMA_TEMPLATE                                                                            \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                 \
    "<DespatchAdvice " NS_DECLS ">\n"                                                              \
    "<cbc:ID>A1</cbc:ID>\n"                                                                        \
    "<cbc:IssueDate>2024-03-18</cbc:IssueDate>\n"                                                  \
    "%s\n"                                                                                         \
    "<cac:OrderReference><cbc:ID>R000000174</cbc:ID></cac:OrderReference>\n"                       \
    "<cac:DespatchSupplierParty/>\n"                                                               \
    "<cac:DeliveryCustomerParty/>\n"                                                               \
    "<cac:DespatchLine><cbc:ID>1</cbc:ID><cac:OrderLineReference><cbc:LineID>1</cbc:LineID>"       \
    "</cac:OrderLineReference><cac:Item/></cac:DespatchLine>\n"                                    \
    "</DespatchAdvice>\n"

/* Only what rmad itself needs; the quantity text is alone on line 5. */
#define QUANTITY_TEMPLATE                                                                          \
    "<DespatchAdvice " NS_DECLS ">\n"                                                              \
    "<cbc:ID>A1</cbc:ID>\n"                                                                        \
    "<cac:OrderReference><cbc:ID>R000000174</cbc:ID></cac:OrderReference>\n"                       \
    "<cac:DespatchLine><cbc:ID>1</cbc:ID>\n"                                                       \
    "<cbc:DeliveredQuantity unitCode=\"C62\">%s</cbc:DeliveredQuantity>\n"                         \
    "</cac:DespatchLine></DespatchAdvice>\n"

static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int parse(const char *s, struct arena *a, struct despatch_advice *da, struct err *err)
{
    return xml_parse_despatch_advice(s, strlen(s), a, da, err);
}

/* Parses one text with no schema loaded and returns the error. */
static struct err parse_error_of(const char *s)
{
    struct despatch_advice da;
    struct err err = {0};
    struct arena a;

    arena_init(&a);
    assert_int_equal(parse(s, &a, &da, &err), -1);
    assert_int_equal(da.n_lines, 0);
    arena_release(&a);
    return err;
}

static int without_schema(void **state)
{
    struct err err = {0};

    (void)state;
    return xml_init(NULL, &err);
}

static int with_schema(void **state)
{
    struct err err = {0};

    (void)state;
    return xml_init(UBL_XSD_DIR, &err);
}

static int shut_down(void **state)
{
    (void)state;
    xml_shutdown();
    return 0;
}

static void check_returns_fixture(const struct despatch_advice *da)
{
    assert_string_equal(da->id, "ASN-2024-0042");
    assert_string_equal(da->issue_date, "2024-03-18");
    assert_string_equal(da->sender_name, "Smith & Sons M\xc3\xbcller GmbH");
    assert_int_equal(da->n_lines, 2);

    assert_string_equal(da->lines[0].line_id, "1");
    assert_string_equal(da->lines[0].rma_number, "R000000174");
    assert_string_equal(da->lines[0].serial_number, "SN-HS200-000731");
    assert_string_equal(da->lines[0].sscc, "003401234567890125"); /* the document's shipment */
    assert_int_equal(da->lines[0].quantity, 1);
    assert_int_equal(da->lines[0].source_line, 41);

    assert_string_equal(da->lines[1].line_id, "2");
    assert_string_equal(da->lines[1].rma_number, "R000000174"); /* the document's reference */
    assert_string_equal(da->lines[1].serial_number, "SN-DS20-004410");
    assert_string_equal(da->lines[1].sscc, "003401234567890132"); /* the line's shipment */
    assert_int_equal(da->lines[1].quantity, 1);
    assert_int_equal(da->lines[1].source_line, 57);
}

static void returns_notice_maps_onto_lines(void **state)
{
    struct despatch_advice da;
    struct err err = {0};
    struct arena a;
    size_t len;
    char *body = read_whole(RETURNS_FIXTURE, &len);

    (void)state;
    arena_init(&a);
    assert_int_equal(xml_parse_despatch_advice(body, len, &a, &da, &err), 0);
    assert_int_equal(err.kind, ERR_NONE);
    check_returns_fixture(&da);
    arena_release(&a);
    free(body);
}

static void oasis_example_yields_its_order_reference(void **state)
{
    struct despatch_advice da;
    struct err err = {0};
    struct arena a;
    size_t len;
    char *body = read_whole(OASIS_EXAMPLE, &len);

    (void)state;
    arena_init(&a);
    assert_int_equal(xml_parse_despatch_advice(body, len, &a, &da, &err), 0);
    assert_string_equal(da.id, "565899");
    assert_string_equal(da.issue_date, "2005-06-20");
    assert_string_equal(da.sender_name, "Consortial");
    assert_int_equal(da.n_lines, 1);
    assert_string_equal(da.lines[0].rma_number, "AEG012345");
    assert_string_equal(da.lines[0].serial_number, "");
    assert_string_equal(da.lines[0].sscc, "");
    assert_int_equal(da.lines[0].quantity, 90);
    arena_release(&a);
    free(body);
}

static void prefixes_do_not_matter_namespaces_do(void **state)
{
    struct despatch_advice da;
    struct err err = {0};
    struct arena a;
    const char *other_prefixes =
        "<d:DespatchAdvice xmlns:d=\"urn:oasis:names:specification:ubl:schema:xsd:"
        "DespatchAdvice-2\" xmlns:x=\"urn:oasis:names:specification:ubl:schema:xsd:"
        "CommonAggregateComponents-2\" xmlns:y=\"urn:oasis:names:specification:ubl:schema:xsd:"
        "CommonBasicComponents-2\"><y:ID>A1</y:ID><x:DespatchLine><y:ID>1</y:ID>"
        "<x:OrderLineReference><y:LineID>1</y:LineID><x:OrderReference><y:ID> R000000174 </y:ID>"
        "</x:OrderReference></x:OrderLineReference></x:DespatchLine></d:DespatchAdvice>";
    const char *wrong_namespace =
        "<DespatchAdvice " NS_DECLS "><cbc:ID xmlns:cbc=\"urn:example:other\">A1</cbc:ID>"
        "<cac:OrderReference><cbc:ID>R000000174</cbc:ID></cac:OrderReference>"
        "<cac:DespatchLine><cbc:ID>1</cbc:ID></cac:DespatchLine></DespatchAdvice>";

    (void)state;
    arena_init(&a);
    assert_int_equal(parse(other_prefixes, &a, &da, &err), 0);
    assert_string_equal(da.id, "A1");
    assert_string_equal(da.lines[0].rma_number, "R000000174");
    assert_int_equal(da.lines[0].quantity, 1);
    arena_release(&a);

    err = parse_error_of(wrong_namespace);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "ID");
}

static void doctypes_are_refused(void **state)
{
    static const char *const bodies[] = {
        /* billion laughs */
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE lolz [\n"
        " <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
        " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
        " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
        " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
        "]>\n"
        "<DespatchAdvice " NS_DECLS "><cbc:ID>&lol9;</cbc:ID></DespatchAdvice>\n",
        /* XXE */
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE DespatchAdvice [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
        "<DespatchAdvice " NS_DECLS "><cbc:ID>&xxe;</cbc:ID></DespatchAdvice>\n",
        /* external DTD */
        "<!DOCTYPE DespatchAdvice SYSTEM \"file:///etc/passwd\">\n"
        "<DespatchAdvice " NS_DECLS "><cbc:ID>A1</cbc:ID></DespatchAdvice>\n",
        /* parameter entity */
        "<!DOCTYPE x [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/x.dtd\"> %p;]><x/>",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct err err = parse_error_of(bodies[i]);

        assert_int_equal(err.kind, ERR_BAD_REQUEST);
        assert_string_equal(err.field, "doctype");
        assert_null(strstr(err.message, "root:"));
        assert_null(strstr(err.message, "passwd"));
    }
}

static void malformed_xml_reports_its_line(void **state)
{
    static const struct {
        const char *body;
        int line;
    } cases[] = {
        {"<a>\n<b>\n</a>\n", 3},                                       /* mismatched end tag */
        {"<?xml version=\"1.0\"?>\n<a>\n\n  <b>&bogus;</b>\n</a>", 4}, /* undefined entity */
        {"<a>\n<p:b/>\n</a>", 2},                                      /* undeclared prefix */
        {"<a>\n</a>\n<b/>", 3},                                        /* second root */
        {"", 1},
        {"   \n  ", 2},
        {"<a attr=\"1\" attr=\"2\"/>", 1},
        {"<a>\xff\xfe</a>", 1}, /* not UTF-8 */
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct err err = parse_error_of(cases[i].body);

        assert_int_equal(err.kind, ERR_BAD_REQUEST);
        assert_string_equal(err.message, "is not well-formed xml");
        assert_string_equal(err.field, "document");
        assert_int_equal(err.line, cases[i].line);
    }
}

/* libxml2's own limits (256 levels, 10 MB of text) were "malformed xml": the pre-scan names them
 * first, as POST /tracking does */
static void limits_are_named_as_limits(void **state)
{
    size_t n = 2 * 1024 * 1024;
    char *big = malloc(n + 64), *deep = malloc(300 * 7 + 64);
    size_t len = 0;
    struct err err;

    (void)state;
    assert_non_null(big);
    assert_non_null(deep);
    len = (size_t)sprintf(big, "<a>\n");
    memset(big + len, 'x', n);
    strcpy(big + len + n, "</a>");
    err = parse_error_of(big);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "document");
    assert_non_null(strstr(err.message, "longer than 1048576 bytes"));
    assert_int_equal(err.line, 2);

    len = 0;
    for (int i = 0; i < 300; i++)
        len += (size_t)sprintf(deep + len, "%s<a>", i == 40 ? "\n" : "");
    err = parse_error_of(deep);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "document");
    assert_string_equal(err.message, "nests elements more than 32 deep");
    assert_int_equal(err.line, 1);
    free(big);
    free(deep);
}

static void other_documents_are_invalid(void **state)
{
    static const char *const bodies[] = {
        "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>",
        "<DespatchAdvice><ID>A1</ID></DespatchAdvice>",
        "<x:DespatchAdvice xmlns:x=\"urn:oasis:names:specification:ubl:schema:xsd:"
        "ReceiptAdvice-2\"/>",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct err err = parse_error_of(bodies[i]);

        assert_int_equal(err.kind, ERR_INVALID);
        assert_string_equal(err.field, "document");
        assert_int_equal(err.line, 1);
    }
}

static void required_parts_are_named(void **state)
{
    static const struct {
        const char *body;
        const char *field;
        int line;
    } cases[] = {
        {"<DespatchAdvice " NS_DECLS ">\n<cac:OrderReference><cbc:ID>R1</cbc:ID>"
         "</cac:OrderReference>\n<cac:DespatchLine><cbc:ID>1</cbc:ID></cac:DespatchLine>\n"
         "</DespatchAdvice>",
         "ID", 1},
        {"<DespatchAdvice " NS_DECLS ">\n<cbc:ID>   </cbc:ID>\n</DespatchAdvice>", "ID", 2},
        {"<DespatchAdvice " NS_DECLS ">\n<cbc:ID>A1</cbc:ID>\n</DespatchAdvice>", "DespatchLine",
         1},
        {"<DespatchAdvice " NS_DECLS ">\n<cbc:ID>A1</cbc:ID>\n"
         "<cac:DespatchLine><cbc:ID>1</cbc:ID></cac:DespatchLine>\n</DespatchAdvice>",
         "OrderReference", 3},
        /* two document references: a line without its own names no single RMA */
        {"<DespatchAdvice " NS_DECLS ">\n<cbc:ID>A1</cbc:ID>\n"
         "<cac:OrderReference><cbc:ID>R1</cbc:ID></cac:OrderReference>\n"
         "<cac:OrderReference><cbc:ID>R2</cbc:ID></cac:OrderReference>\n"
         "<cac:DespatchLine><cbc:ID>1</cbc:ID></cac:DespatchLine>\n</DespatchAdvice>",
         "OrderReference", 5},
        {"<DespatchAdvice " NS_DECLS ">\n<cbc:ID>A1</cbc:ID>\n"
         "<cac:OrderReference><cbc:ID>R1</cbc:ID></cac:OrderReference>\n"
         "<cac:DespatchLine>\n<cac:Item/></cac:DespatchLine>\n</DespatchAdvice>",
         "ID", 4},
        {"<DespatchAdvice " NS_DECLS ">\n<cbc:ID>A1</cbc:ID>\n"
         "<cac:OrderReference><cbc:ID>R1</cbc:ID></cac:OrderReference>\n"
         "<cac:DespatchLine><cbc:ID>1</cbc:ID><cac:Item><cac:ItemInstance>\n"
         "<cbc:SerialID>0123456789012345678901234567890123456789012345678901234567890123"
         "</cbc:SerialID></cac:ItemInstance></cac:Item></cac:DespatchLine>\n</DespatchAdvice>",
         "SerialID", 5},
        {"<DespatchAdvice " NS_DECLS ">\n<cbc:ID>A1</cbc:ID>\n<cbc:IssueDate>18.03.2024"
         "</cbc:IssueDate>\n</DespatchAdvice>",
         "IssueDate", 3},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct err err = parse_error_of(cases[i].body);

        assert_int_equal(err.kind, ERR_INVALID);
        assert_string_equal(err.field, cases[i].field);
        assert_int_equal(err.line, cases[i].line);
    }
}

static void quantities_must_be_whole_and_positive(void **state)
{
    static const char *const bad[] = {
        "2.5", "-1", "0", "", "abc", "1e3", "100001", "0x10", "99999999999999999999999",
        "1 2", ".5"};
    static const struct {
        const char *text;
        int64_t quantity;
    } good[] = {{"1", 1}, {" 7 ", 7}, {"+3", 3}, {"003", 3}, {"4.00", 4}, {"100000", 100000}};
    char body[1024];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct err err;

        snprintf(body, sizeof body, QUANTITY_TEMPLATE, bad[i]);
        err = parse_error_of(body);
        assert_int_equal(err.kind, ERR_INVALID);
        assert_string_equal(err.field, "DeliveredQuantity");
        assert_int_equal(err.line, 5);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct despatch_advice da;
        struct err err = {0};
        struct arena a;

        arena_init(&a);
        snprintf(body, sizeof body, QUANTITY_TEMPLATE, good[i].text);
        assert_int_equal(parse(body, &a, &da, &err), 0);
        assert_int_equal(da.lines[0].quantity, good[i].quantity);
        arena_release(&a);
    }
}

static void bodies_over_the_cap_are_refused(void **state)
{
    struct despatch_advice da;
    struct err err = {0};
    struct arena a;
    size_t len = XML_BODY_MAX + 1;
    char *body = malloc(len);

    (void)state;
    assert_non_null(body);
    memset(body, ' ', len);
    arena_init(&a);
    assert_int_equal(xml_parse_despatch_advice(body, len, &a, &da, &err), -1);
    assert_int_equal(err.kind, ERR_TOO_LARGE);
    arena_release(&a);
    free(body);
}

static void schema_refuses_unknown_elements(void **state)
{
    static const struct {
        const char *extra;
        const char *field;
    } cases[] = {
        {"<cbc:Colour>red</cbc:Colour>", "Colour"},
        {"<cbc:Note>x</cbc:Note><cbc:IssueTime>noon</cbc:IssueTime>", "IssueTime"},
        {"<cbc:Note xmlns:cbc=\"urn:example:evil\">x</cbc:Note>", "Note"},
    };
    char body[2048];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct err err;

        snprintf(body, sizeof body, SCHEMA_TEMPLATE, cases[i].extra);
        err = parse_error_of(body);
        assert_int_equal(err.kind, ERR_INVALID);
        assert_string_equal(err.field, cases[i].field);
        assert_string_equal(err.message, "does not match the despatch advice schema");
        assert_int_equal(err.line, 5);
    }
}

static void schema_accepts_valid_documents(void **state)
{
    struct despatch_advice da;
    struct err err = {0};
    struct arena a;
    char body[2048];
    size_t len;
    char *fixture = read_whole(RETURNS_FIXTURE, &len);

    (void)state;
    arena_init(&a);
    snprintf(body, sizeof body, SCHEMA_TEMPLATE, "<cbc:Note>returns</cbc:Note>");
    assert_int_equal(parse(body, &a, &da, &err), 0);
    assert_string_equal(da.lines[0].rma_number, "R000000174");
    assert_int_equal(xml_parse_despatch_advice(fixture, len, &a, &da, &err), 0);
    check_returns_fixture(&da);
    arena_release(&a);
    free(fixture);
}

static void loader_denies_everything_after_init(void **state)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    xmlDocPtr doc;
    struct err err = {0};

    (void)state;
    assert_non_null(ctxt);
    assert_null(xmlLoadExternalEntity("file:///etc/passwd", NULL, ctxt));
    assert_null(xmlLoadExternalEntity(RETURNS_FIXTURE, NULL, ctxt));
    xmlFreeParserCtxt(ctxt);
    assert_null(xmlReadFile(RETURNS_FIXTURE, NULL, XML_PARSE_NOERROR | XML_PARSE_NOWARNING));

    /* xml_shutdown() gives libxml2 its own loader back; xml_init() takes it away again. */
    xml_shutdown();
    doc = xmlReadFile(RETURNS_FIXTURE, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    xmlFreeDoc(doc);
    assert_int_equal(xml_init(NULL, &err), 0);
    assert_null(xmlReadFile(RETURNS_FIXTURE, NULL, XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

static void missing_schema_dir_is_an_internal_error(void **state)
{
    struct err err = {0};

    (void)state;
    assert_int_equal(xml_init("/nonexistent/ubl/xsd", &err), -1);
    assert_int_equal(err.kind, ERR_INTERNAL);
    assert_null(xmlReadFile(RETURNS_FIXTURE, NULL, XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    err_clear(&err);
    assert_int_equal(xml_init(NULL, &err), 0);
}

struct worker {
    const char *body;
    size_t len;
    int failures;
};

static void *parse_many(void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < 50; i++) {
        struct despatch_advice da;
        struct err err = {0};
        struct arena a;

        arena_init(&a);
        if (xml_parse_despatch_advice(w->body, w->len, &a, &da, &err) != 0 || da.n_lines != 2 ||
            strcmp(da.lines[1].sscc, "003401234567890132") != 0)
            w->failures++;
        err_clear(&err);
        if (xml_parse_despatch_advice("<a>\n<b>\n</a>", 12, &a, &da, &err) == 0 ||
            err.kind != ERR_BAD_REQUEST || err.line != 3)
            w->failures++;
        arena_release(&a);
    }
    return NULL;
}

static void threads_parse_at_once(void **state)
{
    pthread_t threads[4];
    struct worker workers[4];
    size_t len;
    char *body = read_whole(RETURNS_FIXTURE, &len);

    (void)state;
    for (int i = 0; i < 4; i++) {
        workers[i] = (struct worker){body, len, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, parse_many, &workers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(workers[i].failures, 0);
    }
    free(body);
}

int main(void)
{
    const struct CMUnitTest plain[] = {
        cmocka_unit_test(returns_notice_maps_onto_lines),
        cmocka_unit_test(prefixes_do_not_matter_namespaces_do),
        cmocka_unit_test(doctypes_are_refused),
        cmocka_unit_test(malformed_xml_reports_its_line),
        cmocka_unit_test(other_documents_are_invalid),
        cmocka_unit_test(limits_are_named_as_limits),
        cmocka_unit_test(required_parts_are_named),
        cmocka_unit_test(quantities_must_be_whole_and_positive),
        cmocka_unit_test(bodies_over_the_cap_are_refused),
        cmocka_unit_test(loader_denies_everything_after_init),
        cmocka_unit_test(missing_schema_dir_is_an_internal_error),
    };
    const struct CMUnitTest schema[] = {
        cmocka_unit_test(oasis_example_yields_its_order_reference),
        cmocka_unit_test(schema_refuses_unknown_elements),
        cmocka_unit_test(schema_accepts_valid_documents),
        cmocka_unit_test(doctypes_are_refused),
        cmocka_unit_test(malformed_xml_reports_its_line),
        cmocka_unit_test(threads_parse_at_once),
    };
    int failed = cmocka_run_group_tests_name("without schema", plain, without_schema, shut_down);

    return failed + cmocka_run_group_tests_name("with schema", schema, with_schema, shut_down);
}

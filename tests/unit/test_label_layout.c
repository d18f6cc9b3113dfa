/*
 * Unit tests of the label templates and the layout check: every template parses, and at 203 and
 * 300 dpi, with error correction M and Q, with every optional element present, no text or rule
 * enters any barcode's quiet zone; QR modules are whole dots of at least 0.5 mm; the parser
 * names the line of each mistake; a payload too long for the label is ERR_INVALID (422).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "layout.h"
#include "template.h"

static const char *const MARKS[] = {"FRAGILE", "ESD", "LITHIUM BATTERY", "THIS SIDE UP"};

static struct label_content full(enum label_kind kind, enum label_ec ec, const char *payload)
{
    struct label_content lc;

    memset(&lc, 0, sizeof lc);
    lc.kind = kind;
    lc.ec = ec;
    lc.rma_number = "R000000174";
    lc.parcel_no = 12;
    lc.parcel_count = 999;
    lc.from.name = "Wolfeschlegelsteinhausenbergerdorff Industrial Holdings GmbH und Co KG";
    lc.from.street = "Very Long Street Name With Many Words 123456789 Building C Floor 7";
    lc.from.city = "Frankfurt am Main Ost Industriegebiet";
    lc.from.postcode = "60314-1234";
    lc.from.country = "DE";
    lc.to = lc.from;
    for (int i = 0; i < LABEL_MARKS_MAX; i++)
        lc.marks[i] = MARKS[i];
    snprintf(lc.qr_payload, sizeof lc.qr_payload, "%s", payload);
    snprintf(lc.token, sizeof lc.token, "R000000174-12-B7M8W1Z4");
    lc.carrier = "DHL Express Worldwide";
    lc.tracking_number = "JJD0099999999123456789012345"; /* 28 characters */
    lc.sscc = "006141411234567890";
    lc.core_due_date = "2026-12-31";
    lc.core_instructions = "Send the defective unit back in this box by 2026-12-31. Put the "
                           "return label of R000000174 on it, with the tape provided.";
    lc.core_note = "Cores not returned are invoiced.";
    lc.line_no = 100;
    lc.serial_number = "SRV7400001-ABCDEFGHIJKLMNOP";
    lc.product_model = "Rack server R740 with a long marketing name";
    /* an unexpected arrival's tag fills these instead of line and parcel (same places) */
    lc.heading = "UNEXPECTED ARRIVAL";
    lc.station = "dock-12 receiving hall west";
    return lc;
}

static const char *const PAYLOADS[] = {
    "HTTP://127.0.0.1:8080/P/R000000174/12/B7M8W1Z4",
    "HTTPS://RETURNS.DEPOT-WEST.EXAMPLE.COM/RMA/P/R000012340/999/54GPGDS5",
};

static void every_template_passes_the_layout_check(void **state)
{
    static const int dpis[] = {203, 300};

    (void)state;
    for (int k = 0; k < LABEL_KINDS; k++) {
        for (size_t d = 0; d < 2; d++) {
            for (int ec = LABEL_EC_M; ec <= LABEL_EC_Q; ec++) {
                for (size_t p = 0; p < 2; p++) {
                    struct label_content lc =
                        full((enum label_kind)k, (enum label_ec)ec, PAYLOADS[p]);
                    struct layout lo;
                    struct err err = {0};
                    int rc = layout_build(&lc, dpis[d], &lo, &err);

                    if (rc != 0)
                        fail_msg("%s at %d dpi, ec %d, payload %zu: %s", label_kind_name(lc.kind),
                                 dpis[d], ec, p, err.message);
                    assert_int_equal(layout_check(&lo, &err), 0);
                    /* 4x6 in or 2x1 in at the printer's resolution */
                    assert_int_equal(lo.width, (k == LABEL_PART_TAG ? 2 : 4) * dpis[d]);
                    assert_int_equal(lo.height, (k == LABEL_PART_TAG ? 1 : 6) * dpis[d]);
                    for (int b = 0; b < lo.nbarcodes; b++) {
                        const struct layout_barcode *bc = &lo.barcodes[b];

                        if (bc->kind == LAYOUT_QR) {
                            /* whole dots, at least 0.5 mm: 4 dots at 203 dpi, 6 at 300 */
                            assert_true(bc->module >= (dpis[d] == 203 ? 4 : 6));
                            assert_true(bc->module <= LAYOUT_QR_MODULE_MAX);
                        } else {
                            assert_true(bc->module >= 2);
                        }
                    }
                    /* return, outbound and spare carry QR, Code 128 and GS1-128 */
                    assert_int_equal(lo.nbarcodes, k == LABEL_PART_TAG ? 1 : 3);
                    layout_release(&lo);
                }
            }
        }
    }
}

static void the_check_catches_text_in_a_quiet_zone(void **state)
{
    struct label_content lc = full(LABEL_RETURN_TO_DEPOT, LABEL_EC_M, PAYLOADS[0]);
    struct layout lo;
    struct err err = {0};

    (void)state;
    assert_int_equal(layout_build(&lc, 203, &lo, &err), 0);
    for (int b = 0; b < lo.nbarcodes; b++) {
        int x, y, w, h;
        struct layout probe = lo;
        struct layout_item *it = &probe.items[probe.nitems++];

        layout_barcode_zone(&lo.barcodes[b], &x, &y, &w, &h);
        /* a one-dot text box just inside the quiet zone, left of the symbol */
        memset(it, 0, sizeof *it);
        it->kind = LAYOUT_TEXT;
        it->x = x;
        it->y = y + h / 2;
        it->w = 1;
        it->h = 1;
        err_clear(&err);
        assert_int_equal(layout_check(&probe, &err), -1);
        assert_int_equal(err.kind, ERR_INTERNAL);
        assert_non_null(strstr(err.message, "quiet zone"));
        /* and one dot left of the zone is fine */
        it->x = x - 1;
        err_clear(&err);
        if (x > 0)
            assert_int_equal(layout_check(&probe, &err), 0);
    }
    layout_release(&lo);
}

static void a_payload_too_long_is_invalid(void **state)
{
    char payload[LABEL_PAYLOAD_MAX];
    struct label_content lc;
    struct layout lo;
    struct err err = {0};

    (void)state;
    memset(payload, 0, sizeof payload);
    memcpy(payload, "HTTPS://", 8);
    memset(payload + 8, 'A', sizeof payload - 9);
    lc = full(LABEL_PART_TAG, LABEL_EC_Q, payload);
    assert_int_equal(layout_build(&lc, 203, &lo, &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "qr_payload");
    layout_release(&lo);
}

static void bad_tracking_and_sscc_are_invalid(void **state)
{
    struct label_content lc = full(LABEL_OUTBOUND, LABEL_EC_M, PAYLOADS[0]);
    struct layout lo;
    struct err err = {0};

    (void)state;
    lc.tracking_number = "1Z^XZ~JA";
    assert_int_equal(layout_build(&lc, 203, &lo, &err), -1);
    assert_string_equal(err.field, "tracking_number");
    layout_release(&lo);
    lc = full(LABEL_OUTBOUND, LABEL_EC_M, PAYLOADS[0]);
    lc.sscc = "006141411234567891";
    err_clear(&err);
    assert_int_equal(layout_build(&lc, 203, &lo, &err), -1);
    assert_string_equal(err.field, "sscc");
    layout_release(&lo);
    lc.sscc = NULL;
    lc.tracking_number = "";
    err_clear(&err);
    assert_int_equal(layout_build(&lc, 203, &lo, &err), 0);
    assert_int_equal(lo.nbarcodes, 1); /* the QR only */
    layout_release(&lo);
    err_clear(&err);
    assert_int_equal(layout_build(&lc, 600, &lo, &err), -1);
    assert_string_equal(err.field, "dpi");
    layout_release(&lo);
}

static void parser_names_the_line(void **state)
{
    static const struct {
        const char *text;
        int line;
        const char *msg;
    } cases[] = {
        {"text 1 2 3 4 rma_number\n", 1, "size must come first"},
        {"size 812 1218\n# c\nbogus 1 2 3 4\n", 3, "unknown element"},
        {"size 812 1218\n\ntext 1 2 300 40 nosuchfield\n", 3, "unknown field"},
        {"size 812 1218\ntext 1 2 300 40 rma_number shiny\n", 2, "unknown option"},
        {"size 812 1218\ntext 1 2 300 40 \"open\n", 2, "unterminated"},
        {"size 812 1218\nrule 800 0 20 4\n", 2, "leaves the"},
        {"size 812 1218\nqr 10 10 abc qr_payload\n", 2, "side must be a number"},
        {"size 812 1218\ntext 1 2 300 20 rma_number lines=3\n", 2, "do not fit"},
        {"size 812 1218\ncode128 1 2 300 20 \"lit\"\n", 2, "needs a field"},
        {"size 812 1218\nmarks 1 2 300 40 20 2\n", 2, "step must be"},
        {"size 812 1218\nsize 812 1218\n", 2, "once"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct label_template t;
        struct err err = {0};

        assert_int_equal(template_parse("x", cases[i].text, strlen(cases[i].text), &t, &err), -1);
        assert_int_equal(err.kind, ERR_INVALID);
        if (err.line != cases[i].line || strstr(err.message, cases[i].msg) == NULL)
            fail_msg("case %zu: line %d '%s', want line %d '%s'", i, err.line, err.message,
                     cases[i].line, cases[i].msg);
    }
}

/* The embedded templates are the files in labels/, byte for byte. */
static void embedded_templates_are_the_files(void **state)
{
    static const char *const names[] = {"return", "outbound", "spare", "tag"};

    (void)state;
    for (size_t i = 0; i < 4; i++) {
        char path[512], *data;
        size_t len, got;
        const char *src = template_source(names[i], &len);
        FILE *f;

        snprintf(path, sizeof path, "%s/%s.label", RMAD_LABELS_DIR, names[i]);
        f = fopen(path, "rb");
        assert_non_null(f);
        data = malloc(len + 2);
        got = fread(data, 1, len + 1, f);
        fclose(f);
        assert_non_null(src);
        assert_int_equal(got, len);
        assert_memory_equal(data, src, len);
        free(data);
        struct label_template t;
        struct err err = {0};
        assert_int_equal(template_parse(names[i], src, len, &t, &err), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_template_passes_the_layout_check),
        cmocka_unit_test(the_check_catches_text_in_a_quiet_zone),
        cmocka_unit_test(a_payload_too_long_is_invalid),
        cmocka_unit_test(bad_tracking_and_sscc_are_invalid),
        cmocka_unit_test(parser_names_the_line),
        cmocka_unit_test(embedded_templates_are_the_files),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

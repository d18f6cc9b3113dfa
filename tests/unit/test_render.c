/* Unit tests of label rendering: payloads refused before drawing, outputs well formed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "label/render.h"

typedef int render_fn(const struct label_content *, unsigned char **, size_t *, struct err *);

static struct label_content sample(const char *payload)
{
    struct label_content lc;

    memset(&lc, 0, sizeof lc);
    lc.rma_number = "R000000174";
    lc.parcel_no = 1;
    lc.parcel_count = 1;
    lc.from.name = "Bad \xff\xfe UTF-8 \xe6\x9d";
    lc.to.name = "Depot";
    snprintf(lc.qr_payload, sizeof lc.qr_payload, "%s", payload);
    snprintf(lc.token, sizeof lc.token, "R000000174-1-B7M8W1Z4");
    return lc;
}

static void bad_payloads_are_refused(void **state)
{
    static const char *const payloads[] = {"", "http://lower.case/P/R1/1/X", "HTTP://A/?Q=1",
                                           "HTTP://A/P/^XZ"};
    render_fn *const fns[] = {label_render_png, label_render_pdf, label_render_zpl};

    (void)state;
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        for (size_t f = 0; f < 3; f++) {
            struct label_content lc = sample(payloads[i]);
            struct err err = {0};
            unsigned char *out = (unsigned char *)"x";
            size_t len = 1;

            assert_int_equal(fns[f](&lc, &out, &len, &err), -1);
            assert_int_equal(err.kind, ERR_INVALID);
            assert_string_equal(err.field, "qr_payload");
            assert_null(out);
            assert_int_equal(len, 0);
        }
    }
}

static void outputs_are_well_formed(void **state)
{
    struct label_content lc = sample("HTTP://127.0.0.1:8080/P/R000000174/1/B7M8W1Z4");
    struct err err = {0};
    unsigned char *out;
    size_t len;

    (void)state;
    assert_int_equal(label_render_png(&lc, &out, &len, &err), 0);
    assert_true(len > 1000);
    assert_memory_equal(out, "\x89PNG\r\n\x1a\n", 8);
    free(out);
    assert_int_equal(label_render_pdf(&lc, &out, &len, &err), 0);
    assert_true(len > 1000);
    assert_memory_equal(out, "%PDF-", 5);
    free(out);
    assert_int_equal(label_render_zpl(&lc, &out, &len, &err), 0);
    assert_int_equal(strlen((char *)out), len);
    assert_memory_equal(out, "^XA\n^CI28\n", 10);
    assert_string_equal((char *)out + len - 5, "\n^XZ\n");
    /* each invalid UTF-8 byte became U+FFFD (EF BF BD), escaped and flagged */
    assert_non_null(
        strstr((char *)out, "^FH^FD_2A Bad _EF_BF_BD_EF_BF_BD UTF-8 _EF_BF_BD_EF_BF_BD^FS"));
    free(out);
    assert_int_equal(err.kind, ERR_NONE);
}

/* A noncharacter stored before intake refused them: cairo refuses them in text clusters, so
 * the PDF once failed; every output now carries U+FFFD instead. */
static void stored_noncharacters_do_not_fail(void **state)
{
    struct label_content lc = sample("HTTP://127.0.0.1:8080/P/R000000174/1/B7M8W1Z4");
    struct err err = {0};
    unsigned char *out;
    size_t len;

    (void)state;
    lc.from.name = "ACME\xef\xbf\xbfGmbH \xef\xb7\x90 \xf4\x8f\xbf\xbe";
    lc.to.city = "Z\xef\xbf\xbe";
    assert_int_equal(label_render_pdf(&lc, &out, &len, &err), 0);
    assert_memory_equal(out, "%PDF-", 5);
    free(out);
    assert_int_equal(label_render_png(&lc, &out, &len, &err), 0);
    free(out);
    assert_int_equal(label_render_zpl(&lc, &out, &len, &err), 0);
    assert_non_null(strstr((char *)out, "ACME_EF_BF_BDGmbH _EF_BF_BD _EF_BF_BD"));
    free(out);
    assert_int_equal(err.kind, ERR_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_payloads_are_refused),
        cmocka_unit_test(outputs_are_well_formed),
        cmocka_unit_test(stored_noncharacters_do_not_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

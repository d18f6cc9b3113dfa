/* Unit tests of the GS1 mod-10 check digit, SSCC validation and SSCCs from a configured range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/gs1.h"

static void check_digits_match_gs1_examples(void **state)
{
    /* GS1 General Specifications examples and well-known numbers */
    static const struct {
        const char *digits;
        int want;
    } cases[] = {
        {"00614141123456789", '0'}, /* SSCC 006141411234567890 */
        {"37610425002123456", '9'}, /* SSCC 376104250021234569 */
        {"400638133393", '1'},      /* EAN-13 4006381333931 */
        {"0001234500001", '0'},     /* bare zeros and weights */
        {"12345", '7'},
        {"", '0'},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(gs1_check_digit(cases[i].digits, strlen(cases[i].digits)), cases[i].want);
    assert_int_equal(gs1_check_digit("12a4", 4), -1);
}

static void sscc_validation(void **state)
{
    (void)state;
    assert_true(gs1_sscc_valid("006141411234567890"));
    assert_true(gs1_sscc_valid("376104250021234569"));
    assert_false(gs1_sscc_valid("006141411234567891"));  /* wrong check digit */
    assert_false(gs1_sscc_valid("06141411234567890"));   /* 17 digits */
    assert_false(gs1_sscc_valid("0061414112345678900")); /* 19 digits */
    assert_false(gs1_sscc_valid("00614141123456789X"));
    assert_false(gs1_sscc_valid(NULL));
    /* every single-digit change is caught */
    char s[] = "006141411234567890";
    for (size_t i = 0; i < 18; i++) {
        char keep = s[i];
        for (char d = '0'; d <= '9'; d++) {
            if (d == keep)
                continue;
            s[i] = d;
            assert_false(gs1_sscc_valid(s));
        }
        s[i] = keep;
    }
}

static void ssccs_from_a_range(void **state)
{
    struct gs1_sscc_range r;
    struct err err = {0};
    char out[GS1_SSCC_LEN + 1];

    (void)state;
    assert_int_equal(gs1_sscc_range_parse("0614141", "123456789", "123456799", NULL, &r, &err), 0);
    assert_int_equal(gs1_sscc_ref_max(&r), 999999999ULL);
    assert_int_equal(gs1_sscc_make(&r, 123456789, out, &err), 0);
    assert_string_equal(out, "006141411234567890");
    assert_true(gs1_sscc_valid(out));
    assert_int_equal(gs1_sscc_make(&r, 123456799, out, &err), 0);
    assert_true(gs1_sscc_valid(out));
    assert_int_equal(gs1_sscc_make(&r, 123456800, out, &err), -1);
    assert_int_equal(err.kind, ERR_CONFLICT);
    assert_string_equal(err.field, "sscc");

    /* a 10-digit prefix leaves 6 digits of serial reference; extension digit 3 */
    err_clear(&err);
    assert_int_equal(gs1_sscc_range_parse("4012345678", NULL, NULL, "3", &r, &err), 0);
    assert_int_equal(r.first, 0);
    assert_int_equal(r.last, 999999ULL);
    assert_int_equal(gs1_sscc_make(&r, 42, out, &err), 0);
    assert_memory_equal(out, "34012345678000042", 17);
    assert_true(gs1_sscc_valid(out));
}

static void bad_settings_are_refused(void **state)
{
    static const struct {
        const char *prefix, *first, *last, *ext, *field;
    } cases[] = {
        {NULL, NULL, NULL, NULL, "RMAD_GS1_COMPANY_PREFIX"},
        {"061414", NULL, NULL, NULL, "RMAD_GS1_COMPANY_PREFIX"},
        {"06141410000", NULL, NULL, NULL, "RMAD_GS1_COMPANY_PREFIX"},
        {"06141x1", NULL, NULL, NULL, "RMAD_GS1_COMPANY_PREFIX"},
        {"0614141", "-1", NULL, NULL, "RMAD_SSCC_FIRST"},
        {"0614141", "1000000000", NULL, NULL, "RMAD_SSCC_FIRST"},
        {"0614141", NULL, "1000000000", NULL, "RMAD_SSCC_LAST"},
        {"0614141", "10", "9", NULL, "RMAD_SSCC_LAST"},
        {"0614141", NULL, NULL, "12", "RMAD_SSCC_EXTENSION"},
        {"0614141", NULL, NULL, "x", "RMAD_SSCC_EXTENSION"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct gs1_sscc_range r;
        struct err err = {0};

        assert_int_equal(gs1_sscc_range_parse(cases[i].prefix, cases[i].first, cases[i].last,
                                              cases[i].ext, &r, &err),
                         -1);
        assert_int_equal(err.kind, ERR_INVALID);
        assert_string_equal(err.field, cases[i].field);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_digits_match_gs1_examples),
        cmocka_unit_test(sscc_validation),
        cmocka_unit_test(ssccs_from_a_range),
        cmocka_unit_test(bad_settings_are_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of scancode: every shape a depot scanner may type, and what must be refused.
 *
 * R000000174 is a valid RMA number (Damm check digit, computed with python-stdnum's
 * stdnum.damm.calc_check_digit); R000000175 (wrong check digit), R000000714 (digits swapped) and
 * R00000017V (the old MOD 37,36 shape) are not.  340123450000000017, 006141411234567890 and
 * 106141410000000019 are SSCCs whose GS1 check digit was computed with python-stdnum
 * (stdnum.ean.calc_check_digit); the same numbers ending in 8, 1 and 0 are not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/err.h"
#include "core/scancode.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void accepts_every_known_shape(void **state)
{
    static const struct {
        const char *in;
        enum scancode_kind kind;
        const char *rma;
        int parcel;
        const char *tag;
        const char *sscc;
        const char *tracking;
    } cases[] = {
        /* the label's QR URL */
        {"HTTPS://RMA.EXAMPLE.COM/P/R000000174/1/7QX4M2AB", SCANCODE_QR_URL, "R000000174", 1,
         "7QX4M2AB", "", ""},
        {"https://rma.example.com/p/r000000174/2/7qx4m2ab", SCANCODE_QR_URL, "R000000174", 2,
         "7QX4M2AB", "", ""},
        {"HTTPS://DEPOT.EXAMPLE.COM/RMAD/P/R123456786/12/7QX4M2AB", SCANCODE_QR_URL, "R123456786",
         12, "7QX4M2AB", "", ""},
        {"https://depot.example.com/a/b/p/r000000174/3/zz99\r\n", SCANCODE_QR_URL, "R000000174", 3,
         "ZZ99", "", ""},
        {"HTTPS://RMA.EXAMPLE.COM/P/R000000174/1/7QX4M2AB\n", SCANCODE_QR_URL, "R000000174", 1,
         "7QX4M2AB", "", ""},
        {"HTTP://RMA.EXAMPLE.COM/P/R000000174/9999/0123456789ABCDEF", SCANCODE_QR_URL, "R000000174",
         9999, "0123456789ABCDEF", "", ""},
        /* the token printed under the QR */
        {"R000000174-1-7QX4M2AB", SCANCODE_TOKEN, "R000000174", 1, "7QX4M2AB", "", ""},
        {"R000000174/4/7QX4M2AB", SCANCODE_TOKEN, "R000000174", 4, "7QX4M2AB", "", ""},
        {"r000000174-1-7qx4m2ab\r\n", SCANCODE_TOKEN, "R000000174", 1, "7QX4M2AB", "", ""},
        {"  R999999999-15-A  ", SCANCODE_TOKEN, "R999999999", 15, "A", "", ""},
        /* a bare RMA number */
        {"R000000174", SCANCODE_RMA, "R000000174", 0, "", "", ""},
        {" r000000174\r\n", SCANCODE_RMA, "R000000174", 0, "", "", ""},
        {"R000000059", SCANCODE_RMA, "R000000059", 0, "", "", ""},
        /* SSCC in every form */
        {"(00)340123450000000017", SCANCODE_SSCC, "", 0, "", "340123450000000017", ""},
        {"]C1(00)340123450000000017", SCANCODE_SSCC, "", 0, "", "340123450000000017", ""},
        {"]C100340123450000000017", SCANCODE_SSCC, "", 0, "", "340123450000000017", ""},
        {"]c100006141411234567890", SCANCODE_SSCC, "", 0, "", "006141411234567890", ""},
        {"00340123450000000017", SCANCODE_SSCC, "", 0, "", "340123450000000017", ""},
        {"00106141410000000019\r\n", SCANCODE_SSCC, "", 0, "", "106141410000000019", ""},
        {"340123450000000017", SCANCODE_SSCC, "", 0, "", "340123450000000017", ""},
        {"006141411234567890", SCANCODE_SSCC, "", 0, "", "006141411234567890", ""},
        {"HTTPS://ID.GS1.ORG/00/340123450000000017", SCANCODE_SSCC, "", 0, "", "340123450000000017",
         ""},
        {"https://example.com/dl/00/106141410000000019?linkType=gs1:traceability", SCANCODE_SSCC,
         "", 0, "", "106141410000000019", ""},
        /* the depot's tag of an unexpected arrival: a kind of its own, never a tracking number */
        {"U00000001", SCANCODE_UNEXPECTED, "", 0, "", "", ""},
        {"u00000042\r\n", SCANCODE_UNEXPECTED, "", 0, "", "", ""},
        {"HTTP://127.0.0.1:8080/U/U00000001", SCANCODE_UNEXPECTED, "", 0, "", "", ""},
        {"https://depot.example.com/rmad/u/u00000007/", SCANCODE_UNEXPECTED, "", 0, "", "", ""},
        {"U0000000", SCANCODE_TRACKING, "", 0, "", "", "U0000000"},
        {"U000000012", SCANCODE_TRACKING, "", 0, "", "", "U000000012"},
        /* carrier tracking numbers */
        {"1Z999AA10123456784", SCANCODE_TRACKING, "", 0, "", "", "1Z999AA10123456784"},
        {"1z999aa10123456784\r\n", SCANCODE_TRACKING, "", 0, "", "", "1Z999AA10123456784"},
        {"123456789012", SCANCODE_TRACKING, "", 0, "", "", "123456789012"},
        {"RR123456789DE", SCANCODE_TRACKING, "", 0, "", "", "RR123456789DE"},
        {"ABC123", SCANCODE_TRACKING, "", 0, "", "", "ABC123"},
        {"JJD0099999999ABCDEFGHIJKLMNOPQRSTUVWXYZ0", SCANCODE_TRACKING, "", 0, "", "",
         "JJD0099999999ABCDEFGHIJKLMNOPQRSTUVWXYZ0"},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct scancode sc;
        struct err err = {0};

        if (scancode_parse(cases[i].in, strlen(cases[i].in), &sc, &err) != 0)
            fail_msg("\"%s\" refused: %s: %s", cases[i].in, err.field, err.message);
        assert_false(err_is_set(&err));
        if (sc.kind != cases[i].kind)
            fail_msg("\"%s\": kind %s, expected %s", cases[i].in, scancode_kind_name(sc.kind),
                     scancode_kind_name(cases[i].kind));
        assert_string_equal(sc.rma, cases[i].rma);
        assert_int_equal(sc.parcel, cases[i].parcel);
        assert_string_equal(sc.tag, cases[i].tag);
        assert_string_equal(sc.sscc, cases[i].sscc);
        assert_string_equal(sc.tracking, cases[i].tracking);
        if (sc.kind == SCANCODE_UNEXPECTED)
            assert_true(strlen(sc.internal_id) == 9 && sc.internal_id[0] == 'U');
    }
}

static void unexpected_arrival_ids(void **state)
{
    static const char *const ids[][2] = {
        {"U00000001", "U00000001"},
        {"HTTPS://RMA.EXAMPLE.COM/U/U12345678", "U12345678"},
        {"http://rma.example.com/u/u00000042", "U00000042"},
    };
    struct scancode sc;
    struct err err = {0};

    (void)state;
    for (size_t i = 0; i < COUNT(ids); i++) {
        assert_int_equal(scancode_parse(ids[i][0], strlen(ids[i][0]), &sc, &err), 0);
        assert_int_equal(sc.kind, SCANCODE_UNEXPECTED);
        assert_string_equal(sc.internal_id, ids[i][1]);
        assert_string_equal(scancode_kind_name(sc.kind), "unexpected_arrival");
    }
    /* a /U/ URL whose id is malformed is no code rmad knows */
    assert_int_equal(scancode_parse("HTTPS://RMA.EXAMPLE.COM/U/U123", 30, &sc, &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
}

static void refuses_with_field_code(void **state)
{
    static char too_long[SCANCODE_MAX_INPUT + 2];
    static const char *const cases[] = {
        "",
        " ",
        "        ",
        "\r\n",
        "\t \r\n",
        /* control characters */
        "R000000174\x01",
        "R0000\x07"
        "0174",
        "R000000174-1-7QX\x1b"
        "4M2AB",
        "R000000174-1-7QX4M2AB\x7f",
        "1Z999AA1\t0123456784",
        /* not ASCII */
        "R000000174-1-7QX4M2\xc3\x84"
        "B",
        "\xc3\xa9tiquette",
        "HTTPS://RMA.EXAMPLE.COM/P/R000000174/1/7QX4M2AB\xe2\x80\x8b",
        /* an RMA number with a bad check digit, in every form */
        "R000000175",
        "r000000175",
        "R000000714",
        "R000000147",
        /* the old shape with a check letter is a mistyped RMA number, not a tracking number */
        "R00000017V",
        "R000000175-1-7QX4M2AB",
        "R000000175/1/7QX4M2AB",
        "HTTPS://RMA.EXAMPLE.COM/P/R000000175/1/7QX4M2AB",
        /* a URL that is not a parcel URL */
        "HTTPS://RMA.EXAMPLE.COM/X/R000000174/1/7QX4M2AB",
        "HTTPS://RMA.EXAMPLE.COM/R000000174/1/7QX4M2AB",
        "HTTPS://RMA.EXAMPLE.COM",
        "HTTPS://RMA.EXAMPLE.COM/P/R000000174",
        "HTTPS://RMA.EXAMPLE.COM/P/R000000174/1",
        "HTTPS://RMA.EXAMPLE.COM/P/R000000174/X/7QX4M2AB",
        "HTTPS://RMA.EXAMPLE.COM/P/R000000174/1/0123456789ABCDEFG",
        "FTP://RMA.EXAMPLE.COM/P/R000000174/1/7QX4M2AB",
        /* parcel numbers start at 1 */
        "R000000174-0-7QX4M2AB",
        /* SSCCs with a wrong check digit or length */
        "(00)340123450000000018",
        "]C1(00)340123450000000018",
        "]C100340123450000000018",
        "00340123450000000018",
        "340123450000000018",
        "006141411234567891",
        "HTTPS://ID.GS1.ORG/00/340123450000000018",
        "HTTPS://ID.GS1.ORG/00/34012345000000001",
        "(00)34012345000000001",
        "(00)3401234500000000170",
        "(00)34012345000000001X",
        /* nothing rmad knows */
        "ABC",
        "AB-CD-EF",
        "1Z999AA1 0123456784",
        "JJD0099999999ABCDEFGHIJKLMNOPQRSTUVWXYZ01",
        too_long,
    };

    (void)state;
    memset(too_long, 'A', SCANCODE_MAX_INPUT + 1);
    too_long[SCANCODE_MAX_INPUT + 1] = '\0';
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct scancode sc;
        struct err err = {0};

        if (scancode_parse(cases[i], strlen(cases[i]), &sc, &err) != -1)
            fail_msg("\"%s\" accepted as %s", cases[i], scancode_kind_name(sc.kind));
        assert_int_equal(err.kind, ERR_INVALID);
        if (strcmp(err.field, "code") != 0)
            fail_msg("\"%s\": field \"%s\", expected \"code\"", cases[i], err.field);
        assert_true(err.message[0] != '\0');
    }
}

static void input_of_513_characters_is_too_long(void **state)
{
    char in[SCANCODE_MAX_INPUT + 1];
    struct scancode sc;
    struct err err = {0};

    (void)state;
    /* 513 characters that would otherwise be a valid token */
    memset(in, '0', sizeof in);
    memcpy(in, "R000000174-1-", 13);
    memcpy(in + sizeof in - 8, "7QX4M2AB", 8);
    assert_int_equal(scancode_parse(in, sizeof in, &sc, &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "code");
    assert_string_equal(err.message, "must be at most 512 characters");
}

static void bad_check_digit_is_named(void **state)
{
    static const char *const cases[] = {
        "R000000175",
        "R000000175-1-7QX4M2AB",
        "r000000175/1/7qx4m2ab",
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct scancode sc;
        struct err err = {0};

        assert_int_equal(scancode_parse(cases[i], strlen(cases[i]), &sc, &err), -1);
        assert_int_equal(err.kind, ERR_INVALID);
        assert_string_equal(err.field, "code");
        assert_string_equal(err.message, "rma number check digit does not match");
    }
}

static void input_need_not_be_nul_terminated(void **state)
{
    static const char buf[] = "R000000174-1-7QX4M2ABtrailing garbage";
    struct scancode sc;
    struct err err = {0};

    (void)state;
    assert_int_equal(scancode_parse(buf, 10, &sc, &err), 0);
    assert_int_equal(sc.kind, SCANCODE_RMA);
    assert_string_equal(sc.rma, "R000000174");
    assert_int_equal(scancode_parse(buf, 21, &sc, &err), 0);
    assert_int_equal(sc.kind, SCANCODE_TOKEN);
    assert_string_equal(sc.tag, "7QX4M2AB");
    assert_false(err_is_set(&err));
    /* a length of 0 is empty, whatever the buffer holds */
    assert_int_equal(scancode_parse(buf, 0, &sc, &err), -1);
    assert_string_equal(err.field, "code");
}

static void gs1_check_digit_table(void **state)
{
    static const struct {
        const char *s;
        size_t n;
        int want;
    } cases[] = {
        {"34012345000000001", 17, 7}, {"340123450000000017", 17, 7}, {"00614141123456789", 17, 0},
        {"10614141000000001", 17, 9}, {"400638133393", 12, 1},       /* GTIN-13 4006381333931 */
        {"00000000000000000", 17, 0}, {"34012345000000001X", 17, 7}, /* only the first n characters
                                                                        count */
        {"3401234500000000", 16, 2},  {"3401234500000000X", 17, -1}, {"34012 45000000001", 17, -1},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++)
        if (scancode_gs1_check_digit(cases[i].s, cases[i].n) != cases[i].want)
            fail_msg("check digit of %.*s: expected %d, got %d", (int)cases[i].n, cases[i].s,
                     cases[i].want, scancode_gs1_check_digit(cases[i].s, cases[i].n));
}

static void kind_names_are_stable(void **state)
{
    (void)state;
    assert_string_equal(scancode_kind_name(SCANCODE_QR_URL), "qr_url");
    assert_string_equal(scancode_kind_name(SCANCODE_TOKEN), "token");
    assert_string_equal(scancode_kind_name(SCANCODE_RMA), "rma_number");
    assert_string_equal(scancode_kind_name(SCANCODE_SSCC), "sscc");
    assert_string_equal(scancode_kind_name(SCANCODE_TRACKING), "tracking_number");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_every_known_shape),
        cmocka_unit_test(unexpected_arrival_ids),
        cmocka_unit_test(refuses_with_field_code),
        cmocka_unit_test(input_of_513_characters_is_too_long),
        cmocka_unit_test(bad_check_digit_is_named),
        cmocka_unit_test(input_need_not_be_nul_terminated),
        cmocka_unit_test(gs1_check_digit_table),
        cmocka_unit_test(kind_names_are_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

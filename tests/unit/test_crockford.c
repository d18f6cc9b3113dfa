/* Unit tests of crockford: encoding tables, bit order, normalization of typed codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/crockford.h"

static void encode_table(void **state)
{
    static const struct {
        const char *bytes;
        size_t nbytes, nchars;
        const char *want;
    } cases[] = {
        {"", 0, 0, ""},
        {"\x00", 1, 1, "0"},
        {"\xff", 1, 1, "Z"},
        {"\xff", 1, 2, "ZW"}, /* 11111 111(00) */
        {"\x08", 1, 2, "10"}, /* 00001 000(00) */
        {"\xfa\x56\xad\x84\x2b", 5, 8, "Z9BAV11B"},
        {"\x00\x44\x32\x14\xc7", 5, 8, "01234567"},
        {"\xa6\x2b\x9c\x4f\x3d\xef", 6, 8, "MRNSRKSX"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[16];

        assert_int_equal(crockford_encode((const unsigned char *)cases[i].bytes, cases[i].nbytes,
                                          cases[i].nchars, out),
                         0);
        assert_string_equal(out, cases[i].want);
    }
}

static void encode_refuses_more_chars_than_bits(void **state)
{
    char out[16] = "untouched";

    (void)state;
    assert_int_equal(crockford_encode((const unsigned char *)"\xff", 1, 3, out), -1);
    assert_int_equal(crockford_encode((const unsigned char *)"abcde", 5, 9, out), -1);
    assert_string_equal(out, "untouched");
    assert_int_equal(crockford_encode((const unsigned char *)"abcde", 5, 8, out), 0);
}

static void alphabet_has_no_i_l_o_u(void **state)
{
    (void)state;
    assert_string_equal(CROCKFORD_ALPHABET, "0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    for (int v = 0; v < 32; v++)
        assert_int_equal(crockford_value(CROCKFORD_ALPHABET[v]), v);
    assert_int_equal(crockford_value('U'), -1);
    assert_int_equal(crockford_value('u'), -1);
    assert_int_equal(crockford_value('o'), 0);
    assert_int_equal(crockford_value('i'), 1);
    assert_int_equal(crockford_value('L'), 1);
    assert_int_equal(crockford_value('z'), 31);
    assert_int_equal(crockford_value('\0'), -1);
}

static void normalize_table(void **state)
{
    static const struct {
        const char *in;
        int rc;
        const char *want;
    } cases[] = {
        {"Z9BAV11B", 8, "Z9BAV11B"},
        {"z9bav11b", 8, "Z9BAV11B"},
        {"Z9BAV-IlB", 8, "Z9BAV11B"},
        {"o0Oo", 4, "0000"},
        {"--", 0, ""},
        {"", 0, ""},
        {"ABCU", -1, NULL},
        {"AB C", -1, NULL},
        {"AB_C", -1, NULL},
        {"M\xc3\xbc", -1, NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[16];

        assert_int_equal(crockford_normalize(cases[i].in, out, sizeof out), cases[i].rc);
        if (cases[i].want != NULL)
            assert_string_equal(out, cases[i].want);
    }
}

static void normalize_refuses_short_output(void **state)
{
    char out[4];

    (void)state;
    assert_int_equal(crockford_normalize("ABC", out, sizeof out), 3);
    assert_int_equal(crockford_normalize("ABCD", out, sizeof out), -1);
    assert_int_equal(crockford_normalize("A-B-C-", out, sizeof out), 3);
    assert_int_equal(crockford_normalize("", out, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encode_table),
        cmocka_unit_test(encode_refuses_more_chars_than_bits),
        cmocka_unit_test(alphabet_has_no_i_l_o_u),
        cmocka_unit_test(normalize_table),
        cmocka_unit_test(normalize_refuses_short_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of rmanum: the ISO 7064 MOD 37,36 check character, formatting, parsing, and the
 * promise of include/core/rmanum.h that every single mistyped character and every swap of two
 * neighbours is caught.
 *
 * The expected check characters were computed outside this code base, with python-stdnum
 * (stdnum.iso7064.mod_37_36.calc_check_digit), and are hard-coded here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/rmanum.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void check_char_matches_reference(void **state)
{
    static const struct {
        const char *s;
        char check;
    } cases[] = {
        {"R00000001", 'C'},
        {"R00000017", 'V'},
        {"R00000042", 'V'},
        {"R00001000", 'Z'},
        {"R00314159", 'D'},
        {"R12345678", '9'},
        {"R27182818", 'N'},
        {"R99999999", '4'},
        {"R99999998", '6'},
        {"R00000005", '4'},
        {"A", 'H'},
        {"0", '2'},
        {"Z", '4'},
        {"AB12CD", '8'},
        {"ZZZZZZZZZ", 'H'},
        {"RMAD", 'J'},
        /* anything but upper-case letters and digits has no check character */
        {"r00000017", '\0'},
        {"R0000-017", '\0'},
        {"R0000 017", '\0'},
        {"R0000\xc3\x84", '\0'},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        char got = rmanum_check_char(cases[i].s, strlen(cases[i].s));
        if (got != cases[i].check)
            fail_msg("check character of \"%s\": expected '%c' (%d), got '%c' (%d)", cases[i].s,
                     cases[i].check ? cases[i].check : '?', cases[i].check, got ? got : '?', got);
    }
}

static void check_char_reads_only_len_bytes(void **state)
{
    (void)state;
    /* the tenth character (and anything after it) is not part of the input */
    assert_int_equal(rmanum_check_char("R00000017V-and-more", 9), 'V');
    assert_int_equal(rmanum_check_char("R00000017!", 9), 'V');
}

static void format_appends_check_char(void **state)
{
    static const struct {
        int64_t seq;
        const char *want;
    } cases[] = {
        {1, "R00000001C"},        {5, "R000000054"},
        {17, "R00000017V"},       {42, "R00000042V"},
        {1000, "R00001000Z"},     {314159, "R00314159D"},
        {12345678, "R123456789"}, {27182818, "R27182818N"},
        {99999998, "R999999986"}, {RMANUM_MAX_SEQ, "R999999994"},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[RMANUM_LEN + 1];
        struct err err = {0};

        memset(out, 'x', sizeof out);
        assert_int_equal(rmanum_format(cases[i].seq, out, &err), 0);
        assert_false(err_is_set(&err));
        assert_string_equal(out, cases[i].want);
        assert_true(rmanum_is_valid(out));
    }
}

static void format_refuses_out_of_range_seq(void **state)
{
    static const int64_t seqs[] = {0,         -1,       -17, RMANUM_MAX_SEQ + 1, 1000000000LL,
                                   INT64_MAX, INT64_MIN};

    (void)state;
    for (size_t i = 0; i < COUNT(seqs); i++) {
        char out[RMANUM_LEN + 1] = "untouched";
        struct err err = {0};

        assert_int_equal(rmanum_format(seqs[i], out, &err), -1);
        assert_true(err_is_set(&err));
        assert_int_equal(err.kind, ERR_INTERNAL);
        assert_string_equal(err.field, "rma_number");
    }
}

static void is_valid_table(void **state)
{
    static const struct {
        const char *s;
        bool valid;
    } cases[] = {
        {"R00000017V", true},  {"R00000001C", true},   {"R999999994", true},
        {"R123456789", true},  {"R00000017K", false},  {"R00000017v", false},
        {"r00000017V", false}, {"R00000017", false},   {"R00000017VV", false},
        {"", false},           {"X00000017V", false},  {"R0000001AV", false},
        {"R0000 017V", false}, {" R00000017V", false}, {"R00000017V\n", false},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++)
        if (rmanum_is_valid(cases[i].s) != cases[i].valid)
            fail_msg("rmanum_is_valid(\"%s\") should be %s", cases[i].s,
                     cases[i].valid ? "true" : "false");
}

/* Numbers the two loops below run over: short, long, repeated and mixed digits. */
static const int64_t loop_seqs[] = {1, 17, 42, 1000, 314159, 12345678, 27182818, 99999999};

static void every_single_substitution_is_rejected(void **state)
{
    int accepted = 0;

    (void)state;
    for (size_t k = 0; k < COUNT(loop_seqs); k++) {
        char good[RMANUM_LEN + 1];
        struct err err = {0};

        assert_int_equal(rmanum_format(loop_seqs[k], good, &err), 0);
        for (int pos = 0; pos < RMANUM_LEN; pos++) {
            for (int c = 0x20; c <= 0x7e; c++) {
                char bad[RMANUM_LEN + 1];

                if (c == good[pos])
                    continue;
                memcpy(bad, good, sizeof bad);
                bad[pos] = (char)c;
                if (rmanum_is_valid(bad)) {
                    print_error("substitution %s of %s is accepted\n", bad, good);
                    accepted++;
                }
            }
        }
    }
    assert_int_equal(accepted, 0);
}

static void every_adjacent_transposition_is_rejected(void **state)
{
    int accepted = 0;

    (void)state;
    for (size_t k = 0; k < COUNT(loop_seqs); k++) {
        char good[RMANUM_LEN + 1];
        struct err err = {0};

        assert_int_equal(rmanum_format(loop_seqs[k], good, &err), 0);
        for (int pos = 0; pos + 1 < RMANUM_LEN; pos++) {
            char bad[RMANUM_LEN + 1];

            if (good[pos] == good[pos + 1])
                continue;
            memcpy(bad, good, sizeof bad);
            bad[pos] = good[pos + 1];
            bad[pos + 1] = good[pos];
            if (rmanum_is_valid(bad)) {
                print_error("transposition %s of %s is accepted\n", bad, good);
                accepted++;
            }
        }
    }
    assert_int_equal(accepted, 0);
}

static void parse_trims_and_upper_cases(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"R00000017V", "R00000017V"},       {"r00000017v", "R00000017V"},
        {"  r00000017v\r\n", "R00000017V"}, {"\tR00000017V ", "R00000017V"},
        {"\nr123456789\n", "R123456789"},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[RMANUM_LEN + 1];
        struct err err = {0};

        if (rmanum_parse(cases[i].in, "rma_number", out, &err) != 0)
            fail_msg("\"%s\" refused: %s: %s", cases[i].in, err.field, err.message);
        assert_false(err_is_set(&err));
        assert_string_equal(out, cases[i].want);
    }
}

static void parse_refuses_malformed_and_wrong_check(void **state)
{
    static const char *const cases[] = {
        "R00000017K", /* wrong check character */
        "r00000017k", /* wrong check character, lower case */
        " R00000017W\n",
        "R00000071V",  /* digits swapped */
        "R0000001V",   /* too short */
        "R00000017VX", /* too long */
        "",
        "   ",
        "X00000017V",
        "R0000A017V",
        "R0000 017V",
        "R-00000017",
        "R00000017\xc3\x84",
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[RMANUM_LEN + 1];
        struct err err = {0};

        if (rmanum_parse(cases[i], "rma_number", out, &err) != -1)
            fail_msg("\"%s\" accepted as %s", cases[i], out);
        assert_int_equal(err.kind, ERR_INVALID);
        assert_string_equal(err.field, "rma_number");
        assert_true(err.message[0] != '\0');
    }
}

static void parse_names_the_callers_field(void **state)
{
    char out[RMANUM_LEN + 1];
    struct err err = {0};

    (void)state;
    assert_int_equal(rmanum_parse("R00000017K", "lines[0].rma", out, &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "lines[0].rma");
    assert_string_equal(err.message, "check character does not match");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_char_matches_reference),
        cmocka_unit_test(check_char_reads_only_len_bytes),
        cmocka_unit_test(format_appends_check_char),
        cmocka_unit_test(format_refuses_out_of_range_seq),
        cmocka_unit_test(is_valid_table),
        cmocka_unit_test(every_single_substitution_is_rejected),
        cmocka_unit_test(every_adjacent_transposition_is_rejected),
        cmocka_unit_test(parse_trims_and_upper_cases),
        cmocka_unit_test(parse_refuses_malformed_and_wrong_check),
        cmocka_unit_test(parse_names_the_callers_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of rmanum: the Damm check digit, formatting, parsing, and the promise of
 * include/core/rmanum.h that every single mistyped character and every swap of two neighbours is
 * caught.
 *
 * The expected check digits were computed outside this code base, with python-stdnum
 * (stdnum.damm.calc_check_digit), and are hard-coded here.
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
#define MALFORMED "must be an rma number like R000000174"
#define CHECK "check digit does not match"

static void check_digit_matches_reference(void **state)
{
    static const struct {
        const char *s;
        int check;
    } cases[] = {
        {"00000001", 3},
        {"00000017", 4},
        {"00000042", 7},
        {"00001000", 8},
        {"00314159", 1},
        {"12345678", 6},
        {"27182818", 9},
        {"99999999", 9},
        {"99999998", 5},
        {"00000005", 9},
        {"572", 4},
        {"0", 0},
        {"9", 2},
        {"123456789", 4},
        {"", 0},
        /* a number followed by its check digit checks to 0 */
        {"5724", 0},
        {"000000174", 0},
        /* anything but the digits 0-9 has no check digit */
        {"R00000017", -1},
        {"0000001a", -1},
        {"0000-017", -1},
        {"0000 017", -1},
        {"0000\xc3\x84", -1},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        int got = rmanum_check_digit(cases[i].s, strlen(cases[i].s));
        if (got != cases[i].check)
            fail_msg("check digit of \"%s\": expected %d, got %d", cases[i].s, cases[i].check, got);
    }
}

static void check_digit_reads_only_len_bytes(void **state)
{
    (void)state;
    /* the ninth character (and anything after it) is not part of the input */
    assert_int_equal(rmanum_check_digit("00000017-and-more", 8), 4);
    assert_int_equal(rmanum_check_digit("000000174!", 8), 4);
    assert_int_equal(rmanum_check_digit("R", 0), 0);
}

static void format_appends_check_digit(void **state)
{
    static const struct {
        int64_t seq;
        const char *want;
    } cases[] = {
        {1, "R000000013"},        {5, "R000000059"},
        {17, "R000000174"},       {42, "R000000427"},
        {1000, "R000010008"},     {314159, "R003141591"},
        {12345678, "R123456786"}, {27182818, "R271828189"},
        {99999998, "R999999985"}, {RMANUM_MAX_SEQ, "R999999999"},
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
        {"R000000174", true},
        {"R000000013", true},
        {"R999999999", true},
        {"R123456786", true},
        /* wrong check digit; check digit swapped with its neighbour */
        {"R000000175", false},
        {"R000000147", false},
        /* a letter where the check digit goes, as in the old MOD 37,36 numbers */
        {"R00000017K", false},
        {"R00000017V", false},
        /* not upper case, wrong length, wrong prefix, not digits, white space */
        {"r000000174", false},
        {"R00000017", false},
        {"R0000001744", false},
        {"", false},
        {"X000000174", false},
        {"R0000001A4", false},
        {"R0000 0174", false},
        {" R000000174", false},
        {"R000000174\n", false},
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
        {"R000000174", "R000000174"},       {"r000000174", "R000000174"},
        {"  r000000174\r\n", "R000000174"}, {"\tR000000174 ", "R000000174"},
        {"\nr123456786\n", "R123456786"},
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
    static const struct {
        const char *in;
        const char *message;
    } cases[] = {
        {"R000000175", CHECK},     /* wrong check digit */
        {"r000000175", CHECK},     /* wrong check digit, lower case */
        {" R000000170\n", CHECK},  /* wrong check digit, trimmed */
        {"R000000714", CHECK},     /* sequence digits swapped */
        {"R000000147", CHECK},     /* check digit swapped with its neighbour */
        {"R00000017K", MALFORMED}, /* a letter where the check digit goes */
        {"R00000017V", MALFORMED},
        {"R00000174", MALFORMED},   /* too short */
        {"R0000001744", MALFORMED}, /* too long */
        {"", MALFORMED},
        {"   ", MALFORMED},
        {"X000000174", MALFORMED},
        {"0R00000174", MALFORMED},
        {"R0000A0174", MALFORMED},
        {"R0000 0174", MALFORMED},
        {"R-00000017", MALFORMED},
        {"R00000017\xc3\x84", MALFORMED},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[RMANUM_LEN + 1];
        struct err err = {0};

        if (rmanum_parse(cases[i].in, "rma_number", out, &err) != -1)
            fail_msg("\"%s\" accepted as %s", cases[i].in, out);
        assert_int_equal(err.kind, ERR_INVALID);
        assert_string_equal(err.field, "rma_number");
        if (strcmp(err.message, cases[i].message) != 0)
            fail_msg("\"%s\": message \"%s\", expected \"%s\"", cases[i].in, err.message,
                     cases[i].message);
    }
}

static void parse_names_the_callers_field(void **state)
{
    char out[RMANUM_LEN + 1];
    struct err err = {0};

    (void)state;
    assert_int_equal(rmanum_parse("R000000175", "lines[0].rma", out, &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "lines[0].rma");
    assert_string_equal(err.message, CHECK);
}

static void malformed_message_shows_a_valid_example(void **state)
{
    char out[RMANUM_LEN + 1];
    struct err err = {0};

    (void)state;
    /* the example in the message is itself a valid rma number */
    assert_true(rmanum_is_valid("R000000174"));
    assert_int_equal(rmanum_parse("RMA-17", "rma_number", out, &err), -1);
    assert_string_equal(err.message, MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_digit_matches_reference),
        cmocka_unit_test(check_digit_reads_only_len_bytes),
        cmocka_unit_test(format_appends_check_digit),
        cmocka_unit_test(format_refuses_out_of_range_seq),
        cmocka_unit_test(is_valid_table),
        cmocka_unit_test(every_single_substitution_is_rejected),
        cmocka_unit_test(every_adjacent_transposition_is_rejected),
        cmocka_unit_test(parse_trims_and_upper_cases),
        cmocka_unit_test(parse_refuses_malformed_and_wrong_check),
        cmocka_unit_test(parse_names_the_callers_field),
        cmocka_unit_test(malformed_message_shows_a_valid_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of qrtag.  Known answers computed independently:
 *   printf 'v1|R00000017K|1' | openssl dgst -sha256 -hmac 'rmad-test-label-key-0123456789ab'
 *   -> fa56ad842b...  -> first 40 bits in Crockford base32: Z9BAV11B
 * and with Python's hmac module for parcel 2 -> 9K8DG1YA, and under a key of 100 'k' -> 6JK7V65J.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "label/qrtag.h"

static const unsigned char KEY[] = "rmad-test-label-key-0123456789ab";
#define KEYLEN (sizeof KEY - 1)

static void known_answers(void **state)
{
    char tag[QRTAG_LEN + 1];

    (void)state;
    assert_int_equal(qrtag_compute(KEY, KEYLEN, "R00000017K", 1, tag), 0);
    assert_string_equal(tag, "Z9BAV11B");
    assert_int_equal(qrtag_compute(KEY, KEYLEN, "R00000017K", 2, tag), 0);
    assert_string_equal(tag, "9K8DG1YA");
    assert_true(qrtag_verify(KEY, KEYLEN, "R00000017K", 1, "Z9BAV11B"));
    assert_true(qrtag_verify(KEY, KEYLEN, "R00000017K", 2, "9K8DG1YA"));
}

static void flipped_character_fails(void **state)
{
    static const char *const bad[] = {
        "Z9BAV11C", "X9BAV11B", "Z9BAV11", "Z9BAV11BB", "", "Z9BAU11B", "Z9BAV11B ", "Z9_AV11B",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(qrtag_verify(KEY, KEYLEN, "R00000017K", 1, bad[i]));
    assert_false(qrtag_verify(KEY, KEYLEN, "R00000017K", 1, NULL));
    assert_false(qrtag_verify(KEY, KEYLEN, "R00000017K", 2, "Z9BAV11B"));
    assert_false(qrtag_verify(KEY, KEYLEN, "R00000018H", 1, "Z9BAV11B"));
    assert_false(qrtag_verify((const unsigned char *)"another-key-0123456789abcdef", 28,
                              "R00000017K", 1, "Z9BAV11B"));
}

static void typed_input_verifies(void **state)
{
    static const char *const typed[] = {
        "z9bav11b", "Z9BAVIIB", "z9bavllb", "Z9BA-V11B", "z9ba-vi1b", "9k8dgiya",
    };

    (void)state;
    for (size_t i = 0; i < 5; i++)
        assert_true(qrtag_verify(KEY, KEYLEN, "R00000017K", 1, typed[i]));
    assert_true(qrtag_verify(KEY, KEYLEN, "R00000017K", 2, typed[5]));
    assert_true(qrtag_verify(KEY, KEYLEN, "R00000017K", 2, "9K8DGIYA"));
    /* O typed for 0: the tag of some other parcel with a 0 in it */
    {
        char tag[QRTAG_LEN + 1];
        int parcel = 0;

        for (int p = 1; p < 200 && parcel == 0; p++)
            if (qrtag_compute(KEY, KEYLEN, "R00000017K", p, tag) == 0 && strchr(tag, '0'))
                parcel = p;
        assert_int_not_equal(parcel, 0);
        *strchr(tag, '0') = 'o';
        assert_true(qrtag_verify(KEY, KEYLEN, "R00000017K", parcel, tag));
    }
}

static void bad_arguments_are_refused(void **state)
{
    char tag[QRTAG_LEN + 1] = "x";

    (void)state;
    assert_int_equal(qrtag_compute(KEY, QRTAG_KEY_MIN - 1, "R00000017K", 1, tag), -1);
    assert_string_equal(tag, "");
    assert_int_equal(qrtag_compute(NULL, 32, "R00000017K", 1, tag), -1);
    assert_int_equal(qrtag_compute(KEY, KEYLEN, "", 1, tag), -1);
    assert_int_equal(qrtag_compute(KEY, KEYLEN, NULL, 1, tag), -1);
    assert_int_equal(qrtag_compute(KEY, KEYLEN, "R00000017K", 0, tag), -1);
    assert_false(qrtag_verify(KEY, 8, "R00000017K", 1, "Z9BAV11B"));
    /* any key length works: a 100-byte key is hashed as HMAC says */
    {
        unsigned char longkey[100];

        memset(longkey, 'k', sizeof longkey);
        assert_int_equal(qrtag_compute(longkey, sizeof longkey, "R00000017K", 1, tag), 0);
        assert_string_equal(tag, "6JK7V65J");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_answers),
        cmocka_unit_test(flipped_character_fails),
        cmocka_unit_test(typed_input_verifies),
        cmocka_unit_test(bad_arguments_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

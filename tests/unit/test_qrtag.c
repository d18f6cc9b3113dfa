/*
 * Unit tests of qrtag.  Known answers computed independently:
 *   printf 'v1|R000000174|1' | openssl dgst -sha256 -hmac 'rmad-test-label-key-0123456789ab'
 *   -> 59e88e07e4...  -> first 40 bits in Crockford base32: B7M8W1Z4
 * and with Python's hmac module for parcel 2 -> F0KCDJY7, and under a key of 100 'k' -> CZCP5A7D.
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
    assert_int_equal(qrtag_compute(KEY, KEYLEN, "R000000174", 1, tag), 0);
    assert_string_equal(tag, "B7M8W1Z4");
    assert_int_equal(qrtag_compute(KEY, KEYLEN, "R000000174", 2, tag), 0);
    assert_string_equal(tag, "F0KCDJY7");
    assert_true(qrtag_verify(KEY, KEYLEN, "R000000174", 1, "B7M8W1Z4"));
    assert_true(qrtag_verify(KEY, KEYLEN, "R000000174", 2, "F0KCDJY7"));
}

static void flipped_character_fails(void **state)
{
    static const char *const bad[] = {
        "B7M8W1Z5", "C7M8W1Z4", "B7M8W1Z", "B7M8W1Z44", "", "B7M8U1Z4", "B7M8W1Z4 ", "B7_8W1Z4",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(qrtag_verify(KEY, KEYLEN, "R000000174", 1, bad[i]));
    assert_false(qrtag_verify(KEY, KEYLEN, "R000000174", 1, NULL));
    assert_false(qrtag_verify(KEY, KEYLEN, "R000000174", 2, "B7M8W1Z4"));
    assert_false(qrtag_verify(KEY, KEYLEN, "R000000182", 1, "B7M8W1Z4"));
    assert_false(qrtag_verify((const unsigned char *)"another-key-0123456789abcdef", 28,
                              "R000000174", 1, "B7M8W1Z4"));
}

static void typed_input_verifies(void **state)
{
    static const char *const typed[] = {
        "b7m8w1z4", "B7M8WIZ4", "b7m8wlz4", "B7M8-W1Z4", "b7m8-wiz4", "fokcdjy7",
    };

    (void)state;
    for (size_t i = 0; i < 5; i++)
        assert_true(qrtag_verify(KEY, KEYLEN, "R000000174", 1, typed[i]));
    assert_true(qrtag_verify(KEY, KEYLEN, "R000000174", 2, typed[5]));
    assert_true(qrtag_verify(KEY, KEYLEN, "R000000174", 2, "FOKCDJY7"));
    /* O typed for 0: the tag of some other parcel with a 0 in it */
    {
        char tag[QRTAG_LEN + 1];
        int parcel = 0;

        for (int p = 1; p < 200 && parcel == 0; p++)
            if (qrtag_compute(KEY, KEYLEN, "R000000174", p, tag) == 0 && strchr(tag, '0'))
                parcel = p;
        assert_int_not_equal(parcel, 0);
        *strchr(tag, '0') = 'o';
        assert_true(qrtag_verify(KEY, KEYLEN, "R000000174", parcel, tag));
    }
}

static void shipment_tags_verify_apart(void **state)
{
    char ship[QRTAG_LEN + 1];
    char in[QRTAG_LEN + 1];

    (void)state;
    assert_int_equal(qrtag_compute_ship(KEY, KEYLEN, "R000000174", 1, ship), 0);
    assert_int_equal(qrtag_compute(KEY, KEYLEN, "R000000174", 1, in), 0);
    assert_string_not_equal(ship, in);
    assert_true(qrtag_verify_ship(KEY, KEYLEN, "R000000174", 1, ship));
    /* a shipment's tag is not an inbound parcel's, and the other way round */
    assert_false(qrtag_verify(KEY, KEYLEN, "R000000174", 1, ship));
    assert_false(qrtag_verify_ship(KEY, KEYLEN, "R000000174", 1, in));
    assert_false(qrtag_verify_ship(KEY, KEYLEN, "R000000174", 2, ship));
    assert_false(qrtag_verify_ship(KEY, KEYLEN, "R000000174", 1, NULL));
}

static void bad_arguments_are_refused(void **state)
{
    char tag[QRTAG_LEN + 1] = "x";

    (void)state;
    assert_int_equal(qrtag_compute(KEY, QRTAG_KEY_MIN - 1, "R000000174", 1, tag), -1);
    assert_string_equal(tag, "");
    assert_int_equal(qrtag_compute(NULL, 32, "R000000174", 1, tag), -1);
    assert_int_equal(qrtag_compute(KEY, KEYLEN, "", 1, tag), -1);
    assert_int_equal(qrtag_compute(KEY, KEYLEN, NULL, 1, tag), -1);
    assert_int_equal(qrtag_compute(KEY, KEYLEN, "R000000174", 0, tag), -1);
    assert_false(qrtag_verify(KEY, 8, "R000000174", 1, "B7M8W1Z4"));
    /* any key length works: a 100-byte key is hashed as HMAC says */
    {
        unsigned char longkey[100];

        memset(longkey, 'k', sizeof longkey);
        assert_int_equal(qrtag_compute(longkey, sizeof longkey, "R000000174", 1, tag), 0);
        assert_string_equal(tag, "CZCP5A7D");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_answers),
        cmocka_unit_test(flipped_character_fails),
        cmocka_unit_test(typed_input_verifies),
        cmocka_unit_test(shipment_tags_verify_apart),
        cmocka_unit_test(bad_arguments_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

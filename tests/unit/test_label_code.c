/* Unit tests of label_set_code(): exact payload and token, URLs refused outside the QR set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/label.h"

static struct label_content sample(void)
{
    struct label_content lc;

    memset(&lc, 0, sizeof lc);
    lc.kind = LABEL_RETURN_TO_DEPOT;
    lc.rma_number = "R000000174";
    lc.parcel_no = 1;
    lc.parcel_count = 2;
    return lc;
}

static void payload_and_token_are_exact(void **state)
{
    static const struct {
        const char *url;
        const char *want;
    } cases[] = {
        {"http://127.0.0.1:8080", "HTTP://127.0.0.1:8080/P/R000000174/1/B7M8W1Z4"},
        {"http://127.0.0.1:8080/", "HTTP://127.0.0.1:8080/P/R000000174/1/B7M8W1Z4"},
        {"https://rma.example.com", "HTTPS://RMA.EXAMPLE.COM/P/R000000174/1/B7M8W1Z4"},
        {"HTTPS://Rma.Example.COM//", "HTTPS://RMA.EXAMPLE.COM/P/R000000174/1/B7M8W1Z4"},
        {"https://example.com/rma/", "HTTPS://EXAMPLE.COM/RMA/P/R000000174/1/B7M8W1Z4"},
        {"https://depot-1.example.com:8443",
         "HTTPS://DEPOT-1.EXAMPLE.COM:8443/P/R000000174/1/B7M8W1Z4"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct label_content lc = sample();
        struct err err = {0};

        assert_int_equal(label_set_code(&lc, cases[i].url, "B7M8W1Z4", &err), 0);
        assert_int_equal(err.kind, ERR_NONE);
        assert_string_equal(lc.qr_payload, cases[i].want);
        assert_string_equal(lc.token, "R000000174-1-B7M8W1Z4");
        assert_true(label_is_qr_alnum(lc.qr_payload));
    }
}

static void bad_urls_are_refused(void **state)
{
    static const char *const urls[] = {
        NULL,
        "",
        "/",
        "127.0.0.1:8080",
        "http://",
        "http:///path",
        "https://example.com/?a=1",
        "https://example.com/#frag",
        "https://my_host.example.com",
        "https://example.com/a=b",
        "https://example.com/a b",
        "https://exämple.com",
        "https://example.com/"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    };

    (void)state;
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        struct label_content lc = sample();
        struct err err = {0};

        assert_int_equal(label_set_code(&lc, urls[i], "B7M8W1Z4", &err), -1);
        assert_int_equal(err.kind, ERR_INVALID);
        assert_string_equal(err.field, "public_url");
        assert_string_equal(lc.qr_payload, "");
        assert_string_equal(lc.token, "");
    }
}

static void bad_code_parts_are_refused(void **state)
{
    static const struct {
        const char *rma;
        int parcel_no, parcel_count;
        const char *tag;
        const char *field;
    } cases[] = {
        {"", 1, 1, "B7M8W1Z4", "rma_number"},
        {"r000000174", 1, 1, "B7M8W1Z4", "rma_number"},
        {"R0000/0174", 1, 1, "B7M8W1Z4", "rma_number"},
        {"R000000174", 0, 1, "B7M8W1Z4", "parcel_no"},
        {"R000000174", 3, 2, "B7M8W1Z4", "parcel_no"},
        {"R000000174", 1, 1, "", "tag"},
        {"R000000174", 1, 1, "B7M8-W1Z4", "tag"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct label_content lc = sample();
        struct err err = {0};

        lc.rma_number = cases[i].rma;
        lc.parcel_no = cases[i].parcel_no;
        lc.parcel_count = cases[i].parcel_count;
        assert_int_equal(label_set_code(&lc, "http://127.0.0.1:8080", cases[i].tag, &err), -1);
        assert_int_equal(err.kind, ERR_INVALID);
        assert_string_equal(err.field, cases[i].field);
    }
}

static void unexpected_arrival_tag(void **state)
{
    struct label_content lc;
    struct err err = {0};

    (void)state;
    assert_int_equal(
        label_unexpected_tag(&lc, "http://127.0.0.1:8080/", "U00000001", "dock-1", NULL, &err), 0);
    assert_int_equal(lc.kind, LABEL_PART_TAG);
    assert_string_equal(lc.qr_payload, "HTTP://127.0.0.1:8080/U/U00000001");
    assert_string_equal(lc.token, "U00000001");
    assert_string_equal(lc.rma_number, "U00000001");
    assert_string_equal(lc.heading, "UNEXPECTED ARRIVAL");
    assert_string_equal(lc.station, "dock-1");
    /* no parcel "1 of 1", no addresses */
    assert_int_equal(lc.parcel_count, 0);
    assert_null(lc.from.name);
    assert_null(lc.to.name);
    assert_int_equal(
        label_unexpected_tag(&lc, "https://rma.example.com/a_b", "U00000001", "dock-1", NULL, &err),
        -1);
    assert_string_equal(err.field, "public_url");
}

static void qr_alnum_set(void **state)
{
    static const struct {
        const char *s;
        bool want;
    } cases[] = {
        {"", true},
        {"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", true},
        {"HTTP://127.0.0.1:8080/P/R1/1/AB", true},
        {"a", false},
        {"A?B", false},
        {"A#B", false},
        {"A_B", false},
        {"A=B", false},
        {"A^B", false},
        {"A~B", false},
        {"\xc3\x9c", false},
        {NULL, false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(label_is_qr_alnum(cases[i].s), cases[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(payload_and_token_are_exact),
        cmocka_unit_test(bad_urls_are_refused),
        cmocka_unit_test(bad_code_parts_are_refused),
        cmocka_unit_test(unexpected_arrival_tag),
        cmocka_unit_test(qr_alnum_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of intake: a valid first contact passes, and each missing or malformed field is
 * refused with ERR_INVALID naming that field.  Also the shared text, serial and model checks
 * and the postcode normalisation of address.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/address.h"
#include "core/err.h"
#include "core/intake.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct intake valid_intake(void)
{
    struct intake in = {
        .channel = "hotline",
        .product_model = "PX-9000_rev.2/B",
        .serial_number = "SN-0042.17/A",
        .fault_description = "Fan is loud after boot.\r\nError E42 on the display.\n\tSince "
                             "the firmware update to 3.1 \xe2\x80\x93 m\xc3\xbcller's note",
        .contact = {.name = "J\xc3\xbcrgen M\xc3\xbcller",
                    .phone = "+49 (30) 1234-567",
                    .email = "j.mueller@example.com"},
        .service_address = {.name = "Example GmbH",
                            .street = "Hauptstra\xc3\x9f"
                                      "e 1",
                            .city = "K\xc3\xb6ln",
                            .postcode = "50667",
                            .country = "DE"},
    };
    return in;
}

static void valid_intakes_pass(void **state)
{
    static const char *const channels[] = {"hotline", "email", "designated_contact", "web", "api"};

    (void)state;
    for (size_t i = 0; i < COUNT(channels); i++) {
        struct intake in = valid_intake();
        struct err err = {0};

        in.channel = channels[i];
        if (intake_validate(&in, &err) != 0)
            fail_msg("channel %s: %s: %s", channels[i], err.field, err.message);
        assert_false(err_is_set(&err));
    }

    /* phone or e-mail alone is enough; postcodes with letters, spaces and dashes */
    struct intake in = valid_intake();
    struct err err = {0};
    in.contact.email = NULL;
    in.service_address.postcode = "SW1A 1AA";
    in.service_address.country = "GB";
    assert_int_equal(intake_validate(&in, &err), 0);
    in = valid_intake();
    in.contact.phone = NULL;
    in.service_address.postcode = "1234-567";
    in.service_address.country = "PT";
    assert_int_equal(intake_validate(&in, &err), 0);
    assert_false(err_is_set(&err));
}

enum field_id {
    F_CHANNEL,
    F_MODEL,
    F_SERIAL,
    F_FAULT,
    F_NAME,
    F_PHONE,
    F_EMAIL,
    F_ADDR_NAME,
    F_ADDR_STREET,
    F_ADDR_CITY,
    F_ADDR_POSTCODE,
    F_ADDR_COUNTRY,
};

static void set_field(struct intake *in, enum field_id f, const char *v)
{
    switch (f) {
    case F_CHANNEL:
        in->channel = v;
        break;
    case F_MODEL:
        in->product_model = v;
        break;
    case F_SERIAL:
        in->serial_number = v;
        break;
    case F_FAULT:
        in->fault_description = v;
        break;
    case F_NAME:
        in->contact.name = v;
        break;
    case F_PHONE:
        in->contact.phone = v;
        break;
    case F_EMAIL:
        in->contact.email = v;
        break;
    case F_ADDR_NAME:
        in->service_address.name = v;
        break;
    case F_ADDR_STREET:
        in->service_address.street = v;
        break;
    case F_ADDR_CITY:
        in->service_address.city = v;
        break;
    case F_ADDR_POSTCODE:
        in->service_address.postcode = v;
        break;
    case F_ADDR_COUNTRY:
        in->service_address.country = v;
        break;
    }
}

static char long_model[66];
static char long_text[INTAKE_TEXT_MAX + 2];
static char long_name[ADDRESS_FIELD_MAX + 2];

static void bad_fields_are_named(void **state)
{
    static const struct {
        const char *what;
        enum field_id f;
        const char *value;
        const char *field;
    } cases[] = {
        {"no channel", F_CHANNEL, NULL, "channel"},
        {"unknown channel", F_CHANNEL, "fax", "channel"},
        {"channel in upper case", F_CHANNEL, "Hotline", "channel"},
        {"empty channel", F_CHANNEL, "", "channel"},
        {"no model", F_MODEL, NULL, "product_model"},
        {"empty model", F_MODEL, "", "product_model"},
        {"model with a space", F_MODEL, "PX 9000", "product_model"},
        {"model with a non-ascii letter", F_MODEL, "PX-9000\xc3\xa9", "product_model"},
        {"model of 65 characters", F_MODEL, long_model, "product_model"},
        {"no serial", F_SERIAL, NULL, "serial_number"},
        {"empty serial", F_SERIAL, "", "serial_number"},
        {"serial with a space", F_SERIAL, "SN 42", "serial_number"},
        {"serial with an underscore", F_SERIAL, "SN_42", "serial_number"},
        {"serial with a new line", F_SERIAL, "SN42\n", "serial_number"},
        {"serial of 65 characters", F_SERIAL, long_model, "serial_number"},
        {"no fault description", F_FAULT, NULL, "fault_description"},
        {"blank fault description", F_FAULT, " \r\n\t ", "fault_description"},
        {"fault description too long", F_FAULT, long_text, "fault_description"},
        {"fault description with ESC", F_FAULT, "colour \x1b[31mred", "fault_description"},
        {"fault description with NUL-like control", F_FAULT, "beep\x07", "fault_description"},
        {"fault description with DEL", F_FAULT, "x\x7fy", "fault_description"},
        {"fault description not utf-8", F_FAULT, "M\xfcller", "fault_description"},
        {"no contact name", F_NAME, NULL, "contact.name"},
        {"blank contact name", F_NAME, "   ", "contact.name"},
        {"contact name with a new line", F_NAME, "J\nM", "contact.name"},
        {"contact name with a tab", F_NAME, "J\tM", "contact.name"},
        {"contact name too long", F_NAME, long_name, "contact.name"},
        {"contact name latin-1", F_NAME, "J\xfcrgen", "contact.name"},
        {"e-mail without @", F_EMAIL, "j.mueller.example.com", "contact.email"},
        {"e-mail without domain dot", F_EMAIL, "j@example", "contact.email"},
        {"e-mail with nothing before @", F_EMAIL, "@example.com", "contact.email"},
        {"e-mail with two @", F_EMAIL, "j@x@example.com", "contact.email"},
        {"e-mail with a space", F_EMAIL, "j mueller@example.com", "contact.email"},
        {"e-mail ending in a dot", F_EMAIL, "j@example.com.", "contact.email"},
        {"e-mail domain starting with a dot", F_EMAIL, "j@.example.com", "contact.email"},
        {"e-mail with angle brackets", F_EMAIL, "<j@example.com>", "contact.email"},
        {"e-mail list", F_EMAIL, "a@example.com,b@example.com", "contact.email"},
        {"empty e-mail", F_EMAIL, "", "contact.email"},
        {"phone with letters", F_PHONE, "+49 30 CALL-ME", "contact.phone"},
        {"phone with 4 digits", F_PHONE, "1234", "contact.phone"},
        {"phone with 21 digits", F_PHONE, "123456789012345678901", "contact.phone"},
        {"phone longer than 32 characters", F_PHONE, "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7",
         "contact.phone"},
        {"empty phone", F_PHONE, "", "contact.phone"},
        {"no address name", F_ADDR_NAME, NULL, "service_address.name"},
        {"blank address name", F_ADDR_NAME, "", "service_address.name"},
        {"no street", F_ADDR_STREET, NULL, "service_address.street"},
        {"street with a new line", F_ADDR_STREET, "Main St\n1", "service_address.street"},
        {"no city", F_ADDR_CITY, NULL, "service_address.city"},
        {"city not utf-8", F_ADDR_CITY, "K\xf6ln", "service_address.city"},
        {"no postcode", F_ADDR_POSTCODE, NULL, "service_address.postcode"},
        {"blank postcode", F_ADDR_POSTCODE, "  ", "service_address.postcode"},
        {"postcode with a slash", F_ADDR_POSTCODE, "506/67", "service_address.postcode"},
        {"postcode of 17 characters", F_ADDR_POSTCODE, "12345678901234567",
         "service_address.postcode"},
        {"postcode with a control character", F_ADDR_POSTCODE,
         "506\x01"
         "67",
         "service_address.postcode"},
        {"no country", F_ADDR_COUNTRY, NULL, "service_address.country"},
        {"country in lower case", F_ADDR_COUNTRY, "de", "service_address.country"},
        {"country of three letters", F_ADDR_COUNTRY, "DEU", "service_address.country"},
        {"country as a name", F_ADDR_COUNTRY, "Germany", "service_address.country"},
        {"country with a digit", F_ADDR_COUNTRY, "D1", "service_address.country"},
        {"empty country", F_ADDR_COUNTRY, "", "service_address.country"},
    };

    (void)state;
    memset(long_model, 'A', 65);
    memset(long_text, 'x', INTAKE_TEXT_MAX + 1);
    memset(long_name, 'n', ADDRESS_FIELD_MAX + 1);
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct intake in = valid_intake();
        struct err err = {0};

        set_field(&in, cases[i].f, cases[i].value);
        if (intake_validate(&in, &err) != -1)
            fail_msg("%s: accepted", cases[i].what);
        assert_int_equal(err.kind, ERR_INVALID);
        if (strcmp(err.field, cases[i].field) != 0)
            fail_msg("%s: field \"%s\", expected \"%s\" (%s)", cases[i].what, err.field,
                     cases[i].field, err.message);
        assert_true(err.message[0] != '\0');
    }
}

static void phone_or_email_is_required(void **state)
{
    struct intake in = valid_intake();
    struct err err = {0};

    (void)state;
    in.contact.phone = NULL;
    in.contact.email = NULL;
    assert_int_equal(intake_validate(&in, &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "contact.email");
}

static void first_bad_field_wins(void **state)
{
    struct intake in = valid_intake();
    struct err err = {0};

    (void)state;
    in.serial_number = "SN 42";
    in.service_address.country = "de";
    in.contact.email = "nope";
    assert_int_equal(intake_validate(&in, &err), -1);
    assert_string_equal(err.field, "serial_number");
}

static void text_must_be_valid_utf8_without_controls(void **state)
{
    static const struct {
        const char *what;
        const char *s;
        size_t max;
        bool ok;
    } cases[] = {
        {"ascii", "plain text", 200, true},
        {"two-byte", "M\xc3\xbcller", 200, true},
        {"three-byte", "\xe2\x82\xac 10", 200, true},
        {"four-byte", "\xf0\x9f\x94\xa7 wrench", 200, true},
        {"largest code point that is a character (U+10FFFD)", "\xf4\x8f\xbf\xbd", 200, true},
        {"U+FFFD, the replacement character", "a\xef\xbf\xbd", 200, true},
        /* noncharacters: XML cannot carry U+FFFE/U+FFFF, cairo refuses them all */
        {"noncharacter U+FFFF", "ACME\xef\xbf\xbfGmbH", 200, false},
        {"noncharacter U+FFFE", "\xef\xbf\xbe", 200, false},
        {"noncharacter U+FDD0", "a\xef\xb7\x90", 200, false},
        {"noncharacter U+FDEF", "a\xef\xb7\xaf", 4000, false},
        {"noncharacter U+1FFFE", "\xf0\x9f\xbf\xbe", 200, false},
        {"noncharacter U+10FFFF", "\xf4\x8f\xbf\xbf", 200, false},
        {"U+FDCF is a character", "\xef\xb7\x8f", 200, true},
        {"U+FDF0 is a character", "\xef\xb7\xb0", 200, true},
        {"new line in long text", "a\r\nb\tc", 4000, true},
        {"exactly max bytes", "\xc3\xbc\xc3\xbc", 4, true},
        {"one byte over max", "\xc3\xbc\xc3\xbc", 3, false},
        {"new line in short text", "a\nb", 200, false},
        {"tab in short text", "a\tb", 200, false},
        {"NUL-adjacent control", "a\x01", 4000, false},
        {"escape", "\x1b[2J", 4000, false},
        {"DEL", "\x7f", 4000, false},
        {"lone continuation byte",
         "a\x80"
         "b",
         200, false},
        {"truncated two-byte", "a\xc3", 200, false},
        {"truncated three-byte", "\xe2\x82", 200, false},
        {"truncated four-byte", "\xf0\x9f\x94", 200, false},
        {"two-byte then ascii",
         "\xc3"
         "A",
         200, false},
        {"overlong two-byte slash", "\xc0\xaf", 200, false},
        {"overlong two-byte C1", "\xc1\xbf", 200, false},
        {"byte FE", "\xfe", 200, false},
        {"byte FF", "\xff", 200, false},
        {"beyond U+10FFFF (F5)", "\xf5\x80\x80\x80", 200, false},
        /* invalid UTF-8 by RFC 3629 that PostgreSQL refuses as well */
        {"overlong three-byte slash", "\xe0\x80\xaf", 200, false},
        {"overlong four-byte", "\xf0\x80\x80\xaf", 200, false},
        {"UTF-16 surrogate U+D800", "\xed\xa0\x80", 200, false},
        {"beyond U+10FFFF (F4 90)", "\xf4\x90\x80\x80", 200, false},
        /* C1 control characters (U+0080..U+009F) are control characters too */
        {"C1 control U+0085",
         "a\xc2\x85"
         "b",
         200, false},
        {"C1 control U+009B (CSI)",
         "\xc2\x9b"
         "31m",
         4000, false},
    };

    int wrong = 0;

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct err err = {0};
        int rc = intake_check_text(cases[i].s, cases[i].max, true, "note", &err);

        if (rc != (cases[i].ok ? 0 : -1)) {
            print_error("%s: expected %s\n", cases[i].what, cases[i].ok ? "accepted" : "refused");
            wrong++;
        } else if (!cases[i].ok) {
            assert_int_equal(err.kind, ERR_INVALID);
            assert_string_equal(err.field, "note");
        }
    }
    assert_int_equal(wrong, 0);
}

static void optional_text_may_be_missing(void **state)
{
    struct err err = {0};

    (void)state;
    assert_int_equal(intake_check_text(NULL, 200, false, "note", &err), 0);
    assert_int_equal(intake_check_text("  ", 200, false, "note", &err), 0);
    assert_false(err_is_set(&err));
    assert_int_equal(intake_check_text(NULL, 200, true, "note", &err), -1);
    assert_string_equal(err.field, "note");
    assert_string_equal(err.message, "is required");
}

static void serial_and_model_checks(void **state)
{
    static const struct {
        const char *s;
        bool serial_ok;
        bool model_ok;
    } cases[] = {
        {"SN-0042.17/A", true, true},
        {"px_9000", false, true},
        {"A", true, true},
        {"0123456789012345678901234567890123456789012345678901234567890123", true, true},
        {"01234567890123456789012345678901234567890123456789012345678901234", false, false},
        {"", false, false},
        {"SN 1", false, false},
        {"SN:1", false, false},
        {"SN#1", false, false},
        {"SN\xc3\xa9"
         "1",
         false, false},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct err err = {0};

        if ((intake_check_serial(cases[i].s, "serial", &err) == 0) != cases[i].serial_ok)
            fail_msg("serial \"%s\" should be %s", cases[i].s,
                     cases[i].serial_ok ? "accepted" : "refused");
        if (!cases[i].serial_ok)
            assert_string_equal(err.field, "serial");
        err_clear(&err);
        if ((intake_check_model(cases[i].s, "model", &err) == 0) != cases[i].model_ok)
            fail_msg("model \"%s\" should be %s", cases[i].s,
                     cases[i].model_ok ? "accepted" : "refused");
        if (!cases[i].model_ok)
            assert_string_equal(err.field, "model");
    }
    struct err err = {0};
    assert_int_equal(intake_check_serial(NULL, "serial", &err), -1);
    assert_string_equal(err.field, "serial");
}

static void address_prefix_names_the_object(void **state)
{
    struct address a = {.name = "Depot",
                        .street = "Dock 4",
                        .city = "Leeds",
                        .postcode = "LS1 4AP",
                        .country = "gb"};
    struct err err = {0};

    (void)state;
    assert_int_equal(address_validate(&a, "return_address", &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "return_address.country");
    a.country = "GB";
    err_clear(&err);
    assert_int_equal(address_validate(&a, "return_address", &err), 0);
    assert_false(err_is_set(&err));
}

/* Text that prints nothing is empty; bidi overrides could make a label read other than stored. */
static void invisible_and_bidi_text(void **state)
{
    static const struct {
        const char *text;
        int rc;
        const char *message;
    } cases[] = {
        {"\xe2\x80\x8b", -1, "is required"},          /* U+200B zero width space */
        {"\xc2\xa0 \xe3\x80\x80", -1, "is required"}, /* no-break, ideographic space */
        {"\xef\xbb\xbf", -1, "is required"},          /* U+FEFF */
        {"ACME \xe2\x80\xae"
         "HGMBH",
         -1, "must not contain bidirectional override characters"},
        {"a\xe2\x81\xa6"
         "b",
         -1, "must not contain bidirectional override characters"},
        {"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", 0, NULL}, /* Hebrew is fine */
        {"\xe2\x80\x8b"
         "A",
         0, NULL}, /* visible text with a ZWSP */
        {"M\xc3\xbcller \xe6\x9d\xb1\xe4\xba\xac", 0, NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct err err = {0};
        int rc = intake_check_text(cases[i].text, 200, true, "contact.name", &err);
        assert_int_equal(rc, cases[i].rc);
        if (rc != 0) {
            assert_int_equal(err.kind, ERR_INVALID);
            assert_string_equal(err.field, "contact.name");
            assert_string_equal(err.message, cases[i].message);
        }
    }
}

static void postcode_normalize_table(void **state)
{
    static const struct {
        const char *in;
        size_t n;
        const char *want;
    } cases[] = {
        {"ab1 2-cd", 16, "AB12CD"},
        {"SW1A 1AA", 16, "SW1A1AA"},
        {"50667", 16, "50667"},
        {" 1234-567 ", 16, "1234567"},
        {"\tab\t", 16, "AB"},
        {"--  --", 16, ""},
        {"", 16, ""},
        {NULL, 16, ""},
        {"ab1 2-cd", 4, "AB1"}, /* cut to fit n bytes with its NUL */
        {"ab1 2-cd", 1, ""},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[17]; /* one more than the largest n, to see nothing is written past n */

        memset(out, 'x', sizeof out);
        address_postcode_normalize(cases[i].in, out, cases[i].n);
        assert_string_equal(out, cases[i].want);
        assert_int_equal(out[cases[i].n], 'x'); /* nothing written past n bytes */
    }
}

/* ---- zones and holidays (issue 3) ---- */
static void zone_and_region(void **state)
{
    static const struct {
        const char *country, *zone, *region;
        int rc;
        const char *want_zone, *want_region, *field;
    } cases[] = {
        /* derived for a country of one zone; the region defaults to the country */
        {"DE", NULL, NULL, 0, "Europe/Berlin", "DE", NULL},
        {"FR", NULL, NULL, 0, "Europe/Paris", "FR", NULL},
        {"GB", NULL, "GB-SCT", 0, "Europe/London", "GB-SCT", NULL},
        {"NL", NULL, NULL, 0, "Europe/Amsterdam", "NL", NULL},
        {"AT", NULL, NULL, 0, "Europe/Vienna", "AT", NULL},
        {"CH", NULL, NULL, 0, "Europe/Zurich", "CH", NULL},
        {"IT", NULL, NULL, 0, "Europe/Rome", "IT", NULL},
        {"ES", NULL, NULL, 0, "Europe/Madrid", "ES", NULL},
        {"JP", NULL, NULL, 0, "Asia/Tokyo", "JP", NULL},
        {"IN", NULL, NULL, 0, "Asia/Kolkata", "IN", NULL},
        /* given: kept as it is (whether it exists is for the caller to check) */
        {"DE", "Europe/Busingen", "DE-BW", 0, "Europe/Busingen", "DE-BW", NULL},
        {"US", "America/Los_Angeles", "US-CA", 0, "America/Los_Angeles", "US-CA", NULL},
        {"AU", "Australia/Sydney", NULL, 0, "Australia/Sydney", "AU", NULL},
        {"DE", NULL, "DE-BY", 0, "Europe/Berlin", "DE-BY", NULL},
        {"US", "America/New_York", "US-NY", 0, "America/New_York", "US-NY", NULL},
        /* several zones or unknown: the zone is required */
        {"US", NULL, NULL, -1, NULL, NULL, "service_address.zone"},
        {"CA", NULL, NULL, -1, NULL, NULL, "service_address.zone"},
        {"AU", NULL, NULL, -1, NULL, NULL, "service_address.zone"},
        {"BR", NULL, NULL, -1, NULL, NULL, "service_address.zone"},
        {"RU", NULL, NULL, -1, NULL, NULL, "service_address.zone"},
        {"MX", NULL, NULL, -1, NULL, NULL, "service_address.zone"},
        {"ZZ", NULL, NULL, -1, NULL, NULL, "service_address.zone"},
        /* names that could leave the zoneinfo directory */
        {"DE", "../../etc/passwd", NULL, -1, NULL, NULL, "service_address.zone"},
        {"DE", "/etc/passwd", NULL, -1, NULL, NULL, "service_address.zone"},
        {"DE", "Europe/./Berlin", NULL, -1, NULL, NULL, "service_address.zone"},
        /* a region of another country, or malformed */
        {"DE", NULL, "FR", -1, NULL, NULL, "service_address.region"},
        {"DE", NULL, "FR-IDF", -1, NULL, NULL, "service_address.region"},
        {"DE", NULL, "DE-", -1, NULL, NULL, "service_address.region"},
        {"DE", NULL, "DEBY", -1, NULL, NULL, "service_address.region"},
        {"DE", NULL, "DE-BAYE", -1, NULL, NULL, "service_address.region"},
        {"DE", NULL, "DE-by", -1, NULL, NULL, "service_address.region"},
        {"DE", NULL, "D", -1, NULL, NULL, "service_address.region"},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct intake in = valid_intake();
        struct err err = {0};

        in.service_address.country = cases[i].country;
        in.zone = cases[i].zone;
        in.region = cases[i].region;
        assert_int_equal(intake_resolve_zone(&in, &err), cases[i].rc);
        if (cases[i].rc == 0) {
            assert_string_equal(in.zone, cases[i].want_zone);
            assert_string_equal(in.region, cases[i].want_region);
        } else {
            assert_int_equal(err.kind, ERR_INVALID);
            assert_string_equal(err.field, cases[i].field);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_intakes_pass),
        cmocka_unit_test(bad_fields_are_named),
        cmocka_unit_test(phone_or_email_is_required),
        cmocka_unit_test(first_bad_field_wins),
        cmocka_unit_test(text_must_be_valid_utf8_without_controls),
        cmocka_unit_test(optional_text_may_be_missing),
        cmocka_unit_test(serial_and_model_checks),
        cmocka_unit_test(address_prefix_names_the_object),
        cmocka_unit_test(invisible_and_bidi_text),
        cmocka_unit_test(postcode_normalize_table),
        cmocka_unit_test(zone_and_region),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

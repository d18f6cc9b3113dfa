/*
 * Unit tests of mailform: the intake fields read from an e-mail's text (English and German
 * labels, any case, one-line and multi-line addresses, quoted lines and signatures left out),
 * the list of missing fields, and the reply texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/intake.h"
#include "core/mailform.h"

static void english_labels(void **state)
{
    struct arena a;
    struct mailform f;
    (void)state;
    arena_init(&a);
    mailform_parse("Hello,\r\n\r\nthe server does not power on.\r\n\r\nMODEL: SRV-R740\r\n"
                   "serial number: srv7400001\r\nError messages: PSU 1 fault\r\n"
                   "Error message: SEL full\r\nPhone: +49 69 1234567\r\n"
                   "Address: Mainzer Landstr. 1, 60329 Frankfurt, DE\r\n-- \r\nSerial: NOPE\r\n",
                   &a, &f);
    assert_string_equal(f.product_model, "SRV-R740");
    assert_string_equal(f.serial_number, "SRV7400001");
    assert_int_equal(f.n_error_messages, 2);
    assert_string_equal(f.error_messages[1], "SEL full");
    assert_string_equal(f.phone, "+49 69 1234567");
    assert_string_equal(f.street, "Mainzer Landstr. 1");
    assert_string_equal(f.postcode, "60329");
    assert_string_equal(f.city, "Frankfurt");
    assert_string_equal(f.country, "DE");
    assert_string_equal(f.description, "Hello,\n\nthe server does not power on.");
    arena_release(&a);
}

static void german_labels_and_fields(void **state)
{
    struct arena a;
    struct mailform f;
    (void)state;
    arena_init(&a);
    mailform_parse("Modell: NB-X13\nSeriennummer: nbx130001\nFehlermeldung: Piepton\n"
                   "Firma: M\xc3\xbcller KG\nStra\xc3\x9f"
                   "e: Hauptstra\xc3\x9f"
                   "e 5\n"
                   "PLZ: 80331\nOrt: M\xc3\xbcnchen\nLand: Deutschland\n"
                   "> Model: QUOTED\nDas Ger\xc3\xa4t startet nicht.\n",
                   &a, &f);
    assert_string_equal(f.product_model, "NB-X13");
    assert_string_equal(f.serial_number, "NBX130001");
    assert_string_equal(f.company, "M\xc3\xbcller KG");
    assert_string_equal(f.street, "Hauptstra\xc3\x9f"
                                  "e 5");
    assert_string_equal(f.city, "M\xc3\xbcnchen");
    assert_string_equal(f.country, "DE");
    assert_string_equal(f.description, "Das Ger\xc3\xa4t startet nicht.");
    arena_release(&a);
}

static void address_block_under_label(void **state)
{
    struct arena a;
    struct mailform f;
    (void)state;
    arena_init(&a);
    mailform_parse("Address:\nACME Ltd\n1 High Street\n1010 Wien\nAustria\n\nIt is broken.\n", &a,
                   &f);
    assert_string_equal(f.company, "ACME Ltd");
    assert_string_equal(f.street, "1 High Street");
    assert_string_equal(f.postcode, "1010");
    assert_string_equal(f.city, "Wien");
    assert_string_equal(f.country, "AT");
    assert_string_equal(f.description, "It is broken.");
    arena_release(&a);
}

static void missing_fields_listed(void **state)
{
    struct arena a;
    struct mailform f;
    struct intake in;
    const char *missing[16];
    (void)state;
    arena_init(&a);
    mailform_parse("Model: SRV-R740\nPhone: +44 20 7946 0958\n", &a, &f);
    mailform_intake(&f, "Bob", "bob@example.com", "Re: PSU clicking", &a, &in);
    assert_string_equal(in.channel, "email");
    /* no free text: the subject without "Re:" is the description */
    assert_string_equal(in.fault_description, "PSU clicking");
    assert_string_equal(in.contact.name, "Bob");
    assert_string_equal(in.service_address.name, "Bob");
    size_t n = mailform_missing(&in, missing, 16);
    assert_int_equal(n, 5);
    assert_string_equal(missing[0], "serial_number");
    assert_string_equal(missing[1], "service_address.street");
    assert_string_equal(missing[4], "service_address.country");
    char *reply = mailform_reply_missing(&a, "PSU clicking", missing, n, NULL, false);
    assert_non_null(strstr(reply, "Serial number: \n"));
    assert_non_null(strstr(reply, "Postcode: \n"));
    assert_null(strstr(reply, "Model: \n"));
    arena_release(&a);
}

static void empty_text_misses_everything(void **state)
{
    struct arena a;
    struct mailform f;
    struct intake in;
    const char *missing[16];
    (void)state;
    arena_init(&a);
    mailform_parse(NULL, &a, &f);
    mailform_intake(&f, NULL, "x@example.com", NULL, &a, &in);
    assert_int_equal(mailform_missing(&in, missing, 16), 8);
    assert_string_equal(missing[3], "contact.name");
    arena_release(&a);
}

static void long_description_is_capped(void **state)
{
    struct arena a;
    struct mailform f;
    (void)state;
    arena_init(&a);
    char *text = arena_alloc(&a, 3 * INTAKE_TEXT_MAX);
    for (size_t i = 0; i < 3 * INTAKE_TEXT_MAX - 1; i += 2)
        memcpy(text + i, "\xc3\xa4", 2); /* ä: a cut must not split it */
    text[3 * INTAKE_TEXT_MAX - 1] = '\0';
    text[3 * INTAKE_TEXT_MAX - 2] = '\0';
    mailform_parse(text, &a, &f);
    assert_true(strlen(f.description) <= INTAKE_TEXT_MAX);
    assert_int_equal(strlen(f.description) % 2, 0);
    arena_release(&a);
}

/* Every field the intake can refuse is a line the customer can fill in: the reply lists it, and
 * the line as listed, filled in, is read back into that field. */
static void every_refusable_field_is_a_line(void **state)
{
    static const struct {
        const char *field;
        const char *value;
        size_t offset;
    } fields[] = {
        {"product_model", "SRV-R740", offsetof(struct mailform, product_model)},
        {"serial_number", "SRV7400001", offsetof(struct mailform, serial_number)},
        {"fault_description", "It beeps.", offsetof(struct mailform, description)},
        {"contact.name", "Bob Smith", offsetof(struct mailform, name)},
        {"contact.phone", "+1 212 555 0100", offsetof(struct mailform, phone)},
        {"service_address.name", "ACME Inc", offsetof(struct mailform, company)},
        {"service_address.street", "1 Main St", offsetof(struct mailform, street)},
        {"service_address.city", "New York", offsetof(struct mailform, city)},
        {"service_address.postcode", "10001", offsetof(struct mailform, postcode)},
        {"service_address.country", "US", offsetof(struct mailform, country)},
        {"service_address.zone", "America/New_York", offsetof(struct mailform, zone)},
        {"configuration", "BIOS 2.1", offsetof(struct mailform, configuration)},
        {"error_messages[0]", "PSU fault", offsetof(struct mailform, error_messages)},
    };
    struct arena a;
    (void)state;
    arena_init(&a);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        struct mailform f;
        const char *one[1] = {fields[i].field};
        char *reply = mailform_reply_missing(&a, "laptop broken", one, 1, NULL, false);
        char *line = arena_printf(&a, "%s: ", mailform_label(fields[i].field));
        print_message("%s -> %s\n", fields[i].field, line);
        assert_true(mailform_fillable(fields[i].field));
        assert_non_null(strstr(reply, arena_printf(&a, "\n\n%s\n", line)));
        mailform_parse(arena_printf(&a, "%s%s\n", line, fields[i].value), &a, &f);
        const char *got = *(const char *const *)((const char *)&f + fields[i].offset);
        assert_non_null(got);
        assert_string_equal(got, fields[i].value);
    }
    /* the zone's line names an example */
    assert_non_null(strstr(mailform_label("service_address.zone"), "America/New_York"));
    /* the sender address is no line: the reply says what to correct instead of an empty list */
    const char *email[1] = {"contact.email"};
    assert_false(mailform_fillable("contact.email"));
    char *reply =
        mailform_reply_missing(&a, NULL, email, 1, "E-mail must be an e-mail address", false);
    assert_null(strstr(reply, "following lines"));
    arena_release(&a);
}

static void reply_subject_not_stacked(void **state)
{
    struct arena a;
    (void)state;
    arena_init(&a);
    assert_string_equal(mailform_reply_subject(&a, "laptop broken", "x"), "Re: laptop broken");
    assert_string_equal(mailform_reply_subject(&a, "Re: laptop broken", "x"), "Re: laptop broken");
    assert_string_equal(mailform_reply_subject(&a, "Re: Re: laptop broken", "x"),
                        "Re: laptop broken");
    assert_string_equal(mailform_reply_subject(&a, "RE: AW: Fwd: WG: FW: laptop broken", "x"),
                        "Re: laptop broken");
    assert_string_equal(mailform_reply_subject(&a, "Re[2]: RE : Sv: laptop broken", "x"),
                        "Re: laptop broken");
    assert_string_equal(mailform_reply_subject(&a, "Return: laptop broken", "x"),
                        "Re: Return: laptop broken");
    assert_string_equal(mailform_reply_subject(&a, "Re: ", "nothing"), "nothing");
    assert_string_equal(mailform_reply_subject(&a, NULL, "nothing"), "nothing");
    assert_string_equal(mailform_bare_subject("AW: Re: Ger\xc3\xa4t defekt"),
                        "Ger\xc3\xa4t defekt");
    arena_release(&a);
}

/* A reply in the thread keeps the earlier fields and adds or overrides its own. */
static void reply_merged_with_earlier(void **state)
{
    struct arena a;
    struct mailform earlier;
    struct mailform reply;
    struct intake in;
    const char *missing[16];
    (void)state;
    arena_init(&a);
    mailform_parse("The laptop does not boot.\nModel: NB-X13\nStreet: 1 Main St\nCity: Boston\n"
                   "Error message: beep\n",
                   &a, &earlier);
    mailform_parse("Hi, here you go.\n\nSerial number: nbx130001\nPostcode: 02108\n"
                   "Country: US\nCity: New York\n> Model: QUOTED\n",
                   &a, &reply);
    mailform_merge(&earlier, &reply, &a);
    assert_string_equal(earlier.product_model, "NB-X13");
    assert_string_equal(earlier.serial_number, "NBX130001");
    assert_string_equal(earlier.street, "1 Main St");
    assert_string_equal(earlier.city, "New York");
    assert_string_equal(earlier.postcode, "02108");
    assert_string_equal(earlier.country, "US");
    assert_int_equal(earlier.n_error_messages, 1);
    assert_string_equal(earlier.description, "The laptop does not boot.\n\nHi, here you go.");
    mailform_intake(&earlier, "Bob", "bob@example.com", "Re: Re: laptop broken", &a, &in);
    assert_int_equal(mailform_missing(&in, missing, 16), 0);
    arena_release(&a);
}

/* A NUL byte of the e-mail (U+FFFD after src/mail) does not cut the text: the lines after it are
 * read, and the value that holds it is named as unreadable rather than stored or asked for as
 * missing. */
static void replaced_control_is_named(void **state)
{
    struct arena a;
    struct mailform f;
    struct intake in;
    const char *missing[16];
    (void)state;
    arena_init(&a);
    mailform_parse("Model: SRV-R740\nSerial: SRV7400003\xef\xbf\xbd\nAddress: Stra\xc3\x9f"
                   "e 1, 80331 M\xc3\xbcnchen, DE\nGer\xc3\xa4t kaputt\n",
                   &a, &f);
    mailform_intake(&f, "Bob", "bob@example.com", NULL, &a, &in);
    assert_int_equal(mailform_missing(&in, missing, 16), 0);
    assert_string_equal(in.service_address.city, "M\xc3\xbcnchen");
    assert_string_equal(mailform_unreadable(&in), "serial_number");
    in.serial_number = "SRV7400003";
    assert_null(mailform_unreadable(&in));
    const char *body = "body";
    char *reply = mailform_reply_missing(&a, "x", &body, 1,
                                         "The text of your e-mail could not "
                                         "be read",
                                         false);
    assert_null(strstr(reply, "body: \n"));
    assert_string_equal(mailform_label("body"), "The text of your e-mail");
    arena_release(&a);
}

/* The new-user case: no display name, a control character in the serial number.  The missing
 * name and the refused serial number are both found (no check stops the others), and the reply
 * asks for both lines at once. */
static void missing_and_refused_listed_together(void **state)
{
    struct arena a;
    struct mailform f;
    struct intake in;
    const char *missing[16];
    const char *unreadable[16];
    struct err found[16];
    (void)state;
    arena_init(&a);
    mailform_parse("Model: SRV-R740\nSerial: SRV74\xef\xbf\xbd\nStreet: Hauptstr. 1\nCity: Bonn\n"
                   "Postcode: 53111\nCountry: DE\nIt does not boot.\n",
                   &a, &f);
    mailform_intake(&f, NULL, "a@b.de", "x", &a, &in);
    assert_int_equal(mailform_missing(&in, missing, 16), 1);
    assert_string_equal(missing[0], "contact.name");
    assert_int_equal(mailform_unreadable_all(&in, unreadable, 16), 1);
    assert_string_equal(unreadable[0], "serial_number");
    /* every field intake_validate refuses, each on its own; the first is the one it names */
    size_t n = intake_problems(&in, found, 16);
    assert_int_equal(n, 3);
    assert_string_equal(found[0].field, "serial_number");
    assert_string_equal(found[1].field, "contact.name");
    assert_string_equal(found[2].field, "service_address.name");
    struct err first = {0};
    assert_int_equal(intake_validate(&in, &first), -1);
    assert_string_equal(first.field, "serial_number");
    /* a bad postcode and country as well: still every field */
    in.contact.name = "Anna B";
    in.service_address.name = "Anna B";
    in.service_address.postcode = "5311#";
    in.service_address.country = "Germany";
    n = intake_problems(&in, found, 16);
    assert_int_equal(n, 3);
    assert_string_equal(found[1].field, "service_address.postcode");
    assert_string_equal(found[2].field, "service_address.country");
    assert_int_equal(intake_problems(&in, found, 1), 3); /* counted beyond max */

    /* a control character in the contact's name (the service address's name is that name):
     * one line */
    in.contact.name = "Anna\xef\xbf\xbd";
    in.service_address.name = in.contact.name;
    assert_int_equal(mailform_unreadable_all(&in, unreadable, 16), 2);
    assert_string_equal(unreadable[1], "contact.name");

    const char *lines[] = {"contact.name", "serial_number"};
    char *reply = mailform_reply_missing(
        &a, "x", lines, 2,
        "Serial number holds a control character\nTime zone (for example America/New_York) "
        "unknown time zone",
        false);
    assert_non_null(strstr(reply, "\nName: \n"));
    assert_non_null(strstr(reply, "\nSerial number: \n"));
    assert_non_null(strstr(reply, "What we could not accept:\n- Serial number holds a control "
                                  "character\n- Time zone (for example America/New_York) "
                                  "unknown time zone\n\n"));
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(english_labels),
        cmocka_unit_test(german_labels_and_fields),
        cmocka_unit_test(address_block_under_label),
        cmocka_unit_test(missing_fields_listed),
        cmocka_unit_test(empty_text_misses_everything),
        cmocka_unit_test(long_description_is_capped),
        cmocka_unit_test(every_refusable_field_is_a_line),
        cmocka_unit_test(reply_subject_not_stacked),
        cmocka_unit_test(reply_merged_with_earlier),
        cmocka_unit_test(replaced_control_is_named),
        cmocka_unit_test(missing_and_refused_listed_together),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

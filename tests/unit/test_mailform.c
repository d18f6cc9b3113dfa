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
    char *reply = mailform_reply_missing(&a, "PSU clicking", missing, n, NULL);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(english_labels),
        cmocka_unit_test(german_labels_and_fields),
        cmocka_unit_test(address_block_under_label),
        cmocka_unit_test(missing_fields_listed),
        cmocka_unit_test(empty_text_misses_everything),
        cmocka_unit_test(long_description_is_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

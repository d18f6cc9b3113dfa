/*
 * Unit tests of mail (GMime): the raw fixtures in tests/fixtures/email/ decode to the sender,
 * subject and text an MTA delivered (quoted-printable, base64, RFC 2047 names in UTF-8 and
 * ISO-8859-1, HTML only, attachments ignored), and a composed message carries its Message-ID
 * and CRLF line ends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail.h"

static char *slurp(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/email/%s", RMAD_TEST_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void multipart_quoted_printable(void **state)
{
    struct arena a;
    struct mail_in m;
    struct err err = {0};
    size_t len;
    char *raw = slurp("complete-multipart-qp.eml", &len);
    (void)state;
    arena_init(&a);
    assert_int_equal(mail_parse(raw, len, &a, &m, &err), 0);
    assert_string_equal(m.from_name, "Anna Schmidt");
    assert_string_equal(m.from_addr, "anna@example.com");
    assert_string_equal(m.subject, "Server does not power on");
    assert_string_equal(m.message_id, "20261203091240.A1B2C3@mx.example.com");
    assert_non_null(strstr(m.text, "power cut \xe2\x80\x93 it does not power on"));
    assert_non_null(strstr(m.text, "Serial number: srv7400001"));
    arena_release(&a);
    free(raw);
}

static void german_base64_encoded_words(void **state)
{
    struct arena a;
    struct mail_in m;
    struct err err = {0};
    size_t len;
    char *raw = slurp("complete-base64-de.eml", &len);
    (void)state;
    arena_init(&a);
    assert_int_equal(mail_parse(raw, len, &a, &m, &err), 0);
    assert_string_equal(m.from_name, "J\xc3\xbcrgen M\xc3\xbcller");
    assert_string_equal(m.subject, "Notebook startet nicht \xe2\x80\x93 bitte um R\xc3\xbc"
                                   "ckruf");
    assert_non_null(strstr(m.text, "Ort: M\xc3\xbcnchen"));
    arena_release(&a);
    free(raw);
}

static void html_only_latin1(void **state)
{
    struct arena a;
    struct mail_in m;
    struct err err = {0};
    size_t len;
    char *raw = slurp("html-only.eml", &len);
    (void)state;
    arena_init(&a);
    assert_int_equal(mail_parse(raw, len, &a, &m, &err), 0);
    assert_string_equal(m.from_name, "Fran\xc3\xa7ois L\xc3\xa9v\xc3\xaaque");
    assert_non_null(strstr(m.text, "\nSerial: SRV7400002\n"));
    assert_null(strstr(m.text, "WRONG-ATTACHMENT"));
    assert_null(strstr(m.text, "color"));
    arena_release(&a);
    free(raw);
}

/* One HTML tag with 90,000 attributes (libxml2's HTML parser checks them pairwise: tens of
 * seconds of CPU) is not parsed: the message has no text. */
static void html_tag_with_too_many_attributes(void **state)
{
    static const char head[] = "From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                               "Content-Type: text/html; charset=UTF-8\r\n\r\n<html><body><p";
    struct arena a;
    struct mail_in m;
    struct err err = {0};
    size_t cap = sizeof head + 90000 * 12 + 64, len = 0;
    char *raw = malloc(cap);

    (void)state;
    len += (size_t)snprintf(raw + len, cap - len, "%s", head);
    for (int i = 0; i < 90000; i++)
        len += (size_t)snprintf(raw + len, cap - len, " a%d=\"1\"", i);
    len += (size_t)snprintf(raw + len, cap - len, ">Serial: X1</p></body></html>\r\n");
    arena_init(&a);
    assert_int_equal(mail_parse(raw, len, &a, &m, &err), 0);
    assert_null(m.text);
    arena_release(&a);
    free(raw);
}

static void not_a_message(void **state)
{
    struct arena a;
    struct mail_in m;
    struct err err = {0};
    (void)state;
    arena_init(&a);
    assert_int_equal(mail_parse("", 0, &a, &m, &err), -1);
    assert_int_equal(err.kind, ERR_BAD_REQUEST);
    arena_release(&a);
}

static void compose_round_trip(void **state)
{
    struct arena a;
    struct mail_in m;
    struct err err = {0};
    size_t len;
    struct mail_out out = {"rmad@example.com",
                           "kunde@example.de",
                           "Ihr Fall \xc3\xa4",
                           "Gr\xc3\xbc\xc3\x9f"
                           "e\n.\nEnde\n",
                           "<abc.rmad@rmad.invalid>",
                           "<orig@example.de>",
                           1764750000};
    (void)state;
    char *data = mail_compose(&out, &len);
    assert_non_null(strstr(data, "Message-Id: <abc.rmad@rmad.invalid>\r\n") ?
                        strstr(data, "Message-Id: <abc.rmad@rmad.invalid>\r\n") :
                        strstr(data, "Message-ID: <abc.rmad@rmad.invalid>\r\n"));
    assert_non_null(strstr(data, "In-Reply-To: <orig@example.de>\r\n"));
    assert_null(strstr(data, "Ihr Fall \xc3\xa4")); /* the subject is an encoded word */
    arena_init(&a);
    assert_int_equal(mail_parse(data, len, &a, &m, &err), 0);
    assert_string_equal(m.subject, "Ihr Fall \xc3\xa4");
    assert_string_equal(m.message_id, "abc.rmad@rmad.invalid");
    assert_non_null(strstr(m.text, "Gr\xc3\xbc\xc3\x9f"
                                   "e"));
    arena_release(&a);
    free(data);
}

static void automatic_messages(void **state)
{
    struct arena a;
    struct mail_in m;
    struct err err = {0};
    size_t len;
    char *raw = slurp("auto-reply.eml", &len);
    (void)state;
    arena_init(&a);
    assert_int_equal(mail_parse(raw, len, &a, &m, &err), 0);
    assert_true(m.automatic);
    free(raw);
    raw = slurp("complete-multipart-qp.eml", &len);
    assert_int_equal(mail_parse(raw, len, &a, &m, &err), 0);
    assert_false(m.automatic);
    const char bounce[] = "From: MAILER-DAEMON@mx.example.com\r\nSubject: Undelivered\r\n\r\nx\r\n";
    assert_int_equal(mail_parse(bounce, sizeof bounce - 1, &a, &m, &err), 0);
    assert_true(m.automatic);
    arena_release(&a);
    free(raw);
}

static void addresses(void **state)
{
    (void)state;
    assert_true(mail_address_ok("anna@example.com"));
    assert_false(mail_address_ok("anna@example.com>\r\nRCPT TO:<x@y.z"));
    assert_false(mail_address_ok("a b@example.com"));
    assert_false(mail_address_ok("nodomain@localhost"));
    assert_false(mail_address_ok(NULL));
}

/* A reply names the thread it answers: In-Reply-To first, then References from the newest. */
static void thread_references(void **state)
{
    struct arena a;
    struct mail_in m;
    struct err err = {0};
    const char reply[] = "From: Bob <bob@example.com>\r\nSubject: Re: Re: laptop broken\r\n"
                         "Message-ID: <r2@example.com>\r\n"
                         "In-Reply-To: <ours-2.rmad@rmad.invalid>\r\n"
                         "References: <first@example.com> <ours-1.rmad@rmad.invalid>\r\n"
                         " <r1@example.com> <ours-2.rmad@rmad.invalid>\r\n\r\nSerial: X1\r\n";
    const char plain[] = "From: bob@example.com\r\nSubject: hi\r\n\r\nx\r\n";
    (void)state;
    arena_init(&a);
    assert_int_equal(mail_parse(reply, sizeof reply - 1, &a, &m, &err), 0);
    assert_int_equal(m.n_refs, 5);
    assert_string_equal(m.refs[0], "ours-2.rmad@rmad.invalid");
    assert_string_equal(m.refs[1], "ours-2.rmad@rmad.invalid");
    assert_string_equal(m.refs[2], "r1@example.com");
    assert_string_equal(m.refs[4], "first@example.com");
    assert_int_equal(mail_parse(plain, sizeof plain - 1, &a, &m, &err), 0);
    assert_int_equal(m.n_refs, 0);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(multipart_quoted_printable),
        cmocka_unit_test(german_base64_encoded_words),
        cmocka_unit_test(html_only_latin1),
        cmocka_unit_test(html_tag_with_too_many_attributes),
        cmocka_unit_test(not_a_message),
        cmocka_unit_test(compose_round_trip),
        cmocka_unit_test(automatic_messages),
        cmocka_unit_test(addresses),
        cmocka_unit_test(thread_references),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

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
    assert_non_null(strstr(m.text, "\nSerial: KBUS7700042\n"));
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

/* A text part whose bytes are not valid in its declared charset is read as windows-1252, never
 * with bytes dropped ("Stra\xdfe" labelled utf-8 was "Strae"); the same for us-ascii, an unknown
 * charset and 8-bit text labelled as none; UTF-8 labelled us-ascii stays UTF-8. */
static void charset_lies(void **state)
{
    struct arena a;
    struct mail_in m;
    struct err err = {0};
    const char utf8_lie[] = "From: a@example.com\r\nSubject: x\r\n"
                            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                            "Address: Stra\xdf"
                            "e 1, 80331 M\xfcnchen, DE\r\nGer\xe4t kaputt \x80 5\r\n";
    const char ascii_lie[] = "From: a@example.com\r\nSubject: x\r\n"
                             "Content-Type: text/plain; charset=us-ascii\r\n\r\nM\xfcnchen\r\n";
    const char ascii_utf8[] =
        "From: a@example.com\r\nSubject: x\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\nM\xc3\xbcnchen\r\n";
    const char nonsense[] = "From: a@example.com\r\nSubject: x\r\n"
                            "Content-Type: text/plain; charset=x-nonsense\r\n\r\nM\xfcnchen\r\n";
    const char latin1[] = "From: a@example.com\r\nSubject: x\r\n"
                          "Content-Type: text/plain; charset=iso-8859-1\r\n\r\nM\xfcnchen\r\n";
    const char qp_lie[] = "From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                          "Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n"
                          "Content-Type: text/html; charset=utf-8\r\n"
                          "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                          "<p>Ort: M=FCnchen</p>\r\n--b--\r\n";
    (void)state;
    arena_init(&a);
    assert_int_equal(mail_parse(utf8_lie, sizeof utf8_lie - 1, &a, &m, &err), 0);
    assert_null(m.unreadable);
    assert_non_null(strstr(m.text, "Stra\xc3\x9f"
                                   "e 1, 80331 M\xc3\xbcnchen, DE"));
    assert_non_null(strstr(m.text, "Ger\xc3\xa4t kaputt \xe2\x82\xac 5"));
    assert_int_equal(mail_parse(ascii_lie, sizeof ascii_lie - 1, &a, &m, &err), 0);
    assert_string_equal(m.text, "M\xc3\xbcnchen\r\n");
    assert_int_equal(mail_parse(ascii_utf8, sizeof ascii_utf8 - 1, &a, &m, &err), 0);
    assert_string_equal(m.text, "M\xc3\xbcnchen\r\n");
    assert_int_equal(mail_parse(nonsense, sizeof nonsense - 1, &a, &m, &err), 0);
    assert_string_equal(m.text, "M\xc3\xbcnchen\r\n");
    assert_int_equal(mail_parse(latin1, sizeof latin1 - 1, &a, &m, &err), 0);
    assert_string_equal(m.text, "M\xc3\xbcnchen\r\n");
    assert_int_equal(mail_parse(qp_lie, sizeof qp_lie - 1, &a, &m, &err), 0);
    assert_non_null(strstr(m.text, "Ort: M\xc3\xbcnchen"));
    arena_release(&a);
}

/* Bytes that no fallback reads (0x81 is undefined in windows-1252) and a broken base64 name the
 * text as unreadable instead of dropping them. */
static void unreadable_text(void **state)
{
    struct arena a;
    struct mail_in m;
    struct err err = {0};
    const char undefined[] = "From: a@example.com\r\nSubject: x\r\n"
                             "Content-Type: text/plain; charset=utf-8\r\n\r\nM\x81nchen\r\n";
    const char bad_b64[] = "From: a@example.com\r\nSubject: x\r\n"
                           "Content-Type: text/plain; charset=utf-8\r\n"
                           "Content-Transfer-Encoding: base64\r\n\r\nU2VyaWFs!!OiBYMQ==\r\n";
    const char cut_b64[] = "From: a@example.com\r\nSubject: x\r\n"
                           "Content-Type: text/plain; charset=utf-8\r\n"
                           "Content-Transfer-Encoding: base64\r\n\r\nU2VyaWFsOiBYM\r\n";
    (void)state;
    arena_init(&a);
    assert_int_equal(mail_parse(undefined, sizeof undefined - 1, &a, &m, &err), 0);
    assert_string_equal(m.unreadable, "body");
    assert_non_null(m.unreadable_why);
    assert_int_equal(mail_parse(bad_b64, sizeof bad_b64 - 1, &a, &m, &err), 0);
    assert_string_equal(m.unreadable, "body");
    assert_int_equal(mail_parse(cut_b64, sizeof cut_b64 - 1, &a, &m, &err), 0);
    assert_string_equal(m.unreadable, "body");
    arena_release(&a);
}

/* A NUL byte (and any control but tab, CR, LF) in the text becomes U+FFFD: the lines after it
 * are read (they were cut off). */
static void nul_in_text(void **state)
{
    struct arena a;
    struct mail_in m;
    struct err err = {0};
    const char raw[] = "From: a@example.com\r\nSubject: x\r\n\r\n"
                       "Serial: SRV7400003\0\r\nCity: Bonn\x01\tx\r\n";
    (void)state;
    arena_init(&a);
    assert_int_equal(mail_parse(raw, sizeof raw - 1, &a, &m, &err), 0);
    assert_null(m.unreadable);
    assert_string_equal(m.text, "Serial: SRV7400003\xef\xbf\xbd\r\nCity: Bonn\xef\xbf\xbd\tx\r\n");
    arena_release(&a);
}

/* Headers: 8-bit bytes without RFC 2047 and encoded words whose charset lies are read as
 * windows-1252 (GMime dropped them or put "?"); a NUL in the subject is U+FFFD; a NUL or a CR
 * without LF in a header rmad reads (From, Message-ID, ...) names that header. */
static void header_bytes(void **state)
{
    struct arena a;
    struct mail_in m;
    struct err err = {0};
    const char raw8[] = "From: J\xfcrgen M\xfcller <j@example.com>\r\nSubject: Ger\xe4t kaputt\r\n"
                        "\r\nx\r\n";
    const char words[] = "From: =?utf-8?q?J=FCrgen?= <j@example.com>\r\n"
                         "Subject: =?us-ascii?q?Ger=E4t?= =?utf-8?b?a2FwdXR0?=\r\n"
                         " =?iso-8859-1?q?M=FCnchen?= x\r\n\r\nx\r\n";
    const char quoted[] = "From: \"M\xfcller, J\xfcrgen\" <j@example.com>\r\n\r\nx\r\n";
    const char nul_subject[] = "From: j@example.com\r\nSubject: Ab\0cd\r\n\r\nx\r\n";
    const char nul_from[] = "From: Jo\0e <j@example.com>\r\nSubject: x\r\n\r\nx\r\n";
    const char cr_id[] = "From: j@example.com\r\nMessage-ID: <a\rb@example.com>\r\n\r\nx\r\n";
    const char undefined[] = "From: j@example.com\r\nSubject: =?utf-8?q?M=81nchen?=\r\n\r\nx\r\n";
    (void)state;
    arena_init(&a);
    assert_int_equal(mail_parse(raw8, sizeof raw8 - 1, &a, &m, &err), 0);
    assert_null(m.unreadable);
    assert_string_equal(m.from_name, "J\xc3\xbcrgen M\xc3\xbcller");
    assert_string_equal(m.from_addr, "j@example.com");
    assert_string_equal(m.subject, "Ger\xc3\xa4t kaputt");
    assert_int_equal(mail_parse(words, sizeof words - 1, &a, &m, &err), 0);
    assert_null(m.unreadable);
    assert_string_equal(m.from_name, "J\xc3\xbcrgen");
    assert_string_equal(m.subject, "Ger\xc3\xa4tkaputtM\xc3\xbcnchen x");
    assert_int_equal(mail_parse(quoted, sizeof quoted - 1, &a, &m, &err), 0);
    assert_string_equal(m.from_name, "M\xc3\xbcller, J\xc3\xbcrgen");
    assert_int_equal(mail_parse(nul_subject, sizeof nul_subject - 1, &a, &m, &err), 0);
    assert_null(m.unreadable);
    assert_string_equal(m.subject, "Ab\xef\xbf\xbd"
                                   "cd");
    assert_int_equal(mail_parse(nul_from, sizeof nul_from - 1, &a, &m, &err), 0);
    assert_string_equal(m.unreadable, "From");
    assert_int_equal(mail_parse(cr_id, sizeof cr_id - 1, &a, &m, &err), 0);
    assert_string_equal(m.unreadable, "Message-ID");
    assert_int_equal(mail_parse(undefined, sizeof undefined - 1, &a, &m, &err), 0);
    assert_string_equal(m.unreadable, "Subject");
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
        cmocka_unit_test(charset_lies),
        cmocka_unit_test(unreadable_text),
        cmocka_unit_test(nul_in_text),
        cmocka_unit_test(header_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of record_pdf (label/record.h): the archived service record as an A4 PDF.  A short
 * record is one page, a long one breaks into pages (each with its "page n of m" footer), a value
 * longer than a page continues on the next, and hostile text (invalid UTF-8, control characters,
 * right-to-left and CJK scripts, one endless word) renders without failing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "label/record.h"

/* The number of page objects in a PDF cairo wrote ("/Type /Page" and not "/Type /Pages"). */
static int pages(const unsigned char *pdf, size_t len)
{
    static const char key[] = "/Type /Page";
    int n = 0;
    for (size_t i = 0; i + sizeof key < len; i++)
        if (memcmp(pdf + i, key, sizeof key - 1) == 0 && pdf[i + sizeof key - 1] != 's')
            n++;
    return n;
}

static int render(const struct record_block *blocks, size_t n, unsigned char **out, size_t *len)
{
    struct record_doc doc = {.title = "Service record C00000001",
                             .subtitle = "Customer: Anna Schmidt\nArchived 2026-12-03",
                             .footer = "C00000001 - archived service record",
                             .created = "2026-12-03T20:00:00Z",
                             .blocks = blocks,
                             .n_blocks = n};
    struct err err = {0};
    int rc = record_pdf_render(&doc, out, len, &err);
    if (rc != 0)
        fail_msg("render failed: %s", err.message);
    assert_true(*len > 5 && memcmp(*out, "%PDF-", 5) == 0);
    return pages(*out, *len);
}

static void short_record_is_one_page(void **state)
{
    (void)state;
    struct record_block b[] = {
        {RECORD_HEADING, 0, "Intake", NULL},     {RECORD_FIELD, 0, "Channel", "hotline"},
        {RECORD_SUBHEADING, 0, "Contact", NULL}, {RECORD_FIELD, 1, "Name", "Anna Schmidt"},
        {RECORD_TEXT, 0, NULL, "A paragraph."},
    };
    unsigned char *pdf;
    size_t len;
    assert_int_equal(render(b, sizeof b / sizeof b[0], &pdf, &len), 1);
    free(pdf);
}

static void many_fields_break_into_pages(void **state)
{
    (void)state;
    enum { N = 400 };
    struct record_block *b = calloc(N, sizeof *b);
    for (int i = 0; i < N; i++)
        b[i] =
            (struct record_block){i % 40 == 0 ? RECORD_HEADING : RECORD_FIELD, 0, "Field", "value"};
    unsigned char *pdf;
    size_t len;
    int n = render(b, N, &pdf, &len);
    assert_true(n >= 5);
    free(pdf);
    free(b);
}

static void a_value_longer_than_a_page_continues(void **state)
{
    (void)state;
    size_t n = 40000;
    char *text = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        text[i] = (i % 7 == 6) ? ' ' : 'x';
    text[n] = '\0';
    struct record_block b[] = {{RECORD_FIELD, 0, "Fault description", text}};
    unsigned char *pdf;
    size_t len;
    assert_true(render(b, 1, &pdf, &len) >= 3);
    free(pdf);
    free(text);
}

static void hostile_text_renders(void **state)
{
    (void)state;
    char endless[3000];
    memset(endless, 'W', sizeof endless - 1);
    endless[sizeof endless - 1] = '\0';
    struct record_block b[] = {
        {RECORD_FIELD, 0, "Invalid UTF-8", "caf\xc3 \xff\xfe end"},
        {RECORD_FIELD, 0, "Controls",
         "a\x01"
         "b\x1b[31mc\x7f"
         "d\ttab\nnew line"},
        {RECORD_FIELD, 0, "Arabic", "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7"},
        {RECORD_FIELD, 0, "CJK", "\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x8d"},
        /* noncharacters stored before intake refused them: cairo refuses them */
        {RECORD_FIELD, 0, "Noncharacters",
         "ACME\xef\xbf\xbfGmbH \xef\xbf\xbe \xef\xb7\x90 \xf0\x9f\xbf\xbf \xf4\x8f\xbf\xbf"},
        {RECORD_FIELD, 0, "Name \xef\xbf\xbf", "label"},
        {RECORD_FIELD, 9, "Deeply nested", "indent is capped"},
        {RECORD_FIELD, 0, "One endless word", endless},
        {RECORD_HEADING, 0, NULL, NULL},
        {RECORD_FIELD, 0, NULL, NULL},
        {RECORD_TEXT, 0, NULL, NULL},
    };
    unsigned char *pdf;
    size_t len;
    assert_true(render(b, sizeof b / sizeof b[0], &pdf, &len) >= 1);
    free(pdf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(short_record_is_one_page),
        cmocka_unit_test(many_fields_break_into_pages),
        cmocka_unit_test(a_value_longer_than_a_page_continues),
        cmocka_unit_test(hostile_text_renders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

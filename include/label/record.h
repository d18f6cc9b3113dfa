/*
 * record: the archived service record of a case as a PDF (issue 3), drawn with cairo and pango
 * like the labels.
 *
 * The document is a list of blocks (headings, sub-headings, name/value fields, paragraphs) that
 * the caller makes from the record's JSON; this module only lays them out: A4 pages with a
 * margin, the title block on the first page, a running header and "page n of m" in the footer
 * of every page, section headings kept with what follows them, values wrapped to the column
 * (long words broken), long values continued on the next page, and any script shaped by pango
 * with fontconfig's fallback fonts (a character no font has shows as a visible hex box).
 * Control characters become spaces (new lines stay) and invalid UTF-8 becomes U+FFFD.
 */
#ifndef LABEL_RECORD_H
#define LABEL_RECORD_H

#include <stddef.h>

#include "core/err.h"

enum record_block_kind { RECORD_HEADING, RECORD_SUBHEADING, RECORD_FIELD, RECORD_TEXT };

struct record_block {
    enum record_block_kind kind;
    int indent;        /* nesting level, 0 to 6 (more is drawn as 6) */
    const char *label; /* the heading, or the field's name; NULL for a paragraph */
    const char *text;  /* the field's value or the paragraph (any length); NULL for a heading */
};

struct record_doc {
    const char *title;    /* "Service record C00000001": first page and every page's header */
    const char *subtitle; /* lines under the title (may hold new lines), or NULL */
    const char *footer;   /* left of the page number on every page, or NULL */
    const char *created;  /* "YYYY-MM-DDThh:mm:ss" for the PDF's creation date, or NULL */
    const struct record_block *blocks;
    size_t n_blocks;
};

/*
 * record_pdf_render: the PDF of doc.  Returns 0 with *out a malloc'd buffer of *len bytes (the
 * caller frees it), or -1 with err (ERR_INTERNAL) and *out NULL.  Thread-safe; no database.
 */
int record_pdf_render(const struct record_doc *doc, unsigned char **out, size_t *len,
                      struct err *err);

#endif

/*
 * render: labels drawn from struct label_content (core/label.h) on the templates of labels/.
 *
 * One layout per label (src/label/layout.h), in printer dots, drives all three outputs, so the
 * thermal label (ZPL II), the PNG and the PDF show the same thing in the same place:
 *
 *     PNG  one label at printer resolution (203 or 300 dpi), 1-bit black and white, as printed
 *     PDF  vector text (pango, embedded fonts), vector QR modules and bars; n labels = n pages
 *     ZPL  ^XA ... ^XZ per label for a 203 or 300 dpi printer; n labels = one stream
 *
 * lc->qr_payload and lc->token must have been set by label_set_code().  Customer text is capped
 * per line and wrapped where the template says; control characters become spaces and invalid
 * UTF-8 becomes U+FFFD.  Text a thermal printer's built-in font may lack (beyond Latin) is
 * "flagged": PNG and PDF shape it with pango (any script, right to left too); ZPL prints it
 * hex-escaped with a visible "*" and a note, and the caller flags the parcel.
 *
 * Each function returns 0 and sets *out to a malloc'd buffer of *len bytes that the caller frees
 * with free(), or -1 with err set and *out NULL: ERR_INVALID naming "qr_payload" (empty, not
 * upper-case alphanumeric or too long for the label), "tracking_number", "sscc" or "dpi";
 * ERR_INTERNAL when drawing fails.  None of them blocks on the database; they are thread-safe.
 */
#ifndef LABEL_RENDER_H
#define LABEL_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/label.h"

enum label_format { LABEL_PNG, LABEL_PDF, LABEL_ZPL };

#define LABEL_BATCH_MAX 500

/*
 * Renders n labels (1 for PNG; 1 to LABEL_BATCH_MAX for PDF and ZPL) at dpi (203 or 300; the
 * PDF is vector and ignores it).  ZPL output is also NUL-terminated (not counted in *len).
 */
int label_render(const struct label_content *lcs, size_t n, enum label_format fmt, int dpi,
                 unsigned char **out, size_t *len, struct err *err);

/*
 * True when lc's text needs the visible fallback on a thermal printer (the parcel gets flagged).
 * Returns -1 with err when lc cannot be laid out, else 0 with *flagged set.
 */
int label_flagged(const struct label_content *lc, bool *flagged, struct err *err);

/* "png", "pdf", "zpl"; and the media type of each. */
const char *label_format_ext(enum label_format fmt);
const char *label_format_type(enum label_format fmt);

/* One label at 203 dpi (the 4x6 in return label is 812 x 1218 dots). */
int label_render_png(const struct label_content *lc, unsigned char **out, size_t *len,
                     struct err *err);
int label_render_pdf(const struct label_content *lc, unsigned char **out, size_t *len,
                     struct err *err);
int label_render_zpl(const struct label_content *lc, unsigned char **out, size_t *len,
                     struct err *err);

#endif

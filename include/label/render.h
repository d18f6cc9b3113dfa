/*
 * render: a 4x6 in return label drawn from a struct label_content (core/label.h).
 *
 * One layout in printer dots (203 dpi, 812 x 1218 dots) drives all three outputs, so the thermal
 * label (ZPL II), the PNG and the PDF show the same thing in the same place.  lc->qr_payload and
 * lc->token must have been set by label_set_code().  Customer text is capped per line; control
 * characters become spaces and invalid UTF-8 becomes U+FFFD.
 *
 * Each function returns 0 and sets *out to a malloc'd buffer of *len bytes that the caller frees
 * with free(), or -1 with err set (ERR_INVALID, field "qr_payload", when the payload is empty, not
 * upper-case alphanumeric or does not fit a QR code; ERR_INTERNAL when drawing fails) and *out
 * NULL.  None of them blocks on the database; they are thread-safe.
 */
#ifndef LABEL_RENDER_H
#define LABEL_RENDER_H

#include <stddef.h>

#include "core/err.h"
#include "core/label.h"

/* PNG, 812 x 1218 pixels (one pixel per printer dot), black on white. */
int label_render_png(const struct label_content *lc, unsigned char **out, size_t *len,
                     struct err *err);

/* PDF, one 4x6 in page (288 x 432 pt), vector text with embedded fonts and vector QR modules. */
int label_render_pdf(const struct label_content *lc, unsigned char **out, size_t *len,
                     struct err *err);

/*
 * ZPL II text for a 203 dpi thermal printer: exactly one ^XA ... ^XZ, ^CI28 (UTF-8), every text
 * field through ^FH with _XX hex escapes for any byte outside [A-Za-z0-9 .,-/].  *out is also
 * NUL-terminated (the NUL is not counted in *len).
 */
int label_render_zpl(const struct label_content *lc, unsigned char **out, size_t *len,
                     struct err *err);

#endif

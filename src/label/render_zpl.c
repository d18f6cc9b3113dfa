/*
 * render_zpl: labels as ZPL II for a 203 or 300 dpi thermal printer; see label/render.h.
 *
 * Customer text must never become commands: a '^' or '~' in a name would end the label or add
 * a barcode.  So every text field is written as  ^FH^FD<escaped>^FS  where every byte outside
 * [A-Za-z0-9 .,-/] is a _XX hex escape (^FH's default indicator '_'), under ^CI28 (UTF-8); text
 * is capped per line, and wrapped text uses ^FB (with no backslash, which ^FB reads as a line
 * break).  Whatever an address holds, each label is exactly one ^XA ... ^XZ:
 *
 *     ^XA
 *     ^CI28
 *     ^PW812
 *     ^LL1218
 *     ^LH0,0
 *     ^FO24,38^A0N,24,24^FH^FD_5EXZ M_C3_BCller^FS
 *     ^FO56,652^BQN,2,8^FDMA,HTTP://127.0.0.1:8080/P/R000000174/1/B7M8W1Z4^FS
 *     ^FO54,1022^BY3^BCN,80,N,N,N,A^FD1Z680RA4DL08720000^FS
 *     ^FO64,1132^BY4^BCN,78,N,N,N,D^FD00006141411234567890^FS
 *     ^XZ
 *
 * Barcodes are the printer's own: ^BQ (QR, error correction M or Q, magnification = dots per
 * module), ^BC mode A (Code 128, the printer picks the code sets) and ^BC mode D (GS1-128: start
 * code C, FNC1, AI 00).  Their data is checked by layout_build(): the QR payload is in the QR
 * alphanumeric set, the tracking number letters and digits, the SSCC 18 digits, so none holds
 * '^', '~' or '>'.  Lines with characters beyond Latin are printed with a "*" and the template's
 * note, because a printer's built-in font may show them as blanks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label/render.h"
#include "layout.h"

static void zpl_printf(struct layout_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void zpl_printf(struct layout_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        layout_buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static bool zpl_plain(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' ||
           c == '.' || c == ',' || c == '-' || c == '/';
}

static void zpl_escaped(struct layout_buf *b, const char *text, bool block)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        unsigned char c = block && *p == '\\' ? '/' : *p;
        char esc[3] = {'_', hex[c >> 4], hex[c & 15]};

        if (zpl_plain(c))
            layout_buf_add(b, &c, 1);
        else
            layout_buf_add(b, esc, sizeof esc);
    }
}

/* One text field: ^FO..^A0..[^FB..]^FH^FD<escaped>^FS. */
static void zpl_text(struct layout_buf *b, const struct layout_item *it)
{
    zpl_printf(b, "^FO%d,%d^A0N,%d,%d", it->x, it->y, it->size, it->size);
    if (it->lines > 1)
        zpl_printf(b, "^FB%d,%d,0,L,0", it->w, it->lines);
    layout_buf_add(b, "^FH^FD", 6);
    if (it->flagged)
        zpl_escaped(b, "* ", false);
    zpl_escaped(b, it->text, it->lines > 1);
    layout_buf_add(b, "^FS\n", 4);
}

static void zpl_barcode(struct layout_buf *b, const struct layout_barcode *bc)
{
    int m = bc->module;

    switch (bc->kind) {
    case LAYOUT_QR:
        zpl_printf(b, "^FO%d,%d^BQN,2,%d^FD%cA,", bc->x + LAYOUT_QR_QUIET * m,
                   bc->y + LAYOUT_QR_QUIET * m, m, bc->ec == LABEL_EC_Q ? 'Q' : 'M');
        layout_buf_add(b, bc->data, strlen(bc->data));
        break;
    case LAYOUT_CODE128:
        zpl_printf(b, "^FO%d,%d^BY%d^BCN,%d,N,N,N,A^FD", bc->x + LAYOUT_BAR_QUIET * m, bc->y, m,
                   bc->h);
        layout_buf_add(b, bc->data, strlen(bc->data));
        break;
    case LAYOUT_GS1_128:
        zpl_printf(b, "^FO%d,%d^BY%d^BCN,%d,N,N,N,D^FD00", bc->x + LAYOUT_BAR_QUIET * m, bc->y, m,
                   bc->h);
        layout_buf_add(b, bc->data, strlen(bc->data));
        break;
    }
    layout_buf_add(b, "^FS\n", 4);
}

static int zpl_one(struct layout_buf *buf, const struct label_content *lc, int dpi, struct err *err)
{
    struct layout lo;

    if (layout_build(lc, dpi, &lo, err) != 0) {
        layout_release(&lo);
        return -1;
    }
    zpl_printf(buf, "^XA\n^CI28\n^PW%d\n^LL%d\n^LH0,0\n", lo.width, lo.height);
    for (int i = 0; i < lo.nitems; i++) {
        const struct layout_item *it = &lo.items[i];

        switch (it->kind) {
        case LAYOUT_TEXT:
            zpl_text(buf, it);
            break;
        case LAYOUT_FILL:
            zpl_printf(buf, "^FO%d,%d^GB%d,%d,%d^FS\n", it->x, it->y, it->w, it->h,
                       it->w < it->h ? it->w : it->h);
            break;
        case LAYOUT_FRAME:
            zpl_printf(buf, "^FO%d,%d^GB%d,%d,%d^FS\n", it->x, it->y, it->w, it->h, it->t);
            break;
        }
    }
    for (int i = 0; i < lo.nbarcodes; i++)
        zpl_barcode(buf, &lo.barcodes[i]);
    layout_buf_add(buf, "^XZ\n", 4);
    layout_release(&lo);
    return 0;
}

int render_zpl(const struct label_content *lcs, size_t n, int dpi, unsigned char **out, size_t *len,
               struct err *err)
{
    struct layout_buf buf = {0};

    for (size_t i = 0; i < n; i++) {
        if (zpl_one(&buf, &lcs[i], dpi, err) != 0) {
            free(buf.data);
            return -1;
        }
    }
    *out = buf.data;
    *len = buf.len;
    return 0;
}

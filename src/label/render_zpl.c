/*
 * render_zpl: a label as ZPL II for a 203 dpi thermal printer; see label/render.h.
 *
 * Customer text must never become commands: a '^' or '~' in a name would end the label or add
 * a barcode.  So every text field is written as  ^FH^FD<escaped>^FS  where every byte outside
 * [A-Za-z0-9 .,-/] is a _XX hex escape (^FH's default indicator '_'), under ^CI28 (UTF-8):
 *
 *     ^XA^CI28^PW812^LL1218^LH0,0
 *     ^FO24,46^A0N,24,24^FH^FD_5EXZ M_C3_BCller^FS
 *     ^FO56,754^BQN,2,8^FDMA,HTTP://127.0.0.1:8080/P/R000000174/1/B7M8W1Z4^FS
 *     ^XZ
 *
 * The QR payload is checked to be in the QR alphanumeric set by layout_build(), so it holds no
 * '^' or '~'.  Lines with characters beyond Latin are printed with a "*" flag and a footnote,
 * because a printer's built-in font may show them as blanks.
 */
#include "label/render.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"

static const char FLAG_NOTE[] = "* NON-LATIN TEXT, SEE PDF LABEL";
static const int FLAG_NOTE_Y = 1180, FLAG_NOTE_H = 22;

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

/* One text field at x, y in font 0 of height h: ^FO..^A0..^FH^FD<escaped>^FS. */
static void zpl_text(struct layout_buf *b, int x, int y, int h, const char *prefix,
                     const char *text)
{
    static const char hex[] = "0123456789ABCDEF";

    zpl_printf(b, "^FO%d,%d^A0N,%d,%d^FH^FD", x, y, h, h);
    for (int pass = 0; pass < 2; pass++) {
        for (const unsigned char *p = (const unsigned char *)(pass ? text : prefix); *p; p++) {
            char esc[3] = {'_', hex[*p >> 4], hex[*p & 15]};

            if (zpl_plain(*p))
                layout_buf_add(b, p, 1);
            else
                layout_buf_add(b, esc, sizeof esc);
        }
    }
    layout_buf_add(b, "^FS\n", 4);
}

int label_render_zpl(const struct label_content *lc, unsigned char **out, size_t *len,
                     struct err *err)
{
    struct layout_buf buf = {0};
    struct layout lo;
    int m;

    *out = NULL;
    *len = 0;
    if (layout_build(lc, &lo, err) != 0) {
        layout_release(&lo);
        return -1;
    }
    zpl_printf(&buf, "^XA\n^CI28\n^PW%d\n^LL%d\n^LH0,0\n", LAYOUT_WIDTH, LAYOUT_HEIGHT);
    for (int i = 0; i < lo.nitems; i++) {
        const struct layout_item *it = &lo.items[i];

        switch (it->kind) {
        case LAYOUT_TEXT:
            zpl_text(&buf, it->x, it->y, it->h, it->flagged ? "* " : "", it->text);
            break;
        case LAYOUT_FILL:
            zpl_printf(&buf, "^FO%d,%d^GB%d,%d,%d^FS\n", it->x, it->y, it->w, it->h,
                       it->w < it->h ? it->w : it->h);
            break;
        case LAYOUT_FRAME:
            zpl_printf(&buf, "^FO%d,%d^GB%d,%d,%d^FS\n", it->x, it->y, it->w, it->h, it->t);
            break;
        }
    }
    if (lo.flagged)
        zpl_text(&buf, 24, FLAG_NOTE_Y, FLAG_NOTE_H, "", FLAG_NOTE);
    m = lo.qr.module;
    zpl_printf(&buf, "^FO%d,%d^BQN,2,%d^FDMA,", lo.qr.x + LAYOUT_QR_QUIET * m,
               lo.qr.y + LAYOUT_QR_QUIET * m, m);
    layout_buf_add(&buf, lo.qr.payload, strlen(lo.qr.payload));
    layout_buf_add(&buf, "^FS\n^XZ\n", 8);
    layout_release(&lo);
    *out = buf.data;
    *len = buf.len;
    return 0;
}

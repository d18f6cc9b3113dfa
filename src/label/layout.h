/*
 * layout: a label template (template.h) filled with a struct label_content and scaled to the
 * printer's resolution: what goes where, in printer dots.  Private to src/label/: render_png.c,
 * render_pdf.c (both through render_cairo.c) and render_zpl.c draw the same struct layout, so
 * the outputs cannot drift apart.
 *
 * What must stay true (layout_build() checks it for every label it lays out, and
 * tests/unit/test_label_layout.c for every template at 203 and 300 dpi):
 *   - no text, rule, frame or other barcode enters a barcode's quiet zone (QR: 4 modules on
 *     every side; Code 128 and GS1-128: 10 modules left and right);
 *   - QR modules and bars are whole printer dots; a QR module is at least 0.5 mm at 203 dpi.
 */
#ifndef LABEL_LAYOUT_H
#define LABEL_LAYOUT_H

#include <stdbool.h>

#include <cairo.h>

#include "core/err.h"
#include "core/label.h"
#include "template.h"

#define LAYOUT_DPI 203 /* the dpi of the templates */
#define LAYOUT_ITEMS_MAX 64
#define LAYOUT_TEXT_MAX 480     /* bytes of one text item */
#define LAYOUT_LINE_CHARS 60    /* most characters (code points) on one text line */
#define LAYOUT_QR_QUIET 4       /* quiet zone, modules */
#define LAYOUT_QR_MODULE_MAX 10 /* also the largest ZPL ^BQ magnification */
#define LAYOUT_BAR_QUIET 10     /* Code 128 quiet zone, modules */
#define LAYOUT_BARCODES_MAX 3
#define LAYOUT_BARS_MAX 1152 /* modules of one linear symbol */

enum layout_kind {
    LAYOUT_TEXT, /* text, top-left at x, y; font height size; w x h box; lines > 1 wraps */
    LAYOUT_FILL, /* filled rectangle (rules) */
    LAYOUT_FRAME /* rectangle outline of thickness t (boxes around handling marks) */
};

struct layout_item {
    enum layout_kind kind;
    int x, y, w, h, t;
    int size;  /* font height, dots */
    int lines; /* most lines */
    bool bold;
    bool mono;
    bool flagged;               /* has characters a thermal printer's built-in font may not have */
    bool flagnote;              /* the note shown (in ZPL) when some text is flagged */
    int chars;                  /* most characters per line (ZPL wraps and caps by this) */
    char text[LAYOUT_TEXT_MAX]; /* valid UTF-8, no control characters */
};

enum layout_barcode_kind { LAYOUT_QR, LAYOUT_CODE128, LAYOUT_GS1_128 };

struct layout_barcode {
    enum layout_barcode_kind kind;
    int x, y;   /* QR: top-left of the quiet zone; linear: top-left of the left quiet zone */
    int module; /* dots per module */
    int width;  /* modules: QR per side, quiet zone excluded; linear: bars and spaces */
    int h;      /* linear: bar height, dots */
    unsigned char *dark;          /* QR width*width, linear width; 1 = dark; malloc'd */
    char data[LABEL_PAYLOAD_MAX]; /* QR payload; tracking number; the 18-digit SSCC */
    enum label_ec ec;
};

struct layout {
    int dpi;
    int width, height; /* dots */
    char title[TPL_LITERAL_MAX];
    int nitems;
    struct layout_item items[LAYOUT_ITEMS_MAX];
    int nbarcodes;
    struct layout_barcode barcodes[LAYOUT_BARCODES_MAX];
    bool flagged; /* some text line is flagged */
};

/*
 * Lays out lc on its kind's template at dpi (203 or 300).  Returns 0, or -1 with err set (see
 * label/render.h); release lo either way.
 */
int layout_build(const struct label_content *lc, int dpi, struct layout *lo, struct err *err);
void layout_release(struct layout *lo);

/*
 * The layout check: 0 when no item or barcode enters a barcode's quiet zone and every box is
 * on the label; -1 with ERR_INTERNAL naming the first offender otherwise.
 */
int layout_check(const struct layout *lo, struct err *err);

/* The quiet-zone rectangle of a barcode (symbol and quiet zone), dots. */
void layout_barcode_zone(const struct layout_barcode *b, int *x, int *y, int *w, int *h);

/* Draws lo in dot units onto cr (white background first).  Returns 0, or -1 with err set. */
int layout_draw_cairo(const struct layout *lo, cairo_t *cr, struct err *err);

/* A growing byte buffer and a cairo write callback that appends to it. */
struct layout_buf {
    unsigned char *data;
    size_t len, cap;
};
void layout_buf_add(struct layout_buf *b, const void *p, size_t n);
cairo_status_t layout_buf_write(void *closure, const unsigned char *data, unsigned int length);

/* The renderers behind label_render() (label/render.h); arguments checked there. */
int render_png(const struct label_content *lc, int dpi, unsigned char **out, size_t *len,
               struct err *err);
int render_pdf(const struct label_content *lcs, size_t n, unsigned char **out, size_t *len,
               struct err *err);
int render_zpl(const struct label_content *lcs, size_t n, int dpi, unsigned char **out, size_t *len,
               struct err *err);

/* Encodes a linear symbol with zint into b->dark / b->width.  Returns 0, or -1 with err. */
int barcode_encode_linear(struct layout_barcode *b, const char *data, struct err *err);

#endif

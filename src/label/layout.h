/*
 * layout: where everything on a 4x6 in label goes, in printer dots at 203 dpi.  Private to
 * src/label/: render_png.c, render_pdf.c (both through render_cairo.c) and render_zpl.c draw the
 * same struct layout, so they cannot drift apart.
 *
 *     +--------------------------------------+  FROM   customer address, small
 *     | FROM ...                             |  TO     depot address, large
 *     |--------------------------------------|  RMA    number, largest text
 *     | TO ...                               |  PARCEL n OF m
 *     |--------------------------------------|  marks  boxed, right of the QR
 *     | RMA R000000174                       |  QR     whole dots per module, 4-module quiet
 *     | PARCEL 1 OF 2                        |         zone kept clear, token under it
 *     |--------------------------------------|
 *     | [QR]            [FRAGILE]            |
 *     | token           [THIS SIDE UP]       |
 *     +--------------------------------------+
 */
#ifndef LABEL_LAYOUT_H
#define LABEL_LAYOUT_H

#include <stdbool.h>

#include <cairo.h>

#include "core/err.h"
#include "core/label.h"

#define LAYOUT_DPI 203
#define LAYOUT_WIDTH 812   /* 4 in */
#define LAYOUT_HEIGHT 1218 /* 6 in */
#define LAYOUT_ITEMS_MAX 40
#define LAYOUT_LINE_CHARS 40 /* most characters (code points) on one text line */
#define LAYOUT_QR_QUIET 4    /* quiet zone, modules */
#define LAYOUT_QR_MODULE_MIN 4
#define LAYOUT_QR_MODULE_MAX 10 /* also the largest ZPL ^BQ magnification */

enum layout_kind {
    LAYOUT_TEXT, /* one line of text, top-left at x, y; font height h dots; at most w dots wide */
    LAYOUT_FILL, /* filled rectangle (rules) */
    LAYOUT_FRAME /* rectangle outline of thickness t (boxes around handling marks) */
};

struct layout_item {
    enum layout_kind kind;
    int x, y, w, h, t;
    bool bold;
    bool mono;
    bool flagged; /* text with characters a thermal printer's built-in font may not have */
    char text[LAYOUT_LINE_CHARS * 4 + 1]; /* valid UTF-8, no control characters */
};

struct layout_qr {
    int x, y;            /* top-left corner of the quiet zone */
    int module;          /* dots per module */
    int width;           /* modules per side, quiet zone excluded */
    unsigned char *dark; /* width * width, row-major, 1 = dark; malloc'd */
    char payload[LABEL_PAYLOAD_MAX];
};

struct layout {
    int nitems;
    struct layout_item items[LAYOUT_ITEMS_MAX];
    struct layout_qr qr;
    bool flagged; /* some text line is flagged */
};

/* Lays out lc.  Returns 0, or -1 with err set (see label/render.h); release lo either way. */
int layout_build(const struct label_content *lc, struct layout *lo, struct err *err);
void layout_release(struct layout *lo);

/* Draws lo in dot units onto cr (white background first).  Returns 0, or -1 with err set. */
int layout_draw_cairo(const struct layout *lo, cairo_t *cr, struct err *err);

/* A growing byte buffer and a cairo write callback that appends to it. */
struct layout_buf {
    unsigned char *data;
    size_t len, cap;
};
void layout_buf_add(struct layout_buf *b, const void *p, size_t n);
cairo_status_t layout_buf_write(void *closure, const unsigned char *data, unsigned int length);

#endif

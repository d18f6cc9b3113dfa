/*
 * render_cairo: draws a struct layout with cairo and pango, for render_png.c and render_pdf.c.
 *
 * User units are printer dots: the PNG surface has one pixel per dot, the PDF context is scaled
 * by 72/dpi.  QR modules and bars are whole-dot rectangles drawn without antialiasing, so the
 * PNG is exactly the printed symbol.  Text is shaped by pango with fontconfig's fallback, so
 * any script renders (right-to-left paragraphs are laid out right to left and aligned right);
 * a character no font has shows as pango's visible hex box, never as a silent '?'.
 */
#include "layout.h"

#include <pango/pangocairo.h>

static void draw_text(cairo_t *cr, const struct layout_item *it)
{
    PangoFontDescription *fd;
    PangoLayout *pl;

    fd = pango_font_description_from_string(it->mono ? "DejaVu Sans Mono" : "DejaVu Sans");
    pango_font_description_set_weight(fd, it->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(fd, (double)it->size * PANGO_SCALE);
    pl = pango_cairo_create_layout(cr);
    pango_layout_set_font_description(pl, fd);
    pango_layout_set_width(pl, it->w * PANGO_SCALE);
    pango_layout_set_ellipsize(pl, PANGO_ELLIPSIZE_END);
    if (it->lines > 1) {
        pango_layout_set_wrap(pl, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_height(pl, -it->lines);
        pango_layout_set_spacing(pl, 0);
    } else {
        pango_layout_set_single_paragraph_mode(pl, TRUE);
    }
    pango_layout_set_text(pl, it->text, -1);
    cairo_save(cr);
    /* never past the box: a tall fallback glyph must not reach a barcode's quiet zone */
    cairo_rectangle(cr, it->x, it->y, it->w, it->h);
    cairo_clip(cr);
    cairo_move_to(cr, it->x, it->y);
    pango_cairo_show_layout(cr, pl);
    cairo_restore(cr);
    g_object_unref(pl);
    pango_font_description_free(fd);
}

static void draw_qr(cairo_t *cr, const struct layout_barcode *qr)
{
    int m = qr->module;
    int x0 = qr->x + LAYOUT_QR_QUIET * m, y0 = qr->y + LAYOUT_QR_QUIET * m;

    for (int r = 0; r < qr->width; r++) {
        for (int c = 0; c < qr->width;) {
            int run = 0;

            while (c + run < qr->width && qr->dark[r * qr->width + c + run])
                run++;
            if (run > 0)
                cairo_rectangle(cr, x0 + c * m, y0 + r * m, run * m, m);
            c += run > 0 ? run : 1;
        }
    }
}

static void draw_bars(cairo_t *cr, const struct layout_barcode *b)
{
    int m = b->module;
    int x0 = b->x + LAYOUT_BAR_QUIET * m;

    for (int c = 0; c < b->width;) {
        int run = 0;

        while (c + run < b->width && b->dark[c + run])
            run++;
        if (run > 0)
            cairo_rectangle(cr, x0 + c * m, b->y, run * m, b->h);
        c += run > 0 ? run : 1;
    }
}

int layout_draw_cairo(const struct layout *lo, cairo_t *cr, struct err *err)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, 0, 0, lo->width, lo->height);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int i = 0; i < lo->nitems; i++) {
        const struct layout_item *it = &lo->items[i];

        switch (it->kind) {
        case LAYOUT_TEXT:
            if (!it->flagnote) /* the note is for thermal printers without the glyphs */
                draw_text(cr, it);
            break;
        case LAYOUT_FILL:
            cairo_rectangle(cr, it->x, it->y, it->w, it->h);
            cairo_fill(cr);
            break;
        case LAYOUT_FRAME:
            cairo_set_line_width(cr, it->t);
            cairo_rectangle(cr, it->x + it->t / 2.0, it->y + it->t / 2.0, it->w - it->t,
                            it->h - it->t);
            cairo_stroke(cr);
            break;
        }
    }
    cairo_save(cr);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    for (int b = 0; b < lo->nbarcodes; b++) {
        if (lo->barcodes[b].kind == LAYOUT_QR)
            draw_qr(cr, &lo->barcodes[b]);
        else
            draw_bars(cr, &lo->barcodes[b]);
    }
    cairo_fill(cr);
    cairo_restore(cr);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        return err_set(err, ERR_INTERNAL, NULL, "label drawing failed: %s",
                       cairo_status_to_string(cairo_status(cr)));
    return 0;
}

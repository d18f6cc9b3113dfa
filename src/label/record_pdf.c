/*
 * record_pdf: the service record as an A4 PDF (see label/record.h).
 *
 * Two passes over the blocks with the same code: the first, on a PDF surface whose bytes are
 * thrown away, only counts the pages (so the footer can say "page n of m"); the second draws.
 * Both shape text on a PDF surface, so the line breaks, and with them the page breaks, are the
 * same in both.  Units are PDF points.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "core/utf8.h"
#include "label/record.h"
#include "layout.h"

#define PAGE_W 595.276 /* A4 */
#define PAGE_H 841.89
#define MARGIN_X 50.0
#define MARGIN_TOP 62.0
#define MARGIN_BOTTOM 64.0
#define INDENT 12.0
#define LABEL_W 150.0
#define GAP 8.0
#define FONT "DejaVu Sans"

struct pager {
    cairo_t *cr;
    bool draw;
    int page;  /* 1-based; 0 before the first */
    int pages; /* total (known in the drawing pass) */
    double y;
    const struct record_doc *doc;
};

/* text with control characters as spaces (new lines kept), and invalid UTF-8 and noncharacters
 * (which cairo refuses) as U+FFFD; free() it. */
static char *clean(const char *text)
{
    char *valid = utf8_scrub(text, false);
    for (unsigned char *p = (unsigned char *)valid; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
            *p = ' ';
    return valid;
}

static PangoLayout *make_layout(cairo_t *cr, const char *text, double size, bool bold, double width)
{
    PangoFontDescription *fd = pango_font_description_from_string(FONT);
    PangoLayout *pl = pango_cairo_create_layout(cr);
    char *t = clean(text);

    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_layout_set_font_description(pl, fd);
    pango_layout_set_width(pl, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(pl, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(pl, t, -1);
    free(t);
    pango_font_description_free(fd);
    return pl;
}

static double layout_height(PangoLayout *pl)
{
    int w, h;
    pango_layout_get_size(pl, &w, &h);
    return (double)h / PANGO_SCALE;
}

static double first_line_height(PangoLayout *pl)
{
    PangoLayoutIter *it = pango_layout_get_iter(pl);
    PangoRectangle logical;
    pango_layout_iter_get_line_extents(it, NULL, &logical);
    pango_layout_iter_free(it);
    return (double)logical.height / PANGO_SCALE;
}

static void grey(cairo_t *cr, double g)
{
    cairo_set_source_rgb(cr, g, g, g);
}

static void show(struct pager *pg, PangoLayout *pl, double x, double y)
{
    if (!pg->draw)
        return;
    cairo_move_to(pg->cr, x, y);
    pango_cairo_show_layout(pg->cr, pl);
}

/* The running header and the footer of the current page. */
static void page_furniture(struct pager *pg)
{
    char num[64];
    if (!pg->draw)
        return;
    cairo_t *cr = pg->cr;
    snprintf(num, sizeof num, "page %d of %d", pg->page, pg->pages);
    grey(cr, 0.35);
    PangoLayout *pl = make_layout(cr, pg->doc->title, 8, false, PAGE_W - 2 * MARGIN_X);
    show(pg, pl, MARGIN_X, 30);
    g_object_unref(pl);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, MARGIN_X, 44);
    cairo_line_to(cr, PAGE_W - MARGIN_X, 44);
    cairo_move_to(cr, MARGIN_X, PAGE_H - 46);
    cairo_line_to(cr, PAGE_W - MARGIN_X, PAGE_H - 46);
    cairo_stroke(cr);
    if (pg->doc->footer != NULL) {
        pl = make_layout(cr, pg->doc->footer, 8, false, PAGE_W - 2 * MARGIN_X - 90);
        show(pg, pl, MARGIN_X, PAGE_H - 40);
        g_object_unref(pl);
    }
    pl = make_layout(cr, num, 8, false, 90);
    pango_layout_set_alignment(pl, PANGO_ALIGN_RIGHT);
    show(pg, pl, PAGE_W - MARGIN_X - 90, PAGE_H - 40);
    g_object_unref(pl);
    grey(cr, 0);
}

static void new_page(struct pager *pg)
{
    if (pg->page > 0)
        cairo_show_page(pg->cr);
    pg->page++;
    pg->y = MARGIN_TOP;
    page_furniture(pg);
}

/* Starts a new page unless h more points fit on this one. */
static void ensure(struct pager *pg, double h)
{
    if (pg->y + h > PAGE_H - MARGIN_BOTTOM && pg->y > MARGIN_TOP)
        new_page(pg);
}

/* Draws pl at x line by line from pg->y, breaking the page between lines. */
static void flow(struct pager *pg, PangoLayout *pl, double x)
{
    PangoLayoutIter *it = pango_layout_get_iter(pl);
    do {
        PangoRectangle logical;
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        double h = (double)logical.height / PANGO_SCALE;
        double base = (double)(pango_layout_iter_get_baseline(it) - logical.y) / PANGO_SCALE;
        ensure(pg, h);
        if (pg->draw) {
            cairo_move_to(pg->cr, x + (double)logical.x / PANGO_SCALE, pg->y + base);
            pango_cairo_show_layout_line(pg->cr, pango_layout_iter_get_line_readonly(it));
        }
        pg->y += h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

static void title_block(struct pager *pg)
{
    const double w = PAGE_W - 2 * MARGIN_X;
    PangoLayout *pl = make_layout(pg->cr, pg->doc->title, 18, true, w);
    show(pg, pl, MARGIN_X, pg->y);
    pg->y += layout_height(pl) + 4;
    g_object_unref(pl);
    if (pg->doc->subtitle != NULL) {
        grey(pg->cr, 0.25);
        pl = make_layout(pg->cr, pg->doc->subtitle, 9.5, false, w);
        flow(pg, pl, MARGIN_X);
        g_object_unref(pl);
        grey(pg->cr, 0);
    }
    pg->y += 6;
}

static void block(struct pager *pg, const struct record_block *b)
{
    int level = b->indent < 0 ? 0 : (b->indent > 6 ? 6 : b->indent);
    double x = MARGIN_X + level * INDENT;
    double w = PAGE_W - MARGIN_X - x;
    PangoLayout *pl = NULL;

    switch (b->kind) {
    case RECORD_HEADING:
        pg->y += 14;
        pl = make_layout(pg->cr, b->label, 13, true, w);
        /* a heading stays with at least two lines of what follows it */
        ensure(pg, layout_height(pl) + 30);
        show(pg, pl, x, pg->y);
        pg->y += layout_height(pl) + 2;
        if (pg->draw) {
            cairo_set_line_width(pg->cr, 0.8);
            cairo_move_to(pg->cr, x, pg->y);
            cairo_line_to(pg->cr, PAGE_W - MARGIN_X, pg->y);
            cairo_stroke(pg->cr);
        }
        pg->y += 5;
        break;
    case RECORD_SUBHEADING:
        pg->y += 5;
        pl = make_layout(pg->cr, b->label, 10, true, w);
        ensure(pg, layout_height(pl) + 14);
        show(pg, pl, x, pg->y);
        pg->y += layout_height(pl) + 1;
        break;
    case RECORD_FIELD: {
        double lw = LABEL_W - level * INDENT;
        if (lw < 60)
            lw = 60;
        PangoLayout *name = make_layout(pg->cr, b->label, 8.5, true, lw);
        pl = make_layout(pg->cr, b->text, 9.5, false, w - lw - GAP);
        double first = first_line_height(pl);
        double nh = layout_height(name);
        ensure(pg, nh > first ? nh : first);
        double top = pg->y;
        int page = pg->page;
        grey(pg->cr, 0.3);
        show(pg, name, x, top + 1);
        grey(pg->cr, 0);
        flow(pg, pl, x + lw + GAP);
        if (pg->page == page && pg->y < top + nh)
            pg->y = top + nh;
        pg->y += 2;
        g_object_unref(name);
        break;
    }
    case RECORD_TEXT:
        pl = make_layout(pg->cr, b->text, 9.5, false, w);
        flow(pg, pl, x);
        pg->y += 3;
        break;
    }
    if (pl != NULL)
        g_object_unref(pl);
}

static cairo_status_t discard(void *closure, const unsigned char *data, unsigned int length)
{
    (void)closure;
    (void)data;
    (void)length;
    return CAIRO_STATUS_SUCCESS;
}

/* One pass; returns the number of pages, or -1 after err. */
static int run(const struct record_doc *doc, bool draw, int pages, struct layout_buf *buf,
               struct err *err)
{
    cairo_surface_t *s =
        draw ? cairo_pdf_surface_create_for_stream(layout_buf_write, buf, PAGE_W, PAGE_H) :
               cairo_pdf_surface_create_for_stream(discard, NULL, PAGE_W, PAGE_H);
    if (draw) {
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, doc->title);
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "rmad");
        if (doc->created != NULL)
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, doc->created);
    }
    struct pager pg = {.cr = cairo_create(s), .draw = draw, .pages = pages, .doc = doc};
    new_page(&pg);
    title_block(&pg);
    for (size_t i = 0; i < doc->n_blocks; i++)
        block(&pg, &doc->blocks[i]);
    cairo_show_page(pg.cr);
    cairo_status_t st = cairo_status(pg.cr);
    cairo_destroy(pg.cr);
    cairo_surface_finish(s);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS)
        return err_set(err, ERR_INTERNAL, NULL, "record pdf failed: %s",
                       cairo_status_to_string(st));
    return pg.page;
}

int record_pdf_render(const struct record_doc *doc, unsigned char **out, size_t *len,
                      struct err *err)
{
    struct layout_buf buf = {0};

    *out = NULL;
    int pages = run(doc, false, 0, NULL, err);
    if (pages < 0 || run(doc, true, pages, &buf, err) < 0) {
        free(buf.data);
        return -1;
    }
    *out = buf.data;
    *len = buf.len;
    return 0;
}

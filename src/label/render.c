/*
 * render: the entry points of label/render.h; checks the arguments and hands each format to its
 * renderer (render_png.c, render_pdf.c, render_zpl.c), which all draw the same struct layout.
 */
#include "label/render.h"

#include <stdlib.h>

#include "layout.h"

const char *label_format_ext(enum label_format fmt)
{
    switch (fmt) {
    case LABEL_PNG:
        return "png";
    case LABEL_PDF:
        return "pdf";
    case LABEL_ZPL:
        return "zpl";
    }
    return "";
}

const char *label_format_type(enum label_format fmt)
{
    switch (fmt) {
    case LABEL_PNG:
        return "image/png";
    case LABEL_PDF:
        return "application/pdf";
    case LABEL_ZPL:
        return "text/plain; charset=utf-8";
    }
    return "application/octet-stream";
}

int label_render(const struct label_content *lcs, size_t n, enum label_format fmt, int dpi,
                 unsigned char **out, size_t *len, struct err *err)
{
    *out = NULL;
    *len = 0;
    if (dpi != 203 && dpi != 300)
        return err_set(err, ERR_INVALID, "dpi", "must be 203 or 300");
    if (n == 0 || n > LABEL_BATCH_MAX || (fmt == LABEL_PNG && n != 1))
        return err_set(err, ERR_INVALID, "parcels", "must be 1 to %d labels (png: 1)",
                       LABEL_BATCH_MAX);
    switch (fmt) {
    case LABEL_PNG:
        return render_png(lcs, dpi, out, len, err);
    case LABEL_PDF:
        return render_pdf(lcs, n, out, len, err);
    case LABEL_ZPL:
        return render_zpl(lcs, n, dpi, out, len, err);
    }
    return err_set(err, ERR_INTERNAL, NULL, "unknown label format");
}

int label_flagged(const struct label_content *lc, bool *flagged, struct err *err)
{
    struct layout lo;
    int rc = layout_build(lc, LAYOUT_DPI, &lo, err);

    *flagged = rc == 0 && lo.flagged;
    layout_release(&lo);
    return rc;
}

int label_render_png(const struct label_content *lc, unsigned char **out, size_t *len,
                     struct err *err)
{
    return label_render(lc, 1, LABEL_PNG, LAYOUT_DPI, out, len, err);
}

int label_render_pdf(const struct label_content *lc, unsigned char **out, size_t *len,
                     struct err *err)
{
    return label_render(lc, 1, LABEL_PDF, LAYOUT_DPI, out, len, err);
}

int label_render_zpl(const struct label_content *lc, unsigned char **out, size_t *len,
                     struct err *err)
{
    return label_render(lc, 1, LABEL_ZPL, LAYOUT_DPI, out, len, err);
}

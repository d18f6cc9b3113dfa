/*
 * render_pdf: a label as a one-page 4x6 in PDF (288 x 432 pt); see label/render.h.
 *
 * The layout is in printer dots, so the context is scaled by 72/203: printed or rasterized at
 * 203 dpi (pdftoppm -r 203), every QR module lands on whole dots again.
 */
#include "label/render.h"

#include <stdlib.h>

#include <cairo-pdf.h>

#include "layout.h"

int label_render_pdf(const struct label_content *lc, unsigned char **out, size_t *len,
                     struct err *err)
{
    struct layout_buf buf = {0};
    struct layout lo;
    cairo_surface_t *surface;
    cairo_t *cr;
    int rc;

    *out = NULL;
    *len = 0;
    if (layout_build(lc, &lo, err) != 0) {
        layout_release(&lo);
        return -1;
    }
    surface = cairo_pdf_surface_create_for_stream(layout_buf_write, &buf, 288.0, 432.0);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "Return label");
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "rmad");
    cr = cairo_create(surface);
    cairo_scale(cr, 72.0 / LAYOUT_DPI, 72.0 / LAYOUT_DPI);
    rc = layout_draw_cairo(&lo, cr, err);
    cairo_destroy(cr);
    layout_release(&lo);
    cairo_surface_finish(surface);
    if (rc == 0 && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
        rc = err_set(err, ERR_INTERNAL, NULL, "pdf output failed");
    cairo_surface_destroy(surface);
    if (rc != 0) {
        free(buf.data);
        return -1;
    }
    *out = buf.data;
    *len = buf.len;
    return 0;
}

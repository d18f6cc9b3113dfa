/*
 * render_pdf: labels as a PDF, one page per label (4x6 in = 288 x 432 pt, 2x1 in = 144 x 72 pt);
 * see label/render.h.
 *
 * The layout is in 203-dpi printer dots and the context is scaled by 72/203: printed or
 * rasterized at 203 dpi (pdftoppm -r 203), every QR module and bar lands on whole dots again.
 * Text stays vector text with embedded (subset) fonts.
 */
#include <stdlib.h>

#include <cairo-pdf.h>

#include "label/render.h"
#include "layout.h"

int render_pdf(const struct label_content *lcs, size_t n, unsigned char **out, size_t *len,
               struct err *err)
{
    struct layout_buf buf = {0};
    cairo_surface_t *surface = NULL;
    cairo_t *cr = NULL;
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        struct layout lo;
        double wpt, hpt;

        if (layout_build(&lcs[i], LAYOUT_DPI, &lo, err) != 0) {
            layout_release(&lo);
            rc = -1;
            break;
        }
        wpt = lo.width * 72.0 / LAYOUT_DPI;
        hpt = lo.height * 72.0 / LAYOUT_DPI;
        if (surface == NULL) {
            surface = cairo_pdf_surface_create_for_stream(layout_buf_write, &buf, wpt, hpt);
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
                                           n == 1 ? lo.title : "Labels");
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "rmad");
            cr = cairo_create(surface);
        } else {
            cairo_pdf_surface_set_size(surface, wpt, hpt);
        }
        cairo_save(cr);
        cairo_scale(cr, 72.0 / LAYOUT_DPI, 72.0 / LAYOUT_DPI);
        rc = layout_draw_cairo(&lo, cr, err);
        cairo_restore(cr);
        cairo_show_page(cr);
        layout_release(&lo);
    }
    if (cr != NULL)
        cairo_destroy(cr);
    if (surface != NULL) {
        cairo_surface_finish(surface);
        if (rc == 0 && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
            rc = err_set(err, ERR_INTERNAL, NULL, "pdf output failed");
        cairo_surface_destroy(surface);
    }
    if (rc != 0) {
        free(buf.data);
        return -1;
    }
    *out = buf.data;
    *len = buf.len;
    return 0;
}

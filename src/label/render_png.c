/*
 * render_png: a label as a PNG of 812 x 1218 pixels, one per printer dot; see label/render.h.
 *
 * The surface is 24-bit RGB (black on white); text is antialiased, QR modules are not.
 */
#include "label/render.h"

#include <stdlib.h>

#include "layout.h"

int label_render_png(const struct label_content *lc, unsigned char **out, size_t *len,
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
    surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, LAYOUT_WIDTH, LAYOUT_HEIGHT);
    cr = cairo_create(surface);
    rc = layout_draw_cairo(&lo, cr, err);
    cairo_destroy(cr);
    layout_release(&lo);
    if (rc == 0) {
        cairo_surface_flush(surface);
        if (cairo_surface_write_to_png_stream(surface, layout_buf_write, &buf) !=
            CAIRO_STATUS_SUCCESS)
            rc = err_set(err, ERR_INTERNAL, NULL, "png encoding failed");
    }
    cairo_surface_destroy(surface);
    if (rc != 0) {
        free(buf.data);
        return -1;
    }
    *out = buf.data;
    *len = buf.len;
    return 0;
}

/*
 * render_png: a label as a 1-bit PNG at printer resolution, one pixel per dot; see
 * label/render.h.
 *
 * Thermal labels are black and white, so the PNG is what the printer prints: drawn in RGB24
 * (antialiased text), thresholded at half grey, written by libpng as 1-bit greyscale at fast
 * compression (cairo's own PNG writer of a colour label is about ten times slower).
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "core/xalloc.h"
#include "label/render.h"
#include "layout.h"

static void png_write_buf(png_structp png, png_bytep data, png_size_t n)
{
    layout_buf_add(png_get_io_ptr(png), data, n);
}

static void png_flush_none(png_structp png)
{
    (void)png;
}

/* Writes the RGB24 surface as a 1-bit PNG into buf.  Returns 0, or -1 on a libpng failure. */
static int write_png_1bit(cairo_surface_t *surface, struct layout_buf *buf)
{
    int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
    int stride = cairo_image_surface_get_stride(surface);
    const unsigned char *px = cairo_image_surface_get_data(surface);
    size_t rowbytes = ((size_t)w + 7) / 8;
    unsigned char *row = xmalloc(rowbytes);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;

    if (png == NULL || info == NULL) {
        png_destroy_write_struct(&png, &info);
        free(row);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        return -1;
    }
    png_set_write_fn(png, buf, png_write_buf, png_flush_none);
    png_set_compression_level(png, 1);
    png_set_filter(png, 0, PNG_FILTER_NONE);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 1, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        const uint32_t *p = (const uint32_t *)(const void *)(px + (size_t)y * (size_t)stride);

        memset(row, 0, rowbytes);
        for (int x = 0; x < w; x++) {
            uint32_t v = p[x];
            /* luma of 0x00RRGGBB; white (1) above half grey */
            unsigned l = (((v >> 16) & 0xFF) * 77 + ((v >> 8) & 0xFF) * 150 + (v & 0xFF) * 29) >> 8;

            if (l >= 128)
                row[x >> 3] |= (unsigned char)(0x80u >> (x & 7));
        }
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(row);
    return 0;
}

int render_png(const struct label_content *lc, int dpi, unsigned char **out, size_t *len,
               struct err *err)
{
    struct layout_buf buf = {0};
    struct layout lo;
    cairo_surface_t *surface;
    cairo_t *cr;
    int rc;

    if (layout_build(lc, dpi, &lo, err) != 0) {
        layout_release(&lo);
        return -1;
    }
    surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, lo.width, lo.height);
    cr = cairo_create(surface);
    rc = layout_draw_cairo(&lo, cr, err);
    cairo_destroy(cr);
    layout_release(&lo);
    if (rc == 0) {
        cairo_surface_flush(surface);
        if (write_png_1bit(surface, &buf) != 0)
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

/*
 * barcode: Code 128 and GS1-128 symbols encoded by zint (libzint, Debian's libzint-dev), for
 * render_cairo.c to draw bar by bar.  zint picks the start code and code sets, inserts FNC1 for
 * GS1-128 (input "[00]<sscc>") and computes the mod-103 check character: none of that is
 * written by hand here.  ZPL does not use these bars: the printer encodes ^BC itself.
 */
#include <stdlib.h>
#include <string.h>

#include <zint.h>

#include "core/xalloc.h"
#include "layout.h"

int barcode_encode_linear(struct layout_barcode *b, const char *data, struct err *err)
{
    struct zint_symbol *sym = ZBarcode_Create();
    const char *field = b->kind == LAYOUT_GS1_128 ? "sscc" : "tracking_number";
    int rc;

    if (sym == NULL)
        return err_set(err, ERR_INTERNAL, field, "cannot start the barcode encoder");
    sym->symbology = b->kind == LAYOUT_GS1_128 ? BARCODE_GS1_128 : BARCODE_CODE128;
    rc = ZBarcode_Encode(sym, (const unsigned char *)data, (int)strlen(data));
    if (rc >= ZINT_ERROR || sym->rows < 1 || sym->width < 1 || sym->width > LAYOUT_BARS_MAX) {
        ZBarcode_Delete(sym);
        return err_set(err, ERR_INVALID, field, "cannot be encoded as %s",
                       b->kind == LAYOUT_GS1_128 ? "gs1-128" : "code 128");
    }
    b->width = sym->width;
    b->dark = xmalloc((size_t)sym->width);
    for (int c = 0; c < sym->width; c++)
        b->dark[c] = (sym->encoded_data[0][c >> 3] >> (c & 7)) & 1u;
    ZBarcode_Delete(sym);
    return 0;
}

/*
 * layout: a template filled with a label's content, in printer dots; see layout.h.
 *
 * layout_build() takes each element of the template in order: texts are cleaned (control
 * characters become spaces, invalid UTF-8 U+FFFD) and capped to what fits, boxes are scaled from
 * 203 dpi to the printer's dpi, the QR code gets the largest whole number of dots per module that
 * fits its box, and Code 128 / GS1-128 are encoded with zint and given whole dots per module.
 * Then layout_check() refuses any layout where something enters a barcode's quiet zone.
 */
#include "layout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "core/gs1.h"
#include "core/label.h"
#include "core/utf8.h"
#include "core/xalloc.h"

/* Scales a length in 203-dpi dots to dpi, rounded. */
static int scale(int v, int dpi)
{
    return (v * dpi + LAYOUT_DPI / 2) / LAYOUT_DPI;
}

static size_t utf8_encode(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* True for code points a thermal printer's built-in font 0 prints under ^CI28. */
static bool zpl_printable(unsigned cp)
{
    return cp <= 0x17F || cp == 0x20AC || (cp >= 0x2013 && cp <= 0x2014) ||
           (cp >= 0x2018 && cp <= 0x201E) || cp == 0x2022 || cp == 0x2026;
}

/* Code points in s (invalid bytes count one each). */
static int utf8_count(const char *s)
{
    int total = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; total++) {
        unsigned long cp;
        size_t n = utf8_read((const char *)p, &cp);

        p += n ? n : 1;
    }
    return total;
}

/*
 * Copies src into dst as valid UTF-8 of at most chars code points: control characters (and
 * bidi embedding controls) become spaces, invalid bytes and noncharacters U+FFFD, and a longer
 * text ends in "...".
 * Returns true when the text has characters the thermal printer's font may lack.
 */
static bool clean_text(char *dst, const char *src, int chars)
{
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    int total = utf8_count((const char *)s), count = 0;
    bool flagged = false;
    size_t len = 0;

    for (const unsigned char *p = s; *p != '\0' && count < chars; count++) {
        unsigned long cp;
        size_t n = utf8_read((const char *)p, &cp);

        p += n ? n : 1;
        if (total > chars && count == chars - 3)
            break;
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x2028 || cp == 0x2029 ||
            (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
            cp = ' ';
        if (utf8_is_noncharacter(cp)) /* cairo refuses them: stored before intake did */
            cp = 0xFFFD;
        if (!zpl_printable(cp))
            flagged = true;
        len += utf8_encode((unsigned)cp, dst + len);
    }
    if (total > chars) {
        memcpy(dst + len, "...", 3);
        len += 3;
    }
    dst[len] = '\0';
    return flagged;
}

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* The text of a field, or NULL when the label has none.  buf holds formatted ones. */
static const char *field_text(const struct label_content *lc, enum tpl_field f, char *buf, size_t n)
{
    const struct address *a = NULL;

    switch (f) {
    case TF_NONE:
        return NULL;
    case TF_FROM_NAME:
        return lc->from.name;
    case TF_FROM_STREET:
        return lc->from.street;
    case TF_FROM_COUNTRY:
        return lc->from.country;
    case TF_TO_NAME:
        return lc->to.name;
    case TF_TO_STREET:
        return lc->to.street;
    case TF_TO_COUNTRY:
        return lc->to.country;
    case TF_FROM_CITY:
    case TF_TO_CITY:
        a = f == TF_FROM_CITY ? &lc->from : &lc->to;
        snprintf(buf, n, "%s%s%s", a->postcode ? a->postcode : "",
                 !empty(a->postcode) && !empty(a->city) ? " " : "", a->city ? a->city : "");
        return buf;
    case TF_RMA_NUMBER:
        return lc->rma_number;
    case TF_PARCEL:
        if (lc->parcel_count < 1) /* no parcel: the tag of an unexpected arrival */
            return NULL;
        snprintf(buf, n, "PARCEL %d OF %d", lc->parcel_no, lc->parcel_count);
        return buf;
    case TF_CARRIER:
        return lc->carrier;
    case TF_QR_PAYLOAD:
        return lc->qr_payload;
    case TF_TOKEN:
        return lc->token;
    case TF_TRACKING_NUMBER:
        return lc->tracking_number;
    case TF_TRACKING_HRI:
        if (empty(lc->tracking_number))
            return NULL;
        snprintf(buf, n, "TRACKING %s%s%s", lc->carrier ? lc->carrier : "",
                 empty(lc->carrier) ? "" : " ", lc->tracking_number);
        return buf;
    case TF_SSCC:
        return lc->sscc;
    case TF_SSCC_HRI:
        if (empty(lc->sscc))
            return NULL;
        snprintf(buf, n, "SSCC (00) %s", lc->sscc);
        return buf;
    case TF_CORE_DUE_DATE:
        return lc->core_due_date;
    case TF_CORE_INSTRUCTIONS:
        return lc->core_instructions;
    case TF_CORE_NOTE:
        return lc->core_note;
    case TF_LINE:
        if (lc->line_no < 1)
            return NULL;
        snprintf(buf, n, "LINE %d", lc->line_no);
        return buf;
    case TF_SERIAL_NUMBER:
        if (empty(lc->serial_number))
            return NULL;
        snprintf(buf, n, "S/N %s", lc->serial_number);
        return buf;
    case TF_PRODUCT_MODEL:
        return lc->product_model;
    case TF_HEADING:
        return lc->heading;
    case TF_STATION:
        if (empty(lc->station))
            return NULL;
        snprintf(buf, n, "STATION %s", lc->station);
        return buf;
    }
    return NULL;
}

static struct layout_item *add_item(struct layout *lo, enum layout_kind kind, int x, int y, int w,
                                    int h)
{
    struct layout_item *it;

    if (lo->nitems >= LAYOUT_ITEMS_MAX)
        abort(); /* templates have at most TPL_ELEMS_MAX elements, marks at most 4 more each */
    it = &lo->items[lo->nitems++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->x = x;
    it->y = y;
    it->w = w;
    it->h = h;
    return it;
}

/* A text item in box (dots at dpi) of font height size. */
static void add_text(struct layout *lo, int x, int y, int w, int h, int size, int lines, bool bold,
                     bool mono, bool fit, const char *text)
{
    struct layout_item *it = add_item(lo, LAYOUT_TEXT, x, y, w, h);
    int n = utf8_count(text ? text : "");
    int per_line, cap;

    /* about 0.62 em a character in mono, 0.7 em in bold sans (wide capitals and digits) */
    if (fit && n > 0) {
        int fitted = mono ? w * 100 / (62 * n) : w * 10 / (7 * n);

        if (fitted < size)
            size = fitted < 6 ? 6 : fitted;
    }
    per_line = mono ? w * 100 / (62 * size) : w * 10 / (6 * size);
    if (per_line > LAYOUT_LINE_CHARS)
        per_line = LAYOUT_LINE_CHARS;
    if (per_line < 4)
        per_line = 4;
    cap = per_line * lines;
    if (cap > LAYOUT_TEXT_MAX / 4 - 4)
        cap = LAYOUT_TEXT_MAX / 4 - 4;
    it->size = size;
    it->lines = lines;
    it->bold = bold;
    it->mono = mono;
    it->chars = per_line;
    it->flagged = clean_text(it->text, text, cap);
    if (it->flagged)
        lo->flagged = true;
}

static int min_qr_module(int dpi)
{
    return (dpi * 50 + 2539) / 2540; /* 0.5 mm, rounded up to whole dots */
}

/* Encodes the QR payload and picks the largest whole number of dots per module that fits. */
static int add_qr(struct layout *lo, const struct label_content *lc, int x, int y, int side,
                  struct err *err)
{
    struct layout_barcode *qr = &lo->barcodes[lo->nbarcodes];
    const char *payload = lc->qr_payload;
    QRcode *code;

    if (payload[0] == '\0' || !label_is_qr_alnum(payload) ||
        strnlen(payload, LABEL_PAYLOAD_MAX) >= LABEL_PAYLOAD_MAX)
        return err_set(err, ERR_INVALID, "qr_payload", "must be set, upper case alphanumeric");
    errno = 0;
    code = QRcode_encodeString(payload, 0, lc->ec == LABEL_EC_Q ? QR_ECLEVEL_Q : QR_ECLEVEL_M,
                               QR_MODE_8, 1);
    if (code == NULL)
        return err_set(err, ERR_INVALID, "qr_payload", "%s",
                       errno == ERANGE ? "does not fit a qr code" : "cannot be encoded");
    memset(qr, 0, sizeof *qr);
    lo->nbarcodes++;
    qr->kind = LAYOUT_QR;
    qr->ec = lc->ec;
    qr->width = code->width;
    qr->dark = xmalloc((size_t)code->width * (size_t)code->width);
    for (int i = 0; i < code->width * code->width; i++)
        qr->dark[i] = code->data[i] & 1u;
    QRcode_free(code);
    qr->module = side / (qr->width + 2 * LAYOUT_QR_QUIET);
    if (qr->module > LAYOUT_QR_MODULE_MAX)
        qr->module = LAYOUT_QR_MODULE_MAX;
    if (qr->module < min_qr_module(lo->dpi))
        return err_set(err, ERR_INVALID, "qr_payload",
                       "is too long for the label: the qr code would be under 0.5 mm a module");
    qr->x = x;
    qr->y = y;
    qr->h = (qr->width + 2 * LAYOUT_QR_QUIET) * qr->module;
    snprintf(qr->data, sizeof qr->data, "%s", payload);
    return 0;
}

static int add_linear(struct layout *lo, enum layout_barcode_kind kind, const char *data, int x,
                      int y, int w, int h, struct err *err)
{
    struct layout_barcode *b = &lo->barcodes[lo->nbarcodes];
    const char *field = kind == LAYOUT_GS1_128 ? "sscc" : "tracking_number";
    char in[64];

    if (kind == LAYOUT_GS1_128 && !gs1_sscc_valid(data))
        return err_set(err, ERR_INVALID, field, "must be 18 digits with a gs1 check digit");
    if (kind == LAYOUT_CODE128 && !label_tracking_number_ok(data))
        return err_set(err, ERR_INVALID, field, "must be 1 to 40 letters and digits");
    memset(b, 0, sizeof *b);
    lo->nbarcodes++;
    b->kind = kind;
    snprintf(b->data, sizeof b->data, "%s", data);
    if (kind == LAYOUT_GS1_128)
        snprintf(in, sizeof in, "[00]%s", data);
    else
        snprintf(in, sizeof in, "%s", data);
    if (barcode_encode_linear(b, in, err) != 0)
        return -1;
    b->module = w / (b->width + 2 * LAYOUT_BAR_QUIET);
    if (b->module < (kind == LAYOUT_GS1_128 ? min_qr_module(lo->dpi) : 2))
        return err_set(err, ERR_INVALID, field, "is too long for the barcode on this label");
    if (b->module > 6 * lo->dpi / LAYOUT_DPI)
        b->module = 6 * lo->dpi / LAYOUT_DPI;
    b->x = x;
    b->y = y;
    b->h = h;
    return 0;
}

static int add_marks(struct layout *lo, const struct tpl_elem *e, const struct label_content *lc)
{
    int dpi = lo->dpi;

    for (int i = 0; i < e->lines && i < LABEL_MARKS_MAX && lc->marks[i] != NULL; i++) {
        int y = scale(e->y + i * e->t, dpi);
        int h = scale(e->h, dpi);
        int t = scale(4, dpi);
        int size = scale(e->h - 12 > 34 ? 34 : e->h - 12, dpi);
        int pad = scale(12, dpi);
        struct layout_item *box =
            add_item(lo, LAYOUT_FRAME, scale(e->x, dpi), y, scale(e->w, dpi), h);

        box->t = t;
        add_text(lo, scale(e->x, dpi) + pad, y + (h - size) / 2, scale(e->w, dpi) - 2 * pad, size,
                 size, 1, true, false, true, lc->marks[i]);
    }
    return 0;
}

void layout_barcode_zone(const struct layout_barcode *b, int *x, int *y, int *w, int *h)
{
    *x = b->x;
    *y = b->y;
    if (b->kind == LAYOUT_QR) {
        *w = *h = (b->width + 2 * LAYOUT_QR_QUIET) * b->module;
    } else {
        *w = (b->width + 2 * LAYOUT_BAR_QUIET) * b->module;
        *h = b->h;
    }
}

static bool overlaps(int ax, int ay, int aw, int ah, int bx, int by, int bw, int bh)
{
    return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}

int layout_check(const struct layout *lo, struct err *err)
{
    for (int i = 0; i < lo->nitems; i++) {
        const struct layout_item *it = &lo->items[i];

        if (it->x < 0 || it->y < 0 || it->x + it->w > lo->width || it->y + it->h > lo->height)
            return err_set(err, ERR_INTERNAL, NULL, "label layout: item %d leaves the label", i);
    }
    for (int b = 0; b < lo->nbarcodes; b++) {
        int x, y, w, h;

        layout_barcode_zone(&lo->barcodes[b], &x, &y, &w, &h);
        if (x < 0 || y < 0 || x + w > lo->width || y + h > lo->height)
            return err_set(err, ERR_INTERNAL, NULL, "label layout: barcode %d leaves the label", b);
        for (int i = 0; i < lo->nitems; i++) {
            const struct layout_item *it = &lo->items[i];

            if (overlaps(it->x, it->y, it->w, it->h, x, y, w, h))
                return err_set(err, ERR_INTERNAL, NULL,
                               "label layout: '%.40s' enters the quiet zone of barcode %d",
                               it->kind == LAYOUT_TEXT ? it->text : "a rule or frame", b);
        }
        for (int o = 0; o < b; o++) {
            int ox, oy, ow, oh;

            layout_barcode_zone(&lo->barcodes[o], &ox, &oy, &ow, &oh);
            if (overlaps(ox, oy, ow, oh, x, y, w, h))
                return err_set(err, ERR_INTERNAL, NULL, "label layout: barcodes %d and %d overlap",
                               o, b);
        }
    }
    return 0;
}

int layout_build(const struct label_content *lc, int dpi, struct layout *lo, struct err *err)
{
    const struct label_template *t;
    int flagnote = -1;

    memset(lo, 0, sizeof *lo);
    if (dpi != 203 && dpi != 300)
        return err_set(err, ERR_INVALID, "dpi", "must be 203 or 300");
    t = template_for(lc->kind, err);
    if (t == NULL)
        return -1;
    lo->dpi = dpi;
    lo->width = scale(t->width, dpi);
    lo->height = scale(t->height, dpi);
    snprintf(lo->title, sizeof lo->title, "%s", t->title);
    for (int i = 0; i < t->n; i++) {
        const struct tpl_elem *e = &t->elems[i];
        char buf[LAYOUT_TEXT_MAX], wbuf[LAYOUT_TEXT_MAX];
        const char *text =
            e->field == TF_NONE ? e->literal : field_text(lc, e->field, buf, sizeof buf);
        int x = scale(e->x, dpi), y = scale(e->y, dpi), w = scale(e->w, dpi), h = scale(e->h, dpi);

        if (e->when != TF_NONE && empty(field_text(lc, e->when, wbuf, sizeof wbuf)))
            continue;
        switch (e->kind) {
        case TPL_TEXT:
            if (!empty(text))
                add_text(lo, x, y, w, h, scale(e->size, dpi), e->lines, e->bold, e->mono, e->fit,
                         text);
            break;
        case TPL_FLAGNOTE:
            flagnote = i;
            break;
        case TPL_RULE:
            add_item(lo, LAYOUT_FILL, x, y, w, h);
            break;
        case TPL_FRAME:
            add_item(lo, LAYOUT_FRAME, x, y, w, h)->t = scale(e->t, dpi);
            break;
        case TPL_MARKS:
            add_marks(lo, e, lc);
            break;
        case TPL_QR:
            if (lo->nbarcodes == LAYOUT_BARCODES_MAX)
                return err_set(err, ERR_INTERNAL, NULL, "too many barcodes");
            if (add_qr(lo, lc, x, y, w, err) != 0)
                return -1;
            break;
        case TPL_CODE128:
        case TPL_GS1_128:
            if (empty(text))
                break;
            if (lo->nbarcodes == LAYOUT_BARCODES_MAX)
                return err_set(err, ERR_INTERNAL, NULL, "too many barcodes");
            if (add_linear(lo, e->kind == TPL_CODE128 ? LAYOUT_CODE128 : LAYOUT_GS1_128, text, x, y,
                           w, h, err) != 0)
                return -1;
            break;
        }
    }
    if (lo->flagged && flagnote >= 0) {
        const struct tpl_elem *e = &t->elems[flagnote];
        struct layout_item *it;

        add_text(lo, scale(e->x, dpi), scale(e->y, dpi), scale(e->w, dpi), scale(e->h, dpi),
                 scale(e->size, dpi), 1, true, false, true, e->literal);
        it = &lo->items[lo->nitems - 1];
        it->flagnote = true;
    }
    /* Our own mistake if any text or rule enters a barcode's quiet zone. */
    return layout_check(lo, err);
}

void layout_release(struct layout *lo)
{
    for (int i = 0; i < lo->nbarcodes; i++) {
        free(lo->barcodes[i].dark);
        lo->barcodes[i].dark = NULL;
    }
    lo->nbarcodes = 0;
}

void layout_buf_add(struct layout_buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;

        while (b->len + n + 1 > cap)
            cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

cairo_status_t layout_buf_write(void *closure, const unsigned char *data, unsigned int length)
{
    layout_buf_add(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

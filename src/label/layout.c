/*
 * layout: the one description of a 4x6 in return label, in printer dots at 203 dpi; see layout.h.
 *
 * Every position on the label is in the constants and tables of this file.  layout_build()
 * copies the text (cleaned and capped), encodes the QR code and checks that no text or rule
 * enters the QR code's quiet zone, so every renderer draws a symbol that decodes.
 */
#include "layout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "core/xalloc.h"

#define MARGIN 24
#define CONTENT_W (LAYOUT_WIDTH - 2 * MARGIN)

/* An address block: a small header ("FROM", "TO") and up to four lines. */
struct block {
    const char *header;
    int y, header_h; /* header top and font height */
    int line_y, line_h, line_step;
    int chars; /* characters per line */
    bool bold;
};

static const struct block FROM_BLOCK = {"FROM", 20, 20, 46, 24, 30, 40, false};
static const struct block TO_BLOCK = {"TO", 196, 24, 228, 44, 54, 30, true};

static const int RULE_1_Y = 170, RULE_2_Y = 448, RULE_3_Y = 706, RULE_H = 4;
static const int RMA_HEAD_Y = 462, RMA_HEAD_H = 24, RMA_Y = 492, RMA_H_MAX = 100;
static const int PARCEL_Y = 618, PARCEL_H = 56;
static const int QR_X = MARGIN, QR_Y = 722, QR_SIDE_MAX = 400, QR_MODULE_MAX = LAYOUT_QR_MODULE_MAX;
static const int TOKEN_GAP = 6, TOKEN_H = 30, TOKEN_W = 420;
static const int MARK_X = 452, MARK_Y = 736, MARK_W = 336, MARK_H = 76, MARK_STEP = 92;
static const int MARK_TEXT_H = 34, MARK_PAD = 14, MARK_CHARS = 14, MARK_T = 4;

/* Decodes one UTF-8 sequence at s; returns its length, or 0 when invalid (then *cp = 0xFFFD). */
static size_t utf8_decode(const unsigned char *s, unsigned *cp)
{
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    unsigned c = s[0];
    size_t n;

    *cp = 0xFFFD;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    c &= 0x7Fu >> n;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
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

/*
 * Copies src into dst as valid UTF-8 of at most chars code points: control characters become
 * spaces, invalid bytes U+FFFD, and a longer text ends in "...".  Returns true when the text has
 * characters beyond Latin (above U+017F), which a thermal printer's built-in font may lack.
 */
static bool clean_line(char *dst, const char *src, int chars)
{
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    size_t len = 0, total = 0;
    bool beyond_latin = false;
    int count = 0;

    for (const unsigned char *p = s; *p != '\0'; total++) {
        unsigned cp;
        size_t n = utf8_decode(p, &cp);

        p += n ? n : 1;
    }
    for (const unsigned char *p = s; *p != '\0' && count < chars; count++) {
        unsigned cp;
        size_t n = utf8_decode(p, &cp);

        p += n ? n : 1;
        if ((int)total > chars && count == chars - 3)
            break;
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x2028 || cp == 0x2029)
            cp = ' ';
        if (cp > 0x17F)
            beyond_latin = true;
        len += utf8_encode(cp, dst + len);
    }
    if ((int)total > chars) {
        memcpy(dst + len, "...", 3);
        len += 3;
    }
    dst[len] = '\0';
    return beyond_latin;
}

static struct layout_item *add_item(struct layout *lo, enum layout_kind kind, int x, int y, int w,
                                    int h)
{
    struct layout_item *it;

    if (lo->nitems >= LAYOUT_ITEMS_MAX)
        abort(); /* the tables of this file describe fewer items */
    it = &lo->items[lo->nitems++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->x = x;
    it->y = y;
    it->w = w;
    it->h = h;
    return it;
}

static void add_text(struct layout *lo, int x, int y, int w, int h, bool bold, int chars,
                     const char *text)
{
    struct layout_item *it = add_item(lo, LAYOUT_TEXT, x, y, w, h);

    it->bold = bold;
    it->flagged = clean_line(it->text, text, chars);
    if (it->flagged)
        lo->flagged = true;
}

static void add_address(struct layout *lo, const struct block *b, const struct address *a)
{
    char city[2 * ADDRESS_FIELD_MAX + 2];
    const char *lines[4];
    int n = 0, y = b->line_y;

    snprintf(city, sizeof city, "%s%s%s", a->postcode ? a->postcode : "",
             a->postcode && a->postcode[0] && a->city && a->city[0] ? " " : "",
             a->city ? a->city : "");
    lines[0] = a->name;
    lines[1] = a->street;
    lines[2] = city;
    lines[3] = a->country;
    add_text(lo, MARGIN, b->y, CONTENT_W, b->header_h, true, LAYOUT_LINE_CHARS, b->header);
    for (int i = 0; i < 4; i++) {
        if (lines[i] == NULL || lines[i][0] == '\0')
            continue;
        add_text(lo, MARGIN, y + n * b->line_step, CONTENT_W, b->line_h, b->bold, b->chars,
                 lines[i]);
        n++;
    }
}

/* Encodes the payload and picks the largest whole number of dots per module that fits. */
static int add_qr(struct layout *lo, const char *payload, struct err *err)
{
    struct layout_qr *qr = &lo->qr;
    QRcode *code;

    if (payload[0] == '\0' || !label_is_qr_alnum(payload) ||
        strnlen(payload, LABEL_PAYLOAD_MAX) >= LABEL_PAYLOAD_MAX)
        return err_set(err, ERR_INVALID, "qr_payload", "must be set, upper case alphanumeric");
    errno = 0;
    code = QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (code == NULL)
        return err_set(err, ERR_INVALID, "qr_payload", "%s",
                       errno == ERANGE ? "does not fit a qr code" : "cannot be encoded");
    qr->width = code->width;
    qr->dark = xmalloc((size_t)code->width * (size_t)code->width);
    for (int i = 0; i < code->width * code->width; i++)
        qr->dark[i] = code->data[i] & 1u;
    QRcode_free(code);
    qr->module = QR_SIDE_MAX / (qr->width + 2 * LAYOUT_QR_QUIET);
    if (qr->module > QR_MODULE_MAX)
        qr->module = QR_MODULE_MAX;
    if (qr->module < LAYOUT_QR_MODULE_MIN)
        return err_set(err, ERR_INVALID, "qr_payload", "is too long for the label");
    qr->x = QR_X;
    qr->y = QR_Y;
    snprintf(qr->payload, sizeof qr->payload, "%s", payload);
    return 0;
}

static bool overlaps(const struct layout_item *it, int x, int y, int side)
{
    return it->x < x + side && x < it->x + it->w && it->y < y + side && y < it->y + it->h;
}

int layout_build(const struct label_content *lc, struct layout *lo, struct err *err)
{
    char line[64];
    size_t rma_len;
    int rma_h, side, token_h, y;

    memset(lo, 0, sizeof *lo);
    if (add_qr(lo, lc->qr_payload, err) != 0)
        return -1;

    add_address(lo, &FROM_BLOCK, &lc->from);
    add_item(lo, LAYOUT_FILL, MARGIN, RULE_1_Y, CONTENT_W, RULE_H);
    add_address(lo, &TO_BLOCK, &lc->to);
    add_item(lo, LAYOUT_FILL, MARGIN, RULE_2_Y, CONTENT_W, RULE_H);

    /* The RMA number is the largest text: as high as fits the width, about 0.7 em a character. */
    rma_len = lc->rma_number ? strlen(lc->rma_number) : 0;
    rma_h = rma_len > 0 ? (int)(CONTENT_W * 10 / (7 * (int)rma_len)) : RMA_H_MAX;
    if (rma_h > RMA_H_MAX)
        rma_h = RMA_H_MAX;
    add_text(lo, MARGIN, RMA_HEAD_Y, CONTENT_W, RMA_HEAD_H, true, LAYOUT_LINE_CHARS, "RMA");
    add_text(lo, MARGIN, RMA_Y + (RMA_H_MAX - rma_h) / 2, CONTENT_W, rma_h, true, 24,
             lc->rma_number);
    snprintf(line, sizeof line, "PARCEL %d OF %d", lc->parcel_no, lc->parcel_count);
    add_text(lo, MARGIN, PARCEL_Y, CONTENT_W, PARCEL_H, true, LAYOUT_LINE_CHARS, line);
    add_item(lo, LAYOUT_FILL, MARGIN, RULE_3_Y, CONTENT_W, RULE_H);

    /* The token under the quiet zone, in a monospaced font of about 0.62 em a character. */
    side = (lo->qr.width + 2 * LAYOUT_QR_QUIET) * lo->qr.module;
    token_h = (int)((TOKEN_W * 100) / (62 * (int)strnlen(lc->token, LABEL_TOKEN_MAX) + 1));
    if (token_h > TOKEN_H)
        token_h = TOKEN_H;
    add_text(lo, QR_X, QR_Y + side + TOKEN_GAP, TOKEN_W, token_h, true, LAYOUT_LINE_CHARS,
             lc->token);
    lo->items[lo->nitems - 1].mono = true;

    y = MARK_Y;
    for (int i = 0; i < LABEL_MARKS_MAX && lc->marks[i] != NULL; i++, y += MARK_STEP) {
        struct layout_item *box = add_item(lo, LAYOUT_FRAME, MARK_X, y, MARK_W, MARK_H);

        box->t = MARK_T;
        add_text(lo, MARK_X + MARK_PAD, y + (MARK_H - MARK_TEXT_H) / 2 - 2, MARK_W - 2 * MARK_PAD,
                 MARK_TEXT_H, true, MARK_CHARS, lc->marks[i]);
    }

    /* Our own mistake if any text or rule enters the QR code's quiet zone. */
    for (int i = 0; i < lo->nitems; i++)
        if (overlaps(&lo->items[i], lo->qr.x, lo->qr.y, side))
            return err_set(err, ERR_INTERNAL, "qr_payload", "label layout overlaps the qr code");
    return 0;
}

void layout_release(struct layout *lo)
{
    free(lo->qr.dark);
    lo->qr.dark = NULL;
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

/*
 * pages_html: text buffer, escaping, layout, form bodies and headers of the HTML pages.
 * Every value that came from a request or the database goes through pbuf_esc(); the layout's
 * placeholders (@TITLE@ and so on) are filled in one pass, so a value can never bring a
 * placeholder of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "pages_html.h"

/* generated at build time from src/http/pages/layout.html */
extern const unsigned char rmad_page_layout[];
extern const size_t rmad_page_layout_len;

static void grow(struct pbuf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + more + 1)
        cap *= 2;
    b->s = xrealloc(b->s, cap);
    b->cap = cap;
}

static void pbuf_mem(struct pbuf *b, const char *s, size_t n)
{
    grow(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void pbuf_raw(struct pbuf *b, const char *s)
{
    pbuf_mem(b, s, strlen(s));
}

void pbuf_esc(struct pbuf *b, const char *s)
{
    if (s == NULL)
        return;
    for (; *s; s++) {
        switch (*s) {
        case '&':
            pbuf_raw(b, "&amp;");
            break;
        case '<':
            pbuf_raw(b, "&lt;");
            break;
        case '>':
            pbuf_raw(b, "&gt;");
            break;
        case '"':
            pbuf_raw(b, "&quot;");
            break;
        case '\'':
            pbuf_raw(b, "&#39;");
            break;
        default:
            pbuf_mem(b, s, 1);
        }
    }
}

void pbuf_printf(struct pbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void pbuf_release(struct pbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

int pages_reply(struct request *req, int status, const struct page *pg, const struct pbuf *body)
{
    struct pbuf out = {0};
    const char *t = (const char *)rmad_page_layout;
    const char *end = t + rmad_page_layout_len;

    while (t < end) {
        const char *at = memchr(t, '@', (size_t)(end - t));
        if (at == NULL) {
            pbuf_mem(&out, t, (size_t)(end - t));
            break;
        }
        pbuf_mem(&out, t, (size_t)(at - t));
        const char *close = memchr(at + 1, '@', (size_t)(end - at - 1));
        size_t n = close ? (size_t)(close - at - 1) : 0;
        if (close != NULL && n == 5 && memcmp(at + 1, "TITLE", 5) == 0)
            pbuf_esc(&out, pg->title);
        else if (close != NULL && n == 7 && memcmp(at + 1, "SECTION", 7) == 0)
            pbuf_esc(&out, pg->section ? pg->section : "");
        else if (close != NULL && n == 3 && memcmp(at + 1, "NAV", 3) == 0)
            pbuf_raw(&out, pg->nav ? pg->nav : "");
        else if (close != NULL && n == 4 && memcmp(at + 1, "HEAD", 4) == 0)
            pbuf_raw(&out, pg->head ? pg->head : "");
        else if (close != NULL && n == 9 && memcmp(at + 1, "BODYCLASS", 9) == 0)
            pbuf_esc(&out, pg->body_class ? pg->body_class : "");
        else if (close != NULL && n == 4 && memcmp(at + 1, "BODY", 4) == 0)
            pbuf_raw(&out, body && body->s ? body->s : "");
        else {
            pbuf_mem(&out, "@", 1);
            t = at + 1;
            continue;
        }
        t = close + 1;
    }
    reply_bytes(req, status, "text/html; charset=utf-8", out.s ? out.s : "", out.len);
    pbuf_release(&out);
    request_add_header(req, "Content-Security-Policy",
                       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                       "base-uri 'none'");
    request_add_header(req, "Referrer-Policy", "no-referrer");
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) (+ is a space, %XX a byte) into the arena; NULL for NUL or control bytes. */
static char *form_decode(struct request *req, const char *s, size_t n)
{
    char *out = arena_alloc(&req->arena, n + 1);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int hi;
        int lo;
        if (c == '+') {
            c = ' ';
        } else if (c == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 &&
                   (lo = hexval(s[i + 2])) >= 0) {
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return NULL;
        out[w++] = (char)c;
    }
    out[w] = '\0';
    return out;
}

const char *pages_form(struct request *req, const char *name)
{
    const char *s = req->body;
    size_t len = req->body_len;
    size_t nlen = strlen(name);

    if (s == NULL)
        return NULL;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != '&')
            j++;
        const char *eq = memchr(s + i, '=', j - i);
        size_t klen = eq ? (size_t)(eq - (s + i)) : j - i;
        if (klen == nlen && memcmp(s + i, name, nlen) == 0) {
            if (eq == NULL)
                return "";
            return form_decode(req, eq + 1, (size_t)(s + j - (eq + 1)));
        }
        i = j + 1;
    }
    return NULL;
}

const char *pages_cookie(struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

bool pages_https(const struct request *req)
{
    return req->cfg->public_url != NULL && strncasecmp(req->cfg->public_url, "https://", 8) == 0;
}

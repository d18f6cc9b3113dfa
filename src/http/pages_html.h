/*
 * pages_html: what the HTML pages of issue 7 share: a growing text buffer with HTML escaping,
 * the page layout (src/http/pages/layout.html, compiled into the binary), form bodies and
 * the pages' response headers.  Used by routes_pages.c only.
 */
#ifndef HTTP_PAGES_HTML_H
#define HTTP_PAGES_HTML_H

#include <stdarg.h>
#include <stddef.h>

#include "request.h"

struct pbuf {
    char *s; /* malloc'd, NUL-terminated; freed by pbuf_release() */
    size_t len;
    size_t cap;
};

void pbuf_raw(struct pbuf *b, const char *s);
/* Appends s with & < > " ' escaped. */
void pbuf_esc(struct pbuf *b, const char *s);
void pbuf_printf(struct pbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pbuf_release(struct pbuf *b);

struct page {
    const char *title;   /* plain text: escaped here */
    const char *section; /* "Track your return", "Depot": plain text */
    const char *nav;     /* HTML or NULL */
    const char *head;    /* HTML in <head> or NULL */
    const char *body_class;
};

/* Answers status with the layout around body (HTML); adds the pages' security headers. */
int pages_reply(struct request *req, int status, const struct page *pg, const struct pbuf *body);

/* The value of field name in an application/x-www-form-urlencoded body (from the arena), or
 * NULL when absent or when it holds a NUL or a control character other than tab. */
const char *pages_form(struct request *req, const char *name);

/* The value of a cookie, or NULL. */
const char *pages_cookie(struct request *req, const char *name);
/* True when RMAD_PUBLIC_URL is https: cookies get Secure. */
bool pages_https(const struct request *req);

#endif

/*
 * scancode: classify a scanned code.  See include/core/scancode.h for the accepted shapes.
 * Nothing here trusts the input: lengths are checked before copying and only printable ASCII
 * gets past the first loop.
 */
#include "core/scancode.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *scancode_kind_name(enum scancode_kind kind)
{
    switch (kind) {
    case SCANCODE_QR_URL:
        return "qr_url";
    case SCANCODE_TOKEN:
        return "token";
    case SCANCODE_RMA:
        return "rma_number";
    case SCANCODE_SSCC:
        return "sscc";
    case SCANCODE_TRACKING:
        return "tracking_number";
    case SCANCODE_UNEXPECTED:
        return "unexpected_arrival";
    }
    return "unknown";
}

int scancode_gs1_check_digit(const char *s, size_t n)
{
    int sum = 0;

    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        int d = s[i] - '0';
        /* weights 3,1,3,... counted from the right-most digit of the n */
        sum += ((n - i) % 2 == 1) ? 3 * d : d;
    }
    return (10 - sum % 10) % 10;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* "U" and 8 digits: the internal id of an unexpected arrival. */
static bool take_unexpected(const char *s, size_t n, struct scancode *out)
{
    if (n != SCANCODE_UNEXPECTED_LEN || s[0] != 'U' || !all_digits(s + 1, n - 1))
        return false;
    out->kind = SCANCODE_UNEXPECTED;
    memcpy(out->internal_id, s, n);
    out->internal_id[n] = '\0';
    return true;
}

static int take_sscc(const char *s, size_t n, struct scancode *out, struct err *err)
{
    if (n != SCANCODE_SSCC_LEN || !all_digits(s, n))
        return err_set(err, ERR_INVALID, "code", "an sscc has 18 digits");
    if (scancode_gs1_check_digit(s, n - 1) != s[n - 1] - '0')
        return err_set(err, ERR_INVALID, "code", "sscc check digit does not match");
    out->kind = SCANCODE_SSCC;
    memcpy(out->sscc, s, n);
    out->sscc[n] = '\0';
    return 0;
}

/* "<RMA><sep><PARCEL><sep><TAG>" with sep '-' or '/'; returns 0, -1 if not of that shape. */
static int take_token(const char *s, size_t n, char sep, struct scancode *out, struct err *err)
{
    const char *p1 = memchr(s, sep, n);
    if (p1 == NULL)
        return -1;
    const char *p2 = memchr(p1 + 1, sep, n - (size_t)(p1 + 1 - s));
    if (p2 == NULL)
        return -1;
    size_t rlen = (size_t)(p1 - s);
    size_t plen = (size_t)(p2 - p1 - 1);
    size_t tlen = n - (size_t)(p2 + 1 - s);
    if (rlen != RMANUM_LEN || plen < 1 || plen > 4 || tlen < 1 || tlen > SCANCODE_TAG_MAX ||
        !all_digits(p1 + 1, plen) || memchr(p2 + 1, sep, tlen) != NULL)
        return -1;
    memcpy(out->rma, s, RMANUM_LEN);
    out->rma[RMANUM_LEN] = '\0';
    if (!rmanum_is_valid(out->rma))
        return err_set(err, ERR_INVALID, "code", "rma number check digit does not match");
    char pbuf[5] = {0};
    memcpy(pbuf, p1 + 1, plen);
    out->parcel = atoi(pbuf);
    if (out->parcel < 1)
        return err_set(err, ERR_INVALID, "code", "parcel number must be 1 or more");
    memcpy(out->tag, p2 + 1, tlen);
    out->tag[tlen] = '\0';
    return 0;
}

static int parse_url(const char *s, size_t n, struct scancode *out, struct err *err)
{
    const char *host = strstr(s, "://");
    if (host == NULL)
        return err_set(err, ERR_INVALID, "code", "not a url rmad knows");
    host += 3;
    const char *path = memchr(host, '/', n - (size_t)(host - s));
    if (path == NULL)
        return err_set(err, ERR_INVALID, "code", "the url has no parcel path");
    /* GS1 Digital Link: .../00/<sscc> */
    const char *dl = strstr(path, "/00/");
    if (dl != NULL) {
        const char *v = dl + 4;
        size_t vlen = strcspn(v, "/?#");
        return take_sscc(v, vlen, out, err);
    }
    /* an unexpected arrival's tag: .../U/<INTERNAL ID> */
    const char *u = NULL;
    for (const char *q = strstr(path, "/U/"); q != NULL; q = strstr(q + 1, "/U/"))
        u = q;
    if (u != NULL) {
        size_t ulen = n - (size_t)(u + 3 - s);
        while (ulen > 0 && u[3 + ulen - 1] == '/')
            ulen--;
        if (take_unexpected(u + 3, ulen, out))
            return 0;
    }
    /* rmad label: .../P/<RMA>/<PARCEL>/<TAG> (a base path before /P/ is allowed) */
    const char *p = NULL;
    for (const char *q = strstr(path, "/P/"); q != NULL; q = strstr(q + 1, "/P/"))
        p = q;
    if (p == NULL)
        return err_set(err, ERR_INVALID, "code", "the url is not an rmad parcel url");
    const char *rest = p + 3;
    size_t rlen = n - (size_t)(rest - s);
    while (rlen > 0 && rest[rlen - 1] == '/')
        rlen--;
    if (take_token(rest, rlen, '/', out, err) != 0)
        return err_set(err, ERR_INVALID, "code", "the url is not an rmad parcel url");
    out->kind = SCANCODE_QR_URL;
    return 0;
}

int scancode_parse(const char *in, size_t len, struct scancode *out, struct err *err)
{
    char s[SCANCODE_MAX_INPUT + 1];
    size_t n = 0;

    memset(out, 0, sizeof *out);
    while (len > 0 && isspace((unsigned char)in[0])) {
        in++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)in[len - 1]))
        len--;
    if (len == 0)
        return err_set(err, ERR_INVALID, "code", "must not be empty");
    if (len > SCANCODE_MAX_INPUT)
        return err_set(err, ERR_INVALID, "code", "must be at most %d characters",
                       SCANCODE_MAX_INPUT);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x20 || c > 0x7e)
            return err_set(err, ERR_INVALID, "code", "must be printable ascii");
        s[n++] = (char)toupper(c);
    }
    s[n] = '\0';

    /* Symbology identifier of a GS1-128 read (]C1) and the (00) application identifier. */
    const char *v = s;
    size_t vn = n;
    if (vn > 3 && strncmp(v, "]C1", 3) == 0) {
        v += 3;
        vn -= 3;
    }
    if (vn > 4 && strncmp(v, "(00)", 4) == 0)
        return take_sscc(v + 4, vn - 4, out, err);
    if (vn == 20 && strncmp(v, "00", 2) == 0 && all_digits(v, vn))
        return take_sscc(v + 2, vn - 2, out, err);
    if (vn == SCANCODE_SSCC_LEN && all_digits(v, vn))
        return take_sscc(v, vn, out, err);

    if (strncmp(s, "HTTP://", 7) == 0 || strncmp(s, "HTTPS://", 8) == 0)
        return parse_url(s, n, out, err);

    if (n > RMANUM_LEN && s[0] == 'R') {
        struct err terr = {0};
        int rc = take_token(s, n, '-', out, &terr);
        if (rc != 0 && !err_is_set(&terr))
            rc = take_token(s, n, '/', out, &terr);
        if (rc == 0) {
            out->kind = SCANCODE_TOKEN;
            return 0;
        }
        if (err_is_set(&terr)) {
            *err = terr;
            return -1;
        }
    }
    if (n == RMANUM_LEN && s[0] == 'R' && all_digits(s + 1, RMANUM_LEN - 2)) {
        if (!rmanum_is_valid(s))
            return err_set(err, ERR_INVALID, "code", "rma number check digit does not match");
        out->kind = SCANCODE_RMA;
        memcpy(out->rma, s, RMANUM_LEN + 1);
        return 0;
    }
    if (take_unexpected(s, n, out))
        return 0;
    if (n >= 6 && n <= SCANCODE_TRACKING_MAX) {
        for (size_t i = 0; i < n; i++)
            if (!isalnum((unsigned char)s[i]))
                return err_set(err, ERR_INVALID, "code", "not a code rmad knows");
        out->kind = SCANCODE_TRACKING;
        memcpy(out->tracking, s, n + 1);
        return 0;
    }
    return err_set(err, ERR_INVALID, "code", "not a code rmad knows");
}

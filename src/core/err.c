/* err: filling and naming errors; see include/core/err.h. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *err, enum err_kind kind, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || err->kind != ERR_NONE)
        return -1;
    err->kind = kind;
    err->line = 0;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

void err_set_line(struct err *err, int line)
{
    if (err != NULL)
        err->line = line;
}

bool err_is_set(const struct err *err)
{
    return err != NULL && err->kind != ERR_NONE;
}

void err_clear(struct err *err)
{
    memset(err, 0, sizeof *err);
}

const char *err_kind_name(enum err_kind kind)
{
    switch (kind) {
    case ERR_NONE:
        return "none";
    case ERR_BAD_REQUEST:
        return "bad_request";
    case ERR_INVALID:
        return "invalid";
    case ERR_UNAUTHORIZED:
        return "unauthorized";
    case ERR_FORBIDDEN:
        return "forbidden";
    case ERR_NOT_FOUND:
        return "not_found";
    case ERR_NOT_ALLOWED:
        return "method_not_allowed";
    case ERR_CONFLICT:
        return "conflict";
    case ERR_TOO_LARGE:
        return "too_large";
    case ERR_UNSUPPORTED:
        return "unsupported_media_type";
    case ERR_RATE_LIMITED:
        return "rate_limited";
    case ERR_UNAVAILABLE:
        return "unavailable";
    case ERR_INTERNAL:
        return "internal";
    }
    return "internal";
}

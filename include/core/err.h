/*
 * err: how every layer describes a failure.
 *
 * A function returns 0 on success or -1 after filling a struct err.  An all-zero struct err means
 * "no error"; err_set() leaves the first error in place only when none is set yet, so a chain of
 * checks keeps the earliest, most specific cause.  Only src/http/reply.c maps kinds to statuses.
 */
#ifndef CORE_ERR_H
#define CORE_ERR_H

#include <stdbool.h>

enum err_kind {
    ERR_NONE = 0,
    ERR_BAD_REQUEST,  /* malformed request: 400 */
    ERR_INVALID,      /* a field is missing or wrong: 422 */
    ERR_UNAUTHORIZED, /* no or unknown credentials: 401 */
    ERR_FORBIDDEN,    /* role may not do this: 403 */
    ERR_NOT_FOUND,    /* 404 */
    ERR_NOT_ALLOWED,  /* method not allowed on this path: 405 */
    ERR_CONFLICT,     /* state or uniqueness conflict, lost race: 409 */
    ERR_TOO_LARGE,    /* 413 */
    ERR_UNSUPPORTED,  /* media type: 415 */
    ERR_RATE_LIMITED, /* 429 */
    ERR_UNAVAILABLE,  /* database down: 503 */
    ERR_INTERNAL,     /* our own fault: 500 */
};

struct err {
    enum err_kind kind;
    int line;          /* input line (XML documents), 0 when not applicable */
    char field[64];    /* the field at fault, "" when none */
    char message[200]; /* short, lower case, no full stop */
};

/* Sets err (if no error is set yet) and returns -1. field may be NULL. */
int err_set(struct err *err, enum err_kind kind, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets the input line of the error already set. */
void err_set_line(struct err *err, int line);
bool err_is_set(const struct err *err);
/* Stable machine name of a kind: "invalid", "conflict", ... */
const char *err_kind_name(enum err_kind kind);
void err_clear(struct err *err);

#endif

/*
 * reply: the one place where an error kind becomes an HTTP status, and where answers are put
 * into the request for server.c to queue.  Errors are JSON:
 *   {"error": {"code": "invalid", "message": "is required", "field": "serial_number"}}
 */
#include <stdlib.h>
#include <string.h>

#include "request.h"

int status_of(enum err_kind kind)
{
    switch (kind) {
    case ERR_NONE:
        return 200;
    case ERR_BAD_REQUEST:
        return 400;
    case ERR_INVALID:
        return 422;
    case ERR_UNAUTHORIZED:
        return 401;
    case ERR_FORBIDDEN:
        return 403;
    case ERR_NOT_FOUND:
        return 404;
    case ERR_NOT_ALLOWED:
        return 405;
    case ERR_CONFLICT:
        return 409;
    case ERR_TOO_LARGE:
        return 413;
    case ERR_UNSUPPORTED:
        return 415;
    case ERR_RATE_LIMITED:
        return 429;
    case ERR_UNAVAILABLE:
        return 503;
    case ERR_INTERNAL:
        return 500;
    }
    return 500;
}

int reply_bytes(struct request *req, int status, const char *content_type, const void *data,
                size_t len)
{
    req->status = status;
    req->content_type = arena_strdup(&req->arena, content_type);
    req->resp = arena_alloc(&req->arena, len + 1);
    if (len > 0)
        memcpy(req->resp, data, len);
    req->resp[len] = '\0';
    req->resp_len = len;
    req->answered = true;
    return 0;
}

int reply_json(struct request *req, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(body);
    if (text == NULL) {
        struct err err = {0};
        err_set(&err, ERR_INTERNAL, NULL, "cannot write the answer");
        return reply_error(req, &err);
    }
    reply_bytes(req, status, "application/json", text, strlen(text));
    free(text);
    return 0;
}

int reply_error(struct request *req, const struct err *err)
{
    enum err_kind kind = err->kind == ERR_NONE ? ERR_INTERNAL : err->kind;
    json_t *e = json_pack("{s:s, s:s}", "code", err_kind_name(kind), "message",
                          err->message[0] ? err->message : "internal error");
    if (err->field[0])
        json_object_set_new(e, "field", json_string(err->field));
    if (err->line > 0)
        json_object_set_new(e, "line", json_integer(err->line));
    return reply_json(req, status_of(kind), json_pack("{s:o}", "error", e));
}

int reply_db_error(struct request *req, enum db_result r, const struct err *err)
{
    struct err copy = *err;

    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
        if (copy.kind == ERR_NONE)
            err_set(&copy, ERR_NOT_FOUND, NULL, "not found");
        break;
    case DB_RETRY:
        err_clear(&copy);
        err_set(&copy, ERR_UNAVAILABLE, NULL, "database unavailable, try again shortly");
        break;
    case DB_FAIL:
        if (copy.kind == ERR_NONE)
            err_set(&copy, ERR_INTERNAL, NULL, "database error");
        break;
    }
    return reply_error(req, &copy);
}

int reply_db_result(struct request *req, enum db_result r, int status, json_t *out,
                    const struct err *err)
{
    switch (r) {
    case DB_ONE:
        return reply_json(req, status, out);
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        break;
    }
    return reply_db_error(req, r, err);
}

bool reply_etag(struct request *req, const char *sha)
{
    const char *inm = request_header(req, "If-None-Match");

    req->extra_header = "ETag";
    req->extra_value = arena_printf(&req->arena, "\"%s\"", sha);
    return inm != NULL && strstr(inm, sha) != NULL;
}

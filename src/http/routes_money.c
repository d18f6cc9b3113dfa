/*
 * routes_money: authorization and money of the depot (issue 4): quotes (accept, decline,
 * expire), charges (list, settle, waive), closing and cancelling an RMA (rule 6), the
 * destruction certificate of a kept data-bearing unit, the core policy sweep and the report of
 * outstanding cores.  Parse, decide, record, reply; the database functions are db_money.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/depot.h"
#include "core/rmanum.h"
#include "json_in.h"
#include "request.h"

#define TEXT_MAX 2000

/* A text field checked like the other free texts (printable, at most TEXT_MAX; not blank even
 * when optional). */
static const char *text_field(struct request *req, json_t *body, const char *name, bool required,
                              struct err *err)
{
    return json_in_text(&req->arena, body, name, name, TEXT_MAX, required, true, err);
}

/* The optional "today" of the admin jobs: "YYYY-MM-DD". */
static const char *today_field(struct request *req, json_t *body, struct err *err)
{
    int64_t day;
    const char *s = json_in_string(&req->arena, body, "today", "today", false, err);

    if (s != NULL && depot_parse_day(s, "today", &day, err) != 0)
        return NULL;
    return s;
}

static int reply_rma(struct request *req, const char *rma)
{
    struct err err = {0};
    json_t *view = NULL;
    enum db_result r = db_rma_view(req->db, rma, &view, &err);

    return reply_db_result(req, r, 200, view, &err);
}

/* GET /api/v1/rmas/{rma}/quote */
int route_money_quote_get(struct request *req)
{
    struct err err = {0};
    json_t *q = NULL;
    const char *rma = request_rma_param(req, 0, &err);

    if (rma == NULL)
        return reply_error(req, &err);
    enum db_result r = db_quote_get(req->db, rma, &q, &err);
    return reply_db_result(req, r, 200, q, &err);
}

/* POST /api/v1/rmas/{rma}/quote/accept  body: {"note"?} */
int route_money_quote_accept(struct request *req)
{
    struct err err = {0};
    const char *rma = request_rma_param(req, 0, &err);
    json_t *body = rma ? request_json_or_empty(req, &err) : NULL;

    if (body == NULL)
        return reply_error(req, &err);
    const char *note = text_field(req, body, "note", false, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_quote_accept(req->db, rma, note, &req->who, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    return reply_rma(req, rma);
}

/* POST /api/v1/rmas/{rma}/quote/decline  body: {"reason"} */
int route_money_quote_decline(struct request *req)
{
    struct err err = {0};
    const char *rma = request_rma_param(req, 0, &err);
    json_t *body = rma ? request_json(req, &err) : NULL;

    if (body == NULL)
        return reply_error(req, &err);
    const char *reason = text_field(req, body, "reason", true, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_quote_decline(req->db, rma, reason, &req->who, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    return reply_rma(req, rma);
}

/* POST /api/v1/jobs/expire-quotes  body: {"today"?: "YYYY-MM-DD"} */
/* A job run on request: body {"today"?: "YYYY-MM-DD"}, answer what the job did. */
static int run_job(struct request *req,
                   enum db_result (*job)(struct db *, const char *, const struct principal *,
                                         json_t **, struct err *))
{
    struct err err = {0};
    json_t *out = NULL;
    json_t *body = request_json_or_empty(req, &err);

    if (body == NULL)
        return reply_error(req, &err);
    const char *today = today_field(req, body, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = job(req->db, today, &req->who, &out, &err);
    return reply_db_result(req, r, 200, out, &err);
}

int route_money_quotes_expire(struct request *req)
{
    return run_job(req, db_quotes_expire);
}

/* GET /api/v1/rmas/{rma}/charges */
int route_money_charges_list(struct request *req)
{
    struct err err = {0};
    json_t *list = NULL;
    const char *rma = request_rma_param(req, 0, &err);

    if (rma == NULL)
        return reply_error(req, &err);
    enum db_result r = db_charges_list(req->db, rma, &list, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    return reply_json(req, 200, json_pack("{s:s, s:o}", "rma_number", rma, "charges", list));
}

static int charge_close(struct request *req, bool settle)
{
    struct err err = {0};
    json_t *out = NULL;
    int64_t id = request_number_param(req, 0, "charge", INT64_MAX, &err);
    json_t *body = id ? request_json(req, &err) : NULL;

    if (body == NULL)
        return reply_error(req, &err);
    const char *reference = NULL;
    const char *note = NULL;
    if (settle) {
        reference = text_field(req, body, "reference", true, &err);
        if (reference != NULL && strlen(reference) > 200)
            err_set(&err, ERR_INVALID, "reference", "must be at most 200 characters");
        note = text_field(req, body, "note", false, &err);
    } else {
        note = text_field(req, body, "reason", true, &err);
    }
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_charge_close(req->db, id, settle, reference, note, &req->who, &out, &err);
    return reply_db_result(req, r, 200, out, &err);
}

/* POST /api/v1/charges/{id}/settle  body: {"reference", "note"?} */
int route_money_charge_settle(struct request *req)
{
    return charge_close(req, true);
}

/* POST /api/v1/charges/{id}/waive  body: {"reason"} */
int route_money_charge_waive(struct request *req)
{
    return charge_close(req, false);
}

static int rma_close(struct request *req, bool cancel)
{
    struct err err = {0};
    const char *rma = request_rma_param(req, 0, &err);
    json_t *body = NULL;

    if (rma != NULL)
        body = cancel ? request_json_or_empty(req, &err) : request_json(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    const char *reason = text_field(req, body, "reason", !cancel, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_rma_close(req->db, rma, reason, cancel, &req->who, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    return reply_rma(req, rma);
}

/* POST /api/v1/rmas/{rma}/close  body: {"reason"} */
int route_money_rma_close(struct request *req)
{
    return rma_close(req, false);
}

/* POST /api/v1/rmas/{rma}/cancel  body: {"reason"?} */
int route_money_rma_cancel(struct request *req)
{
    return rma_close(req, true);
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* An ISO 8601 date-time with an offset (rule 9): YYYY-MM-DDTHH:MM[:SS[.f...]](Z|+HH:MM|-HH:MM). */
static int check_instant(const char *s, const char *field, struct err *err)
{
    int64_t day;
    char date[11];
    size_t n = strlen(s);
    size_t i = 16;

    if (n < 17 || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return err_set(err, ERR_INVALID, field, "must be a date-time like 2026-03-01T10:00:00Z");
    memcpy(date, s, 10);
    date[10] = '\0';
    if (depot_parse_day(date, field, &day, err) != 0)
        return -1;
    if (!digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) || atoi(s + 11) > 23 ||
        atoi(s + 14) > 59)
        return err_set(err, ERR_INVALID, field, "has no valid time of day");
    if (s[i] == ':') {
        /* no second 60: rmad counts POSIX seconds, as every other instant it takes */
        if (!digits(s + i + 1, 2) || atoi(s + i + 1) > 59)
            return err_set(err, ERR_INVALID, field, "has no valid seconds (00 to 59)");
        i += 3;
        if (s[i] == '.') {
            i++;
            size_t f = 0;
            while (isdigit((unsigned char)s[i]) && f < 9) {
                i++;
                f++;
            }
            if (f == 0)
                return err_set(err, ERR_INVALID, field, "has an empty fraction of a second");
        }
    }
    if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0')
        return 0;
    if ((s[i] == '+' || s[i] == '-') && digits(s + i + 1, 2) && s[i + 3] == ':' &&
        digits(s + i + 4, 2) && s[i + 6] == '\0' && atoi(s + i + 1) <= 14 && atoi(s + i + 4) <= 59)
        return 0;
    return err_set(err, ERR_INVALID, field,
                   "needs an offset (Z or +HH:MM): a local time is refused");
}

/* POST /api/v1/rmas/{rma}/lines/{line}/destruction-certificate
 * body: {"certificate_id", "destroyed_at", "method", "witness"} */
int route_money_destruction_certificate(struct request *req)
{
    struct err err = {0};
    const char *rma = request_rma_param(req, 0, &err);
    long long line = rma == NULL ? 0 : request_number_param(req, 1, "line", 9999, &err);

    if (line == 0)
        return reply_error(req, &err);
    json_t *body = request_json(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    const char *id = text_field(req, body, "certificate_id", true, &err);
    if (id != NULL && strlen(id) > 100)
        err_set(&err, ERR_INVALID, "certificate_id", "must be at most 100 characters");
    const char *at = json_in_string(&req->arena, body, "destroyed_at", "destroyed_at", true, &err);
    if (at != NULL)
        check_instant(at, "destroyed_at", &err);
    const char *method = text_field(req, body, "method", true, &err);
    const char *witness = text_field(req, body, "witness", true, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    json_t *cert = json_pack("{s:s, s:s, s:s, s:s, s:s}", "certificate_id", id, "destroyed_at", at,
                             "method", method, "witness", witness, "recorded_by", req->who.name);
    char *text = json_dumps(cert, JSON_COMPACT);
    json_decref(cert);
    const char *cert_json = arena_strdup(&req->arena, text ? text : "{}");
    free(text);
    enum db_result r =
        db_destruction_certificate(req->db, rma, (int)line, cert_json, &req->who, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    return reply_rma(req, rma);
}

/* POST /api/v1/jobs/core-sweep  body: {"today"?: "YYYY-MM-DD"} */
int route_money_core_sweep(struct request *req)
{
    return run_job(req, db_core_sweep);
}

/* GET /api/v1/reports/outstanding-cores */
int route_money_cores_outstanding(struct request *req)
{
    struct err err = {0};
    json_t *list = NULL;
    enum db_result r = db_cores_outstanding(req->db, &list, &err);

    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    return reply_json(req, 200, json_pack("{s:o}", "cores", list));
}

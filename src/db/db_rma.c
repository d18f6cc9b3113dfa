/* db_rma: the staff and public views of an RMA, label content, and the dock scan's lookups
 * (the receive itself is in db_receiving.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/log.h"
#include "db_int.h"

/* Derives the status from the "lines" array of a view and adds it as "status". */
static void add_status(json_t *view)
{
    json_t *lines = json_object_get(view, "lines");
    size_t n = json_is_array(lines) ? json_array_size(lines) : 0;
    struct rma_line_legs legs[n ? n : 1];

    for (size_t i = 0; i < n; i++) {
        json_t *lg = json_object_get(json_array_get(lines, i), "legs");
        legs[i].inbound =
            json_string_value(json_object_get(json_object_get(lg, "inbound"), "state"));
        legs[i].repair = json_string_value(json_object_get(json_object_get(lg, "repair"), "state"));
        legs[i].outbound =
            json_string_value(json_object_get(json_object_get(lg, "outbound"), "state"));
    }
    bool authorized = json_is_true(json_object_get(view, "authorized"));
    unsigned blockers = 0;
    if (json_integer_value(json_object_get(view, "open_charges")) > 0)
        blockers |= RMA_BLOCK_CHARGE;
    if (json_integer_value(json_object_get(view, "certificates_missing")) > 0)
        blockers |= RMA_BLOCK_CERTIFICATE;
    bool closed = json_is_true(json_object_get(view, "closed")) ||
                  (json_object_get(view, "closed_at") != NULL &&
                   !json_is_null(json_object_get(view, "closed_at")));
    json_object_set_new(view, "status",
                        json_string(rma_status_derive(authorized, closed, blockers, legs, n)));
}

static enum db_result json_view(struct db *db, enum stmt q, const char *const *p, json_t **out,
                                struct err *err)
{
    enum db_result kind;
    json_error_t jerr;
    PGresult *r = db_run(db, q, p, &kind, err);

    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "rma_number", "no such rma");
        return DB_NONE;
    }
    *out = json_loads(PQgetvalue(r, 0, 0), 0, &jerr);
    PQclear(r);
    if (*out == NULL) {
        log_warnx("view is not json: %s", jerr.text);
        err_set(err, ERR_INTERNAL, NULL, "cannot read the rma");
        return DB_FAIL;
    }
    /* json_agg of no rows is null: show empty lists */
    static const char *const lists[] = {"lines",  "parcels", "events", "screening",
                                        "quotes", "charges", "tasks"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if (json_is_null(json_object_get(*out, lists[i])))
            json_object_set_new(*out, lists[i], json_array());
    add_status(*out);
    return DB_ONE;
}

enum db_result db_rma_view(struct db *db, const char *rma_number, json_t **out, struct err *err)
{
    const char *p[1] = {rma_number};
    return json_view(db, Q_RMA_VIEW, p, out, err);
}

enum db_result db_track_view(struct db *db, const char *rma_number, const char *postcode_norm,
                             json_t **out, struct err *err)
{
    const char *p[2] = {rma_number, postcode_norm};
    return json_view(db, Q_TRACK_VIEW, p, out, err);
}

static void read_ref(const PGresult *r, int row, struct parcel_ref *out)
{
    out->parcel_id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
    out->rma_id = strtoll(PQgetvalue(r, row, 1), NULL, 10);
    snprintf(out->rma_number, sizeof out->rma_number, "%s", PQgetvalue(r, row, 2));
    out->parcel_no = atoi(PQgetvalue(r, row, 3));
    out->parcel_count = atoi(PQgetvalue(r, row, 4));
    out->received = strcmp(PQgetvalue(r, row, 5), "t") == 0;
    out->authorized = strcmp(PQgetvalue(r, row, 6), "t") == 0;
    out->closed = strcmp(PQgetvalue(r, row, 7), "t") == 0;
}

enum db_result db_parcel_resolve(struct db *db, const struct scancode *sc, struct parcel_ref *out,
                                 struct err *err)
{
    enum db_result kind;
    PGresult *r = NULL;
    char pno[16];

    switch (sc->kind) {
    case SCANCODE_QR_URL:
    case SCANCODE_TOKEN: {
        snprintf(pno, sizeof pno, "%d", sc->parcel);
        const char *p[2] = {sc->rma, pno};
        r = db_run(db, Q_PARCEL_BY_NO, p, &kind, err);
        break;
    }
    case SCANCODE_RMA: {
        const char *p[1] = {sc->rma};
        r = db_run(db, Q_PARCEL_BY_RMA_OPEN, p, &kind, err);
        break;
    }
    case SCANCODE_SSCC: {
        const char *p[1] = {sc->sscc};
        r = db_run(db, Q_PARCEL_BY_SSCC, p, &kind, err);
        break;
    }
    case SCANCODE_TRACKING: {
        const char *p[1] = {sc->tracking};
        r = db_run(db, Q_PARCEL_BY_TRACKING, p, &kind, err);
        break;
    }
    case SCANCODE_UNEXPECTED: /* the depot's own tag of a box with no rma: no parcel */
        err_set(err, ERR_NOT_FOUND, "code", "no parcel has this code");
        return DB_NONE;
    }
    if (r == NULL)
        return kind;
    int n = PQntuples(r);
    if (n == 0) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "code", "no parcel has this code");
        return DB_NONE;
    }
    /* rows of a bare RMA number come not-received first */
    if (sc->kind == SCANCODE_RMA && n > 1 && strcmp(PQgetvalue(r, 1, 5), "f") == 0) {
        PQclear(r);
        err_set(err, ERR_CONFLICT, "code",
                "this rma has several parcels on their way: scan the parcel's label");
        return DB_FAIL;
    }
    if (sc->kind == SCANCODE_TRACKING && n > 1) {
        PQclear(r);
        err_set(err, ERR_CONFLICT, "code", "several parcels have this tracking number");
        return DB_FAIL;
    }
    read_ref(r, 0, out);
    PQclear(r);
    return DB_ONE;
}

enum db_result db_scan_log(struct db *db, const char *station, const char *code,
                           const char *outcome, const struct principal *actor, struct err *err)
{
    enum db_result kind;
    char tid[24];

    snprintf(tid, sizeof tid, "%lld", (long long)actor->token_id);
    const char *p[4] = {code, station, outcome, tid};
    PGresult *r = db_run(db, Q_SCAN_LOG, p, &kind, err);
    if (r == NULL)
        return kind;
    PQclear(r);
    return DB_ONE;
}

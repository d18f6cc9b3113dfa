/*
 * db_doc: documents exchanged with partners.  An import is one transaction keyed by
 * (sender, type, ID): the first answer is stored with a hash of the body, so the same document
 * again replays that answer and another body under the same key is a conflict.  A document with
 * one bad line stores nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db_int.h"

enum db_result db_receipt_advice(struct db *db, const char *rma_number, struct arena *a,
                                 struct receipt_advice *ra, struct err *err)
{
    enum db_result kind;
    const char *p[1] = {rma_number};

    PGresult *r = db_run(db, Q_RECEIPT_HEAD, p, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "rma_number", "no such rma");
        return DB_NONE;
    }
    memset(ra, 0, sizeof *ra);
    ra->rma_number = db_field(a, r, 0, 0);
    ra->depot_name = db_field(a, r, 0, 1);
    ra->depot.name = ra->depot_name;
    ra->depot.street = db_field(a, r, 0, 2);
    ra->depot.city = db_field(a, r, 0, 3);
    ra->depot.postcode = db_field(a, r, 0, 4);
    ra->depot.country = db_field(a, r, 0, 5);
    ra->customer_name = db_field(a, r, 0, 6);
    ra->issue_date = db_field(a, r, 0, 7);
    char *time = db_field(a, r, 0, 8);
    long received = strtol(PQgetvalue(r, 0, 9), NULL, 10);
    PQclear(r);
    if (received == 0 || ra->issue_date == NULL) {
        err_set(err, ERR_CONFLICT, "rma_number", "nothing of this rma has been received yet");
        return DB_FAIL;
    }
    ra->issue_time = arena_printf(a, "%s+00:00", time);
    ra->id = arena_printf(a, "%s-RA%ld", ra->rma_number, received);

    r = db_run(db, Q_RECEIPT_LINES, p, &kind, err);
    if (r == NULL)
        return kind;
    int n = PQntuples(r);
    struct receipt_line *lines = arena_alloc(a, sizeof *lines * (size_t)(n ? n : 1));
    memset(lines, 0, sizeof *lines * (size_t)(n ? n : 1)); /* the inspection fields stay unset */
    for (int i = 0; i < n; i++) {
        lines[i].line_no = atoi(PQgetvalue(r, i, 0));
        lines[i].serial_number = db_field(a, r, i, 1);
        lines[i].product_model = db_field(a, r, i, 2);
        lines[i].product_name = db_field(a, r, i, 3);
        lines[i].received_quantity = strtoll(PQgetvalue(r, i, 4), NULL, 10);
        lines[i].short_quantity = strtoll(PQgetvalue(r, i, 5), NULL, 10);
        lines[i].sscc = db_field(a, r, i, 6);
    }
    PQclear(r);
    ra->lines = lines;
    ra->n_lines = (size_t)n;
    return DB_ONE;
}

static enum db_result line_fail(struct db *db, struct err *err, enum err_kind k, size_t i,
                                const struct despatch_line *l, const char *what, const char *msg)
{
    db_rollback(db);
    char field[64];
    snprintf(field, sizeof field, "DespatchLine[%zu].%s", i + 1, what);
    err_set(err, k, field, "%s", msg);
    err_set_line(err, l->source_line);
    return DB_FAIL;
}

/* The answer to a line naming an rma that does not exist, or one that is another carrier's. */
static enum db_result not_ours(struct db *db, struct err *err, size_t i,
                               const struct despatch_line *l)
{
    return line_fail(db, err, ERR_INVALID, i, l, "OrderReference", "names no rma of ours");
}

/*
 * The return parcel's carrier from a DespatchLine (issue 5): the carrier party it names (by code
 * or name), else the posting carrier's own, and the carrier's tracking number (CarrierAssignedID)
 * are set on a parcel that has none; one that contradicts what the parcel has is a 409, a party
 * that names no carrier a 422, a carrier token naming another carrier a 403.  *code and *tn: the
 * parcel's carrier code and tracking number after it (NULL when none).
 */
static enum db_result notice_carrier(struct db *db, struct err *err, size_t i,
                                     const struct despatch_line *l, const char *parcel_id,
                                     const struct principal *actor, struct arena *a,
                                     const char **code, const char **tn)
{
    enum db_result kind;
    PGresult *r;
    char *want = NULL, *want_code = NULL, msg[160];
    const char *want_tn = l->carrier_tracking[0] ? l->carrier_tracking : NULL;

    if (l->carrier[0] != '\0') {
        const char *fp[1] = {l->carrier};
        if ((r = db_run(db, Q_CARRIER_FIND, fp, &kind, err)) == NULL) {
            db_rollback(db);
            return kind;
        }
        if (PQntuples(r) == 0) {
            PQclear(r);
            return line_fail(db, err, ERR_INVALID, i, l, "CarrierParty",
                             "names no carrier of ours (its code or name)");
        }
        want = db_field(a, r, 0, 0);
        want_code = db_field(a, r, 0, 1);
        PQclear(r);
        if (actor->role == ROLE_CARRIER && strtoll(want, NULL, 10) != actor->carrier_id)
            return line_fail(db, err, ERR_FORBIDDEN, i, l, "CarrierParty",
                             "a carrier announces the parcels it carries itself only");
    } else if (actor->role == ROLE_CARRIER) {
        want = arena_printf(a, "%lld", (long long)actor->carrier_id);
    }
    const char *pp[1] = {parcel_id};
    if ((r = db_run(db, Q_NOTICE_PARCEL_CARRIER, pp, &kind, err)) == NULL) {
        db_rollback(db);
        return kind;
    }
    char *has = db_field(a, r, 0, 0), *has_code = db_field(a, r, 0, 1);
    char *has_tn = db_field(a, r, 0, 2);
    PQclear(r);
    if (actor->role == ROLE_CARRIER && has != NULL && strtoll(has, NULL, 10) != actor->carrier_id)
        return not_ours(db, err, i, l); /* another carrier claimed it since the line was read */
    if (want != NULL && has != NULL && strcmp(want, has) != 0) {
        snprintf(msg, sizeof msg, "the parcel goes with carrier %s, not %s", has_code,
                 want_code != NULL ? want_code : "the posting carrier");
        return line_fail(db, err, ERR_CONFLICT, i, l, "CarrierParty", msg);
    }
    if (want_tn != NULL && has_tn != NULL && strcasecmp(want_tn, has_tn) != 0)
        return line_fail(db, err, ERR_CONFLICT, i, l, "CarrierAssignedID",
                         "the parcel already has another carrier tracking number");
    if (want != NULL || want_tn != NULL) {
        const char *sp[3] = {parcel_id, want, want_tn};
        if ((r = db_run(db, Q_NOTICE_PARCEL_CARRIER_SET, sp, &kind, err)) == NULL) {
            db_rollback(db);
            return kind;
        }
        PQclear(r);
    }
    if (has_code == NULL && want_code == NULL && want != NULL) {
        const char *cp[1] = {parcel_id};
        if ((r = db_run(db, Q_NOTICE_PARCEL_CARRIER, cp, &kind, err)) == NULL) {
            db_rollback(db);
            return kind;
        }
        want_code = db_field(a, r, 0, 1);
        PQclear(r);
    }
    *code = has_code != NULL ? has_code : want_code;
    *tn = has_tn != NULL ? has_tn : want_tn;
    return DB_ONE;
}

enum db_result db_despatch_import(struct db *db, const char *sender, const unsigned char sha256[32],
                                  const struct despatch_advice *da, const struct principal *actor,
                                  int *status, json_t **response, struct err *err)
{
    enum db_result kind;
    PGresult *r;
    char tid[24];
    struct arena a;

    char carrier[24];
    snprintf(tid, sizeof tid, "%lld", (long long)actor->token_id);
    snprintf(carrier, sizeof carrier, "%lld", (long long)actor->carrier_id);
    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    const char *dp[5] = {sender, "DespatchAdvice", da->id, (const char *)sha256, tid};
    int dl[5] = {0, 0, 0, 32, 0};
    int df[5] = {0, 0, 0, 1, 0};
    r = db_run_bin(db, Q_DOC_INSERT, dp, dl, df, &kind, err);
    if (r == NULL) {
        db_rollback(db);
        return kind;
    }
    if (PQntuples(r) == 0) {
        /* seen before (a concurrent first import waited on the unique key and committed) */
        PQclear(r);
        const char *gp[3] = {sender, "DespatchAdvice", da->id};
        r = db_run(db, Q_DOC_GET, gp, &kind, err);
        db_rollback(db);
        if (r == NULL)
            return kind;
        size_t hlen = 0;
        unsigned char *h = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 1), &hlen);
        bool same = h != NULL && hlen == 32 && memcmp(h, sha256, 32) == 0;
        PQfreemem(h);
        if (!same) {
            PQclear(r);
            err_set(err, ERR_CONFLICT, "ID",
                    "a different document with this ID was already received from this sender");
            return DB_FAIL;
        }
        *status = atoi(PQgetvalue(r, 0, 2));
        *response = json_loads(PQgetvalue(r, 0, 3), 0, NULL);
        PQclear(r);
        if (*response != NULL)
            json_object_set_new(*response, "replayed", json_true());
        return *response ? DB_ONE : DB_FAIL;
    }
    char doc_id[24];
    snprintf(doc_id, sizeof doc_id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);

    arena_init(&a);
    int64_t *line_ids = arena_alloc(&a, sizeof *line_ids * (da->n_lines ? da->n_lines : 1));
    json_t *parcels = json_array();
    for (size_t i = 0; i < da->n_lines; i++) {
        const struct despatch_line *l = &da->lines[i];
        const char *serial = l->serial_number[0] ? l->serial_number : NULL;
        /* a carrier sees the returns it carries (or that no carrier has yet) only: another
         * carrier's rma is answered as one that does not exist (DESIGN: the object is theirs) */
        const char *np[3] = {l->rma_number, serial, actor->role == ROLE_CARRIER ? carrier : NULL};

        if (l->sscc[0] && (strlen(l->sscc) != SCANCODE_SSCC_LEN ||
                           scancode_gs1_check_digit(l->sscc, SCANCODE_SSCC_LEN - 1) !=
                               l->sscc[SCANCODE_SSCC_LEN - 1] - '0')) {
            kind = line_fail(db, err, ERR_INVALID, i, l, "TransportHandlingUnit",
                             "not an sscc: 18 digits with a gs1 check digit");
            goto out;
        }
        const char *rp[2] = {l->rma_number, np[2]};
        if ((r = db_run(db, Q_NOTICE_RMA, rp, &kind, err)) == NULL) {
            db_rollback(db);
            goto out;
        }
        bool rma_seen = PQntuples(r) == 1;
        PQclear(r);
        if (!rma_seen) {
            kind = not_ours(db, err, i, l);
            goto out;
        }
        r = db_run(db, Q_NOTICE_LINE, np, &kind, err);
        if (r == NULL) {
            db_rollback(db);
            goto out;
        }
        if (PQntuples(r) == 0) {
            PQclear(r);
            kind = serial ? line_fail(db, err, ERR_INVALID, i, l, "SerialID",
                                      "no line of this rma has this serial number") :
                            not_ours(db, err, i, l);
            goto out;
        }
        if (PQntuples(r) > 1 && serial == NULL) {
            PQclear(r);
            kind = line_fail(db, err, ERR_INVALID, i, l, "SerialID",
                             "the rma has several lines: name the serial number");
            goto out;
        }
        if (strcmp(PQgetvalue(r, 0, 3), "t") != 0 || strcmp(PQgetvalue(r, 0, 4), "f") != 0 ||
            PQgetisnull(r, 0, 2)) {
            PQclear(r);
            kind = line_fail(db, err, ERR_CONFLICT, i, l, "OrderReference",
                             "the rma is not expecting a return");
            goto out;
        }
        if (strcmp(PQgetvalue(r, 0, 10), "t") == 0) {
            PQclear(r);
            kind = line_fail(db, err, ERR_CONFLICT, i, l, "OrderReference",
                             "this unit was already received at the depot");
            goto out;
        }
        /* rule 3: what one document announces for a line, over all its DespatchLines, stays
         * within what the line authorizes */
        int64_t authorized = strtoll(PQgetvalue(r, 0, 6), NULL, 10);
        int64_t id_of_line = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
        int64_t announced = l->quantity;
        for (size_t k = 0; k < i; k++)
            if (line_ids[k] == id_of_line)
                announced += da->lines[k].quantity;
        line_ids[i] = id_of_line;
        if (announced > authorized) {
            PQclear(r);
            kind = line_fail(db, err, ERR_INVALID, i, l, "DeliveredQuantity",
                             "more than the rma authorizes for this line");
            goto out;
        }
        char *rma_id = db_field(&a, r, 0, 0);
        char *line_id = db_field(&a, r, 0, 1);
        char *parcel_id = db_field(&a, r, 0, 2);
        int line_no = atoi(PQgetvalue(r, 0, 8));
        int parcel_no = atoi(PQgetvalue(r, 0, 9));
        PQclear(r);
        const char *sscc = l->sscc[0] ? l->sscc : NULL;
        const char *ap[2] = {parcel_id, sscc};
        r = db_run(db, Q_PARCEL_ANNOUNCE, ap, &kind, err);
        if (r == NULL) {
            if (err->kind == ERR_CONFLICT) {
                err_clear(err);
                kind = line_fail(db, err, ERR_CONFLICT, i, l, "TransportHandlingUnit",
                                 "this sscc belongs to another parcel");
            } else {
                db_rollback(db);
            }
            goto out;
        }
        if (PQntuples(r) == 0) {
            PQclear(r);
            kind = line_fail(db, err, ERR_CONFLICT, i, l, "TransportHandlingUnit",
                             "the parcel already has another sscc");
            goto out;
        }
        PQclear(r);
        const char *carrier_code = NULL, *tn = NULL;
        if ((kind = notice_carrier(db, err, i, l, parcel_id, actor, &a, &carrier_code, &tn)) !=
            DB_ONE)
            goto out;
        char qty[24];
        snprintf(qty, sizeof qty, "%lld", (long long)l->quantity);
        const char *ip[7] = {doc_id, rma_id, line_id, parcel_id, serial, sscc, qty};
        if ((r = db_run(db, Q_NOTICE_INSERT, ip, &kind, err)) == NULL) {
            db_rollback(db);
            goto out;
        }
        PQclear(r);
        const char *ev[13] = {NULL,
                              rma_id,
                              line_id,
                              parcel_id,
                              NULL,
                              "advance_notice",
                              NULL,
                              NULL,
                              actor->name,
                              tid,
                              "xml",
                              NULL,
                              arena_printf(&a, "{\"document\": %s}", doc_id)};
        if ((r = db_run(db, Q_EVENT_INSERT, ev, &kind, err)) == NULL) {
            db_rollback(db);
            goto out;
        }
        PQclear(r);
        json_array_append_new(parcels,
                              json_pack("{s:s, s:i, s:i, s:s?, s:s?, s:s?, s:s?}", "rma_number",
                                        l->rma_number, "line_no", line_no, "parcel_no", parcel_no,
                                        "serial_number", serial, "sscc", sscc, "carrier",
                                        carrier_code, "tracking_number", tn));
    }
    *status = 201;
    *response = json_pack("{s:s, s:s, s:s, s:O}", "document", "DespatchAdvice", "id", da->id,
                          "outcome", "recorded", "parcels", parcels);
    char *text = json_dumps(*response, JSON_COMPACT);
    const char *fp[3] = {doc_id, "201", text};
    r = db_run(db, Q_DOC_FINISH, fp, &kind, err);
    free(text);
    if (r == NULL) {
        db_rollback(db);
        json_decref(*response);
        *response = NULL;
        goto out;
    }
    PQclear(r);
    kind = db_commit(db, err);
    if (kind != DB_ONE) {
        json_decref(*response);
        *response = NULL;
    }
out:
    json_decref(parcels);
    arena_release(&a);
    return kind;
}

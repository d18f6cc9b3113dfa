/*
 * db_manifest: carrier pickup manifests and the outbound documents of issue 5 (see
 * include/db/manifest.h).
 *
 * Locks, always in this order, so closes, voids and shipment events never deadlock:
 *   close     advisory lock of the carrier (closes of one carrier take turns) -> each parcel's
 *             line (db_line_ref, FOR UPDATE) -> the parcel row (FOR UPDATE, state rechecked)
 *   void      the manifest row -> each parcel's line -> the parcel row
 *   ship      (db_repair.c) the line -> the parcel row
 * A parcel that shipped between the candidate query and its line lock is simply left off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db/manifest.h"
#include "db_int.h"

static json_t *load_json(const char *text, struct err *err)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);

    if (j == NULL)
        err_set(err, ERR_INTERNAL, NULL, "cannot read the manifest");
    return j;
}

/* The manifest as JSON (new reference) inside the current transaction or on its own. */
static enum db_result manifest_view(struct db *db, const char *id, json_t **out, struct err *err)
{
    enum db_result kind;
    const char *p[1] = {id};
    PGresult *r = db_run(db, Q_MFST_VIEW, p, &kind, err);

    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "manifest", "no such manifest");
        return DB_NONE;
    }
    *out = load_json(PQgetvalue(r, 0, 0), err);
    PQclear(r);
    return *out != NULL ? DB_ONE : DB_FAIL;
}

/* The handling marks of a JSON array of strings, from the arena. */
static void marks_from_json(struct arena *a, const char *text, const char *const **marks, size_t *n)
{
    json_error_t jerr;
    json_t *arr = text != NULL ? json_loads(text, 0, &jerr) : NULL;
    const char **out;
    size_t i, k = 0;
    json_t *v;

    *marks = NULL;
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        json_decref(arr);
        return;
    }
    out = arena_alloc(a, json_array_size(arr) * sizeof *out);
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && json_string_length(v) > 0)
            out[k++] = arena_strdup(a, json_string_value(v));
    }
    json_decref(arr);
    *marks = out;
    *n = k;
}

static char *field(struct arena *a, const PGresult *r, int row, int col)
{
    return db_field(a, r, row, col);
}

/* One parcel the close takes: ids for the SQL, the model for the XML. */
struct candidate {
    char id[24];
    char rma_number[16];
    int line_no;
};

enum db_result db_pickup_close(struct db *db, const struct pickup_request *rq,
                               const struct principal *actor, manifest_render_fn render, void *ctx,
                               json_t **out, struct err *err)
{
    enum db_result kind;
    struct arena a;
    PGresult *r;
    char carrier_id[24], count[24], tid[24], id[24];
    struct candidate *cands = NULL;
    size_t n_cands = 0, unlabelled = 0, n = 0;
    struct manifest m;
    struct manifest_parcel *parcels;
    char *xml = NULL, *ids;
    size_t xml_len = 0, ids_len, ids_cap;
    unsigned char sha[crypto_hash_sha256_BYTES];

    *out = NULL;
    memset(&m, 0, sizeof m);
    arena_init(&a);
    if ((kind = db_begin(db, err)) != DB_ONE) {
        arena_release(&a);
        return kind;
    }
    const char *cp[2] = {rq->carrier, rq->account};
    if ((r = db_tx_run(db, Q_MFST_CARRIER, cp, &kind, err)) == NULL)
        goto done;
    if (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 3), "t") != 0) {
        bool known = PQntuples(r) == 1;
        PQclear(r);
        db_rollback(db);
        err_set(err, ERR_INVALID, known ? "account" : "carrier",
                known ? "is not an account of this carrier" : "unknown carrier");
        kind = DB_FAIL;
        goto done;
    }
    snprintf(carrier_id, sizeof carrier_id, "%s", PQgetvalue(r, 0, 0));
    m.carrier_code = field(&a, r, 0, 1);
    m.carrier_account = field(&a, r, 0, 2);
    m.pickup_date = rq->date;
    PQclear(r);

    const char *lp[1] = {carrier_id};
    if ((r = db_tx_run(db, Q_MFST_TURN, lp, &kind, err)) == NULL)
        goto done;
    PQclear(r);
    if ((r = db_tx_run(db, Q_MFST_CANDIDATES, lp, &kind, err)) == NULL)
        goto done;
    n_cands = (size_t)PQntuples(r);
    cands = arena_alloc(&a, (n_cands ? n_cands : 1) * sizeof *cands);
    for (size_t i = 0; i < (size_t)PQntuples(r); i++) {
        if (strcmp(PQgetvalue(r, (int)i, 3), "t") != 0) {
            unlabelled++; /* not labelled yet: it cannot be handed to the carrier */
            continue;
        }
        struct candidate *c = &cands[n++];
        snprintf(c->id, sizeof c->id, "%s", PQgetvalue(r, (int)i, 0));
        snprintf(c->rma_number, sizeof c->rma_number, "%s", PQgetvalue(r, (int)i, 1));
        c->line_no = atoi(PQgetvalue(r, (int)i, 2));
    }
    PQclear(r);
    n_cands = n;
    if (n_cands > MANIFEST_PARCELS_MAX) {
        n_cands = MANIFEST_PARCELS_MAX; /* the rest waits for the next close */
    }

    if ((r = db_tx_run(db, Q_MFST_NEXT, NULL, &kind, err)) == NULL)
        goto done;
    if (PQntuples(r) != 1) {
        PQclear(r);
        db_rollback(db);
        err_set(err, ERR_CONFLICT, "carrier", "no default depot is configured");
        kind = DB_FAIL;
        goto done;
    }
    m.manifest_no = field(&a, r, 0, 0);
    m.created = field(&a, r, 0, 1);
    m.shipper = (struct address){field(&a, r, 0, 2), field(&a, r, 0, 3), field(&a, r, 0, 4),
                                 field(&a, r, 0, 5), field(&a, r, 0, 6)};
    PQclear(r);

    parcels = arena_alloc(&a, (n_cands ? n_cands : 1) * sizeof *parcels);
    ids_cap = n_cands * 24 + 3;
    ids = arena_alloc(&a, ids_cap);
    ids_len = (size_t)snprintf(ids, ids_cap, "{");
    for (size_t i = 0; i < n_cands; i++) {
        struct candidate *c = &cands[i];
        struct line_ref l;
        const char *to = NULL;
        struct err ignored = {0};

        if ((kind = db_line_ref(db, c->rma_number, c->line_no, &l, err)) != DB_ONE) {
            kind = db_tx_abort(db, kind);
            goto done;
        }
        const char *pp[2] = {c->id, "packed"};
        if ((r = db_tx_run(db, Q_MFST_PARCEL, pp, &kind, err)) == NULL)
            goto done;
        if (PQntuples(r) != 1 || l.closed) {
            PQclear(r); /* shipped or closed meanwhile: left off */
            continue;
        }
        struct manifest_parcel *mp = &parcels[m.n_parcels];
        enum rma_type type;
        memset(mp, 0, sizeof *mp);
        mp->sscc = field(&a, r, 0, 0);
        mp->tracking_number = field(&a, r, 0, 1);
        mp->rma_number = arena_strdup(&a, c->rma_number);
        mp->parcel_no = atoi(PQgetvalue(r, 0, 2));
        mp->parcel_count = atoi(PQgetvalue(r, 0, 3));
        if (rma_type_parse(PQgetvalue(r, 0, 4), &type, &ignored) != 0)
            type = RMA_TYPE_REPAIR;
        mp->service = manifest_service_for(type);
        mp->consignee = (struct address){field(&a, r, 0, 5), field(&a, r, 0, 6), field(&a, r, 0, 7),
                                         field(&a, r, 0, 8), field(&a, r, 0, 9)};
        marks_from_json(&a, PQgetvalue(r, 0, 10), &mp->handling_marks, &mp->n_marks);
        PQclear(r);

        char *evidence = arena_printf(&a, "{\"manifest_no\": \"%s\", \"parcel_no\": %d}",
                                      m.manifest_no, mp->parcel_no);
        kind = db_leg_move(db, &l, LEG_OUTBOUND, LEG_EV_MANIFEST, "packed", actor, "api", NULL,
                           evidence, &to, err);
        if (kind != DB_ONE) {
            kind = db_tx_abort(db, kind);
            goto done;
        }
        const char *sp[3] = {c->id, "packed", "manifested"};
        if ((r = db_tx_run(db, Q_MFST_PARCEL_STATE, sp, &kind, err)) == NULL)
            goto done;
        PQclear(r);
        ids_len += (size_t)snprintf(ids + ids_len, ids_cap - ids_len, "%s%s",
                                    m.n_parcels > 0 ? "," : "", c->id);
        m.n_parcels++;
    }
    snprintf(ids + ids_len, ids_cap - ids_len, "}");
    if (m.n_parcels == 0) {
        db_rollback(db);
        if (unlabelled > 0)
            err_set(err, ERR_CONFLICT, "carrier",
                    "nothing to manifest: %zu packed parcel(s) of %s have no label yet", unlabelled,
                    m.carrier_code);
        else
            err_set(err, ERR_CONFLICT, "carrier",
                    "nothing to manifest: no packed parcel of %s is waiting for a pickup",
                    m.carrier_code);
        kind = DB_FAIL;
        goto done;
    }
    m.parcels = parcels;

    if (render(ctx, &m, &xml, &xml_len, err) != 0) {
        db_rollback(db);
        kind = DB_FAIL;
        goto done;
    }
    crypto_hash_sha256(sha, (const unsigned char *)xml, xml_len);
    snprintf(count, sizeof count, "%zu", m.n_parcels);
    snprintf(tid, sizeof tid, "%lld", (long long)actor->token_id);
    const char *ip[9] = {m.manifest_no,
                         carrier_id,
                         m.carrier_account,
                         m.pickup_date,
                         MANIFEST_FORMAT_VERSION,
                         count,
                         xml,
                         (const char *)sha,
                         tid};
    int il[9] = {0, 0, 0, 0, 0, 0, (int)xml_len, (int)sizeof sha, 0};
    int ifmt[9] = {0, 0, 0, 0, 0, 0, 1, 1, 0};
    if ((r = db_run_bin(db, Q_MFST_INSERT, ip, il, ifmt, &kind, err)) == NULL) {
        db_rollback(db);
        goto done;
    }
    snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    const char *kp[2] = {id, ids};
    if ((r = db_tx_run(db, Q_MFST_LINK, kp, &kind, err)) == NULL)
        goto done;
    PQclear(r);
    if ((kind = manifest_view(db, id, out, err)) != DB_ONE) {
        kind = db_tx_abort(db, kind);
        goto done;
    }
    json_object_set_new(*out, "unlabelled", json_integer((json_int_t)unlabelled));
    kind = db_commit(db, err);
    if (kind != DB_ONE) {
        json_decref(*out);
        *out = NULL;
    }
done:
    free(xml);
    arena_release(&a);
    return kind;
}

enum db_result db_manifest_xml(struct db *db, int64_t id, const struct principal *who,
                               struct arena *a, char **xml, size_t *len, char **sha256_hex,
                               struct err *err)
{
    enum db_result kind;
    char ids[24];

    snprintf(ids, sizeof ids, "%lld", (long long)id);
    const char *p[1] = {ids};
    PGresult *r = db_run(db, Q_MFST_XML, p, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1 ||
        (who->role == ROLE_CARRIER && strtoll(PQgetvalue(r, 0, 2), NULL, 10) != who->carrier_id)) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "manifest", "no such manifest");
        return DB_NONE;
    }
    *len = (size_t)PQgetlength(r, 0, 0);
    *xml = arena_alloc(a, *len + 1);
    memcpy(*xml, PQgetvalue(r, 0, 0), *len);
    (*xml)[*len] = '\0';
    *sha256_hex = db_field(a, r, 0, 1);
    PQclear(r);
    return DB_ONE;
}

enum db_result db_manifest_list(struct db *db, const char *carrier, const char *date,
                                const struct principal *who, json_t **out, struct err *err)
{
    enum db_result kind;
    char cid[24];
    json_t *list;

    snprintf(cid, sizeof cid, "%lld", (long long)who->carrier_id);
    const char *p[3] = {carrier, date, who->role == ROLE_CARRIER ? cid : NULL};
    PGresult *r = db_run(db, Q_MFST_LIST, p, &kind, err);
    if (r == NULL)
        return kind;
    list = load_json(PQgetvalue(r, 0, 0), err);
    PQclear(r);
    if (list == NULL)
        return DB_FAIL;
    *out = json_pack("{s:o}", "manifests", list);
    return DB_ONE;
}

enum db_result db_manifest_void(struct db *db, int64_t id, const char *reason,
                                const struct principal *actor, json_t **out, struct err *err)
{
    enum db_result kind;
    PGresult *r;
    char ids[24], tid[24];
    char manifest_no[32];
    struct arena a;
    struct candidate *ps;
    int n;

    *out = NULL;
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    snprintf(tid, sizeof tid, "%lld", (long long)actor->token_id);
    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    const char *p[1] = {ids};
    if ((r = db_tx_run(db, Q_MFST_LOCK, p, &kind, err)) == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        db_rollback(db);
        err_set(err, ERR_NOT_FOUND, "manifest", "no such manifest");
        return DB_NONE;
    }
    bool open = strcmp(PQgetvalue(r, 0, 0), "open") == 0;
    snprintf(manifest_no, sizeof manifest_no, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    if (!open) {
        db_rollback(db);
        err_set(err, ERR_CONFLICT, "status", "the manifest is voided already");
        return DB_FAIL;
    }
    if ((r = db_tx_run(db, Q_MFST_PARCELS, p, &kind, err)) == NULL)
        return kind;
    n = PQntuples(r);
    arena_init(&a);
    ps = arena_alloc(&a, (size_t)(n ? n : 1) * sizeof *ps);
    for (int i = 0; i < n; i++) {
        snprintf(ps[i].id, sizeof ps[i].id, "%s", PQgetvalue(r, i, 0));
        snprintf(ps[i].rma_number, sizeof ps[i].rma_number, "%s", PQgetvalue(r, i, 1));
        ps[i].line_no = atoi(PQgetvalue(r, i, 2));
    }
    PQclear(r);
    for (int i = 0; i < n; i++) {
        struct line_ref l;
        const char *to = NULL;

        if ((kind = db_line_ref(db, ps[i].rma_number, ps[i].line_no, &l, err)) != DB_ONE) {
            kind = db_tx_abort(db, kind);
            goto done;
        }
        const char *sp[3] = {ps[i].id, "manifested", "packed"};
        if ((r = db_tx_run(db, Q_MFST_PARCEL_STATE, sp, &kind, err)) == NULL)
            goto done;
        int moved = PQntuples(r);
        PQclear(r);
        if (moved != 1 || strcmp(l.outbound, "manifested") != 0) {
            db_rollback(db);
            err_set(err, ERR_CONFLICT, "parcels",
                    "a parcel of this manifest has left already (%s, outbound leg %s)",
                    ps[i].rma_number, l.outbound[0] ? l.outbound : "missing");
            kind = DB_FAIL;
            goto done;
        }
        char *evidence =
            arena_printf(&a, "{\"manifest_no\": \"%s\", \"parcel_id\": %s}", manifest_no, ps[i].id);
        kind = db_leg_move(db, &l, LEG_OUTBOUND, LEG_EV_UNMANIFEST, "manifested", actor, "api",
                           reason, evidence, &to, err);
        if (kind != DB_ONE) {
            kind = db_tx_abort(db, kind);
            goto done;
        }
    }
    const char *vp[3] = {ids, tid, reason};
    if ((r = db_tx_run(db, Q_MFST_VOID, vp, &kind, err)) == NULL)
        goto done;
    PQclear(r);
    if ((kind = manifest_view(db, ids, out, err)) != DB_ONE) {
        kind = db_tx_abort(db, kind);
        goto done;
    }
    kind = db_commit(db, err);
    if (kind != DB_ONE) {
        json_decref(*out);
        *out = NULL;
    }
done:
    arena_release(&a);
    return kind;
}

enum db_result db_despatch_out(struct db *db, const char *rma_number, int parcel_no,
                               const struct principal *who, struct arena *a,
                               struct despatch_out *out, struct err *err)
{
    enum db_result kind;
    char no[16];
    struct despatch_out_line *line;

    snprintf(no, sizeof no, "%d", parcel_no);
    const char *p[2] = {rma_number, no};
    PGresult *r = db_run(db, Q_MFST_DESPATCH, p, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1 ||
        (who->role == ROLE_CARRIER &&
         (PQgetisnull(r, 0, 22) || strtoll(PQgetvalue(r, 0, 22), NULL, 10) != who->carrier_id))) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "parcel", "no such shipment");
        return DB_NONE;
    }
    if (PQgetisnull(r, 0, 2)) {
        PQclear(r);
        err_set(err, ERR_CONFLICT, "parcel", "the parcel has no sscc yet: print its label first");
        return DB_FAIL;
    }
    memset(out, 0, sizeof *out);
    out->rma_number = db_field(a, r, 0, 0);
    out->id = arena_printf(a, "%s-D%s", out->rma_number, PQgetvalue(r, 0, 1));
    out->sscc = db_field(a, r, 0, 2);
    out->tracking_number = db_field(a, r, 0, 3);
    out->issue_date = db_field(a, r, 0, 4);
    out->issue_time = arena_printf(a, "%s+00:00", PQgetvalue(r, 0, 5));
    out->depot = (struct address){db_field(a, r, 0, 6), db_field(a, r, 0, 7), db_field(a, r, 0, 8),
                                  db_field(a, r, 0, 9), db_field(a, r, 0, 10)};
    out->customer =
        (struct address){db_field(a, r, 0, 11), db_field(a, r, 0, 12), db_field(a, r, 0, 13),
                         db_field(a, r, 0, 14), db_field(a, r, 0, 15)};
    line = arena_alloc(a, sizeof *line);
    memset(line, 0, sizeof *line);
    line->line_no = atoi(PQgetvalue(r, 0, 16));
    line->quantity = strtoll(PQgetvalue(r, 0, 17), NULL, 10);
    line->product_model = db_field(a, r, 0, 18);
    line->product_name = db_field(a, r, 0, 19);
    line->serial_number = db_field(a, r, 0, 20);
    marks_from_json(a, PQgetvalue(r, 0, 21), &out->handling_marks, &out->n_marks);
    out->lines = line;
    out->n_lines = 1;
    PQclear(r);
    return DB_ONE;
}

/* "grade B; findings: physical_damage, cosmetic" and the damage ones as a rejection. */
static void inspection_findings(struct arena *a, struct receipt_line *l, const char *grade,
                                const char *findings_json)
{
    json_error_t jerr;
    json_t *arr = json_loads(findings_json, 0, &jerr);
    char *all = arena_strdup(a, "");
    char *damage = arena_strdup(a, "");
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v)
    {
        const char *f = json_string_value(v);
        if (f == NULL)
            continue;
        all = arena_printf(a, "%s%s%s", all, all[0] ? ", " : "", f);
        if (docs_finding_is_damage(f)) {
            if (l->reject_reason_code == NULL)
                l->reject_reason_code = arena_strdup(a, f);
            damage = arena_printf(a, "%s%s%s", damage, damage[0] ? ", " : "", f);
        }
    }
    json_decref(arr);
    l->note = arena_printf(a, "inspection grade %s; findings: %s", grade, all[0] ? all : "none");
    if (l->reject_reason_code != NULL) {
        l->rejected_quantity = l->received_quantity > 0 ? l->received_quantity : 1;
        l->reject_reason = arena_printf(a, "damage found at inspection: %s", damage);
    }
}

enum db_result db_receipt_advice_inspection(struct db *db, const char *rma_number, struct arena *a,
                                            struct receipt_advice *ra, struct err *err)
{
    enum db_result kind = db_receipt_advice(db, rma_number, a, ra, err);
    const char *p[1] = {rma_number};
    struct receipt_line *lines;
    PGresult *r;
    int n;

    /* the head (depot, customer) is the dock receipt's; nothing received: nothing inspected */
    if (kind != DB_ONE)
        return kind;
    if ((r = db_run(db, Q_MFST_INSPECTED, p, &kind, err)) == NULL)
        return kind;
    n = PQntuples(r);
    if (n == 0) {
        PQclear(r);
        err_set(err, ERR_CONFLICT, "stage", "no line of this rma has been inspected yet");
        return DB_FAIL;
    }
    lines = arena_alloc(a, (size_t)n * sizeof *lines);
    memset(lines, 0, (size_t)n * sizeof *lines);
    for (int i = 0; i < n; i++) {
        lines[i].line_no = atoi(PQgetvalue(r, i, 0));
        lines[i].serial_number = db_field(a, r, i, 1);
        lines[i].product_model = db_field(a, r, i, 2);
        lines[i].product_name = db_field(a, r, i, 3);
        lines[i].received_quantity = strtoll(PQgetvalue(r, i, 4), NULL, 10);
        lines[i].short_quantity = strtoll(PQgetvalue(r, i, 5), NULL, 10);
        lines[i].sscc = db_field(a, r, i, 6);
        inspection_findings(a, &lines[i], PQgetvalue(r, i, 7), PQgetvalue(r, i, 8));
    }
    /* issued when the latest inspection was recorded */
    int latest = 0;
    for (int i = 1; i < n; i++) {
        int c = strcmp(PQgetvalue(r, i, 9), PQgetvalue(r, latest, 9));
        if (c > 0 || (c == 0 && strcmp(PQgetvalue(r, i, 10), PQgetvalue(r, latest, 10)) > 0))
            latest = i;
    }
    ra->issue_date = db_field(a, r, latest, 9);
    ra->issue_time = arena_printf(a, "%s+00:00", PQgetvalue(r, latest, 10));
    ra->id = arena_printf(a, "%s-RI%s", ra->rma_number, PQgetvalue(r, 0, 11));
    PQclear(r);
    ra->lines = lines;
    ra->n_lines = (size_t)n;
    return DB_ONE;
}

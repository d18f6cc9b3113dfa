/*
 * db_archive: the archived service record of a closed or cancelled case (issue 3).
 *
 * One transaction: lock the case row, move it closed (or cancelled) -> archived (one event), build
 * the record as JSON from one statement per section, render the PDF (a callback: drawing is the
 * label layer's job), store both once in case_record with their SHA-256, commit.  The triggers of
 * migrations/0012_archive_sla.sql keep the record and everything of the case unchanged from
 * then on, also against SQL typed by hand.
 *
 * The record's keys keep the order of the section table and of the statements' json_build_object
 * calls (jansson keeps insertion order), so the JSON reads the same way for every case.  A new
 * section is one statement and one row of `sections`.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/log.h"
#include "db/archive.h"
#include "db_int.h"

/* Each statement takes $1 = the case id and returns one row with one JSON value.  The order here
 * is the order of the record's keys.  One row per line: */
/* clang-format off */
static const struct section {
    const char *key;
    enum stmt q;
} sections[] = {
    {"intake", Q_ARCH_INTAKE},
    {"assignments", Q_ARCH_ASSIGNMENTS},
    {"contacts", Q_ARCH_CONTACTS},
    {"fault_isolation", Q_ARCH_FAULT_ISOLATION},
    {"authorizations", Q_ARCH_AUTHORIZATIONS},
    {"remote_sessions", Q_ARCH_REMOTE_SESSIONS},
    {"onsite_visits", Q_ARCH_ONSITE_VISITS},
    {"service_log", Q_ARCH_SERVICE_LOG},
    {"rmas", Q_ARCH_RMAS},
    {"follow_up", Q_ARCH_FOLLOW_UP},
    {"feedback", Q_ARCH_FEEDBACK},
    {"emails", Q_ARCH_EMAILS},
    {"events", Q_ARCH_EVENTS},
};
/* clang-format on */

/* One JSON value from the first column of q's single row; NULL after err. */
static json_t *json_of(struct db *db, enum stmt q, const char *const *p, enum db_result *kind,
                       struct err *err)
{
    json_error_t jerr;
    PGresult *r = db_run(db, q, p, kind, err);

    if (r == NULL)
        return NULL;
    json_t *v = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ?
                    json_loads(PQgetvalue(r, 0, 0), JSON_DECODE_ANY, &jerr) :
                    NULL;
    PQclear(r);
    if (v == NULL) {
        log_warnx("archive: section %s is not json", db_statements[q].name);
        err_set(err, ERR_INTERNAL, NULL, "cannot build the service record");
        *kind = DB_FAIL;
    }
    return v;
}

static void sha256_hex(const unsigned char *data, size_t len, unsigned char bin[32], char hex[65])
{
    crypto_hash_sha256(bin, data, len);
    sodium_bin2hex(hex, 65, bin, 32);
}

/* Builds the record of case_id (inside the transaction). */
static json_t *build_record(struct db *db, const char *case_id, const struct principal *actor,
                            enum db_result *kind, struct err *err)
{
    const char *hp[2] = {case_id, actor->name};
    json_t *rec = json_of(db, Q_ARCH_HEAD, hp, kind, err);

    if (rec == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        const char *p[1] = {case_id};
        json_t *v = json_of(db, sections[i].q, p, kind, err);
        if (v == NULL) {
            json_decref(rec);
            return NULL;
        }
        json_object_set_new(rec, sections[i].key, v);
    }
    /* each RMA's status as its views derive it (core/rma.h: from its lines' legs) */
    size_t i;
    json_t *rma;
    json_array_foreach(json_object_get(rec, "rmas"), i, rma)
    {
        json_t *view = NULL;
        const char *number = json_string_value(json_object_get(rma, "rma_number"));
        if ((*kind = db_rma_view(db, number, &view, err)) != DB_ONE) {
            json_decref(rec);
            return NULL;
        }
        json_object_set(rma, "status", json_object_get(view, "status"));
        json_decref(view);
    }
    return rec;
}

static enum db_result rollback(struct db *db, enum db_result kind)
{
    db_rollback(db);
    return kind;
}

enum db_result db_case_archive(struct db *db, const char *case_number,
                               const struct principal *actor, db_record_render_fn render, void *ctx,
                               struct case_record_info *out, struct err *err)
{
    enum db_result kind;
    PGresult *r;
    char case_id[24];
    char status[32];

    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    const char *cp[1] = {case_number};
    if ((r = db_run(db, Q_ARCH_CASE_LOCK, cp, &kind, err)) == NULL)
        return rollback(db, kind);
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "case_number", "no such case");
        return rollback(db, DB_NONE);
    }
    snprintf(case_id, sizeof case_id, "%s", PQgetvalue(r, 0, 0));
    snprintf(status, sizeof status, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    if (strcmp(status, "closed") != 0 && strcmp(status, "cancelled") != 0) {
        err_set(err, ERR_CONFLICT, "status",
                "the case is %s: only a closed or cancelled case is archived", status);
        return rollback(db, DB_FAIL);
    }

    enum case_state to;
    kind = db_case_move(db, strtoll(case_id, NULL, 10), CASE_EV_ARCHIVE, status, actor, "api", NULL,
                        NULL, &to, err);
    if (kind != DB_ONE)
        return rollback(db, kind);

    json_t *rec = build_record(db, case_id, actor, &kind, err);
    if (rec == NULL)
        return rollback(db, kind);
    char *text = json_dumps(rec, JSON_INDENT(2));
    unsigned char *pdf = NULL;
    size_t pdf_len = 0;
    if (text == NULL || render(ctx, rec, &pdf, &pdf_len, err) != 0) {
        if (text == NULL)
            err_set(err, ERR_INTERNAL, NULL, "cannot write the service record");
        json_decref(rec);
        free(text);
        return rollback(db, DB_FAIL);
    }
    snprintf(out->archived_at, sizeof out->archived_at, "%s",
             json_string_value(json_object_get(rec, "archived_at")));
    json_decref(rec);

    unsigned char rsha[32], psha[32];
    char token_id[24];
    out->record_len = strlen(text);
    out->pdf_len = pdf_len;
    sha256_hex((const unsigned char *)text, out->record_len, rsha, out->record_sha256);
    sha256_hex(pdf, pdf_len, psha, out->pdf_sha256);
    snprintf(token_id, sizeof token_id, "%lld", (long long)actor->token_id);
    const char *ip[6] = {case_id, text, (const char *)rsha, (const char *)pdf, (const char *)psha,
                         token_id};
    int il[6] = {0, 0, 32, (int)pdf_len, 32, 0};
    int ifmt[6] = {0, 0, 1, 1, 1, 0};
    r = db_run_bin(db, Q_ARCH_RECORD_INSERT, ip, il, ifmt, &kind, err);
    free(text);
    free(pdf);
    if (r == NULL)
        return rollback(db, kind);
    PQclear(r);
    return db_commit(db, err);
}

enum db_result db_case_record_get(struct db *db, const char *case_number, bool pdf, struct arena *a,
                                  unsigned char **data, size_t *len, char sha256_hex[65],
                                  struct err *err)
{
    enum db_result kind;
    const char *p[2] = {case_number, pdf ? "t" : "f"};
    PGresult *r = db_run_case(db, Q_ARCH_RECORD_GET, p, &kind, err);

    if (r == NULL)
        return kind;
    if (strcmp(PQgetvalue(r, 0, 3), "t") != 0) {
        err_set(err, ERR_NOT_FOUND, "status", "the case is %s: it has no archived record",
                PQgetvalue(r, 0, 0));
        PQclear(r);
        return DB_NONE;
    }
    size_t n = 0;
    unsigned char *bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 1), &n);
    if (bytes == NULL) {
        PQclear(r);
        err_set(err, ERR_INTERNAL, NULL, "cannot read the record");
        return DB_FAIL;
    }
    *data = arena_alloc(a, n + 1);
    memcpy(*data, bytes, n);
    (*data)[n] = '\0';
    *len = n;
    PQfreemem(bytes);
    snprintf(sha256_hex, 65, "%s", PQgetvalue(r, 0, 2));
    PQclear(r);
    return DB_ONE;
}

/*
 * db_labels: what labels read and write: a parcel's label content, SSCC allocation from
 * sscc_counter (migration 0006), the fallback flag of a parcel, the day's pickup batch of a
 * carrier and the label list of an RMA.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

enum db_result db_label_parcel(struct db *db, const char *rma_number, const char *direction,
                               int parcel_no, struct arena *a, struct label_content *lc,
                               int64_t *parcel_id, struct err *err)
{
    enum db_result kind;
    char pno[16];

    snprintf(pno, sizeof pno, "%d", parcel_no);
    const char *p[3] = {rma_number, direction, pno};
    PGresult *r = db_run(db, Q_LABEL_PARCEL, p, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "rma_number", "no such rma");
        return DB_NONE;
    }
    if (strcmp(PQgetvalue(r, 0, 1), "t") != 0 || strcmp(PQgetvalue(r, 0, 2), "t") == 0) {
        bool closed = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
        PQclear(r);
        err_set(err, ERR_CONFLICT, "rma_number",
                closed ? "the rma is closed" : "the rma is not authorized: it has no label");
        return DB_FAIL;
    }
    if (PQgetisnull(r, 0, 4)) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "parcel", "no such parcel");
        return DB_NONE;
    }
    memset(lc, 0, sizeof *lc);
    if (strcmp(direction, "inbound") == 0)
        lc->kind = LABEL_RETURN_TO_DEPOT;
    else if (strcmp(PQgetvalue(r, 0, 3), "advance_replacement") == 0)
        lc->kind = LABEL_SPARE;
    else
        lc->kind = LABEL_OUTBOUND;
    lc->rma_number = db_field(a, r, 0, 0);
    *parcel_id = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
    lc->parcel_no = atoi(PQgetvalue(r, 0, 5));
    lc->parcel_count = atoi(PQgetvalue(r, 0, 6));
    struct address customer = {db_field(a, r, 0, 7), db_field(a, r, 0, 8), db_field(a, r, 0, 9),
                               db_field(a, r, 0, 10), db_field(a, r, 0, 11)};
    struct address depot = {db_field(a, r, 0, 12), db_field(a, r, 0, 13), db_field(a, r, 0, 14),
                            db_field(a, r, 0, 15), db_field(a, r, 0, 16)};
    lc->from = lc->kind == LABEL_RETURN_TO_DEPOT ? customer : depot;
    lc->to = lc->kind == LABEL_RETURN_TO_DEPOT ? depot : customer;
    char *marks = db_field(a, r, 0, 17);
    lc->carrier = db_field(a, r, 0, 18);
    lc->tracking_number = db_field(a, r, 0, 19);
    lc->sscc = db_field(a, r, 0, 20);
    lc->core_due_date = lc->kind == LABEL_SPARE ? db_field(a, r, 0, 21) : NULL;
    lc->line_no = PQgetisnull(r, 0, 22) ? 0 : atoi(PQgetvalue(r, 0, 22));
    lc->serial_number = db_field(a, r, 0, 23);
    lc->product_model = db_field(a, r, 0, 24);
    PQclear(r);
    size_t m = 0;
    for (char *save = NULL, *t = marks ? strtok_r(marks, "|", &save) : NULL;
         t != NULL && m + 1 < LABEL_MARKS_MAX; t = strtok_r(NULL, "|", &save))
        lc->marks[m++] = t;
    return DB_ONE;
}

enum db_result db_label_sscc_next(struct db *db, const char *range_key, uint64_t first,
                                  uint64_t *ref, struct err *err)
{
    enum db_result kind;
    char f[24];

    snprintf(f, sizeof f, "%" PRIu64, first);
    const char *p[2] = {range_key, f};
    PGresult *r = db_run(db, Q_LABEL_SSCC_NEXT, p, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_INTERNAL, "sscc", "no serial reference");
        return DB_FAIL;
    }
    *ref = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return DB_ONE;
}

enum db_result db_label_set_sscc(struct db *db, int64_t parcel_id, const char *sscc,
                                 struct err *err)
{
    enum db_result kind;
    char id[24];

    snprintf(id, sizeof id, "%" PRId64, parcel_id);
    const char *p[2] = {id, sscc};
    PGresult *r = db_run(db, Q_LABEL_SET_SSCC, p, &kind, err);
    if (r == NULL)
        return kind;
    int n = PQntuples(r);
    PQclear(r);
    if (n != 1) {
        err_set(err, ERR_CONFLICT, "sscc", "the parcel has an sscc already");
        return DB_NONE;
    }
    return DB_ONE;
}

enum db_result db_label_flag(struct db *db, int64_t parcel_id, const char *reason,
                             const struct principal *actor, struct err *err)
{
    enum db_result kind;
    char id[24], tok[24];

    snprintf(id, sizeof id, "%" PRId64, parcel_id);
    snprintf(tok, sizeof tok, "%" PRId64, actor->token_id);
    const char *p[4] = {id, reason, actor->name, actor->token_id > 0 ? tok : NULL};
    PGresult *r = db_run(db, Q_LABEL_FLAG, p, &kind, err);
    if (r == NULL)
        return kind;
    PQclear(r);
    return DB_ONE;
}

enum db_result db_label_batch_day(struct db *db, const char *carrier, const char *date,
                                  struct arena *a, const char ***rma_numbers, int **parcel_nos,
                                  size_t *n, struct err *err)
{
    enum db_result kind;
    const char *p[2] = {carrier, date};
    PGresult *r = db_run(db, Q_LABEL_BATCH_DAY, p, &kind, err);

    if (r == NULL)
        return kind;
    size_t rows = (size_t)PQntuples(r);
    const char **nums = arena_alloc(a, (rows ? rows : 1) * sizeof *nums);
    int *nos = arena_alloc(a, (rows ? rows : 1) * sizeof *nos);
    for (size_t i = 0; i < rows; i++) {
        nums[i] = db_field(a, r, (int)i, 0);
        nos[i] = atoi(PQgetvalue(r, (int)i, 1));
    }
    PQclear(r);
    *rma_numbers = nums;
    *parcel_nos = nos;
    *n = rows;
    return DB_ONE;
}

static json_t *text_or_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? json_null() : json_string(PQgetvalue(r, row, col));
}

enum db_result db_label_list(struct db *db, const char *rma_number, json_t **out, struct err *err)
{
    enum db_result kind;
    const char *p[1] = {rma_number};
    PGresult *r = db_run(db, Q_LABEL_LIST, p, &kind, err);

    if (r == NULL)
        return kind;
    json_t *list = json_array();
    for (int i = 0; i < PQntuples(r); i++) {
        json_t *o = json_object();
        json_object_set_new(o, "direction", json_string(PQgetvalue(r, i, 0)));
        json_object_set_new(o, "parcel_no", json_integer(atoi(PQgetvalue(r, i, 1))));
        json_object_set_new(o, "parcel_count", json_integer(atoi(PQgetvalue(r, i, 2))));
        json_object_set_new(o, "state", json_string(PQgetvalue(r, i, 3)));
        json_object_set_new(o, "carrier", text_or_null(r, i, 4));
        json_object_set_new(o, "tracking_number", text_or_null(r, i, 5));
        json_object_set_new(o, "sscc", text_or_null(r, i, 6));
        json_object_set_new(o, "label_flag", text_or_null(r, i, 7));
        json_object_set_new(o, "rma_type", json_string(PQgetvalue(r, i, 8)));
        json_array_append_new(list, o);
    }
    PQclear(r);
    *out = list;
    return DB_ONE;
}

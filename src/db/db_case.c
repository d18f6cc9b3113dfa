/* db_case: service case intake and RMA creation (screening, lines, legs, parcels, events). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/address.h"
#include "core/rmanum.h"
#include "db_int.h"

enum db_result db_case_insert(struct db *db, const struct intake *in, const char *configuration,
                              const char *error_messages, const struct principal *actor,
                              struct arena *a, char **case_id, char **case_number, struct err *err)
{
    enum db_result kind;
    char postcode_norm[32];
    char token_id[24];
    PGresult *r;

    const char *mp[1] = {in->product_model};
    if ((r = db_tx_run(db, Q_MODEL_GET, mp, &kind, err)) == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return db_tx_fail(db, err, ERR_INVALID, "product_model", "unknown product model");
    }
    PQclear(r);
    /* a serial of the installed base is that model: the customer's model is a mistake (a serial
     * rmad does not know is taken: not every unit is in the base, and the RMA's entitlement
     * snapshot records in_install_base false) */
    if (in->serial_number != NULL && in->serial_number[0] != '\0') {
        const char *sp[1] = {in->serial_number};
        if ((r = db_tx_run(db, Q_INSTALL_BASE_GET, sp, &kind, err)) == NULL)
            return kind;
        if (PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 1), in->product_model) != 0) {
            char model[64];
            snprintf(model, sizeof model, "%s", PQgetvalue(r, 0, 1));
            PQclear(r);
            db_rollback(db);
            err_set(err, ERR_INVALID, "serial_number",
                    "belongs to a %s in the installed base, not a %s", model, in->product_model);
            return DB_FAIL;
        }
        PQclear(r);
    }

    address_postcode_normalize(in->service_address.postcode, postcode_norm, sizeof postcode_norm);
    snprintf(token_id, sizeof token_id, "%lld", (long long)actor->token_id);
    const char *p[18] = {in->channel,
                         in->product_model,
                         in->serial_number,
                         configuration,
                         error_messages,
                         in->fault_description,
                         in->contact.name,
                         in->contact.phone,
                         in->contact.email,
                         in->service_address.name,
                         in->service_address.street,
                         in->service_address.city,
                         in->service_address.postcode,
                         postcode_norm,
                         in->service_address.country,
                         token_id,
                         in->zone,
                         in->region};
    if ((r = db_tx_run(db, Q_CASE_INSERT, p, &kind, err)) == NULL)
        return kind;
    *case_id = db_field(a, r, 0, 0);
    *case_number = db_field(a, r, 0, 1);
    PQclear(r);
    const char *ep[4] = {*case_id, actor->name, token_id, in->channel};
    if ((r = db_tx_run(db, Q_EVENT_CASE, ep, &kind, err)) == NULL)
        return kind;
    PQclear(r);
    return DB_ONE;
}

enum db_result db_case_create(struct db *db, const struct intake *in, const char *configuration,
                              const char *error_messages, const struct principal *actor,
                              struct arena *a, char **case_number, struct err *err)
{
    enum db_result kind;
    char *case_id;

    if ((kind = db_begin(db, err)) != DB_ONE ||
        (kind = db_case_insert(db, in, configuration, error_messages, actor, a, &case_id,
                               case_number, err)) != DB_ONE)
        return kind;
    return db_commit(db, err);
}

/*
 * The quote offered with a screening that does not authorize: one priced line per RMA line
 * (repair price for repair and factory, the part's price for replacements, times the
 * quantity); a line the entitlement snapshot says is covered by warranty or a contract costs
 * nothing, except when misuse is suspected.  Expires in 14 days.  One event "quote_offered".
 */
static enum db_result offer_quote(struct db *db, const struct rma_request *req, const char *rma_id,
                                  const char *const *line_ids, char **records, const char *token_id,
                                  const struct principal *actor, struct arena *a, struct err *err)
{
    enum db_result kind;
    PGresult *r;
    int64_t total = 0;
    char currency[8] = "";
    int64_t *amounts = arena_alloc(a, req->n_lines * sizeof *amounts);
    const char **coverage = arena_alloc(a, req->n_lines * sizeof *coverage);
    char **descr = arena_alloc(a, req->n_lines * sizeof *descr);
    bool repair = req->type == RMA_TYPE_REPAIR || req->type == RMA_TYPE_FACTORY;

    for (size_t i = 0; i < req->n_lines; i++) {
        const struct rma_request_line *l = &req->lines[i];
        const char *mp[1] = {l->product_model};
        if ((r = db_run(db, Q_MONEY_MODEL, mp, &kind, err)) == NULL)
            return kind;
        int64_t price = strtoll(PQgetvalue(r, 0, repair ? 4 : 5), NULL, 10) * l->quantity;
        if (currency[0] == '\0') {
            snprintf(currency, sizeof currency, "%s", PQgetvalue(r, 0, 6));
        } else if (strcmp(currency, PQgetvalue(r, 0, 6)) != 0) {
            char field[64];
            PQclear(r);
            snprintf(field, sizeof field, "lines[%zu].product_model", i);
            err_set(err, ERR_INVALID, field, "is priced in another currency than line 0");
            return DB_FAIL;
        }
        descr[i] =
            arena_printf(a, "%s of %s %s", repair ? "repair" : "replacement", PQgetvalue(r, 0, 7),
                         l->serial_number ? l->serial_number : "(parts)");
        if (l->serial_number == NULL && l->quantity > 1)
            descr[i] = arena_printf(a, "%s x %lld", descr[i], (long long)l->quantity);
        PQclear(r);
        coverage[i] = "customer";
        json_t *rec = records[i] ? json_loads(records[i], 0, NULL) : NULL;
        if (rec != NULL && req->outcome != SCREEN_MISUSE_SUSPECTED) {
            if (json_is_true(json_object_get(rec, "under_warranty")))
                coverage[i] = "warranty";
            else if (json_is_string(json_object_get(rec, "contract")))
                coverage[i] = "contract";
        }
        json_decref(rec);
        amounts[i] = strcmp(coverage[i], "customer") == 0 ? price : 0;
        total += amounts[i];
    }
    char tot[24];
    char days[8];
    snprintf(tot, sizeof tot, "%lld", (long long)total);
    snprintf(days, sizeof days, "%d", 14);
    const char *qp[6] = {rma_id,  screening_outcome_name(req->outcome), currency, tot, days,
                         token_id};
    if ((r = db_run(db, Q_QUOTE_INSERT, qp, &kind, err)) == NULL)
        return kind;
    char *quote_id = db_field(a, r, 0, 0);
    char *expires = db_field(a, r, 0, 1);
    PQclear(r);
    for (size_t i = 0; i < req->n_lines; i++) {
        char amt[24];
        snprintf(amt, sizeof amt, "%lld", (long long)amounts[i]);
        const char *lp[5] = {quote_id, line_ids[i], descr[i], coverage[i], amt};
        if ((r = db_run(db, Q_QUOTE_LINE_INSERT, lp, &kind, err)) == NULL)
            return kind;
        PQclear(r);
    }
    json_t *ev = json_pack("{s:s, s:I, s:s, s:s}", "quote_id", quote_id, "total_cents",
                           (json_int_t)total, "currency", currency, "expires_on", expires);
    char *text = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    const char *ep[9] = {rma_id,      NULL,     "quote_offered", NULL, "offered",
                         actor->name, token_id, req->reason,     text};
    r = db_run(db, Q_MONEY_EVENT, ep, &kind, err);
    free(text);
    if (r == NULL)
        return kind;
    PQclear(r);
    return DB_ONE;
}

enum db_result db_rma_create(struct db *db, const struct rma_request *req,
                             const struct principal *actor, struct arena *a, char **rma_number,
                             struct err *err)
{
    enum db_result kind;
    PGresult *r;
    char token_id[24];
    char rnum[RMANUM_LEN + 1];
    bool authorized = req->outcome == SCREEN_ELIGIBLE;
    /* the entitlement snapshot: one entry per line, the install base record when there is one */
    char **records = arena_alloc(a, (req->n_lines ? req->n_lines : 1) * sizeof *records);
    const char *entitlement = NULL;

    snprintf(token_id, sizeof token_id, "%lld", (long long)actor->token_id);
    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;

    /* cases: lifecycle (issue 3): the one guard of an escalation to the depot */
    int64_t case_num_id = 0;
    bool keep = false;
    kind = db_case_rma_guard(db, req->case_number, req->outcome, req->reason, req->evidence_json,
                             actor, &case_num_id, &keep, err);
    if (kind != DB_ONE) {
        struct err cerr = {0};
        /* a refused misuse decision stays on the case as an event, nothing else */
        if (!keep)
            db_rollback(db);
        else if (db_commit(db, &cerr) != DB_ONE)
            *err = cerr;
        return kind;
    }
    char *case_id = arena_printf(a, "%lld", (long long)case_num_id);

    if ((r = db_tx_run(db, Q_DEPOT_DEFAULT, NULL, &kind, err)) == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return db_tx_fail(db, err, ERR_CONFLICT, "depot", "no default depot is configured");
    }
    char *depot_id = db_field(a, r, 0, 0);
    PQclear(r);

    /* Check every line against the catalog and the install base before writing anything. */
    for (size_t i = 0; i < req->n_lines; i++) {
        const struct rma_request_line *l = &req->lines[i];
        char field[64];
        const char *mp[1] = {l->product_model};

        if ((r = db_tx_run(db, Q_MODEL_GET, mp, &kind, err)) == NULL)
            return kind;
        snprintf(field, sizeof field, "lines[%zu].product_model", i);
        if (PQntuples(r) != 1) {
            PQclear(r);
            return db_tx_fail(db, err, ERR_INVALID, field, "unknown product model");
        }
        bool serialised = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
        bool spare_ok =
            strcmp(PQgetvalue(r, 0, 3), "t") == 0 || strcmp(PQgetvalue(r, 0, 4), "t") == 0;
        PQclear(r);
        if (req->type == RMA_TYPE_ADVANCE_REPLACEMENT && !spare_ok)
            return db_tx_fail(db, err, ERR_INVALID, field,
                              "advance replacement is only for parts that are easy to install or "
                              "sold separately");
        if (serialised && l->serial_number == NULL) {
            snprintf(field, sizeof field, "lines[%zu].serial_number", i);
            return db_tx_fail(db, err, ERR_INVALID, field, "is required for a serialised product");
        }
        if (!serialised && l->serial_number != NULL) {
            snprintf(field, sizeof field, "lines[%zu].serial_number", i);
            return db_tx_fail(db, err, ERR_INVALID, field,
                              "must not be given for a part that has no serial numbers");
        }
        records[i] = NULL;
        if (l->serial_number != NULL) {
            const char *sp[1] = {l->serial_number};
            if ((r = db_tx_run(db, Q_INSTALL_BASE_GET, sp, &kind, err)) == NULL)
                return kind;
            if (PQntuples(r) == 1) {
                if (strcmp(PQgetvalue(r, 0, 1), l->product_model) != 0) {
                    PQclear(r);
                    return db_tx_fail(db, err, ERR_INVALID, field,
                                      "does not match the installed base record of this serial");
                }
                records[i] = db_field(a, r, 0, 0);
            }
            PQclear(r);
        }
    }
    {
        json_t *lines = json_array();
        for (size_t i = 0; i < req->n_lines; i++) {
            const struct rma_request_line *l = &req->lines[i];
            json_t *rec = records[i] ? json_loads(records[i], 0, NULL) : NULL;
            if (rec == NULL)
                rec = json_pack("{s:s?, s:s, s:b}", "serial_number", l->serial_number,
                                "product_model", l->product_model, "in_install_base", 0);
            json_object_set_new(rec, "line_no", json_integer((json_int_t)i + 1));
            json_array_append_new(lines, rec);
        }
        json_t *snapshot = json_pack("{s:o}", "lines", lines);
        char *text = json_dumps(snapshot, JSON_COMPACT);
        json_decref(snapshot);
        entitlement = arena_strdup(a, text ? text : "{}");
        free(text);
    }

    if ((r = db_tx_run(db, Q_RMA_SEQ, NULL, &kind, err)) == NULL)
        return kind;
    int64_t seq = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (rmanum_format(seq, rnum, err) != 0) {
        db_rollback(db);
        return DB_FAIL;
    }
    *rma_number = arena_strdup(a, rnum);

    const char *rp[6] = {
        rnum, case_id, rma_type_name(req->type), depot_id, authorized ? "t" : "f", token_id};
    if ((r = db_tx_run(db, Q_RMA_INSERT, rp, &kind, err)) == NULL)
        return kind;
    char *rma_id = db_field(a, r, 0, 0);
    PQclear(r);

    /* the carrier the customer returns the unit with: its inbound parcels get it (issue 5) */
    if (req->return_carrier != NULL) {
        const char *cp[1] = {req->return_carrier};
        if ((r = db_tx_run(db, Q_CARRIER_EXISTS, cp, &kind, err)) == NULL)
            return kind;
        if (PQntuples(r) != 1) {
            PQclear(r);
            return db_tx_fail(db, err, ERR_INVALID, "return_carrier", "unknown carrier code");
        }
        const char *rc[2] = {rma_id, db_field(a, r, 0, 0)};
        PQclear(r);
        if ((r = db_tx_run(db, Q_RMA_RETURN_CARRIER, rc, &kind, err)) == NULL)
            return kind;
        PQclear(r);
    }

    const char *sp[6] = {rma_id,      screening_outcome_name(req->outcome),
                         req->reason, req->evidence_json,
                         entitlement, token_id};
    if ((r = db_tx_run(db, Q_SCREENING_INSERT, sp, &kind, err)) == NULL)
        return kind;
    PQclear(r);

    const char *created_to = authorized ? "authorized" : "not_authorized";
    const char *ev[13] = {case_id,       rma_id,      NULL,       NULL,        NULL,
                          "rma_created", NULL,        created_to, actor->name, token_id,
                          "api",         req->reason, NULL};
    if ((r = db_tx_run(db, Q_EVENT_INSERT, ev, &kind, err)) == NULL)
        return kind;
    PQclear(r);

    /* Inbound parcels: one per line that comes back to the depot, numbered n of m. */
    int parcel_count = 0;
    if (authorized && rma_type_has_leg(req->type, LEG_INBOUND))
        parcel_count = (int)req->n_lines;
    int64_t today = 0;
    if ((kind = db_today(db, &today, err)) != DB_ONE) {
        db_rollback(db);
        return kind;
    }
    char **line_ids = arena_alloc(a, (req->n_lines ? req->n_lines : 1) * sizeof *line_ids);

    for (size_t i = 0; i < req->n_lines; i++) {
        const struct rma_request_line *l = &req->lines[i];
        char line_no[24];
        char qty[24];
        snprintf(line_no, sizeof line_no, "%zu", i + 1);
        snprintf(qty, sizeof qty, "%lld", (long long)l->quantity);
        /* a line that is not authorized does not hold its serial: it can be screened again */
        const char *lp[6] = {rma_id,           line_no, l->product_model,
                             l->serial_number, qty,     authorized ? "t" : "f"};
        r = db_run(db, Q_LINE_INSERT, lp, &kind, err);
        if (r == NULL) {
            db_rollback(db);
            if (err->kind == ERR_CONFLICT) {
                char field[64];
                snprintf(field, sizeof field, "lines[%zu].serial_number", i);
                err_clear(err);
                err_set(err, ERR_CONFLICT, field, "this serial number already has an open rma");
            }
            return kind;
        }
        line_ids[i] = db_field(a, r, 0, 0);
        PQclear(r);
        if (!authorized)
            continue;
        kind = db_line_authorize(db, strtoll(rma_id, NULL, 10), req->type,
                                 strtoll(line_ids[i], NULL, 10), i, l->product_model, l->quantity,
                                 (int)i + 1, parcel_count, today, actor, err);
        if (kind != DB_ONE) {
            db_rollback(db);
            return kind;
        }
    }
    if (!authorized && (kind = offer_quote(db, req, rma_id, (const char *const *)line_ids, records,
                                           token_id, actor, a, err)) != DB_ONE) {
        db_rollback(db);
        return kind;
    }
    if ((kind = db_case_rma_requested(db, case_num_id, rnum, actor, err)) != DB_ONE) {
        db_rollback(db);
        return kind;
    }
    return db_commit(db, err);
}

/*
 * db_sla: what the SLA clocks of a case are computed from (include/db/archive.h): the intake
 * time, the first case_register, case_start and resolving events, the case_hold/case_resume
 * events, the case_cancel event, and the calendar of the case's service address.  The arithmetic is
 * core's (core/sla.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/archive.h"
#include "db/tzcache.h"
#include "db_int.h"

/* "h1700000000,r1700003600" -> marks in the arena. */
static void parse_marks(struct arena *a, const char *s, struct sla_case *c)
{
    size_t n = 0;

    c->marks = NULL;
    c->n_marks = 0;
    if (s == NULL || *s == '\0')
        return;
    for (const char *p = s; *p; p++)
        n += *p == ',';
    c->marks = arena_alloc(a, (n + 1) * sizeof *c->marks);
    for (const char *p = s; *p;) {
        char *end;
        c->marks[c->n_marks].kind = *p == 'h' ? SLA_HOLD : SLA_RESUME;
        c->marks[c->n_marks].at = strtoll(p + 1, &end, 10);
        c->n_marks++;
        if (*end != ',' || c->n_marks > n)
            break;
        p = end + 1;
    }
}

static bool opt_time(const PGresult *r, int row, int col, int64_t *out)
{
    if (PQgetisnull(r, row, col))
        return false;
    *out = strtoll(PQgetvalue(r, row, col), NULL, 10);
    return true;
}

/* Fills c from row of a Q_SLA_CASE / Q_SLA_CASES result (not the calendar). */
static void read_case(struct arena *a, const PGresult *r, int row, struct sla_case *c)
{
    memset(c, 0, sizeof *c);
    c->case_id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
    c->case_number = db_field(a, r, row, 1);
    c->status = db_field(a, r, row, 2);
    c->channel = db_field(a, r, row, 3);
    c->product_line = db_field(a, r, row, 4);
    c->zone = db_field(a, r, row, 5);
    c->region = db_field(a, r, row, 6);
    c->intake_at = strtoll(PQgetvalue(r, row, 7), NULL, 10);
    c->registered = opt_time(r, row, 8, &c->registered_at);
    c->started = opt_time(r, row, 9, &c->started_at);
    c->resolved = opt_time(r, row, 10, &c->resolved_at);
    parse_marks(a, PQgetisnull(r, row, 11) ? NULL : PQgetvalue(r, row, 11), c);
    c->cancelled = opt_time(r, row, 13, &c->cancelled_at);
}

enum db_result db_sla_case(struct db *db, const char *case_number, struct arena *a,
                           struct sla_case *out, int64_t *now, struct err *err)
{
    enum db_result kind;
    const char *p[1] = {case_number};
    PGresult *r = db_run_case(db, Q_SLA_CASE, p, &kind, err);

    if (r == NULL)
        return kind;
    read_case(a, r, 0, out);
    *now = strtoll(PQgetvalue(r, 0, 12), NULL, 10);
    PQclear(r);
    return db_case_calendar(db, out->case_id, SLA_WINDOW_OPEN_MIN, SLA_WINDOW_CLOSE_MIN, a,
                            &out->cal, err);
}

enum db_result db_sla_cases(struct db *db, const char *from, const char *to, struct arena *a,
                            struct sla_case **out, size_t *n, int64_t *now, struct err *err)
{
    enum db_result kind;
    const char *p[2] = {from, to};
    PGresult *r = db_run(db, Q_SLA_CASES, p, &kind, err);

    *out = NULL;
    *n = 0;
    if (r == NULL)
        return kind;
    int rows = PQntuples(r);
    if (rows > SLA_REPORT_MAX_CASES) {
        PQclear(r);
        err_set(err, ERR_INVALID, "to", "more than %d cases: choose a shorter range",
                SLA_REPORT_MAX_CASES);
        return DB_FAIL;
    }
    *now = rows > 0 ? strtoll(PQgetvalue(r, 0, 12), NULL, 10) : 0;
    struct sla_case *v = arena_alloc(a, (rows ? (size_t)rows : 1) * sizeof *v);
    for (int i = 0; i < rows; i++)
        read_case(a, r, i, &v[i]);
    PQclear(r);

    /* one calendar per zone and region, shared by the cases that have them */
    for (int i = 0; i < rows; i++) {
        int same = -1;
        for (int k = 0; k < i && same < 0; k++)
            if (strcmp(v[k].zone, v[i].zone) == 0 && strcmp(v[k].region, v[i].region) == 0)
                same = k;
        if (same >= 0) {
            v[i].cal = v[same].cal;
            continue;
        }
        kind = db_case_calendar(db, v[i].case_id, SLA_WINDOW_OPEN_MIN, SLA_WINDOW_CLOSE_MIN, a,
                                &v[i].cal, err);
        if (kind != DB_ONE)
            return kind;
    }
    *out = v;
    *n = (size_t)rows;
    return DB_ONE;
}

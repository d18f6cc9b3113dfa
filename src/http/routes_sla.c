/*
 * routes_sla: the SLA clocks of a case and the SLA report (issue 3).
 *
 *   GET /api/v1/cases/{case}/sla                        the three clocks of one case
 *   GET /api/v1/reports/sla?from=YYYY-MM-DD&to=...      median and p90 per product line/channel
 *
 * The clocks (core/sla.h): register = intake -> case_register in wall-clock seconds (intake is
 * 24x7); first_contact = registration -> case_start and resolution = registration -> the move
 * to resolved_remotely or work_complete, both in business seconds of the policy window
 * (Mon-Fri 09:00-21:00 in the service address's zone, without its region's holidays); all three
 * without the time on hold.  A clock that has not stopped runs until now, unless the case was
 * cancelled: then it stopped at the cancel (state cancelled, "stopped_by": "cancel").
 *
 * The report takes the cases first registered on a UTC day from `from` to `to` (both included,
 * at most 366 days), groups them by product line and channel, and gives for each clock the
 * number of stopped clocks, their median and 90th percentile by the nearest-rank method (the
 * smallest value with at least p percent of the values at or below it: always one of the
 * measured values, the lower middle one for the median of an even count), the number of
 * clocks still open and the number stopped by a cancel of their case (cancelled), neither of
 * which is in the percentiles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sla.h"
#include "core/tz.h"
#include "db/archive.h"
#include "request.h"

enum { CLOCK_REGISTER, CLOCK_FIRST_CONTACT, CLOCK_RESOLUTION, CLOCK_COUNT };
static const char *const clock_names[CLOCK_COUNT] = {"register", "first_contact", "resolution"};

static const char *iso(struct arena *a, int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;
    char buf[32];

    gmtime_r(&tt, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return arena_strdup(a, buf);
}

/* The three clocks of c at now; holds (room for c->n_marks) and *n_holds are filled too. */
static void case_clocks(const struct sla_case *c, int64_t now, struct sla_interval *holds,
                        size_t *n_holds, struct sla_clock out[CLOCK_COUNT])
{
    if (c->cancelled) /* every clock still going stopped at the cancel, a hold too */
        now = c->cancelled_at;
    *n_holds = sla_holds(c->marks, c->n_marks, now, holds);
    sla_clock_eval(NULL, true, c->intake_at, c->registered, c->registered_at, now, holds, *n_holds,
                   &out[CLOCK_REGISTER]);
    sla_clock_eval(&c->cal, c->registered, c->registered_at, c->started, c->started_at, now, holds,
                   *n_holds, &out[CLOCK_FIRST_CONTACT]);
    sla_clock_eval(&c->cal, c->registered, c->registered_at, c->resolved, c->resolved_at, now,
                   holds, *n_holds, &out[CLOCK_RESOLUTION]);
    for (int k = 0; c->cancelled && k < CLOCK_COUNT; k++)
        sla_clock_cancel(&out[k], c->cancelled_at);
}

/* GET /api/v1/cases/{case}/sla */
int route_cases_sla(struct request *req)
{
    struct err err = {0};
    struct arena *a = &req->arena;
    const char *number = request_case_param(req, 0, &err);
    struct sla_case c;
    int64_t now = 0;

    if (number == NULL)
        return reply_error(req, &err);
    enum db_result r = db_sla_case(req->db, number, a, &c, &now, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    struct sla_interval *holds = arena_alloc(a, (c.n_marks ? c.n_marks : 1) * sizeof *holds);
    size_t n_holds = 0;
    struct sla_clock clocks[CLOCK_COUNT];
    case_clocks(&c, now, holds, &n_holds, clocks);

    bool on_hold = !c.cancelled && c.n_marks > 0 && c.marks[c.n_marks - 1].kind == SLA_HOLD;
    json_t *jh = json_array();
    for (size_t i = 0; i < n_holds; i++) {
        bool open = on_hold && i == n_holds - 1;
        json_array_append_new(jh, json_pack("{s:s, s:s?, s:I}", "from", iso(a, holds[i].from), "to",
                                            open ? NULL : iso(a, holds[i].to), "seconds",
                                            (json_int_t)(holds[i].to - holds[i].from)));
    }
    json_t *jc = json_object();
    for (int k = 0; k < CLOCK_COUNT; k++) {
        const struct sla_clock *ck = &clocks[k];
        bool started = ck->state != SLA_NOT_STARTED;
        json_object_set_new(
            jc, clock_names[k],
            json_pack("{s:s, s:s, s:s?, s:s?, s:I}", "counts",
                      k == CLOCK_REGISTER ? "wall_clock" : "business_hours", "state",
                      sla_state_name(ck->state), "start", started ? iso(a, ck->start) : NULL, "end",
                      ck->state == SLA_STOPPED || ck->state == SLA_CANCELLED ? iso(a, ck->end) :
                                                                               NULL,
                      "seconds", (json_int_t)ck->seconds));
        if (ck->state == SLA_CANCELLED)
            json_object_set_new(json_object_get(jc, clock_names[k]), "stopped_by",
                                json_string("cancel"));
    }
    json_t *out =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:s, s:b, s:o, s:o}",
                  "case_number", c.case_number, "status", c.status, "product_line", c.product_line,
                  "channel", c.channel, "zone", c.zone, "region", c.region, "window", "days",
                  "Mon-Fri", "opens", "09:00", "closes", "21:00", "holidays", c.region, "now",
                  iso(a, now), "on_hold", on_hold, "holds", jh, "clocks", jc);
    json_object_set_new(out, "cancelled_at",
                        c.cancelled ? json_string(iso(a, c.cancelled_at)) : json_null());
    return reply_json(req, 200, out);
}

/* ---- the report ---- */

/* A date "YYYY-MM-DD" as days since the epoch, or -1 with a 422 naming field. */
static int parse_date(struct request *req, const char *field, int64_t *days, struct err *err)
{
    const char *s = request_query(req, field);
    int y, m, d, y2, m2, d2;
    char tail;

    if (s == NULL || s[0] == '\0')
        return err_set(err, ERR_INVALID, field, "is required (YYYY-MM-DD)");
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strspn(s, "0123456789-") != 10 ||
        y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return err_set(err, ERR_INVALID, field, "must be a date YYYY-MM-DD");
    *days = tz_days_from_civil(y, m, d);
    tz_civil_from_days(*days, &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d)
        return err_set(err, ERR_INVALID, field, "is not a day of the calendar");
    return 0;
}

struct clock_stats {
    int64_t *v; /* stopped clocks' seconds */
    size_t n;
    size_t open;
    size_t cancelled; /* stopped by the cancel of the case: not open, not in the percentiles */
};

struct group {
    const char *product_line;
    const char *channel;
    size_t cases;
    struct clock_stats st[CLOCK_COUNT];
};

static int cmp_case(const void *pa, const void *pb)
{
    const struct sla_case *a = *(const struct sla_case *const *)pa;
    const struct sla_case *b = *(const struct sla_case *const *)pb;
    int c = strcmp(a->product_line, b->product_line);
    return c ? c : strcmp(a->channel, b->channel);
}

static json_t *stats_json(struct clock_stats *s)
{
    sla_sort(s->v, s->n);
    json_t *median = s->n ? json_integer((json_int_t)sla_percentile(s->v, s->n, 50)) : json_null();
    json_t *p90 = s->n ? json_integer((json_int_t)sla_percentile(s->v, s->n, 90)) : json_null();
    return json_pack("{s:I, s:I, s:I, s:o, s:o}", "stopped", (json_int_t)s->n, "open",
                     (json_int_t)s->open, "cancelled", (json_int_t)s->cancelled, "median_seconds",
                     median, "p90_seconds", p90);
}

/* GET /api/v1/reports/sla?from=YYYY-MM-DD&to=YYYY-MM-DD */
int route_reports_sla(struct request *req)
{
    struct err err = {0};
    struct arena *a = &req->arena;
    int64_t from = 0, to = 0;

    parse_date(req, "from", &from, &err);
    if (!err_is_set(&err))
        parse_date(req, "to", &to, &err);
    if (!err_is_set(&err) && to < from)
        err_set(&err, ERR_INVALID, "to", "must not be before from");
    if (!err_is_set(&err) && to - from + 1 > 366)
        err_set(&err, ERR_INVALID, "to", "the range is at most 366 days");
    if (err_is_set(&err))
        return reply_error(req, &err);

    struct sla_case *cases = NULL;
    size_t n = 0;
    int64_t now = 0;
    enum db_result r = db_sla_cases(req->db, request_query(req, "from"), request_query(req, "to"),
                                    a, &cases, &n, &now, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);

    const struct sla_case **order = arena_alloc(a, (n ? n : 1) * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = &cases[i];
    qsort(order, n, sizeof *order, cmp_case);

    json_t *groups = json_array();
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && cmp_case(&order[i], &order[j]) == 0)
            j++;
        struct group g = {order[i]->product_line, order[i]->channel, j - i, {{0}}};
        for (int k = 0; k < CLOCK_COUNT; k++)
            g.st[k].v = arena_alloc(a, g.cases * sizeof *g.st[k].v);
        for (size_t m = i; m < j; m++) {
            const struct sla_case *c = order[m];
            struct sla_interval *holds =
                arena_alloc(a, (c->n_marks ? c->n_marks : 1) * sizeof *holds);
            size_t n_holds;
            struct sla_clock clocks[CLOCK_COUNT];
            case_clocks(c, now, holds, &n_holds, clocks);
            for (int k = 0; k < CLOCK_COUNT; k++) {
                if (clocks[k].state == SLA_STOPPED)
                    g.st[k].v[g.st[k].n++] = clocks[k].seconds;
                else if (clocks[k].state == SLA_CANCELLED)
                    g.st[k].cancelled++;
                else
                    g.st[k].open++;
            }
        }
        json_t *jc = json_object();
        for (int k = 0; k < CLOCK_COUNT; k++)
            json_object_set_new(jc, clock_names[k], stats_json(&g.st[k]));
        json_array_append_new(groups, json_pack("{s:s, s:s, s:I, s:o}", "product_line",
                                                g.product_line, "channel", g.channel, "cases",
                                                (json_int_t)g.cases, "clocks", jc));
        i = j;
    }
    json_t *out = json_pack(
        "{s:s, s:s, s:I, s:s, s:s, s:o}", "from", request_query(req, "from"), "to",
        request_query(req, "to"), "cases", (json_int_t)n, "units", "seconds", "percentile",
        "nearest-rank: the smallest value with at least p percent of the stopped clocks at or "
        "below it (median = p50); clocks not stopped are counted as open, clocks stopped by the "
        "cancel of their case as cancelled, neither in the percentiles",
        "groups", groups);
    return reply_json(req, 200, out);
}

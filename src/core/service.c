/*
 * service: rules of remote support, on-site visits, the service log and the customer's
 * authorizations (see include/core/service.h for the whole picture).  The lists below are the
 * policy: a new high-risk action is one row.
 */
#include "core/service.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const scope_names[] = {
    [SERVICE_SCOPE_REMOTE] = "remote_session",
    [SERVICE_SCOPE_HIGH_RISK] = "high_risk_steps",
    [SERVICE_SCOPE_ONSITE] = "onsite_access",
};
static const char *const method_names[] = {
    [SERVICE_METHOD_PHONE] = "phone",
    [SERVICE_METHOD_EMAIL] = "email",
    [SERVICE_METHOD_WRITTEN] = "written",
    [SERVICE_METHOD_IN_PERSON] = "in_person",
};
static const char *const log_kind_names[] = {
    [SERVICE_LOG_SYMPTOM] = "symptom",
    [SERVICE_LOG_ROOT_CAUSE] = "root_cause",
    [SERVICE_LOG_STEP] = "step",
    [SERVICE_LOG_RESOLUTION] = "resolution",
};
static const char *const visit_state_names[] = {
    [VISIT_PROPOSED] = "proposed",
    [VISIT_CONFIRMED] = "confirmed",
    [VISIT_CANCELLED] = "cancelled",
    [VISIT_COMPLETED] = "completed",
};
static const char *const visit_event_names[] = {
    [VISIT_EV_CONFIRM] = "confirm",
    [VISIT_EV_RESCHEDULE] = "reschedule",
    [VISIT_EV_CANCEL] = "cancel",
    [VISIT_EV_COMPLETE] = "complete",
};

/* The actions of a service step; high-risk ones can lose data or interrupt the customer. */
static const struct {
    const char *name;
    bool high_risk;
} actions[] = {
    {"reboot", true},           {"power_off", true},    {"power_cycle", true},
    {"firmware_update", true},  {"bios_reset", true},   {"storage_reinit", true},
    {"replace_part", false},    {"reseat", false},      {"diagnostic", false},
    {"config_change", false},   {"cable_check", false}, {"log_collection", false},
    {"software_update", false}, {"cleaning", false},    {"inspection", false},
    {"other", false},
};

/* The visit moves: one row per allowed move. */
static const struct {
    enum visit_state from;
    enum visit_event ev;
    enum visit_state to;
} visit_moves[] = {
    {VISIT_PROPOSED, VISIT_EV_CONFIRM, VISIT_CONFIRMED},
    {VISIT_PROPOSED, VISIT_EV_RESCHEDULE, VISIT_PROPOSED},
    {VISIT_CONFIRMED, VISIT_EV_RESCHEDULE, VISIT_PROPOSED},
    {VISIT_PROPOSED, VISIT_EV_CANCEL, VISIT_CANCELLED},
    {VISIT_CONFIRMED, VISIT_EV_CANCEL, VISIT_CANCELLED},
    {VISIT_CONFIRMED, VISIT_EV_COMPLETE, VISIT_COMPLETED},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int parse_name(const char *const *names, size_t n, const char *s, const char *field,
                      int *out, struct err *err)
{
    char list[160] = "";
    size_t used = 0;

    for (size_t i = 0; s != NULL && i < n; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= sizeof list - used)
            break;
        used += (size_t)w;
    }
    return err_set(err, ERR_INVALID, field, "must be one of %s", list);
}

const char *service_scope_name(enum service_scope s)
{
    return (size_t)s < N(scope_names) ? scope_names[s] : "?";
}

int service_scope_parse(const char *s, const char *field, enum service_scope *out, struct err *err)
{
    int v;
    if (parse_name(scope_names, N(scope_names), s, field, &v, err))
        return -1;
    *out = (enum service_scope)v;
    return 0;
}

const char *service_method_name(enum service_method m)
{
    return (size_t)m < N(method_names) ? method_names[m] : "?";
}

int service_method_parse(const char *s, const char *field, enum service_method *out,
                         struct err *err)
{
    int v;
    if (parse_name(method_names, N(method_names), s, field, &v, err))
        return -1;
    *out = (enum service_method)v;
    return 0;
}

const char *service_log_kind_name(enum service_log_kind k)
{
    return (size_t)k < N(log_kind_names) ? log_kind_names[k] : "?";
}

int service_log_kind_parse(const char *s, const char *field, enum service_log_kind *out,
                           struct err *err)
{
    int v;
    if (parse_name(log_kind_names, N(log_kind_names), s, field, &v, err))
        return -1;
    *out = (enum service_log_kind)v;
    return 0;
}

int service_action_valid(const char *action, const char *field, struct err *err)
{
    for (size_t i = 0; action != NULL && i < N(actions); i++)
        if (strcmp(action, actions[i].name) == 0)
            return 0;
    return err_set(err, ERR_INVALID, field,
                   "is not a known action (reboot, power_off, power_cycle, firmware_update, "
                   "bios_reset, storage_reinit, replace_part, reseat, diagnostic, ...)");
}

bool service_action_is_high_risk(const char *action)
{
    for (size_t i = 0; action != NULL && i < N(actions); i++)
        if (strcmp(action, actions[i].name) == 0)
            return actions[i].high_risk;
    return false;
}

const char *visit_state_name(enum visit_state s)
{
    return (size_t)s < N(visit_state_names) ? visit_state_names[s] : "?";
}

int visit_state_parse(const char *s, enum visit_state *out)
{
    for (size_t i = 0; s != NULL && i < N(visit_state_names); i++) {
        if (strcmp(s, visit_state_names[i]) == 0) {
            *out = (enum visit_state)i;
            return 0;
        }
    }
    return -1;
}

const char *visit_event_name(enum visit_event ev)
{
    return (size_t)ev < N(visit_event_names) ? visit_event_names[ev] : "?";
}

int visit_next(enum visit_state from, enum visit_event ev, enum visit_state *to, struct err *err)
{
    for (size_t i = 0; i < N(visit_moves); i++) {
        if (visit_moves[i].from == from && visit_moves[i].ev == ev) {
            *to = visit_moves[i].to;
            return 0;
        }
    }
    return err_set(err, ERR_CONFLICT, "status", "the visit is %s: it cannot %s",
                   visit_state_name(from), visit_event_name(ev));
}

/* n decimal digits at *p (advances it); -1 when not digits. */
static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return v;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int service_instant_parse(const char *s, const char *field, int64_t *t, int32_t *offset_s,
                          struct err *err)
{
    const char *p = s;
    int y, mo, d, h, mi, sec = 0, off = 0;

    if (s == NULL || strlen(s) > 40)
        return err_set(err, ERR_INVALID, field,
                       "must be an ISO 8601 time with an offset, e.g. 2026-12-04T20:59:00+01:00");
    y = digits(&p, 4);
    if (y < 0 || *p++ != '-' || (mo = digits(&p, 2)) < 0 || *p++ != '-' ||
        (d = digits(&p, 2)) < 0 || (*p != 'T' && *p != 't' && *p != ' '))
        return err_set(err, ERR_INVALID, field,
                       "must be an ISO 8601 time with an offset, e.g. 2026-12-04T20:59:00+01:00");
    p++;
    if ((h = digits(&p, 2)) < 0 || *p++ != ':' || (mi = digits(&p, 2)) < 0)
        return err_set(err, ERR_INVALID, field,
                       "must be an ISO 8601 time with an offset, e.g. 2026-12-04T20:59:00+01:00");
    if (*p == ':') {
        p++;
        if ((sec = digits(&p, 2)) < 0)
            return err_set(err, ERR_INVALID, field, "has malformed seconds");
        if (*p == '.' || *p == ',') {
            p++;
            if (!isdigit((unsigned char)*p))
                return err_set(err, ERR_INVALID, field, "has a malformed fraction of a second");
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    if (*p == '\0')
        return err_set(err, ERR_INVALID, field,
                       "needs an offset (Z or +hh:mm): a local time alone names no instant");
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1;
        int oh = digits(&p, 2), om;
        if (*p == ':')
            p++;
        om = digits(&p, 2);
        if (oh < 0 || om < 0 || oh > 18 || om > 59)
            return err_set(err, ERR_INVALID, field, "has a malformed offset");
        off = sign * (oh * 3600 + om * 60);
    } else {
        return err_set(err, ERR_INVALID, field, "has a malformed offset");
    }
    if (*p != '\0')
        return err_set(err, ERR_INVALID, field, "has trailing characters");
    if (sec == 60)
        return err_set(err, ERR_INVALID, field,
                       "has second 60 (a leap second): rmad counts POSIX seconds, which have no "
                       "leap seconds; give :59 or the next minute");
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
        mi > 59 || sec > 59)
        return err_set(err, ERR_INVALID, field, "is not a valid date and time");
    *t = tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    if (offset_s != NULL)
        *offset_s = off;
    return 0;
}

void service_instant_format(int64_t t, char *buf, size_t n)
{
    int64_t days = t / 86400, rem = t % 86400;
    int y, m, d;

    if (rem < 0) {
        rem += 86400;
        days--;
    }
    tz_civil_from_days(days, &y, &m, &d);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
}

int service_start_check(int64_t start, int64_t now, const char *field, struct err *err)
{
    if (start < now - SERVICE_PAST_SLACK_S)
        return err_set(err, ERR_INVALID, field, "is more than %d minutes in the past",
                       SERVICE_PAST_SLACK_S / 60);
    if (start > now + SERVICE_AHEAD_MAX_S)
        return err_set(err, ERR_INVALID, field, "is more than a year ahead");
    return 0;
}

int service_not_before_case(int64_t t, int64_t opened, const char *field, struct err *err)
{
    char ts[32];

    if (t >= opened - SERVICE_CASE_SKEW_S)
        return 0;
    service_instant_format(opened, ts, sizeof ts);
    return err_set(err, ERR_INVALID, field,
                   "is before the case was opened (%s; %d minutes of clock skew are allowed)", ts,
                   SERVICE_CASE_SKEW_S / 60);
}

int service_window_fit(const struct tz_cal *cal, int64_t start, int64_t duration_s,
                       const char *field, int64_t *next_open, int64_t *next_close, struct err *err)
{
    int64_t open, close, t = start;
    struct err cerr = {0};

    if (duration_s > (int64_t)(cal->close_min - cal->open_min) * 60)
        return err_set(err, ERR_INVALID, "duration_minutes",
                       "is longer than a working day's window (%d minutes)",
                       cal->close_min - cal->open_min);
    if (tz_cal_next_open(cal, start, &open, &close, &cerr) == 0 && open == start &&
        start + duration_s <= close)
        return 0;
    /* the first window, from start on, that holds the whole duration */
    for (int i = 0; i < 800; i++) {
        if (tz_cal_next_open(cal, t, &open, &close, &cerr) != 0)
            break;
        if (open + duration_s <= close) {
            *next_open = open;
            *next_close = close;
            return err_set(err, ERR_CONFLICT, field, "%s",
                           duration_s > 0 ? "is not wholly inside the working hours of one "
                                            "working day in the customer's time zone" :
                                            "is outside the remote support hours in the "
                                            "customer's time zone");
        }
        t = close;
    }
    return err_set(err, ERR_INVALID, field, "no window opens within a year in the customer's zone");
}

void service_local_describe(const struct tz *tz, int64_t t, char *buf, size_t n)
{
    static const char *const wd[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    struct tz_local l;

    tz_to_local(tz, t, &l);
    snprintf(buf, n, "%s %04d-%02d-%02d %02d:%02d %s", wd[l.wday % 7], l.year, l.month, l.day,
             l.hour, l.min, tz_name(tz));
}

bool service_auth_covers(const struct service_auth *a, enum service_scope scope, int64_t at,
                         int64_t recorded_by)
{
    if (a->scope != scope)
        return false;
    if (scope == SERVICE_SCOPE_HIGH_RISK ? a->given_at >= at : a->given_at > at)
        return false;
    if (a->recorded_at > recorded_by)
        return false;
    if (a->valid_until != 0 && a->valid_until <= at)
        return false;
    return true;
}

int service_auth_given_check(int64_t given_at, int64_t valid_until, int64_t now, struct err *err)
{
    if (given_at > now + SERVICE_CLOCK_SKEW_S)
        return err_set(err, ERR_INVALID, "given_at", "is in the future");
    if (given_at < SERVICE_FROM_MIN)
        return err_set(err, ERR_INVALID, "given_at", "is before the year 2000");
    if (valid_until != 0 && valid_until <= given_at)
        return err_set(err, ERR_INVALID, "valid_until", "must be after given_at");
    return 0;
}

int service_prep_check(const char *const *items, size_t n, struct err *err)
{
    char field[32];

    if (n == 0)
        return err_set(err, ERR_INVALID, "preparation",
                       "needs at least one item (parts, tools, access badge, ...)");
    if (n > SERVICE_PREP_MAX)
        return err_set(err, ERR_INVALID, "preparation", "must have at most %d items",
                       SERVICE_PREP_MAX);
    for (size_t i = 0; i < n; i++) {
        snprintf(field, sizeof field, "preparation[%zu]", i);
        if (items[i] == NULL || items[i][0] == '\0')
            return err_set(err, ERR_INVALID, field, "must be a non-empty text");
        for (size_t j = 0; j < i; j++)
            if (strcasecmp(items[i], items[j]) == 0)
                return err_set(err, ERR_INVALID, field, "repeats preparation[%zu]", j);
    }
    return 0;
}

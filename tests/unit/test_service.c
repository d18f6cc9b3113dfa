/*
 * Unit tests of service: the high-risk step list, authorizations (who, how, when: given and
 * recorded before), instants with offsets, the visit moves, the preparation list, and the
 * windows of remote support (Mon-Fri 09:00-21:00) and on-site visits (Mon-Fri 08:00-17:00) in
 * zones east and west of UTC, with holidays, Friday evening to Monday morning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/service.h"
#include "core/tz.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define ZONEINFO "/usr/share/zoneinfo/"

static struct tz *load(const char *name)
{
    char path[256];
    struct err err = {0};

    snprintf(path, sizeof path, ZONEINFO "%s", name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s (is tzdata installed?)", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    unsigned char *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    struct tz *tz = tz_parse(buf, (size_t)n, name, &err);
    free(buf);
    if (tz == NULL)
        fail_msg("%s: %s", name, err.message);
    return tz;
}

/* An instant from text the parser must accept. */
static int64_t at(const char *s)
{
    int64_t t;
    struct err err = {0};
    if (service_instant_parse(s, "t", &t, NULL, &err) != 0)
        fail_msg("%s: %s", s, err.message);
    return t;
}

static void fmt(int64_t t, char *buf)
{
    service_instant_format(t, buf, 32);
}

/* ---- the step list ---- */

static void high_risk_actions(void **state)
{
    static const char *const risky[] = {"reboot",          "power_off",  "power_cycle",
                                        "firmware_update", "bios_reset", "storage_reinit"};
    static const char *const safe[] = {"replace_part",  "reseat",      "diagnostic",
                                       "config_change", "cable_check", "log_collection",
                                       "other"};
    struct err err = {0};

    (void)state;
    for (size_t i = 0; i < COUNT(risky); i++) {
        assert_int_equal(service_action_valid(risky[i], "step.action", &err), 0);
        assert_true(service_action_is_high_risk(risky[i]));
    }
    for (size_t i = 0; i < COUNT(safe); i++) {
        assert_int_equal(service_action_valid(safe[i], "step.action", &err), 0);
        assert_false(service_action_is_high_risk(safe[i]));
    }
    assert_int_equal(service_action_valid("format_c", "step.action", &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "step.action");
    assert_false(service_action_is_high_risk("REBOOT"));
    assert_false(service_action_is_high_risk(NULL));
}

static void names_parse(void **state)
{
    enum service_scope s;
    enum service_method m;
    enum service_log_kind k;
    struct err err = {0};

    (void)state;
    assert_int_equal(service_scope_parse("high_risk_steps", "scope", &s, &err), 0);
    assert_int_equal(s, SERVICE_SCOPE_HIGH_RISK);
    assert_string_equal(service_scope_name(SERVICE_SCOPE_REMOTE), "remote_session");
    assert_int_equal(service_method_parse("in_person", "method", &m, &err), 0);
    assert_int_equal(m, SERVICE_METHOD_IN_PERSON);
    assert_int_equal(service_log_kind_parse("root_cause", "kind", &k, &err), 0);
    assert_int_equal(k, SERVICE_LOG_ROOT_CAUSE);
    assert_int_equal(service_method_parse("fax", "method", &m, &err), -1);
    assert_string_equal(err.field, "method");
    assert_non_null(strstr(err.message, "phone, email, written, in_person"));
    err_clear(&err);
    assert_int_equal(service_scope_parse("everything", "scope", &s, &err), -1);
    assert_string_equal(err.field, "scope");
}

/* ---- instants ---- */

static void instants_need_an_offset(void **state)
{
    static const struct {
        const char *text;
        const char *utc; /* NULL: refused */
        int32_t offset;
    } cases[] = {
        {"2026-12-04T20:59:00+01:00", "2026-12-04T19:59:00Z", 3600},
        {"2026-12-04T20:59+01:00", "2026-12-04T19:59:00Z", 3600},
        {"2026-12-04T19:59:00Z", "2026-12-04T19:59:00Z", 0},
        {"2026-12-04T19:59:00.250z", "2026-12-04T19:59:00Z", 0},
        {"2026-12-04T11:00:00-0800", "2026-12-04T19:00:00Z", -8 * 3600},
        {"2026-12-08T08:00:00+09:00", "2026-12-07T23:00:00Z", 9 * 3600},
        {"2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z", 0},
        {"2026-12-04T20:59:00", NULL, 0},       /* no offset: rule 9 */
        {"2026-12-04", NULL, 0},                /* a date is no instant */
        {"2026-02-29T10:00:00Z", NULL, 0},      /* no such day */
        {"2026-12-04T24:00:00Z", NULL, 0},      /* no such hour */
        {"2026-12-04T10:00:00+25:00", NULL, 0}, /* no such offset */
        {"2026-12-04T10:00:00Z trailing", NULL, 0},
        {"", NULL, 0},
        {"tomorrow", NULL, 0},
        {"2016-12-31T23:59:60Z", NULL, 0},      /* a leap second: refused, not read as :59 */
        {"2026-12-04T20:59:60+01:00", NULL, 0}, /* second 60 of any minute */
        {"2026-12-04T20:59:61Z", NULL, 0},
    };
    char buf[32];

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct err err = {0};
        int64_t t = 0;
        int32_t off = 99;
        int rc = service_instant_parse(cases[i].text, "given_at", &t, &off, &err);
        if (cases[i].utc == NULL) {
            if (rc != -1)
                fail_msg("accepted %s", cases[i].text);
            assert_int_equal(err.kind, ERR_INVALID);
            assert_string_equal(err.field, "given_at");
            continue;
        }
        if (rc != 0)
            fail_msg("%s: %s", cases[i].text, err.message);
        fmt(t, buf);
        assert_string_equal(buf, cases[i].utc);
        assert_int_equal(off, cases[i].offset);
    }
    struct err err = {0};
    int64_t t;
    service_instant_parse("2026-12-04T20:59:00", "given_at", &t, NULL, &err);
    assert_non_null(strstr(err.message, "offset"));
    err_clear(&err);
    service_instant_parse("2016-12-31T23:59:60Z", "given_at", &t, NULL, &err);
    assert_non_null(strstr(err.message, "leap second"));
}

/* Nothing of a case happens before the case was opened (less a few minutes of clock skew). */
static void not_before_the_case(void **state)
{
    int64_t opened = at("2026-12-03T20:00:00Z");
    struct err err = {0};

    (void)state;
    assert_int_equal(service_not_before_case(opened, opened, "given_at", &err), 0);
    assert_int_equal(service_not_before_case(opened + 86400, opened, "given_at", &err), 0);
    assert_int_equal(
        service_not_before_case(opened - SERVICE_CASE_SKEW_S, opened, "given_at", &err), 0);
    assert_int_equal(service_not_before_case(opened - SERVICE_CASE_SKEW_S - 1, opened,
                                             "step.performed_at", &err),
                     -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "step.performed_at");
    assert_non_null(strstr(err.message, "before the case was opened (2026-12-03T20:00:00Z"));
    err_clear(&err);
    assert_int_equal(service_not_before_case(at("2016-12-31T23:59:59Z"), opened, "given_at", &err),
                     -1);
}

static void start_times(void **state)
{
    int64_t now = at("2026-12-03T20:00:00Z");
    struct err err = {0};

    (void)state;
    assert_int_equal(service_start_check(now - 5 * 60, now, "starts_at", &err), 0);
    assert_int_equal(service_start_check(now + 86400 * 30, now, "starts_at", &err), 0);
    assert_int_equal(service_start_check(now - 5 * 60 - 1, now, "starts_at", &err), -1);
    assert_string_equal(err.field, "starts_at");
    err_clear(&err);
    assert_int_equal(service_start_check(now + 367LL * 86400, now, "starts_at", &err), -1);
}

/* ---- authorizations ---- */

static void authorization_covers(void **state)
{
    int64_t t = at("2026-12-04T10:00:00Z");
    struct service_auth remote = {SERVICE_SCOPE_REMOTE, t - 600, t - 300, 0};
    struct service_auth risky = {SERVICE_SCOPE_HIGH_RISK, t - 600, t - 300, t + 3600};

    (void)state;
    /* a remote session: given and recorded before (or when) it starts */
    assert_true(service_auth_covers(&remote, SERVICE_SCOPE_REMOTE, t, t));
    assert_false(service_auth_covers(&remote, SERVICE_SCOPE_HIGH_RISK, t, t)); /* scope */
    assert_false(service_auth_covers(&remote, SERVICE_SCOPE_REMOTE, t - 900, t - 900));
    struct service_auth late = {SERVICE_SCOPE_REMOTE, t - 600, t + 60, 0}; /* recorded after */
    assert_false(service_auth_covers(&late, SERVICE_SCOPE_REMOTE, t, t));
    struct service_auth same = {SERVICE_SCOPE_REMOTE, t, t, 0};
    assert_true(service_auth_covers(&same, SERVICE_SCOPE_REMOTE, t, t));
    /* a high-risk step: given strictly before it was performed, recorded before it is logged */
    assert_true(service_auth_covers(&risky, SERVICE_SCOPE_HIGH_RISK, t, t + 60));
    assert_false(service_auth_covers(&risky, SERVICE_SCOPE_HIGH_RISK, t - 600, t + 60));
    assert_false(service_auth_covers(&risky, SERVICE_SCOPE_HIGH_RISK, t - 700, t + 60));
    assert_false(service_auth_covers(&risky, SERVICE_SCOPE_HIGH_RISK, t, t - 400));
    /* expired */
    assert_false(service_auth_covers(&risky, SERVICE_SCOPE_HIGH_RISK, t + 3600, t + 4000));
    assert_true(service_auth_covers(&risky, SERVICE_SCOPE_HIGH_RISK, t + 3599, t + 4000));
}

static void authorization_given(void **state)
{
    int64_t now = at("2026-12-03T20:00:00Z");
    struct err err = {0};

    (void)state;
    assert_int_equal(service_auth_given_check(now - 3600, 0, now, &err), 0);
    assert_int_equal(service_auth_given_check(now + 30, 0, now, &err), 0); /* clock skew */
    assert_int_equal(service_auth_given_check(now + 3600, 0, now, &err), -1);
    assert_string_equal(err.field, "given_at");
    assert_string_equal(err.message, "is in the future");
    err_clear(&err);
    assert_int_equal(service_auth_given_check(now - 3600, now - 3600, now, &err), -1);
    assert_string_equal(err.field, "valid_until");
    err_clear(&err);
    assert_int_equal(service_auth_given_check(at("1999-12-31T23:00:00Z"), 0, now, &err), -1);
}

/* ---- visits ---- */

static void visit_moves(void **state)
{
    static const struct {
        enum visit_state from;
        enum visit_event ev;
        int ok;
        enum visit_state to;
    } cases[] = {
        {VISIT_PROPOSED, VISIT_EV_CONFIRM, 1, VISIT_CONFIRMED},
        {VISIT_PROPOSED, VISIT_EV_RESCHEDULE, 1, VISIT_PROPOSED},
        {VISIT_CONFIRMED, VISIT_EV_RESCHEDULE, 1, VISIT_PROPOSED},
        {VISIT_PROPOSED, VISIT_EV_CANCEL, 1, VISIT_CANCELLED},
        {VISIT_CONFIRMED, VISIT_EV_CANCEL, 1, VISIT_CANCELLED},
        {VISIT_CONFIRMED, VISIT_EV_COMPLETE, 1, VISIT_COMPLETED},
        {VISIT_PROPOSED, VISIT_EV_COMPLETE, 0, 0},
        {VISIT_CONFIRMED, VISIT_EV_CONFIRM, 0, 0},
        {VISIT_CANCELLED, VISIT_EV_CONFIRM, 0, 0},
        {VISIT_CANCELLED, VISIT_EV_RESCHEDULE, 0, 0},
        {VISIT_COMPLETED, VISIT_EV_CANCEL, 0, 0},
        {VISIT_COMPLETED, VISIT_EV_RESCHEDULE, 0, 0},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct err err = {0};
        enum visit_state to = VISIT_PROPOSED;
        int rc = visit_next(cases[i].from, cases[i].ev, &to, &err);
        if (cases[i].ok) {
            assert_int_equal(rc, 0);
            assert_int_equal(to, cases[i].to);
        } else {
            assert_int_equal(rc, -1);
            assert_int_equal(err.kind, ERR_CONFLICT);
            assert_string_equal(err.field, "status");
            assert_non_null(strstr(err.message, visit_state_name(cases[i].from)));
        }
    }
    enum visit_state s;
    assert_int_equal(visit_state_parse("confirmed", &s), 0);
    assert_int_equal(s, VISIT_CONFIRMED);
    assert_int_equal(visit_state_parse("done", &s), -1);
}

static void preparation_list(void **state)
{
    const char *good[] = {"replacement PSU 750W", "torx set", "access badge"};
    const char *dup[] = {"torx set", "Torx Set"};
    const char *empty_item[] = {"parts", ""};
    struct err err = {0};

    (void)state;
    assert_int_equal(service_prep_check(good, COUNT(good), &err), 0);
    assert_int_equal(service_prep_check(good, 0, &err), -1);
    assert_string_equal(err.field, "preparation");
    err_clear(&err);
    assert_int_equal(service_prep_check(dup, COUNT(dup), &err), -1);
    assert_string_equal(err.field, "preparation[1]");
    err_clear(&err);
    assert_int_equal(service_prep_check(empty_item, COUNT(empty_item), &err), -1);
    assert_string_equal(err.field, "preparation[1]");
}

/* ---- windows ---- */

static void remote_window_friday_evening(void **state)
{
    struct tz *berlin = load("Europe/Berlin");
    struct tz_cal cal = {berlin, SERVICE_REMOTE_OPEN_MIN, SERVICE_REMOTE_CLOSE_MIN, NULL, 0};
    int64_t open = 0, close = 0;
    struct err err = {0};
    char buf[96];

    (void)state;
    /* Friday 2026-12-04, CET (+01:00) */
    assert_int_equal(service_window_fit(&cal, at("2026-12-04T20:59:00+01:00"), 0, "starts_at",
                                        &open, &close, &err),
                     0);
    assert_int_equal(service_window_fit(&cal, at("2026-12-04T09:00:00+01:00"), 0, "starts_at",
                                        &open, &close, &err),
                     0);
    assert_int_equal(service_window_fit(&cal, at("2026-12-04T21:01:00+01:00"), 0, "starts_at",
                                        &open, &close, &err),
                     -1);
    assert_int_equal(err.kind, ERR_CONFLICT);
    assert_string_equal(err.field, "starts_at");
    fmt(open, buf);
    assert_string_equal(buf, "2026-12-07T08:00:00Z"); /* Monday 09:00 CET */
    fmt(close, buf);
    assert_string_equal(buf, "2026-12-07T20:00:00Z");
    service_local_describe(berlin, open, buf, sizeof buf);
    assert_string_equal(buf, "Mon 2026-12-07 09:00 Europe/Berlin");
    /* 21:00 itself is closed; 08:59 Monday is not open yet */
    err_clear(&err);
    assert_int_equal(service_window_fit(&cal, at("2026-12-04T21:00:00+01:00"), 0, "starts_at",
                                        &open, &close, &err),
                     -1);
    err_clear(&err);
    assert_int_equal(service_window_fit(&cal, at("2026-12-07T08:59:00+01:00"), 0, "starts_at",
                                        &open, &close, &err),
                     -1);
    fmt(open, buf);
    assert_string_equal(buf, "2026-12-07T08:00:00Z");
    /* Saturday noon: Monday again */
    err_clear(&err);
    assert_int_equal(service_window_fit(&cal, at("2026-12-05T12:00:00+01:00"), 0, "starts_at",
                                        &open, &close, &err),
                     -1);
    fmt(open, buf);
    assert_string_equal(buf, "2026-12-07T08:00:00Z");
    tz_free(berlin);
}

static void remote_window_holiday(void **state)
{
    struct tz *berlin = load("Europe/Berlin");
    int64_t holidays[] = {tz_days_from_civil(2026, 12, 25), tz_days_from_civil(2026, 12, 28)};
    struct tz_cal cal = {berlin, SERVICE_REMOTE_OPEN_MIN, SERVICE_REMOTE_CLOSE_MIN, holidays,
                         COUNT(holidays)};
    int64_t open = 0, close = 0;
    struct err err = {0};
    char buf[96];

    (void)state;
    /* Friday 25 December, a holiday: next is Tuesday 29th (Monday 28th a holiday too) */
    assert_int_equal(service_window_fit(&cal, at("2026-12-25T10:00:00+01:00"), 0, "starts_at",
                                        &open, &close, &err),
                     -1);
    service_local_describe(berlin, open, buf, sizeof buf);
    assert_string_equal(buf, "Tue 2026-12-29 09:00 Europe/Berlin");
    err_clear(&err);
    assert_int_equal(service_window_fit(&cal, at("2026-12-24T10:00:00+01:00"), 0, "starts_at",
                                        &open, &close, &err),
                     0);
    tz_free(berlin);
}

static void visit_west_of_utc(void **state)
{
    struct tz *la = load("America/Los_Angeles");
    struct tz_cal cal = {la, SERVICE_ONSITE_OPEN_MIN, SERVICE_ONSITE_CLOSE_MIN, NULL, 0};
    int64_t open = 0, close = 0;
    struct err err = {0};
    char buf[96];

    (void)state;
    /* Friday 2026-12-04 PST (-08:00): 08:00-17:00 local is 16:00Z-01:00Z (the next UTC day) */
    assert_int_equal(service_window_fit(&cal, at("2026-12-04T08:00:00-08:00"), 9 * 3600,
                                        "proposed_start", &open, &close, &err),
                     0);
    assert_int_equal(service_window_fit(&cal, at("2026-12-04T15:30:00-08:00"), 90 * 60,
                                        "proposed_start", &open, &close, &err),
                     0);
    /* 16:30 for an hour runs past 17:00: the next window that holds it is Monday */
    assert_int_equal(service_window_fit(&cal, at("2026-12-04T16:30:00-08:00"), 60 * 60,
                                        "proposed_start", &open, &close, &err),
                     -1);
    assert_int_equal(err.kind, ERR_CONFLICT);
    assert_string_equal(err.field, "proposed_start");
    fmt(open, buf);
    assert_string_equal(buf, "2026-12-07T16:00:00Z");
    service_local_describe(la, open, buf, sizeof buf);
    assert_string_equal(buf, "Mon 2026-12-07 08:00 America/Los_Angeles");
    /* 07:59 local on a Thursday: the same day's window */
    err_clear(&err);
    assert_int_equal(service_window_fit(&cal, at("2026-12-03T07:59:00-08:00"), 60 * 60,
                                        "proposed_start", &open, &close, &err),
                     -1);
    service_local_describe(la, open, buf, sizeof buf);
    assert_string_equal(buf, "Thu 2026-12-03 08:00 America/Los_Angeles");
    /* longer than a working day */
    err_clear(&err);
    assert_int_equal(service_window_fit(&cal, at("2026-12-04T08:00:00-08:00"), 9 * 3600 + 60,
                                        "proposed_start", &open, &close, &err),
                     -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "duration_minutes");
    tz_free(la);
}

static void visit_east_of_utc(void **state)
{
    struct tz *tokyo = load("Asia/Tokyo");
    struct tz_cal cal = {tokyo, SERVICE_ONSITE_OPEN_MIN, SERVICE_ONSITE_CLOSE_MIN, NULL, 0};
    int64_t open = 0, close = 0;
    struct err err = {0};
    char buf[96];

    (void)state;
    /* Monday 2026-12-07 08:00 JST is Sunday 23:00 UTC: open in Tokyo */
    assert_int_equal(service_window_fit(&cal, at("2026-12-06T23:00:00Z"), 2 * 3600,
                                        "proposed_start", &open, &close, &err),
                     0);
    /* Saturday 10:00 JST (Friday 01:00 UTC, a weekday in UTC): closed in Tokyo */
    assert_int_equal(service_window_fit(&cal, at("2026-12-05T10:00:00+09:00"), 3600,
                                        "proposed_start", &open, &close, &err),
                     -1);
    service_local_describe(tokyo, open, buf, sizeof buf);
    assert_string_equal(buf, "Mon 2026-12-07 08:00 Asia/Tokyo");
    fmt(open, buf);
    assert_string_equal(buf, "2026-12-06T23:00:00Z");
    fmt(close, buf);
    assert_string_equal(buf, "2026-12-07T08:00:00Z");
    tz_free(tokyo);
}

static void describe_across_dst(void **state)
{
    struct tz *berlin = load("Europe/Berlin");
    struct tz_cal cal = {berlin, SERVICE_REMOTE_OPEN_MIN, SERVICE_REMOTE_CLOSE_MIN, NULL, 0};
    int64_t open = 0, close = 0;
    struct err err = {0};
    char buf[96];

    (void)state;
    /* Friday 2026-03-27 21:30 CET; clocks go forward on Sunday: Monday 09:00 is CEST (+02:00) */
    assert_int_equal(service_window_fit(&cal, at("2026-03-27T21:30:00+01:00"), 0, "starts_at",
                                        &open, &close, &err),
                     -1);
    fmt(open, buf);
    assert_string_equal(buf, "2026-03-30T07:00:00Z");
    service_local_describe(berlin, open, buf, sizeof buf);
    assert_string_equal(buf, "Mon 2026-03-30 09:00 Europe/Berlin");
    tz_free(berlin);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(high_risk_actions),       cmocka_unit_test(names_parse),
        cmocka_unit_test(instants_need_an_offset), cmocka_unit_test(start_times),
        cmocka_unit_test(not_before_the_case),     cmocka_unit_test(authorization_covers),
        cmocka_unit_test(authorization_given),     cmocka_unit_test(visit_moves),
        cmocka_unit_test(preparation_list),        cmocka_unit_test(remote_window_friday_evening),
        cmocka_unit_test(remote_window_holiday),   cmocka_unit_test(visit_west_of_utc),
        cmocka_unit_test(visit_east_of_utc),       cmocka_unit_test(describe_across_dst),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

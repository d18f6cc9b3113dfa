/*
 * Unit tests of sla: hold intervals from hold/resume marks, clocks minus holds in wall-clock
 * and business seconds (the policy's window Mon-Fri 09:00-21:00 in a real IANA zone read from
 * /usr/share/zoneinfo), across a weekend, inside a window, over a DST night east and west of
 * UTC and a holiday, and the nearest-rank percentile.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/sla.h"
#include "core/tz.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define H 3600

/* Seconds since the epoch of a UTC civil time (independent of tz.c's own arithmetic). */
static int64_t utc(int y, int m, int d, int hh, int mm)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + hh * H + mm * 60;
}

static struct tz *load_zone(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    struct err err = {0};
    struct tz *tz = tz_parse(buf, n, name, &err);
    assert_non_null(tz);
    return tz;
}

static struct tz_cal window(const struct tz *tz)
{
    struct tz_cal cal = {.tz = tz, .open_min = 9 * 60, .close_min = 21 * 60};
    return cal;
}

static void holds_from_marks(void **state)
{
    (void)state;
    struct sla_mark marks[] = {
        {SLA_RESUME, 5},  /* a resume without a hold: ignored */
        {SLA_HOLD, 10},   /* */
        {SLA_HOLD, 12},   /* a hold while on hold: ignored */
        {SLA_RESUME, 20}, /* */
        {SLA_HOLD, 30},   /* still on hold: until now */
    };
    struct sla_interval out[COUNT(marks)];
    size_t n = sla_holds(marks, COUNT(marks), 100, out);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].from, 10);
    assert_int_equal(out[0].to, 20);
    assert_int_equal(out[1].from, 30);
    assert_int_equal(out[1].to, 100);
    assert_int_equal(sla_holds(marks, 0, 100, out), 0);
}

static void wall_clock_minus_holds(void **state)
{
    (void)state;
    /* 10 hours, a hold of 2 h inside, one overlapping the start, one after the end */
    int64_t s = utc(2026, 1, 10, 6, 0), e = utc(2026, 1, 10, 16, 0);
    struct sla_interval holds[] = {
        {s - H, s + H},         /* 1 h of it inside */
        {s + 3 * H, s + 5 * H}, /* 2 h */
        {s + 4 * H, s + 6 * H}, /* overlaps the one before: 1 h more, not 2 */
        {e + H, e + 2 * H},     /* after the end */
    };
    assert_int_equal(sla_elapsed(NULL, s, e, NULL, 0), 10 * H);
    assert_int_equal(sla_elapsed(NULL, s, e, holds, COUNT(holds)), 10 * H - 4 * H);
    /* a hold covering everything leaves nothing; never negative */
    struct sla_interval all[] = {{s - 100, e + 100}};
    assert_int_equal(sla_elapsed(NULL, s, e, all, 1), 0);
    assert_int_equal(sla_elapsed(NULL, e, s, NULL, 0), 0);
}

/* Europe/Berlin, winter (UTC+1): Friday 2026-01-09 10:00 to Tuesday 2026-01-13 10:00 local. */
static void hold_spanning_a_weekend(void **state)
{
    (void)state;
    struct tz *tz = load_zone("Europe/Berlin");
    struct tz_cal cal = window(tz);
    int64_t s = utc(2026, 1, 9, 9, 0), e = utc(2026, 1, 13, 9, 0);

    /* Fri 11 h + Mon 12 h + Tue 1 h */
    assert_int_equal(sla_elapsed(&cal, s, e, NULL, 0), 24 * H);
    /* on hold Friday 20:00 to Monday 10:00 local: 1 h Friday + 1 h Monday of the window */
    struct sla_interval weekend[] = {{utc(2026, 1, 9, 19, 0), utc(2026, 1, 12, 9, 0)}};
    assert_int_equal(sla_elapsed(&cal, s, e, weekend, 1), 22 * H);
    /* the wall clock takes the whole 62 h off */
    assert_int_equal(sla_elapsed(NULL, s, e, weekend, 1), 96 * H - 62 * H);
    /* a hold of Saturday only changes nothing on the business clock */
    struct sla_interval saturday[] = {{utc(2026, 1, 10, 8, 0), utc(2026, 1, 10, 20, 0)}};
    assert_int_equal(sla_elapsed(&cal, s, e, saturday, 1), 24 * H);
    tz_free(tz);
}

/* Monday 2026-01-12, Berlin: 10:00 to 15:00 local with a hold 11:00-12:30 inside the window. */
static void hold_inside_a_window(void **state)
{
    (void)state;
    struct tz *tz = load_zone("Europe/Berlin");
    struct tz_cal cal = window(tz);
    int64_t s = utc(2026, 1, 12, 9, 0), e = utc(2026, 1, 12, 14, 0);
    struct sla_interval holds[] = {{utc(2026, 1, 12, 10, 0), utc(2026, 1, 12, 11, 30)}};

    assert_int_equal(sla_elapsed(&cal, s, e, holds, 1), 5 * H - 90 * 60);
    /* the clock stops inside the hold: only the part before the stop is taken off */
    int64_t stop = utc(2026, 1, 12, 10, 30);
    assert_int_equal(sla_elapsed(&cal, s, stop, holds, 1), H);
    /* 20:59 local counts, 21:01 does not */
    int64_t at2059 = utc(2026, 1, 12, 19, 59), at2101 = utc(2026, 1, 12, 20, 1);
    assert_int_equal(sla_elapsed(&cal, at2059, at2101, NULL, 0), 60);
    tz_free(tz);
}

/* Berlin goes CET -> CEST in the night to Sunday 2026-03-29 (02:00 -> 03:00 local). */
static void dst_night_east(void **state)
{
    (void)state;
    struct tz *tz = load_zone("Europe/Berlin");
    struct tz_cal cal = window(tz);
    /* Friday 20:00 CET (19:00Z) to Monday 10:00 CEST (08:00Z): 61 real hours */
    int64_t s = utc(2026, 3, 27, 19, 0), e = utc(2026, 3, 30, 8, 0);
    assert_int_equal(sla_elapsed(NULL, s, e, NULL, 0), 61 * H);
    assert_int_equal(sla_elapsed(&cal, s, e, NULL, 0), 2 * H);
    /* on hold Saturday 22:00 CET to Sunday 04:00 CEST: 6 h on the wall clock, 5 real hours */
    struct sla_interval night[] = {{utc(2026, 3, 28, 21, 0), utc(2026, 3, 29, 2, 0)}};
    assert_int_equal(sla_elapsed(NULL, s, e, night, 1), 56 * H);
    assert_int_equal(sla_elapsed(&cal, s, e, night, 1), 2 * H);
    /* on hold Friday 20:30 to Monday 09:30 local: half an hour of each window */
    struct sla_interval weekend[] = {{utc(2026, 3, 27, 19, 30), utc(2026, 3, 30, 7, 30)}};
    assert_int_equal(sla_elapsed(&cal, s, e, weekend, 1), H);
    /* Monday after the change: 09:00-21:00 CEST is 07:00Z-19:00Z */
    assert_int_equal(sla_elapsed(&cal, utc(2026, 3, 30, 0, 0), utc(2026, 3, 31, 0, 0), NULL, 0),
                     12 * H);
    tz_free(tz);
}

/* New York goes EST -> EDT on Sunday 2026-03-08; west of UTC the window is 14:00Z-02:00Z. */
static void dst_night_west(void **state)
{
    (void)state;
    struct tz *tz = load_zone("America/New_York");
    struct tz_cal cal = window(tz);
    /* Friday 2026-03-06 12:00 EST (17:00Z) to Monday 2026-03-09 12:00 EDT (16:00Z) */
    int64_t s = utc(2026, 3, 6, 17, 0), e = utc(2026, 3, 9, 16, 0);
    assert_int_equal(sla_elapsed(&cal, s, e, NULL, 0), 9 * H + 3 * H);
    /* on hold Friday 20:00 EST to Monday 10:00 EDT: 1 h + 1 h of the window */
    struct sla_interval holds[] = {{utc(2026, 3, 7, 1, 0), utc(2026, 3, 9, 14, 0)}};
    assert_int_equal(sla_elapsed(&cal, s, e, holds, 1), 10 * H);
    assert_int_equal(sla_elapsed(NULL, s, e, holds, 1), 71 * H - 61 * H);
    tz_free(tz);
}

/* A holiday counts nothing, on hold or not. */
static void holiday(void **state)
{
    (void)state;
    struct tz *tz = load_zone("Europe/Berlin");
    int64_t hol[] = {tz_days_from_civil(2026, 1, 12)}; /* Monday */
    struct tz_cal cal = window(tz);
    cal.holidays = hol;
    cal.n_holidays = 1;
    int64_t s = utc(2026, 1, 9, 9, 0), e = utc(2026, 1, 13, 9, 0);
    /* Fri 11 h + Tue 1 h */
    assert_int_equal(sla_elapsed(&cal, s, e, NULL, 0), 12 * H);
    struct sla_interval holds[] = {{utc(2026, 1, 12, 0, 0), utc(2026, 1, 13, 0, 0)}};
    assert_int_equal(sla_elapsed(&cal, s, e, holds, 1), 12 * H);
    tz_free(tz);
}

static void clock_states(void **state)
{
    (void)state;
    struct sla_clock c;
    struct sla_interval holds[] = {{20, 30}};

    sla_clock_eval(NULL, false, 0, false, 0, 1000, NULL, 0, &c);
    assert_int_equal(c.state, SLA_NOT_STARTED);
    assert_int_equal(c.seconds, 0);
    assert_string_equal(sla_state_name(c.state), "not_started");
    sla_clock_eval(NULL, true, 10, false, 0, 100, holds, 1, &c);
    assert_int_equal(c.state, SLA_RUNNING);
    assert_int_equal(c.end, 100);
    assert_int_equal(c.seconds, 80);
    assert_string_equal(sla_state_name(c.state), "running");
    sla_clock_eval(NULL, true, 10, true, 25, 100, holds, 1, &c);
    assert_int_equal(c.state, SLA_STOPPED);
    assert_int_equal(c.end, 25);
    assert_int_equal(c.seconds, 10);
    assert_string_equal(sla_state_name(c.state), "stopped");
    sla_clock_eval(NULL, true, 10, true, 5, 100, NULL, 0, &c);
    assert_int_equal(c.seconds, 0);
}

/* A cancelled case: what had not stopped stops at the cancel; a stopped clock stays stopped. */
static void clock_cancelled(void **state)
{
    (void)state;
    struct sla_clock c;

    sla_clock_eval(NULL, true, 10, false, 0, 60, NULL, 0, &c); /* evaluated at the cancel, 60 */
    sla_clock_cancel(&c, 60);
    assert_int_equal(c.state, SLA_CANCELLED);
    assert_int_equal(c.end, 60);
    assert_int_equal(c.seconds, 50);
    assert_string_equal(sla_state_name(c.state), "cancelled");
    sla_clock_eval(NULL, false, 0, false, 0, 60, NULL, 0, &c);
    sla_clock_cancel(&c, 60);
    assert_int_equal(c.state, SLA_CANCELLED);
    assert_int_equal(c.seconds, 0);
    sla_clock_eval(NULL, true, 10, true, 25, 60, NULL, 0, &c);
    sla_clock_cancel(&c, 60);
    assert_int_equal(c.state, SLA_STOPPED);
    assert_int_equal(c.end, 25);
    assert_int_equal(c.seconds, 15);
}

static void nearest_rank_percentile(void **state)
{
    (void)state;
    int64_t ten[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    sla_sort(ten, COUNT(ten));
    assert_int_equal(ten[0], 1);
    assert_int_equal(sla_percentile(ten, 10, 50), 5);
    assert_int_equal(sla_percentile(ten, 10, 90), 9);
    assert_int_equal(sla_percentile(ten, 10, 91), 10);
    assert_int_equal(sla_percentile(ten, 10, 100), 10);
    assert_int_equal(sla_percentile(ten, 10, 1), 1);
    int64_t one[] = {42};
    assert_int_equal(sla_percentile(one, 1, 50), 42);
    assert_int_equal(sla_percentile(one, 1, 90), 42);
    int64_t four[] = {100, 200, 300, 400};
    assert_int_equal(sla_percentile(four, 4, 50), 200); /* the lower middle, never 250 */
    assert_int_equal(sla_percentile(four, 4, 90), 400); /* rank ceil(3.6) = 4 */
    int64_t three[] = {1, 2, 3};
    assert_int_equal(sla_percentile(three, 3, 50), 2);
    assert_int_equal(sla_percentile(three, 3, 90), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(holds_from_marks),
        cmocka_unit_test(wall_clock_minus_holds),
        cmocka_unit_test(hold_spanning_a_weekend),
        cmocka_unit_test(hold_inside_a_window),
        cmocka_unit_test(dst_night_east),
        cmocka_unit_test(dst_night_west),
        cmocka_unit_test(holiday),
        cmocka_unit_test(clock_states),
        cmocka_unit_test(clock_cancelled),
        cmocka_unit_test(nearest_rank_percentile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

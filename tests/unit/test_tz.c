/*
 * Unit tests of tz: TZif parsing (real files from /usr/share/zoneinfo and files built here byte
 * by byte), the POSIX TZ footer rules, local time -> instant(s), and the policy calendar.
 *
 * Every expected instant and offset was computed outside this code base while the test was
 * written, with GNU date and zdump on Debian 12 (tzdata 2025b), e.g.
 *   TZ=Europe/Berlin date -d '2026-06-10 20:59' +%s
 *   TZ='XST-1XDT,M3.5.3/12,M10.5.3/12' date -d @1774436400 +%z   (glibc reads POSIX TZ strings)
 *   zdump -v -c 2026,2028 Europe/Berlin
 * and is hard-coded here; none is computed by the code under test.  Tests may read files, core
 * may not: this file reads the zone files and hands their bytes to tz_parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/tz.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define ZONEINFO "/usr/share/zoneinfo/"
#define H 3600

/* ---- helpers ---- */

static unsigned char *read_zone_file(const char *name, size_t *len)
{
    char path[256];
    FILE *f;
    unsigned char *buf;
    long n;

    snprintf(path, sizeof(path), ZONEINFO "%s", name);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s (is tzdata installed?)", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static struct tz *load(const char *name)
{
    size_t len;
    unsigned char *buf = read_zone_file(name, &len);
    struct err err = {0};
    struct tz *tz = tz_parse(buf, len, name, &err);

    free(buf);
    if (tz == NULL)
        fail_msg("%s: %s", name, err.message);
    assert_string_equal(tz_name(tz), name);
    return tz;
}

static void put32(unsigned char **p, uint32_t v)
{
    (*p)[0] = (unsigned char)(v >> 24);
    (*p)[1] = (unsigned char)(v >> 16);
    (*p)[2] = (unsigned char)(v >> 8);
    (*p)[3] = (unsigned char)v;
    *p += 4;
}

static void put64(unsigned char **p, int64_t v)
{
    put32(p, (uint32_t)((uint64_t)v >> 32));
    put32(p, (uint32_t)v);
}

/* a hand-made zone: its transitions, types (offset, dst) and footer */
struct handmade {
    char version; /* 0 for version 1, else '2', '3', '4' */
    size_t n_trans;
    const int64_t *trans;
    const unsigned char *idx;
    size_t n_types;
    const int32_t *offs;
    const char *footer; /* NULL: no footer at all (not even the new lines) */
    uint32_t leapcnt;   /* leap second records to claim (written as zeros) */
};

static void put_header(unsigned char **p, const struct handmade *z)
{
    memcpy(*p, "TZif", 4);
    (*p)[4] = (unsigned char)z->version;
    memset(*p + 5, 0, 15);
    *p += 20;
    put32(p, 0);          /* isutcnt */
    put32(p, 0);          /* isstdcnt */
    put32(p, z->leapcnt); /* leapcnt */
    put32(p, (uint32_t)z->n_trans);
    put32(p, (uint32_t)z->n_types);
    put32(p, 4); /* charcnt: "ABC\0" */
}

static void put_block(unsigned char **p, const struct handmade *z, int tsize)
{
    for (size_t i = 0; i < z->n_trans; i++) {
        if (tsize == 8)
            put64(p, z->trans[i]);
        else
            put32(p, (uint32_t)(int32_t)z->trans[i]);
    }
    for (size_t i = 0; i < z->n_trans; i++)
        *(*p)++ = z->idx[i];
    for (size_t i = 0; i < z->n_types; i++) {
        put32(p, (uint32_t)z->offs[i]);
        *(*p)++ = i > 0; /* the first type standard, the others dst */
        *(*p)++ = 0;
    }
    memcpy(*p, "ABC", 4);
    *p += 4;
    memset(*p, 0, (size_t)z->leapcnt * (size_t)(tsize + 4));
    *p += (size_t)z->leapcnt * (size_t)(tsize + 4);
}

/* the TZif bytes of z into buf (4096 bytes); returns the length */
static size_t build(const struct handmade *z, unsigned char *buf)
{
    unsigned char *p = buf;

    put_header(&p, z);
    put_block(&p, z, 4);
    if (z->version != 0) {
        put_header(&p, z);
        put_block(&p, z, 8);
        if (z->footer != NULL) {
            *p++ = '\n';
            memcpy(p, z->footer, strlen(z->footer));
            p += strlen(z->footer);
            *p++ = '\n';
        }
    }
    assert_true(p - buf < 4096);
    return (size_t)(p - buf);
}

/* a version 2 zone with no transitions and one type: only the footer speaks */
static struct tz *footer_zone(const char *footer, int32_t std_off)
{
    struct handmade z = {'2', 0, NULL, NULL, 1, &std_off, footer, 0};
    unsigned char buf[4096];
    size_t len = build(&z, buf);
    struct err err = {0};
    struct tz *tz = tz_parse(buf, len, "Test/Footer", &err);

    if (tz == NULL)
        fail_msg("footer %s: %s", footer, err.message);
    return tz;
}

/* ---- offsets ---- */

static void offsets_of_real_zones(void **state)
{
    static const struct {
        const char *zone;
        int64_t t;
        int32_t off;
    } cases[] = {
        /* Berlin: the four changes of 2026 and 2027 (zdump), the second before and at each */
        {"Europe/Berlin", 1774745999, 1 * H}, /* 2026-03-29 00:59:59 UTC */
        {"Europe/Berlin", 1774746000, 2 * H},
        {"Europe/Berlin", 1792889999, 2 * H}, /* 2026-10-25 00:59:59 UTC */
        {"Europe/Berlin", 1792890000, 1 * H},
        {"Europe/Berlin", 1806195599, 1 * H}, /* 2027-03-28 */
        {"Europe/Berlin", 1806195600, 2 * H},
        {"Europe/Berlin", 1824944399, 2 * H}, /* 2027-10-31 */
        {"Europe/Berlin", 1824944400, 1 * H},
        /* past 2037: the footer's rules */
        {"Europe/Berlin", 2224756800, 2 * H}, /* 2040-07-01 12:00 UTC */
        {"Europe/Berlin", 2210241600, 1 * H}, /* 2040-01-15 */
        {"Europe/Berlin", 2531955599, 1 * H}, /* 2050-03-27 00:59:59 */
        {"Europe/Berlin", 2531955600, 2 * H},
        {"Europe/Berlin", 2550704399, 2 * H}, /* 2050-10-30 00:59:59 */
        {"Europe/Berlin", 2550704400, 1 * H},
        /* New York (west of UTC) */
        {"America/New_York", 1772953199, -5 * H}, /* 2026-03-08 06:59:59 UTC */
        {"America/New_York", 1772953200, -4 * H},
        {"America/New_York", 1793512799, -4 * H}, /* 2026-11-01 05:59:59 */
        {"America/New_York", 1793512800, -5 * H},
        {"America/New_York", 1805007599, -5 * H}, /* 2027-03-14 */
        {"America/New_York", 1805007600, -4 * H},
        {"America/New_York", 1825567199, -4 * H}, /* 2027-11-07 */
        {"America/New_York", 1825567200, -5 * H},
        {"America/New_York", 2382523200, -4 * H}, /* 2045-07-01 */
        {"America/New_York", 2394792000, -5 * H}, /* 2045-11-20 */
        {"America/New_York", 2530767599, -5 * H}, /* 2050-03-13 06:59:59 */
        {"America/New_York", 2530767600, -4 * H},
        {"America/New_York", 2551327199, -4 * H}, /* 2050-11-06 05:59:59 */
        {"America/New_York", 2551327200, -5 * H},
        /* Los Angeles */
        {"America/Los_Angeles", 1772963999, -8 * H}, /* 2026-03-08 09:59:59 */
        {"America/Los_Angeles", 1772964000, -7 * H},
        {"America/Los_Angeles", 1793523599, -7 * H}, /* 2026-11-01 08:59:59 */
        {"America/Los_Angeles", 1793523600, -8 * H},
        /* Sydney: southern hemisphere, summer time over the new year */
        {"Australia/Sydney", 1775318399, 11 * H}, /* 2026-04-04 15:59:59 UTC */
        {"Australia/Sydney", 1775318400, 10 * H},
        {"Australia/Sydney", 1791043199, 10 * H}, /* 2026-10-03 15:59:59 */
        {"Australia/Sydney", 1791043200, 11 * H},
        {"Australia/Sydney", 1806767999, 11 * H}, /* 2027-04-03 */
        {"Australia/Sydney", 1806768000, 10 * H},
        {"Australia/Sydney", 1822492799, 10 * H}, /* 2027-10-02 */
        {"Australia/Sydney", 1822492800, 11 * H},
        {"Australia/Sydney", 2210241600, 11 * H}, /* 2040-01-15 */
        {"Australia/Sydney", 2224756800, 10 * H}, /* 2040-07-01 */
        {"Australia/Sydney", 2532527999, 11 * H}, /* 2050-04-02 15:59:59 */
        {"Australia/Sydney", 2532528000, 10 * H},
        {"Australia/Sydney", 2548252799, 10 * H}, /* 2050-10-01 15:59:59 */
        {"Australia/Sydney", 2548252800, 11 * H},
        /* no DST */
        {"Asia/Tokyo", 1780272000, 9 * H},
        {"Asia/Tokyo", 2224756800, 9 * H},
        {"Asia/Kolkata", 1780272000, 5 * H + 30 * 60},
        {"Asia/Kolkata", 2224756800, 5 * H + 30 * 60},
        {"UTC", 1780272000, 0},
        {"UTC", 2224756800, 0},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct tz *tz = load(cases[i].zone);
        int32_t got = tz_offset_at(tz, cases[i].t);

        if (got != cases[i].off)
            fail_msg("%s at %lld: offset %d, expected %d", cases[i].zone, (long long)cases[i].t,
                     got, cases[i].off);
        tz_free(tz);
    }
}

/* footers in every form RFC 8536 allows, on zones made of nothing else */
static void footer_rules(void **state)
{
    static const struct {
        const char *footer;
        int32_t std_off;
        int64_t t;
        int32_t off;
    } cases[] = {
        /* Mm.w.d on a Wednesday at noon */
        {"XST-1XDT,M3.5.3/12,M10.5.3/12", 1 * H, 1774436399, 1 * H},
        {"XST-1XDT,M3.5.3/12,M10.5.3/12", 1 * H, 1774436400, 2 * H},
        {"XST-1XDT,M3.5.3/12,M10.5.3/12", 1 * H, 1793181599, 2 * H},
        {"XST-1XDT,M3.5.3/12,M10.5.3/12", 1 * H, 1793181600, 1 * H},
        /* Jn: Feb 29 never counted, J60 is March 1 in 2027 and in the leap year 2028 */
        {"EST5EDT,J60/2,J300/2", -5 * H, 1803884399, -5 * H},
        {"EST5EDT,J60/2,J300/2", -5 * H, 1803884400, -4 * H},
        {"EST5EDT,J60/2,J300/2", -5 * H, 1835506799, -5 * H},
        {"EST5EDT,J60/2,J300/2", -5 * H, 1835506800, -4 * H},
        {"EST5EDT,J60/2,J300/2", -5 * H, 1793080799, -4 * H},
        {"EST5EDT,J60/2,J300/2", -5 * H, 1793080800, -5 * H},
        /* n: zero-based, Feb 29 counted: day 59 is Feb 29 in 2028 */
        {"EST5EDT,59/2,299/2", -5 * H, 1803884399, -5 * H},
        {"EST5EDT,59/2,299/2", -5 * H, 1803884400, -4 * H},
        {"EST5EDT,59/2,299/2", -5 * H, 1835420399, -5 * H},
        {"EST5EDT,59/2,299/2", -5 * H, 1835420400, -4 * H},
        {"EST5EDT,59/2,299/2", -5 * H, 1856152799, -4 * H},
        {"EST5EDT,59/2,299/2", -5 * H, 1856152800, -5 * H},
        /* v3: negative times (the evening before) and <...> names with signs */
        {"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -3 * H, 1774745999, -3 * H},
        {"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -3 * H, 1774746000, -2 * H},
        {"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -3 * H, 1792889999, -2 * H},
        {"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -3 * H, 1792890000, -3 * H},
        /* v3: over 24 hours (Thursday 26:00 is Friday 02:00) */
        {"IST-2IDT,M3.4.4/26,M10.5.0", 2 * H, 1774569599, 2 * H},
        {"IST-2IDT,M3.4.4/26,M10.5.0", 2 * H, 1774569600, 3 * H},
        {"IST-2IDT,M3.4.4/26,M10.5.0", 2 * H, 1792882799, 3 * H},
        {"IST-2IDT,M3.4.4/26,M10.5.0", 2 * H, 1792882800, 2 * H},
        /* RFC 8536 3.3.1: daylight saving all year, also across the new year */
        {"EST5EDT,0/0,J365/25", -5 * H, 1782864000, -4 * H}, /* 2026-07-01 */
        {"EST5EDT,0/0,J365/25", -5 * H, 1798761599, -4 * H}, /* 2026-12-31 23:59:59 UTC */
        {"EST5EDT,0/0,J365/25", -5 * H, 1798776000, -4 * H}, /* 2027-01-01 04:00 UTC */
        {"EST5EDT,0/0,J365/25", -5 * H, 1798779600, -4 * H}, /* 2027-01-01 05:00 UTC */
        /* minutes in the offset, no DST */
        {"<+0530>-5:30", 5 * H + 30 * 60, 1767225600, 5 * H + 30 * 60},
        /* southern hemisphere order: dst starts in October, ends in March */
        {"AAA3BBB,M10.1.0/0,M3.3.0/0", -3 * H, 1791082799, -3 * H},
        {"AAA3BBB,M10.1.0/0,M3.3.0/0", -3 * H, 1791082800, -2 * H},
        {"AAA3BBB,M10.1.0/0,M3.3.0/0", -3 * H, 1773539999, -2 * H},
        {"AAA3BBB,M10.1.0/0,M3.3.0/0", -3 * H, 1773540000, -3 * H},
        {"AAA3BBB,M10.1.0/0,M3.3.0/0", -3 * H, 1767268800, -2 * H}, /* 2026-01-01 */
        {"AAA3BBB,M10.1.0/0,M3.3.0/0", -3 * H, 1798761599, -2 * H}, /* 2026-12-31 */
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct tz *tz = footer_zone(cases[i].footer, cases[i].std_off);
        int32_t got = tz_offset_at(tz, cases[i].t);

        if (got != cases[i].off)
            fail_msg("%s at %lld: offset %d, expected %d", cases[i].footer, (long long)cases[i].t,
                     got, cases[i].off);
        tz_free(tz);
    }
}

/* a slim file: one transition, then the footer carries on */
static void footer_after_last_transition(void **state)
{
    static const int64_t trans[] = {1774746000}; /* 2026-03-29 01:00 UTC: into CEST */
    static const unsigned char idx[] = {1};
    static const int32_t offs[] = {1 * H, 2 * H};
    struct handmade z = {'2', 1, trans, idx, 2, offs, "CET-1CEST,M3.5.0,M10.5.0/3", 0};
    unsigned char buf[4096];
    size_t len = build(&z, buf);
    struct err err = {0};
    struct tz *tz = tz_parse(buf, len, "Test/Slim", &err);

    (void)state;
    assert_non_null(tz);
    assert_int_equal(tz_offset_at(tz, 1774745999), 1 * H); /* before: type 0 */
    assert_int_equal(tz_offset_at(tz, 1774746000), 2 * H);
    assert_int_equal(tz_offset_at(tz, 1792889999), 2 * H); /* from here on, the footer */
    assert_int_equal(tz_offset_at(tz, 1792890000), 1 * H);
    assert_int_equal(tz_offset_at(tz, 1806195600), 2 * H);
    assert_int_equal(tz_offset_at(tz, 2550704400), 1 * H);
    tz_free(tz);
}

/* ---- local time -> instants ---- */

static void local_to_instants(void **state)
{
    static const struct {
        const char *zone;
        int y, mo, d, h, mi, s;
        enum tz_local_kind kind;
        int64_t first, second;
    } cases[] = {
        /* Berlin autumn Sundays: 02:30 twice (CEST, then CET) */
        {"Europe/Berlin", 2026, 10, 25, 2, 30, 0, TZ_LOCAL_AMBIGUOUS, 1792888200, 1792891800},
        {"Europe/Berlin", 2027, 10, 31, 2, 30, 0, TZ_LOCAL_AMBIGUOUS, 1824942600, 1824946200},
        {"Europe/Berlin", 2050, 10, 30, 2, 30, 0, TZ_LOCAL_AMBIGUOUS, 2550702600, 2550706200},
        {"Europe/Berlin", 2026, 10, 25, 1, 59, 59, TZ_LOCAL_UNIQUE, 1792886399, 0},
        {"Europe/Berlin", 2026, 10, 25, 3, 0, 0, TZ_LOCAL_UNIQUE, 1792893600, 0},
        /* Berlin spring Sundays: 02:30 never happens; the gap starts at 01:00 UTC */
        {"Europe/Berlin", 2026, 3, 29, 2, 30, 0, TZ_LOCAL_NONEXISTENT, 1774746000, 0},
        {"Europe/Berlin", 2026, 3, 29, 2, 0, 0, TZ_LOCAL_NONEXISTENT, 1774746000, 0},
        {"Europe/Berlin", 2027, 3, 28, 2, 30, 0, TZ_LOCAL_NONEXISTENT, 1806195600, 0},
        {"Europe/Berlin", 2050, 3, 27, 2, 30, 0, TZ_LOCAL_NONEXISTENT, 2531955600, 0},
        {"Europe/Berlin", 2026, 3, 29, 1, 59, 59, TZ_LOCAL_UNIQUE, 1774745999, 0},
        {"Europe/Berlin", 2026, 3, 29, 3, 0, 0, TZ_LOCAL_UNIQUE, 1774746000, 0},
        {"Europe/Berlin", 2026, 6, 10, 9, 0, 0, TZ_LOCAL_UNIQUE, 1781074800, 0},
        /* New York */
        {"America/New_York", 2026, 11, 1, 1, 30, 0, TZ_LOCAL_AMBIGUOUS, 1793511000, 1793514600},
        {"America/New_York", 2027, 11, 7, 1, 30, 0, TZ_LOCAL_AMBIGUOUS, 1825565400, 1825569000},
        {"America/New_York", 2026, 3, 8, 2, 30, 0, TZ_LOCAL_NONEXISTENT, 1772953200, 0},
        {"America/New_York", 2027, 3, 14, 2, 30, 0, TZ_LOCAL_NONEXISTENT, 1805007600, 0},
        {"America/New_York", 2026, 6, 10, 9, 0, 0, TZ_LOCAL_UNIQUE, 1781096400, 0},
        /* Sydney: back in April, forward in October */
        {"Australia/Sydney", 2026, 4, 5, 2, 30, 0, TZ_LOCAL_AMBIGUOUS, 1775316600, 1775320200},
        {"Australia/Sydney", 2026, 10, 4, 2, 30, 0, TZ_LOCAL_NONEXISTENT, 1791043200, 0},
        {"Australia/Sydney", 2026, 6, 10, 9, 0, 0, TZ_LOCAL_UNIQUE, 1781046000, 0},
        /* no DST, east and west */
        {"Asia/Tokyo", 2026, 6, 10, 9, 0, 0, TZ_LOCAL_UNIQUE, 1781049600, 0},
        {"Asia/Kolkata", 2026, 6, 10, 9, 0, 0, TZ_LOCAL_UNIQUE, 1781062200, 0},
        {"America/Los_Angeles", 2026, 6, 10, 9, 0, 0, TZ_LOCAL_UNIQUE, 1781107200, 0},
        {"UTC", 2026, 6, 10, 9, 0, 0, TZ_LOCAL_UNIQUE, 1781082000, 0},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct tz *tz = load(cases[i].zone);
        struct tz_local l = {cases[i].y,  cases[i].mo, cases[i].d, cases[i].h,
                             cases[i].mi, cases[i].s,  0};
        int64_t first = -1, second = -1;
        enum tz_local_kind kind = tz_from_local(tz, &l, &first, &second);

        if (kind != cases[i].kind || first != cases[i].first ||
            (kind == TZ_LOCAL_AMBIGUOUS && second != cases[i].second))
            fail_msg("%s %04d-%02d-%02d %02d:%02d: kind %d %lld %lld, expected %d %lld %lld",
                     cases[i].zone, cases[i].y, cases[i].mo, cases[i].d, cases[i].h, cases[i].mi,
                     kind, (long long)first, (long long)second, cases[i].kind,
                     (long long)cases[i].first, (long long)cases[i].second);
        tz_free(tz);
    }
}

static void instants_to_local(void **state)
{
    static const struct {
        const char *zone;
        int64_t t;
        struct tz_local want;
    } cases[] = {
        {"Europe/Berlin", 1792888200, {2026, 10, 25, 2, 30, 0, 0}},
        {"Europe/Berlin", 1792891800, {2026, 10, 25, 2, 30, 0, 0}},
        {"Europe/Berlin", 1774746000, {2026, 3, 29, 3, 0, 0, 0}},
        {"Asia/Kolkata", 1781062200, {2026, 6, 10, 9, 0, 0, 3}},
        {"America/Los_Angeles", 1781150460, {2026, 6, 10, 21, 1, 0, 3}},
        {"Asia/Tokyo", 1781263800, {2026, 6, 12, 20, 30, 0, 5}},
        /* 2026-01-01 00:00 UTC is still 2025 in New York: a Wednesday */
        {"America/New_York", 1767225600, {2025, 12, 31, 19, 0, 0, 3}},
        {"UTC", 0, {1970, 1, 1, 0, 0, 0, 4}},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct tz *tz = load(cases[i].zone);
        struct tz_local l;

        tz_to_local(tz, cases[i].t, &l);
        if (memcmp(&l, &cases[i].want, sizeof(l)) != 0)
            fail_msg("%s at %lld: %04d-%02d-%02d %02d:%02d:%02d wday %d", cases[i].zone,
                     (long long)cases[i].t, l.year, l.month, l.day, l.hour, l.min, l.sec, l.wday);
        tz_free(tz);
    }
}

static void civil_days(void **state)
{
    /* days = date -u -d DATE +%s / 86400 */
    static const struct {
        int y, m, d;
        int64_t days;
    } cases[] = {
        {1970, 1, 1, 0},      {1969, 12, 31, -1},   {2000, 2, 29, 11016}, {2026, 5, 25, 20598},
        {2400, 3, 1, 157114}, {1900, 3, 1, -25508}, {2026, 1, 1, 20454},  {2026, 12, 26, 20813},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        int y, m, d;

        assert_int_equal(tz_days_from_civil(cases[i].y, cases[i].m, cases[i].d), cases[i].days);
        tz_civil_from_days(cases[i].days, &y, &m, &d);
        assert_int_equal(y, cases[i].y);
        assert_int_equal(m, cases[i].m);
        assert_int_equal(d, cases[i].d);
    }
}

/* ---- the calendar ---- */

/* German national holidays of 2026 as days since 1970-01-01 (date -u -d DATE +%s / 86400):
 * Jan 1, Good Friday Apr 3, Easter Monday Apr 6, May 1, Ascension May 14, Whit Monday May 25,
 * Oct 3, Dec 25, Dec 26 */
static const int64_t de_2026[] = {20454, 20546, 20549, 20574, 20587, 20598, 20729, 20812, 20813};

static void window_edges(void **state)
{
    static const struct {
        const char *zone;
        int64_t t;
        bool open;
    } cases[] = {
        /* Wednesday 2026-06-10: 08:59 closed, 09:00 open, 20:59 open, 21:00 and 21:01 closed */
        {"Europe/Berlin", 1781074740, false},
        {"Europe/Berlin", 1781074800, true},
        {"Europe/Berlin", 1781117940, true},
        {"Europe/Berlin", 1781118000, false},
        {"Europe/Berlin", 1781118060, false},
        {"America/New_York", 1781096340, false},
        {"America/New_York", 1781096400, true},
        {"America/New_York", 1781139540, true},
        {"America/New_York", 1781139600, false},
        {"America/New_York", 1781139660, false},
        {"Asia/Tokyo", 1781049540, false},
        {"Asia/Tokyo", 1781049600, true},
        {"Asia/Tokyo", 1781092740, true},
        {"Asia/Tokyo", 1781092800, false},
        {"Asia/Tokyo", 1781092860, false},
        {"Asia/Kolkata", 1781062140, false},
        {"Asia/Kolkata", 1781062200, true},
        {"Asia/Kolkata", 1781105340, true},
        {"Asia/Kolkata", 1781105400, false},
        {"America/Los_Angeles", 1781107140, false},
        {"America/Los_Angeles", 1781107200, true},
        {"America/Los_Angeles", 1781150340, true},
        {"America/Los_Angeles", 1781150400, false},
        {"UTC", 1781081940, false},
        {"UTC", 1781082000, true},
        {"UTC", 1781125200, false},
        /* Saturday 2026-06-13 10:00 Berlin; Whit Monday 2026-05-25 10:00 Berlin */
        {"Europe/Berlin", 1781337600, false},
        {"Europe/Berlin", 1779696000, false},
        /* Tuesday 2026-05-26 10:00 Berlin */
        {"Europe/Berlin", 1779782400, true},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct tz *tz = load(cases[i].zone);
        struct tz_cal cal = {tz, 9 * 60, 21 * 60, de_2026, COUNT(de_2026)};

        if (tz_cal_is_open(&cal, cases[i].t) != cases[i].open)
            fail_msg("%s at %lld: expected %s", cases[i].zone, (long long)cases[i].t,
                     cases[i].open ? "open" : "closed");
        tz_free(tz);
    }
}

static void next_open(void **state)
{
    static const struct {
        const char *zone;
        int open_min, close_min;
        bool holidays;
        int64_t t, open, close;
    } cases[] = {
        /* Friday 2026-06-12 20:30 Berlin: still open until 21:00 */
        {"Europe/Berlin", 540, 1260, false, 1781289000, 1781289000, 1781290800},
        /* Friday 21:00: Monday 09:00-21:00 */
        {"Europe/Berlin", 540, 1260, false, 1781290800, 1781506800, 1781550000},
        /* on-site hours 09:00-17:00: Friday 20:30 -> Monday 09:00-17:00 */
        {"Europe/Berlin", 540, 1020, false, 1781289000, 1781506800, 1781535600},
        /* Friday 2026-05-22 20:30, on-site hours, Whit Monday a holiday: Tuesday 09:00 */
        {"Europe/Berlin", 540, 1020, true, 1779474600, 1779778800, 1779778800 + 8 * H},
        /* the same without the holiday list: Monday 2026-05-25 09:00 */
        {"Europe/Berlin", 540, 1020, false, 1779474600, 1779692400, 1779692400 + 8 * H},
        /* a closed Friday night over the spring change: Monday 2026-03-30 09:00 CEST */
        {"Europe/Berlin", 540, 1260, false, 1774641600, 1774854000, 1774897200},
        /* Friday 21:30 in New York and Tokyo */
        {"America/New_York", 540, 1260, false, 1781314200, 1781528400, 1781571600},
        {"Asia/Tokyo", 540, 1260, false, 1781267400, 1781481600, 1781524800},
        /* New York over the autumn change: Friday 2026-10-30 21:00 -> Monday 09:00 EST */
        {"America/New_York", 540, 1260, false, 1793408400, 1793628000, 1793628000 + 12 * H},
        /* Kolkata and Los Angeles: Friday 20:30 open till 21:00 */
        {"Asia/Kolkata", 540, 1260, false, 1781276400, 1781276400, 1781276400 + 1800},
        {"America/Los_Angeles", 540, 1260, false, 1781321400, 1781321400, 1781321400 + 1800},
        /* Wednesday 08:59 Berlin: 09:00 the same day */
        {"Europe/Berlin", 540, 1260, false, 1781074740, 1781074800, 1781118000},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct tz *tz = load(cases[i].zone);
        struct tz_cal cal = {tz, cases[i].open_min, cases[i].close_min,
                             cases[i].holidays ? de_2026 : NULL,
                             cases[i].holidays ? COUNT(de_2026) : 0};
        struct err err = {0};
        int64_t open = -1, close = -1;

        assert_int_equal(tz_cal_next_open(&cal, cases[i].t, &open, &close, &err), 0);
        if (open != cases[i].open || close != cases[i].close)
            fail_msg("case %zu %s from %lld: %lld-%lld, expected %lld-%lld", i, cases[i].zone,
                     (long long)cases[i].t, (long long)open, (long long)close,
                     (long long)cases[i].open, (long long)cases[i].close);
        tz_free(tz);
    }
}

static void next_open_never(void **state)
{
    struct tz *tz = load("UTC");
    struct tz_cal cal = {tz, 9 * 60, 9 * 60, NULL, 0}; /* an empty window */
    struct err err = {0};
    int64_t open, close;

    (void)state;
    assert_int_equal(tz_cal_next_open(&cal, 1781082000, &open, &close, &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "zone");
    tz_free(tz);
}

static void business_seconds(void **state)
{
    static const struct {
        const char *zone;
        bool holidays;
        int64_t from, to, secs;
    } cases[] = {
        /* Friday 20:00 -> Monday 10:00 Berlin: one hour each side of the weekend */
        {"Europe/Berlin", false, 1781287200, 1781510400, 2 * H},
        /* the same over the spring change night (2026-03-27 -> 03-30) and the autumn one */
        {"Europe/Berlin", false, 1774638000, 1774857600, 2 * H},
        {"Europe/Berlin", false, 1792778400, 1793005200, 2 * H},
        /* a whole week containing the spring change: five full windows */
        {"Europe/Berlin", false, 1774220400, 1774821600, 5 * 12 * H},
        /* Friday 2026-05-22 20:00 -> Tuesday 10:00 with and without Whit Monday */
        {"Europe/Berlin", true, 1779472800, 1779782400, 2 * H},
        {"Europe/Berlin", false, 1779472800, 1779782400, 14 * H},
        /* New York and Sydney over their change nights */
        {"America/New_York", false, 1772845200, 1773064800, 2 * H},
        {"Australia/Sydney", false, 1775206800, 1775433600, 2 * H},
        {"Australia/Sydney", false, 1790935200, 1791154800, 2 * H},
        /* east and west of UTC: Wednesday 08:00 -> Thursday 12:00 */
        {"Asia/Kolkata", false, 1781058600, 1781159400, 15 * H},
        {"America/Los_Angeles", false, 1781103600, 1781204400, 15 * H},
        /* inside one window; empty and reversed spans */
        {"Asia/Tokyo", false, 1781049600, 1781049660, 60},
        {"Asia/Tokyo", false, 1781049600, 1781049600, 0},
        {"Asia/Tokyo", false, 1781049660, 1781049600, 0},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct tz *tz = load(cases[i].zone);
        struct tz_cal cal = {tz, 9 * 60, 21 * 60, cases[i].holidays ? de_2026 : NULL,
                             cases[i].holidays ? COUNT(de_2026) : 0};
        int64_t got = tz_cal_business_seconds(&cal, cases[i].from, cases[i].to);

        if (got != cases[i].secs)
            fail_msg("case %zu %s: %lld seconds, expected %lld", i, cases[i].zone, (long long)got,
                     (long long)cases[i].secs);
        tz_free(tz);
    }
}

/*
 * A zone whose clocks change on a Wednesday at noon (2026-03-25 forward, 2026-10-28 back): the
 * window is still 09:00-21:00 on the wall, so 11 real hours in spring and 13 in autumn.
 */
static void window_on_a_change_day(void **state)
{
    struct tz *tz = footer_zone("XST-1XDT,M3.5.3/12,M10.5.3/12", 1 * H);
    struct tz_cal cal = {tz, 9 * 60, 21 * 60, NULL, 0};
    struct err err = {0};
    int64_t open, close;

    (void)state;
    /* 2026-03-25 09:00 XST = 1774425600, 21:00 XDT = 1774465200 */
    assert_int_equal(tz_cal_business_seconds(&cal, 1774425600 - H, 1774465200 + H), 11 * H);
    /* Monday 2026-03-23 00:00 -> Saturday 00:00: four 12-hour days and one of 11 */
    assert_int_equal(tz_cal_business_seconds(&cal, 1774220400, 1774648800), 4 * 12 * H + 11 * H);
    assert_int_equal(tz_cal_next_open(&cal, 1774425600 - 60, &open, &close, &err), 0);
    assert_int_equal(open, 1774425600);
    assert_int_equal(close, 1774465200);
    /* 2026-10-28 09:00 XDT = 1793170800, 21:00 XST = 1793217600: 13 hours, the noon hour twice */
    assert_int_equal(tz_cal_business_seconds(&cal, 1793170800 - H, 1793217600 + H), 13 * H);
    assert_true(tz_cal_is_open(&cal, 1793181600 + 1800)); /* 11:30 the second time */
    assert_true(tz_cal_is_open(&cal, 1793217600 - 1));
    assert_false(tz_cal_is_open(&cal, 1793217600));
    tz_free(tz);
}

/* absurd instants neither crash nor loop for ever (UBSan checks the arithmetic) */
static void extreme_instants(void **state)
{
    struct tz *tz = load("Europe/Berlin");
    struct tz_cal cal = {tz, 9 * 60, 21 * 60, NULL, 0};
    struct tz_local l;
    struct err err = {0};
    int64_t open, close, secs;

    (void)state;
    assert_int_equal(tz_offset_at(tz, INT64_MAX), 1 * H); /* far future: CET in January */
    tz_to_local(tz, INT64_MIN, &l);
    tz_to_local(tz, INT64_MAX, &l);
    assert_false(tz_cal_is_open(&cal, INT64_MIN));
    assert_int_equal(tz_cal_next_open(&cal, INT64_MAX, &open, &close, &err), -1);
    err_clear(&err);
    /* before 1900: the first window of 1900, Monday 1900-01-01 09:00 CET
     * (TZ=Europe/Berlin date -d '1900-01-01 09:00' +%s) */
    assert_int_equal(tz_cal_next_open(&cal, INT64_MIN, &open, &close, &err), 0);
    assert_int_equal(open, -2208960000);
    secs = tz_cal_business_seconds(&cal, INT64_MIN, INT64_MAX);
    assert_true(secs > 0);
    assert_int_equal(tz_cal_business_seconds(&cal, INT64_MAX - 1, INT64_MAX), 0);
    tz_free(tz);
}

/* ---- names and garbage ---- */

static void zone_names(void **state)
{
    static const struct {
        const char *name;
        bool valid;
    } cases[] = {
        {"Europe/Berlin", true},
        {"America/Argentina/Buenos_Aires", true},
        {"UTC", true},
        {"Etc/GMT+5", true},
        {"America/Port-au-Prince", true},
        {"", false},
        {"../../etc/passwd", false},
        {"Europe/../../etc/passwd", false},
        {"/etc/passwd", false},
        {"Europe/", false},
        {"Europe//Berlin", false},
        {".", false},
        {"Europe/.Berlin", false},
        {"Europe/Berlin\n", false},
        {"Europe Berlin", false},
        {"Europe\\Berlin", false},
        {"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true}, /* 64 */
        {"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
    };

    (void)state;
    assert_false(tz_name_valid(NULL));
    for (size_t i = 0; i < COUNT(cases); i++)
        if (tz_name_valid(cases[i].name) != cases[i].valid)
            fail_msg("%s: expected %s", cases[i].name, cases[i].valid ? "valid" : "invalid");
}

static void refuse(const unsigned char *data, size_t len, const char *what)
{
    struct err err = {0};
    struct tz *tz = tz_parse(data, len, "Test/Bad", &err);

    if (tz != NULL) {
        tz_free(tz);
        fail_msg("%s: accepted", what);
    }
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "zone");
}

static void garbage_is_refused(void **state)
{
    static const int64_t trans[] = {1774746000, 1792890000};
    static const int64_t backwards[] = {1792890000, 1774746000};
    static const unsigned char idx[] = {1, 0};
    static const unsigned char bad_idx[] = {1, 2};
    static const int32_t offs[] = {1 * H, 2 * H};
    static const int32_t huge[] = {1 * H, 200 * H};
    unsigned char buf[4096];
    size_t len, blen;
    unsigned char *berlin = read_zone_file("Europe/Berlin", &blen);
    struct err err = {0};
    struct tz *tz;

    (void)state;
    /* what a good hand-made file looks like, in version 1 (no footer) and 2 */
    {
        struct handmade z = {0, 2, trans, idx, 2, offs, NULL, 0};
        len = build(&z, buf);
        tz = tz_parse(buf, len, "Test/V1", &err);
        assert_non_null(tz);
        assert_int_equal(tz_offset_at(tz, 1774746000), 2 * H);
        assert_int_equal(tz_offset_at(tz, 1792890000), 1 * H);
        tz_free(tz);
    }
    {
        struct handmade z = {'2', 2, trans, idx, 2, offs, "", 0};
        len = build(&z, buf);
        tz = tz_parse(buf, len, "Test/V2", &err);
        assert_non_null(tz);
        assert_int_equal(tz_offset_at(tz, 2224756800), 1 * H); /* no rule: the last type */
        tz_free(tz);
    }
    refuse(NULL, 0, "null");
    refuse((const unsigned char *)"", 0, "empty");
    refuse((const unsigned char *)"TZif2", 5, "short header");
    refuse((const unsigned char *)"hello, world, this is not a time zone file at all", 49, "text");
    memcpy(buf, berlin, blen);
    buf[3] = 'g';
    refuse(buf, blen, "bad magic");
    memcpy(buf, berlin, blen);
    buf[4] = '5';
    refuse(buf, blen, "version 5");
    refuse(berlin, 100, "truncated in the v1 block");
    refuse(berlin, blen - 200, "truncated in the v2 block");
    refuse(berlin, blen - 1, "footer without its final new line");
    {
        struct handmade z = {'2', 2, trans, idx, 2, offs, NULL, 0};
        len = build(&z, buf);
        refuse(buf, len, "no footer");
    }
    {
        struct handmade z = {'2', 2, backwards, idx, 2, offs, "", 0};
        len = build(&z, buf);
        refuse(buf, len, "transitions out of order");
    }
    {
        struct handmade z = {'2', 2, trans, bad_idx, 2, offs, "", 0};
        len = build(&z, buf);
        refuse(buf, len, "index past the types");
    }
    {
        struct handmade z = {'2', 2, trans, idx, 2, huge, "", 0};
        len = build(&z, buf);
        refuse(buf, len, "offset of 200 hours");
    }
    {
        struct handmade z = {'2', 0, NULL, NULL, 0, offs, "", 0};
        len = build(&z, buf);
        refuse(buf, len, "no types");
    }
    {
        struct handmade z = {'2', 2, trans, idx, 2, offs, "", 1};
        len = build(&z, buf);
        refuse(buf, len, "leap seconds");
    }
    {
        static const char *const footers[] = {
            "garbage",
            "CET-1CEST,M13.5.0,M10.5.0/3",
            "CET-1CEST,M3.6.0,M10.5.0/3",
            "CET-1CEST,M3.5.7,M10.5.0/3",
            "CET-1CEST,M3.5.0",
            "CET-1CEST,J0,J100",
            "CET-1CEST,366,100",
            "CET-1CEST,M3.5.0/168,M10.5.0/3",
            "CET-1CEST,M3.5.0,M10.5.0/3x",
            "CET-25",
            "C-1",
            "<AB-1",
            "CET",
        };
        for (size_t i = 0; i < COUNT(footers); i++) {
            struct handmade z = {'3', 2, trans, idx, 2, offs, footers[i], 0};
            len = build(&z, buf);
            refuse(buf, len, footers[i]);
        }
    }
    free(berlin);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(offsets_of_real_zones),
        cmocka_unit_test(footer_rules),
        cmocka_unit_test(footer_after_last_transition),
        cmocka_unit_test(local_to_instants),
        cmocka_unit_test(instants_to_local),
        cmocka_unit_test(civil_days),
        cmocka_unit_test(window_edges),
        cmocka_unit_test(next_open),
        cmocka_unit_test(next_open_never),
        cmocka_unit_test(business_seconds),
        cmocka_unit_test(window_on_a_change_day),
        cmocka_unit_test(extreme_instants),
        cmocka_unit_test(zone_names),
        cmocka_unit_test(garbage_is_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

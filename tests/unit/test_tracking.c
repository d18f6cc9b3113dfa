/*
 * Unit tests of core tracking: the canonical names, each carrier's code table (real codes ->
 * canonical events, unknown kept as TRACK_UNKNOWN), the carriers' date and time formats, local
 * times in a zone (DST gap and repeated hour), and what an event does to a parcel.
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
#include "core/rma.h"
#include "core/tracking.h"
#include "core/tz.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void canon_names_round_trip(void **state)
{
    (void)state;
    for (int c = TRACK_UNKNOWN; c <= TRACK_LOST; c++) {
        enum track_canon back = TRACK_LOST;
        struct err err = {0};

        assert_int_equal(
            track_canon_parse(track_canon_name((enum track_canon)c), "event", &back, &err), 0);
        assert_int_equal(back, c);
    }
    assert_string_equal(track_canon_name(TRACK_RETURNED_TO_SENDER), "returned_to_sender");
    assert_string_equal(track_canon_name((enum track_canon)99), "unknown");
}

static void canon_parse_refuses(void **state)
{
    static const char *const bad[] = {"", "Delivered", "delivered ", "DL", "in transit"};

    (void)state;
    for (size_t i = 0; i < COUNT(bad); i++) {
        enum track_canon c;
        struct err err = {0};

        assert_int_equal(track_canon_parse(bad[i], "code", &c, &err), -1);
        assert_int_equal(err.kind, ERR_INVALID);
        assert_string_equal(err.field, "code");
    }
}

static void carrier_codes(void **state)
{
    static const struct {
        enum track_carrier_format fmt;
        const char *code;
        enum track_canon want;
    } cases[] = {
        {TRACK_FMT_UPS, "M", TRACK_LABEL_CREATED},
        {TRACK_FMT_UPS, "P", TRACK_PICKED_UP},
        {TRACK_FMT_UPS, "I", TRACK_IN_TRANSIT},
        {TRACK_FMT_UPS, "D", TRACK_DELIVERED},
        {TRACK_FMT_UPS, "X", TRACK_EXCEPTION},
        {TRACK_FMT_UPS, "RS", TRACK_RETURNED_TO_SENDER},
        {TRACK_FMT_UPS, "OT", TRACK_OUT_FOR_DELIVERY},
        {TRACK_FMT_UPS, "KB", TRACK_DELIVERED},
        {TRACK_FMT_UPS, "48", TRACK_ATTEMPTED},
        {TRACK_FMT_UPS, "i", TRACK_UNKNOWN}, /* codes are exact */
        {TRACK_FMT_UPS, "ZZ", TRACK_UNKNOWN},
        {TRACK_FMT_FEDEX, "OC", TRACK_LABEL_CREATED},
        {TRACK_FMT_FEDEX, "PU", TRACK_PICKED_UP},
        {TRACK_FMT_FEDEX, "IT", TRACK_IN_TRANSIT},
        {TRACK_FMT_FEDEX, "AR", TRACK_IN_TRANSIT},
        {TRACK_FMT_FEDEX, "DP", TRACK_IN_TRANSIT},
        {TRACK_FMT_FEDEX, "OD", TRACK_OUT_FOR_DELIVERY},
        {TRACK_FMT_FEDEX, "DL", TRACK_DELIVERED},
        {TRACK_FMT_FEDEX, "DE", TRACK_EXCEPTION},
        {TRACK_FMT_FEDEX, "SE", TRACK_EXCEPTION},
        {TRACK_FMT_FEDEX, "CA", TRACK_EXCEPTION},
        {TRACK_FMT_FEDEX, "HL", TRACK_ATTEMPTED},
        {TRACK_FMT_FEDEX, "RS", TRACK_RETURNED_TO_SENDER},
        {TRACK_FMT_FEDEX, "QX", TRACK_UNKNOWN},
        {TRACK_FMT_USPS, "MA", TRACK_LABEL_CREATED},
        {TRACK_FMT_USPS, "03", TRACK_PICKED_UP},
        {TRACK_FMT_USPS, "07", TRACK_IN_TRANSIT},
        {TRACK_FMT_USPS, "10", TRACK_IN_TRANSIT},
        {TRACK_FMT_USPS, "80", TRACK_PICKED_UP},
        {TRACK_FMT_USPS, "81", TRACK_IN_TRANSIT},
        {TRACK_FMT_USPS, "OF", TRACK_OUT_FOR_DELIVERY},
        {TRACK_FMT_USPS, "01", TRACK_DELIVERED},
        {TRACK_FMT_USPS, "17", TRACK_DELIVERED},
        {TRACK_FMT_USPS, "02", TRACK_ATTEMPTED},
        {TRACK_FMT_USPS, "16", TRACK_ATTEMPTED},
        {TRACK_FMT_USPS, "21", TRACK_RETURNED_TO_SENDER},
        {TRACK_FMT_USPS, "09", TRACK_RETURNED_TO_SENDER},
        {TRACK_FMT_USPS, "11", TRACK_LOST},
        {TRACK_FMT_USPS, "1", TRACK_UNKNOWN}, /* "01", not "1" */
        {TRACK_FMT_DHL, "PU", TRACK_PICKED_UP},
        {TRACK_FMT_DHL, "PL", TRACK_IN_TRANSIT},
        {TRACK_FMT_DHL, "AF", TRACK_IN_TRANSIT},
        {TRACK_FMT_DHL, "DF", TRACK_IN_TRANSIT},
        {TRACK_FMT_DHL, "AR", TRACK_IN_TRANSIT},
        {TRACK_FMT_DHL, "WC", TRACK_OUT_FOR_DELIVERY},
        {TRACK_FMT_DHL, "OK", TRACK_DELIVERED},
        {TRACK_FMT_DHL, "NH", TRACK_ATTEMPTED},
        {TRACK_FMT_DHL, "CA", TRACK_ATTEMPTED},
        {TRACK_FMT_DHL, "RD", TRACK_EXCEPTION},
        {TRACK_FMT_DHL, "RT", TRACK_RETURNED_TO_SENDER},
        {TRACK_FMT_DHL, "XX", TRACK_UNKNOWN},
        {TRACK_FMT_UBL, "delivered", TRACK_DELIVERED},
        {TRACK_FMT_UBL, "returned_to_sender", TRACK_RETURNED_TO_SENDER},
        {TRACK_FMT_UBL, "lost", TRACK_LOST},
        {TRACK_FMT_UBL, "unknown", TRACK_UNKNOWN},
        {TRACK_FMT_UBL, "DL", TRACK_UNKNOWN},
        {TRACK_FMT_UPS, "", TRACK_UNKNOWN},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        enum track_canon got = track_map_code(cases[i].fmt, cases[i].code);

        if (got != cases[i].want)
            fail_msg("format %d code '%s': %s, want %s", cases[i].fmt, cases[i].code,
                     track_canon_name(got), track_canon_name(cases[i].want));
    }
    assert_int_equal(track_map_code(TRACK_FMT_DHL, NULL), TRACK_UNKNOWN);
}

struct want_time {
    int y, mo, d, h, mi, s;
    bool has_offset;
    int32_t offset;
};

static void assert_time(const struct track_time *t, const struct want_time *w)
{
    assert_int_equal(t->local.year, w->y);
    assert_int_equal(t->local.month, w->mo);
    assert_int_equal(t->local.day, w->d);
    assert_int_equal(t->local.hour, w->h);
    assert_int_equal(t->local.min, w->mi);
    assert_int_equal(t->local.sec, w->s);
    assert_int_equal(t->has_offset, w->has_offset);
    if (w->has_offset)
        assert_int_equal(t->offset, w->offset);
}

static void carrier_times(void **state)
{
    struct track_time t;
    struct err err = {0};

    (void)state;
    assert_int_equal(track_time_ups("20260521", "145400", &t, &err), 0);
    assert_time(&t, &(struct want_time){2026, 5, 21, 14, 54, 0, false, 0});
    assert_int_equal(track_time_ups("20280229", "0000", &t, &err), 0);
    assert_time(&t, &(struct want_time){2028, 2, 29, 0, 0, 0, false, 0});

    assert_int_equal(track_time_iso("2026-05-21T14:54:00-04:00", &t, &err), 0);
    assert_time(&t, &(struct want_time){2026, 5, 21, 14, 54, 0, true, -4 * 3600});
    assert_int_equal(track_time_iso("2026-05-21T14:54:00.125Z", &t, &err), 0);
    assert_time(&t, &(struct want_time){2026, 5, 21, 14, 54, 0, true, 0});
    assert_int_equal(track_time_iso("2026-05-21T14:54:00+05:30", &t, &err), 0);
    assert_int_equal(t.offset, 5 * 3600 + 1800);
    assert_int_equal(track_time_iso("2026-05-21T14:54:00", &t, &err), 0);
    assert_time(&t, &(struct want_time){2026, 5, 21, 14, 54, 0, false, 0});

    assert_int_equal(track_time_usps("May 21, 2026", "2:54 pm", &t, &err), 0);
    assert_time(&t, &(struct want_time){2026, 5, 21, 14, 54, 0, false, 0});
    assert_int_equal(track_time_usps("March 1, 2026", "12:05 am", &t, &err), 0);
    assert_time(&t, &(struct want_time){2026, 3, 1, 0, 5, 0, false, 0});
    assert_int_equal(track_time_usps("Sep 30, 2026", "12:00 PM", &t, &err), 0);
    assert_time(&t, &(struct want_time){2026, 9, 30, 12, 0, 0, false, 0});
    assert_int_equal(track_time_usps("december 31, 2026", "11:59 pm", &t, &err), 0);
    assert_time(&t, &(struct want_time){2026, 12, 31, 23, 59, 0, false, 0});

    assert_int_equal(track_time_dhl("2026-05-20", "06:12:00", NULL, &t, &err), 0);
    assert_time(&t, &(struct want_time){2026, 5, 20, 6, 12, 0, false, 0});
    assert_int_equal(track_time_dhl("2026-05-20", "06:12", "+02:00", &t, &err), 0);
    assert_time(&t, &(struct want_time){2026, 5, 20, 6, 12, 0, true, 7200});
    assert_int_equal(track_time_dhl("2026-05-20", "06:12:00", "-0330", &t, &err), 0);
    assert_int_equal(t.offset, -(3 * 3600 + 1800));
    assert_int_equal(track_time_dhl("2026-05-20", "06:12:00", "+01", &t, &err), 0);
    assert_int_equal(t.offset, 3600);
    assert_int_equal(track_time_dhl("2026-05-20", "06:12:00", "", &t, &err), 0);
    assert_false(t.has_offset);

    assert_int_equal(track_time_xsd("2026-05-20", "06:12:00+02:00", &t, &err), 0);
    assert_time(&t, &(struct want_time){2026, 5, 20, 6, 12, 0, true, 7200});
    assert_int_equal(track_time_xsd("2026-05-20", "06:12:00", &t, &err), 0);
    assert_false(t.has_offset);
    assert_false(err_is_set(&err));
}

/* A refusal says what is accepted, and an offset beyond 18 hours is out of range. */
static void time_messages_say_what_is_accepted(void **state)
{
    static const struct {
        int kind; /* 0 ups, 1 iso, 2 ups offset, 3 dhl, 4 xsd */
        const char *a, *b, *c;
        const char *says;
    } cases[] = {
        {4, "2026-05-21", "10:00:00+25:00", NULL, "offset out of range"},
        {4, "2026-05-21", "10:00:00+10:60", NULL, "offset out of range"},
        {4, "2026-05-21", "10:00:00+02", NULL, "offset Z or +HH:MM"},
        {4, "2026-05-21", "10:00", NULL, "HH:MM:SS"},
        {1, "2026-05-21T10:00:00-19:00", NULL, NULL, "offset out of range"},
        {1, "2026-05-21T10:00:00+0200", NULL, NULL, "offset Z or +HH:MM"},
        {2, "+25:00", NULL, NULL, "offset out of range"},
        {2, "EST", NULL, NULL, "Z, +HH:MM, +HHMM or +HH"},
        {3, "2026-05-21", "10:00:00", "+2500", "offset out of range"},
        {3, "2026-05-21", "10:00:00", "GMT+2", "Z, +HH:MM, +HHMM or +HH"},
        {3, "2026-05-21", "10", NULL, "HH:MM:SS or HH:MM"},
        {0, "20260521", "10", NULL, "HHMMSS or HHMM"},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct track_time t = {0};
        struct err err = {0};
        int rc = 0;

        switch (cases[i].kind) {
        case 0:
            rc = track_time_ups(cases[i].a, cases[i].b, &t, &err);
            break;
        case 1:
            rc = track_time_iso(cases[i].a, &t, &err);
            break;
        case 2:
            rc = track_time_offset(cases[i].a, &t, &err);
            break;
        case 3:
            rc = track_time_dhl(cases[i].a, cases[i].b, cases[i].c, &t, &err);
            break;
        case 4:
            rc = track_time_xsd(cases[i].a, cases[i].b, &t, &err);
            break;
        }
        assert_int_equal(rc, -1);
        assert_string_equal(err.field, "event.time");
        if (strstr(err.message, cases[i].says) == NULL)
            fail_msg("case %zu: '%s' does not say '%s'", i, err.message, cases[i].says);
    }
}

static void bad_times_are_refused(void **state)
{
    static const struct {
        int kind; /* 0 ups, 1 iso, 2 usps, 3 dhl, 4 xsd */
        const char *a, *b, *c;
    } cases[] = {
        {0, "20260229", "120000", NULL}, /* 2026 is no leap year */
        {0, "20260431", "120000", NULL}, /* April has 30 days */
        {0, "20261301", "120000", NULL},
        {0, "20260001", "120000", NULL},
        {0, "20260521", "240000", NULL}, /* 24:00 is refused */
        {0, "20260521", "126000", NULL},
        {0, "20260521", "120060", NULL},
        {0, "2026052", "120000", NULL},
        {0, "2026-05-21", "120000", NULL},
        {0, "20260521", "12000", NULL},
        {0, "2026O521", "120000", NULL},
        {0, "", "", NULL},
        {0, NULL, "120000", NULL},
        {1, "2026-05-21T24:00:00Z", NULL, NULL},
        {1, "2026-02-29T10:00:00Z", NULL, NULL},
        {1, "2026-05-21 14:54:00Z", NULL, NULL},
        {1, "2026-05-21T14:54Z", NULL, NULL},
        {1, "2026-05-21T14:54:00+25:00", NULL, NULL},
        {1, "2026-05-21T14:54:00+0400", NULL, NULL}, /* ISO here wants the colon */
        {1, "2026-05-21T14:54:00 garbage", NULL, NULL},
        {1, "2026-05-21T14:54:00.Z", NULL, NULL},
        {1, "yesterday", NULL, NULL},
        {1, NULL, NULL, NULL},
        {2, "May 32, 2026", "2:54 pm", NULL},
        {2, "Febr 2, 2026", "2:54 pm", NULL},
        {2, "February 29, 2026", "2:54 pm", NULL},
        {2, "May 21 2026", "2:54 pm", NULL},
        {2, "May 21, 2026", "13:54 pm", NULL},
        {2, "May 21, 2026", "0:54 am", NULL},
        {2, "May 21, 2026", "2:54", NULL},
        {2, "May 21, 2026", "2:60 pm", NULL},
        {2, "May 21, 2026", "", NULL},
        {2, "", "2:54 pm", NULL},
        {3, "2026-05-21", "24:00:00", NULL},
        {3, "2026-05-21", "12:00:00", "+2:00"},
        {3, "2026-05-21", "12:00:00", "GMT+2"},
        {3, "21.05.2026", "12:00:00", NULL},
        {3, "2026-05-21", "12", NULL},
        {4, "2026-05-21", "12:00", NULL},
        {4, "2026-05-21Z", "12:00:00", NULL},
        {4, "2026-05-21", "12:00:00+02", NULL},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct track_time t;
        struct err err = {0};
        int rc = -2;

        switch (cases[i].kind) {
        case 0:
            rc = track_time_ups(cases[i].a, cases[i].b, &t, &err);
            break;
        case 1:
            rc = track_time_iso(cases[i].a, &t, &err);
            break;
        case 2:
            rc = track_time_usps(cases[i].a, cases[i].b, &t, &err);
            break;
        case 3:
            rc = track_time_dhl(cases[i].a, cases[i].b, cases[i].c, &t, &err);
            break;
        case 4:
            rc = track_time_xsd(cases[i].a, cases[i].b, &t, &err);
            break;
        }
        if (rc != -1)
            fail_msg("case %zu (%s %s) was accepted", i, cases[i].a ? cases[i].a : "NULL",
                     cases[i].b ? cases[i].b : "");
        assert_int_equal(err.kind, ERR_INVALID);
        assert_string_equal(err.field, "event.time");
    }
}

static struct tz *zone(const char *name)
{
    char path[256];
    FILE *f;
    unsigned char *buf;
    long n;
    struct tz *tz;
    struct err err = {0};

    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    tz = tz_parse(buf, (size_t)n, name, &err);
    free(buf);
    assert_non_null(tz);
    return tz;
}

static void instants(void **state)
{
    struct tz *ny = zone("America/New_York");
    struct track_time t;
    int64_t at;
    int amb;
    struct err err = {0};

    (void)state;
    /* an offset is exact, whatever the zone */
    assert_int_equal(track_time_iso("2026-05-21T14:54:00-04:00", &t, &err), 0);
    assert_int_equal(track_time_instant(&t, NULL, &at, &amb, &err), 0);
    assert_int_equal(at, 1779389640);
    assert_int_equal(amb, 0);
    assert_int_equal(track_time_iso("2026-05-21T18:54:00Z", &t, &err), 0);
    assert_int_equal(track_time_instant(&t, ny, &at, &amb, &err), 0);
    assert_int_equal(at, 1779389640);
    /* local time in the zone */
    assert_int_equal(track_time_ups("20260521", "145400", &t, &err), 0);
    assert_int_equal(track_time_instant(&t, ny, &at, &amb, &err), 0);
    assert_int_equal(at, 1779389640);
    assert_int_equal(track_time_ups("20260115", "120000", &t, &err), 0);
    assert_int_equal(track_time_instant(&t, ny, &at, &amb, &err), 0);
    assert_int_equal(at, 1768496400); /* EST, -05:00 */
    /* the repeated hour: the earlier instant, flagged */
    assert_int_equal(track_time_ups("20261101", "013000", &t, &err), 0);
    assert_int_equal(track_time_instant(&t, ny, &at, &amb, &err), 0);
    assert_int_equal(at, 1793511000);
    assert_int_equal(amb, 1);
    /* the same wall-clock time with an offset is not ambiguous */
    assert_int_equal(track_time_iso("2026-11-01T01:30:00-05:00", &t, &err), 0);
    assert_int_equal(track_time_instant(&t, ny, &at, &amb, &err), 0);
    assert_int_equal(at, 1793514600);
    assert_int_equal(amb, 0);
    assert_false(err_is_set(&err));
    /* an offset given in a field of its own (UPS GMTOffset) */
    assert_int_equal(track_time_ups("20261101", "013000", &t, &err), 0);
    assert_int_equal(track_time_offset("-05:00", &t, &err), 0);
    assert_int_equal(track_time_instant(&t, ny, &at, &amb, &err), 0);
    assert_int_equal(at, 1793514600);
    assert_int_equal(amb, 0);
    assert_int_equal(track_time_offset("EST", &t, &err), -1);
    assert_string_equal(err.field, "event.time");
    memset(&err, 0, sizeof err);
    /* the skipped hour is refused */
    assert_int_equal(track_time_ups("20260308", "023000", &t, &err), 0);
    assert_int_equal(track_time_instant(&t, ny, &at, &amb, &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "event.time");
    /* no offset and no zone */
    memset(&err, 0, sizeof err);
    assert_int_equal(track_time_instant(&t, NULL, &at, &amb, &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "event.time");
    tz_free(ny);
}

struct step_case {
    enum track_direction dir;
    const char *leg;
    bool delivered;
    bool has_last;
    int64_t last_at;
    enum track_canon canon;
    int64_t at;
    enum track_step_kind kind;
    size_t n;
    enum leg_event ev0, ev1;
    bool carrier_delivered;
    bool advance;
    enum track_why why;
};

static void parcel_steps(void **state)
{
    static const struct step_case cases[] = {
        /* inbound: picked up / in transit move label_issued -> in_transit */
        {TRACK_INBOUND, "label_issued", false, false, 0, TRACK_PICKED_UP, 100, TRACK_STEP_LEG, 1,
         LEG_EV_PICKUP, 0, false, true, TRACK_WHY_MOVES},
        {TRACK_INBOUND, "label_issued", false, true, 50, TRACK_IN_TRANSIT, 100, TRACK_STEP_LEG, 1,
         LEG_EV_PICKUP, 0, false, true, TRACK_WHY_MOVES},
        {TRACK_INBOUND, "in_transit", false, true, 50, TRACK_IN_TRANSIT, 100, TRACK_STEP_HISTORY, 0,
         0, 0, false, true, TRACK_WHY_NO_MOVE},
        /* the carrier's delivered is not our received */
        {TRACK_INBOUND, "in_transit", false, true, 50, TRACK_DELIVERED, 100,
         TRACK_STEP_CARRIER_DELIVERED, 0, 0, 0, true, true, TRACK_WHY_MOVES},
        {TRACK_INBOUND, "label_issued", false, false, 0, TRACK_DELIVERED, 100,
         TRACK_STEP_CARRIER_DELIVERED, 1, LEG_EV_PICKUP, 0, true, true, TRACK_WHY_MOVES},
        {TRACK_INBOUND, "received", false, true, 50, TRACK_DELIVERED, 100,
         TRACK_STEP_CARRIER_DELIVERED, 0, 0, 0, true, true, TRACK_WHY_MOVES},
        /* delivered never moves back; older events are history */
        {TRACK_INBOUND, "in_transit", true, true, 100, TRACK_IN_TRANSIT, 200, TRACK_STEP_HISTORY, 0,
         0, 0, false, true, TRACK_WHY_DELIVERED},
        {TRACK_INBOUND, "label_issued", false, true, 100, TRACK_PICKED_UP, 99, TRACK_STEP_HISTORY,
         0, 0, 0, false, false, TRACK_WHY_OLDER},
        {TRACK_INBOUND, "label_issued", false, true, 100, TRACK_PICKED_UP, 100, TRACK_STEP_LEG, 1,
         LEG_EV_PICKUP, 0, false, true, TRACK_WHY_MOVES}, /* the same instant is not older */
        {TRACK_INBOUND, "label_issued", false, false, 0, TRACK_EXCEPTION, 100, TRACK_STEP_HISTORY,
         0, 0, 0, false, true, TRACK_WHY_NO_MOVE},
        {TRACK_INBOUND, "label_issued", false, false, 0, TRACK_UNKNOWN, 100, TRACK_STEP_HISTORY, 0,
         0, 0, false, true, TRACK_WHY_UNKNOWN},
        {TRACK_INBOUND, "label_issued", false, false, 0, TRACK_LABEL_CREATED, 100,
         TRACK_STEP_HISTORY, 0, 0, 0, false, true, TRACK_WHY_NO_MOVE},
        {TRACK_INBOUND, "overdue", false, false, 0, TRACK_IN_TRANSIT, 100, TRACK_STEP_HISTORY, 0, 0,
         0, false, true, TRACK_WHY_NO_MOVE},
        /* outbound */
        {TRACK_OUTBOUND, "manifested", false, false, 0, TRACK_PICKED_UP, 100, TRACK_STEP_LEG, 1,
         LEG_EV_SHIP, 0, false, true, TRACK_WHY_MOVES},
        {TRACK_OUTBOUND, "packed", false, false, 0, TRACK_IN_TRANSIT, 100, TRACK_STEP_LEG, 1,
         LEG_EV_SHIP, 0, false, true, TRACK_WHY_MOVES},
        {TRACK_OUTBOUND, "shipped", false, true, 50, TRACK_IN_TRANSIT, 100, TRACK_STEP_HISTORY, 0,
         0, 0, false, true, TRACK_WHY_NO_MOVE},
        {TRACK_OUTBOUND, "shipped", false, true, 50, TRACK_DELIVERED, 100,
         TRACK_STEP_CARRIER_DELIVERED, 1, LEG_EV_DELIVER, 0, true, true, TRACK_WHY_MOVES},
        {TRACK_OUTBOUND, "manifested", false, false, 0, TRACK_DELIVERED, 100,
         TRACK_STEP_CARRIER_DELIVERED, 2, LEG_EV_SHIP, LEG_EV_DELIVER, true, true, TRACK_WHY_MOVES},
        {TRACK_OUTBOUND, "delivery_exception", false, true, 50, TRACK_DELIVERED, 100,
         TRACK_STEP_CARRIER_DELIVERED, 1, LEG_EV_DELIVER, 0, true, true, TRACK_WHY_MOVES},
        {TRACK_OUTBOUND, "shipped", false, true, 50, TRACK_RETURNED_TO_SENDER, 100, TRACK_STEP_LEG,
         1, LEG_EV_RETURN_TO_SENDER, 0, false, true, TRACK_WHY_MOVES},
        {TRACK_OUTBOUND, "shipped", false, true, 50, TRACK_LOST, 100, TRACK_STEP_LEG, 1,
         LEG_EV_DELIVERY_EXCEPTION, 0, false, true, TRACK_WHY_MOVES},
        /* the carrier's exception moves shipped -> delivery_exception (once); attempted and out
         * for delivery move nothing */
        {TRACK_OUTBOUND, "shipped", false, true, 50, TRACK_EXCEPTION, 100, TRACK_STEP_LEG, 1,
         LEG_EV_DELIVERY_EXCEPTION, 0, false, true, TRACK_WHY_MOVES},
        {TRACK_OUTBOUND, "manifested", false, false, 0, TRACK_EXCEPTION, 100, TRACK_STEP_LEG, 2,
         LEG_EV_SHIP, LEG_EV_DELIVERY_EXCEPTION, false, true, TRACK_WHY_MOVES},
        {TRACK_OUTBOUND, "delivery_exception", false, true, 50, TRACK_EXCEPTION, 100,
         TRACK_STEP_HISTORY, 0, 0, 0, false, true, TRACK_WHY_NO_MOVE},
        {TRACK_OUTBOUND, "delivery_exception", false, true, 50, TRACK_IN_TRANSIT, 100,
         TRACK_STEP_HISTORY, 0, 0, 0, false, true, TRACK_WHY_NO_MOVE},
        {TRACK_OUTBOUND, "shipped", false, true, 50, TRACK_ATTEMPTED, 100, TRACK_STEP_HISTORY, 0, 0,
         0, false, true, TRACK_WHY_NO_MOVE},
        {TRACK_OUTBOUND, "shipped", false, true, 50, TRACK_OUT_FOR_DELIVERY, 100,
         TRACK_STEP_HISTORY, 0, 0, 0, false, true, TRACK_WHY_NO_MOVE},
        /* delivered never moves back */
        {TRACK_OUTBOUND, "delivered", true, true, 100, TRACK_IN_TRANSIT, 200, TRACK_STEP_HISTORY, 0,
         0, 0, false, true, TRACK_WHY_DELIVERED},
        {TRACK_OUTBOUND, "delivered", true, true, 100, TRACK_RETURNED_TO_SENDER, 200,
         TRACK_STEP_HISTORY, 0, 0, 0, false, true, TRACK_WHY_DELIVERED},
        {TRACK_OUTBOUND, "shipped", false, true, 300, TRACK_DELIVERED, 200, TRACK_STEP_HISTORY, 0,
         0, 0, false, false, TRACK_WHY_OLDER},
        /* a parcel not yet packed does not move */
        {TRACK_OUTBOUND, "blocked", false, false, 0, TRACK_PICKED_UP, 100, TRACK_STEP_HISTORY, 0, 0,
         0, false, true, TRACK_WHY_NO_MOVE},
        {TRACK_OUTBOUND, "ready", false, false, 0, TRACK_LOST, 100, TRACK_STEP_HISTORY, 0, 0, 0,
         false, true, TRACK_WHY_NO_MOVE},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        const struct step_case *c = &cases[i];
        struct track_parcel p = {c->dir, c->leg, c->delivered, c->has_last, c->last_at};
        struct track_step s;

        tracking_parcel_next(&p, c->canon, c->at, &s);
        if (s.kind != c->kind || s.n_events != c->n ||
            s.carrier_delivered != c->carrier_delivered || s.advance != c->advance ||
            s.why != c->why)
            fail_msg("case %zu (%s %s): kind %d n %zu delivered %d advance %d why %s", i, c->leg,
                     track_canon_name(c->canon), s.kind, s.n_events, s.carrier_delivered, s.advance,
                     track_why_name(s.why));
        if (c->n > 0)
            assert_int_equal(s.events[0], c->ev0);
        if (c->n > 1)
            assert_int_equal(s.events[1], c->ev1);
    }
}

/* Every leg event a step asks for is a move the leg table allows from that state. */
static void steps_follow_the_leg_table(void **state)
{
    static const char *const inbound[] = {"label_issued", "in_transit", "overdue", "lost",
                                          "received"};
    static const char *const outbound[] = {"blocked",    "ready",   "packed",
                                           "manifested", "shipped", "delivery_exception"};

    (void)state;
    for (int dir = 0; dir < 2; dir++) {
        const char *const *states = dir == 0 ? inbound : outbound;
        size_t n = dir == 0 ? COUNT(inbound) : COUNT(outbound);

        for (size_t i = 0; i < n; i++) {
            for (int c = TRACK_UNKNOWN; c <= TRACK_LOST; c++) {
                struct track_parcel p = {(enum track_direction)dir, states[i], false, false, 0};
                struct track_step s;
                const char *at = states[i];

                tracking_parcel_next(&p, (enum track_canon)c, 0, &s);
                for (size_t k = 0; k < s.n_events; k++) {
                    const char *to;
                    struct err err = {0};

                    assert_int_equal(
                        leg_next(dir == 0 ? LEG_INBOUND : LEG_OUTBOUND, at, s.events[k], &to, &err),
                        0);
                    at = to;
                }
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(canon_names_round_trip),
        cmocka_unit_test(canon_parse_refuses),
        cmocka_unit_test(carrier_codes),
        cmocka_unit_test(carrier_times),
        cmocka_unit_test(bad_times_are_refused),
        cmocka_unit_test(time_messages_say_what_is_accepted),
        cmocka_unit_test(instants),
        cmocka_unit_test(parcel_steps),
        cmocka_unit_test(steps_follow_the_leg_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * tz: IANA time zones without the process-wide TZ variable, and the service policy's calendar.
 *
 * The zone rules come in as the bytes of a TZif file (RFC 8536, versions 1 to 4, with the POSIX
 * TZ footer that carries the rules past the last transition); reading the file from
 * /usr/share/zoneinfo is the caller's job (core reads no files).  A struct tz answers two
 * questions for any instant: the UTC offset, and the reverse, which instant(s) a local wall-clock
 * time names.  The reverse has three answers on purpose (DESIGN.md rule 9):
 *
 *   TZ_LOCAL_UNIQUE        one instant
 *   TZ_LOCAL_AMBIGUOUS     the hour repeated when clocks go back: two instants, earlier first
 *   TZ_LOCAL_NONEXISTENT   the hour skipped when clocks go forward: no instant; *first is the
 *                          instant the gap starts (so a caller may move to the end of the gap)
 *
 * Instants are seconds since the Unix epoch (int64_t, UTC).  Core never reads the clock: "now"
 * is always a parameter.
 *
 * The calendar (tz_cal_*) is the service policy's window: Monday to Friday, from open_min to
 * close_min minutes after local midnight (09:00-21:00 for remote support, the on-site business
 * hours for visits), never on a holiday of the region (a sorted list of local dates).
 */
#ifndef CORE_TZ_H
#define CORE_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct tz; /* opaque; made by tz_parse, freed by tz_free */

/* A local calendar date and wall-clock time. month 1-12, day 1-31, wday 0 = Sunday. */
struct tz_local {
    int year, month, day;
    int hour, min, sec;
    int wday;
};

enum tz_local_kind { TZ_LOCAL_UNIQUE, TZ_LOCAL_AMBIGUOUS, TZ_LOCAL_NONEXISTENT };

/*
 * tz_name_valid: whether name looks like an IANA zone name that is safe to use as a path under
 * the zoneinfo directory ("Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC"): letters,
 * digits, '_', '-', '+', '/' between parts, no "." or ".." parts, no leading '/', at most 64 bytes.
 */
bool tz_name_valid(const char *name);

/*
 * tz_parse: the zone described by a TZif file's bytes.  Returns a new struct tz (the caller frees
 * it with tz_free) or NULL after ERR_INVALID in err (field "zone") when the bytes are not TZif.
 */
struct tz *tz_parse(const unsigned char *data, size_t len, const char *name, struct err *err);
void tz_free(struct tz *tz);
const char *tz_name(const struct tz *tz);

/* The offset from UTC in seconds (east positive) in force at instant t, and the local time. */
int32_t tz_offset_at(const struct tz *tz, int64_t t);
void tz_to_local(const struct tz *tz, int64_t t, struct tz_local *out);

/*
 * tz_from_local: the instant(s) the local time names (wday is ignored).  Returns the kind;
 * first and second are set as the header comment describes (second only when ambiguous).
 */
enum tz_local_kind tz_from_local(const struct tz *tz, const struct tz_local *local, int64_t *first,
                                 int64_t *second);

/*
 * tz_country_zone: the IANA zone of a country (ISO 3166-1 alpha-2, upper case) that has only one
 * in practice ("DE" -> "Europe/Berlin", "JP" -> "Asia/Tokyo"); NULL for a country of several
 * zones ("US", "CA", "AU", "BR", "RU", "MX", ...) or one not in the table: such an address must
 * name its zone.  ES and PT answer their mainland zone (Canary Islands, Azores: give the zone).
 */
const char *tz_country_zone(const char *country);

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
int64_t tz_days_from_civil(int year, int month, int day);
void tz_civil_from_days(int64_t days, int *year, int *month, int *day);

/* The policy's window.  holidays: sorted local dates as days since 1970-01-01 (see above). */
struct tz_cal {
    const struct tz *tz;
    int open_min;  /* minutes after local midnight the window opens, e.g. 9 * 60 */
    int close_min; /* minutes after local midnight it closes (exclusive), e.g. 21 * 60 */
    const int64_t *holidays;
    size_t n_holidays;
};

/* Whether instant t lies inside the window (open_min <= local time < close_min, Mon-Fri, no
 * holiday). */
bool tz_cal_is_open(const struct tz_cal *cal, int64_t t);

/*
 * tz_cal_next_open: the first instant >= t at which the window is open (t itself when open),
 * and in *close the instant that window closes.  Returns 0, or -1 (ERR_INVALID, field "zone")
 * when no window opens within 366 days (a calendar of holidays only).
 */
int tz_cal_next_open(const struct tz_cal *cal, int64_t t, int64_t *open, int64_t *close,
                     struct err *err);

/*
 * tz_cal_business_seconds: how many seconds of [from, to) lie inside the window (0 when
 * to <= from).  Used by the SLA clocks.  Only windows between 1900 and 2200 count (so that any
 * input ends in bounded time); tz_cal_next_open likewise finds none after 2200.
 */
int64_t tz_cal_business_seconds(const struct tz_cal *cal, int64_t from, int64_t to);

#endif

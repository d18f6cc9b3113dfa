/*
 * sla: the service policy's clocks, as arithmetic on instants (seconds since the Unix epoch).
 * Pure: the calendar and "now" come in as parameters.
 *
 *   clock           from                  to                               counts
 *   register        intake (case created) the case_register event            every second
 *   first_contact   registration          the case_start event               business seconds
 *   resolution      registration          the move to resolved_remotely or   business seconds
 *                                         work_complete
 *
 * Intake is 24x7, so the register clock counts wall-clock seconds.
 *
 * Business seconds are the seconds inside the policy's window (struct tz_cal: Mon-Fri
 * 09:00-21:00 in the customer's zone, never on a holiday), counted by tz_cal_business_seconds().
 * Every clock is paused while the case is on hold: the time of [start, end) that lies inside a
 * hold interval (case_hold -> case_resume) is taken off, measured the same way as the clock
 * (a weekend inside a hold is not taken off a business clock twice: it never counted).
 *
 * A clock that has started but not stopped is running: its end is "now".  A cancelled case's
 * clocks that had not stopped stop at the cancel (state cancelled, case_cancel event; the hold
 * the case was in, if any, ends there too).  The report counts running and not started clocks
 * apart (open), cancelled ones apart again (cancelled), and takes percentiles of stopped clocks
 * only, by the nearest-rank
 * method (sla_percentile).
 */
#ifndef CORE_SLA_H
#define CORE_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tz.h"

/* [from, to): from <= to. */
struct sla_interval {
    int64_t from, to;
};

enum sla_mark_kind { SLA_HOLD, SLA_RESUME };

/* One case_hold or case_resume event. */
struct sla_mark {
    enum sla_mark_kind kind;
    int64_t at;
};

/*
 * sla_holds: the hold intervals of marks (in time order).  A hold lasts until the next resume; a
 * hold still open at the end lasts until now.  A resume without a hold and a hold while on hold
 * are ignored.  out has room for n intervals; returns how many were written, sorted and without
 * overlap.
 */
size_t sla_holds(const struct sla_mark *marks, size_t n, int64_t now, struct sla_interval *out);

/* The seconds of [from, to) the clock counts: business seconds of cal, or every second when cal
 * is NULL.  0 when to <= from. */
int64_t sla_measure(const struct tz_cal *cal, int64_t from, int64_t to);

/*
 * sla_elapsed: sla_measure(cal, start, end) minus the measure of the parts of the holds that lie
 * inside [start, end).  holds are sorted by from (overlapping ones are merged); never negative.
 */
int64_t sla_elapsed(const struct tz_cal *cal, int64_t start, int64_t end,
                    const struct sla_interval *holds, size_t n_holds);

/* SLA_CANCELLED: the case was cancelled while the clock ran (or before it started); it stopped
 * at the cancel and is no measure of the service: the report counts it apart. */
enum sla_state { SLA_NOT_STARTED, SLA_RUNNING, SLA_STOPPED, SLA_CANCELLED };

struct sla_clock {
    enum sla_state state;
    int64_t start;   /* when started */
    int64_t end;     /* the stop, or now while running */
    int64_t seconds; /* sla_elapsed of [start, end); 0 when not started */
};

/*
 * sla_clock_eval: a clock that started at start (when started) and stopped at stop (when
 * stopped), at instant now.  A stop before the start counts 0 seconds.
 */
void sla_clock_eval(const struct tz_cal *cal, bool started, int64_t start, bool stopped,
                    int64_t stop, int64_t now, const struct sla_interval *holds, size_t n_holds,
                    struct sla_clock *out);

/*
 * sla_clock_cancel: the case was cancelled at `at`: a clock that is not stopped (running or not
 * started) becomes SLA_CANCELLED, its end the cancel (evaluate it with now = at first, so its
 * seconds count up to the cancel).  A clock stopped before the cancel stays as it is.
 */
void sla_clock_cancel(struct sla_clock *c, int64_t at);

/* "not_started", "running", "stopped", "cancelled" */
const char *sla_state_name(enum sla_state s);

/* Sorts v ascending. */
void sla_sort(int64_t *v, size_t n);

/*
 * sla_percentile: the nearest-rank p-th percentile (1 <= p <= 100) of n > 0 values sorted
 * ascending: the smallest value such that at least p percent of the values are <= it, i.e.
 * v[ceil(p * n / 100) - 1].  Always one of the values (never interpolated); the median is
 * p = 50, the lower middle value when n is even.
 */
int64_t sla_percentile(const int64_t *sorted, size_t n, int p);

#endif

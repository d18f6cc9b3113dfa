/*
 * sla: the service policy's clocks (see core/sla.h).  Interval arithmetic only; the calendar's
 * business seconds come from tz_cal_business_seconds().
 */
#include "core/sla.h"

#include <assert.h>
#include <stdlib.h>

size_t sla_holds(const struct sla_mark *marks, size_t n, int64_t now, struct sla_interval *out)
{
    size_t k = 0;
    bool held = false;
    int64_t since = 0;

    for (size_t i = 0; i < n; i++) {
        if (marks[i].kind == SLA_HOLD && !held) {
            held = true;
            since = marks[i].at;
        } else if (marks[i].kind == SLA_RESUME && held) {
            held = false;
            out[k].from = since;
            out[k].to = marks[i].at > since ? marks[i].at : since;
            k++;
        }
    }
    if (held) {
        out[k].from = since;
        out[k].to = now > since ? now : since;
        k++;
    }
    return k;
}

int64_t sla_measure(const struct tz_cal *cal, int64_t from, int64_t to)
{
    if (to <= from)
        return 0;
    if (cal == NULL)
        return to - from;
    return tz_cal_business_seconds(cal, from, to);
}

/* The measure of [from, to) clipped to [start, end). */
static int64_t clipped(const struct tz_cal *cal, int64_t from, int64_t to, int64_t start,
                       int64_t end)
{
    if (from < start)
        from = start;
    if (to > end)
        to = end;
    return sla_measure(cal, from, to);
}

int64_t sla_elapsed(const struct tz_cal *cal, int64_t start, int64_t end,
                    const struct sla_interval *holds, size_t n_holds)
{
    int64_t total = sla_measure(cal, start, end);
    int64_t held = 0;
    bool open = false;
    int64_t cur_from = 0, cur_to = 0;

    if (total == 0)
        return 0;
    for (size_t i = 0; i < n_holds; i++) {
        assert(i == 0 || holds[i].from >= holds[i - 1].from);
        if (open && holds[i].from <= cur_to) {
            if (holds[i].to > cur_to)
                cur_to = holds[i].to;
            continue;
        }
        if (open)
            held += clipped(cal, cur_from, cur_to, start, end);
        open = true;
        cur_from = holds[i].from;
        cur_to = holds[i].to;
    }
    if (open)
        held += clipped(cal, cur_from, cur_to, start, end);
    return total > held ? total - held : 0;
}

void sla_clock_eval(const struct tz_cal *cal, bool started, int64_t start, bool stopped,
                    int64_t stop, int64_t now, const struct sla_interval *holds, size_t n_holds,
                    struct sla_clock *out)
{
    out->start = start;
    out->end = 0;
    out->seconds = 0;
    if (!started) {
        out->state = SLA_NOT_STARTED;
        return;
    }
    out->state = stopped ? SLA_STOPPED : SLA_RUNNING;
    out->end = stopped ? stop : now;
    out->seconds = sla_elapsed(cal, start, out->end, holds, n_holds);
}

void sla_clock_cancel(struct sla_clock *c, int64_t at)
{
    if (c->state == SLA_STOPPED)
        return;
    c->state = SLA_CANCELLED;
    c->end = at;
}

const char *sla_state_name(enum sla_state s)
{
    switch (s) {
    case SLA_NOT_STARTED:
        return "not_started";
    case SLA_RUNNING:
        return "running";
    case SLA_STOPPED:
        return "stopped";
    case SLA_CANCELLED:
        return "cancelled";
    }
    return "?";
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void sla_sort(int64_t *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_i64);
}

int64_t sla_percentile(const int64_t *sorted, size_t n, int p)
{
    assert(n > 0 && p >= 1 && p <= 100);
    /* rank = ceil(p * n / 100), in integers */
    size_t rank = ((size_t)p * n + 99) / 100;
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

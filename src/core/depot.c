/*
 * depot: receiving quantities, inspection findings and the core policy.  See
 * include/core/depot.h.  Dates are civil days since the epoch (proleptic Gregorian), computed
 * without the C library's time zone machinery.
 */
#include "core/depot.h"

#include <stdio.h>
#include <string.h>

const struct core_policy depot_core_policy = {
    .due_days = 15,
    .remind_before_days = 3,
    .full_credit_days = 14,
    .half_credit_days = 30,
};

int depot_receive(int64_t expected, int64_t received, int64_t qty, bool has_reason,
                  struct receive_result *out, struct err *err)
{
    if (qty < 1)
        return err_set(err, ERR_INVALID, "quantity", "must be a whole number of 1 or more");
    out->total = received + qty;
    out->over =
        out->total > expected ? out->total - (received > expected ? received : expected) : 0;
    if (out->over > 0 && !has_reason)
        return err_set(err, ERR_CONFLICT, "reason",
                       "receiving %lld would exceed the %lld authorized: give a reason",
                       (long long)qty, (long long)expected);
    out->still_expected = out->total >= expected ? 0 : expected - out->total;
    out->state = out->still_expected > 0 ? "partially_received" : "received";
    return 0;
}

static const char *const finding_names[] = {
    [FINDING_NONE] = "none",
    [FINDING_COSMETIC] = "cosmetic",
    [FINDING_PHYSICAL_DAMAGE] = "physical_damage",
    [FINDING_LIQUID] = "liquid",
    [FINDING_TAMPERING] = "tampering",
    [FINDING_BURN] = "burn",
    [FINDING_MISSING_PARTS] = "missing_parts",
    [FINDING_WRONG_ITEM] = "wrong_item",
    [FINDING_FAULT_CONFIRMED] = "fault_confirmed",
    [FINDING_NO_FAULT] = "no_fault",
};

int depot_finding_parse(const char *s, const char *field, enum finding *out, struct err *err)
{
    for (size_t i = 0; i < sizeof finding_names / sizeof finding_names[0]; i++) {
        if (s != NULL && strcmp(s, finding_names[i]) == 0) {
            *out = (enum finding)i;
            return 0;
        }
    }
    return err_set(err, ERR_INVALID, field,
                   "must be one of none, cosmetic, physical_damage, liquid, tampering, burn, "
                   "missing_parts, wrong_item, fault_confirmed, no_fault");
}

const char *depot_finding_name(enum finding f)
{
    return (size_t)f < sizeof finding_names / sizeof finding_names[0] ? finding_names[f] :
                                                                        "unknown";
}

bool depot_finding_is_misuse(enum finding f)
{
    switch (f) {
    case FINDING_PHYSICAL_DAMAGE:
    case FINDING_LIQUID:
    case FINDING_TAMPERING:
    case FINDING_BURN:
        return true;
    case FINDING_NONE:
    case FINDING_COSMETIC:
    case FINDING_MISSING_PARTS:
    case FINDING_WRONG_ITEM:
    case FINDING_FAULT_CONFIRMED:
    case FINDING_NO_FAULT:
        return false;
    }
    return false;
}

int depot_grade_check(const char *grade, const char *field, struct err *err)
{
    if (grade == NULL || strlen(grade) != 1 || grade[0] < 'A' || grade[0] > 'D')
        return err_set(err, ERR_INVALID, field, "must be A, B, C or D");
    return 0;
}

int64_t depot_core_due_day(const struct core_policy *p, int64_t authorized_day)
{
    return authorized_day + p->due_days;
}

int depot_late_credit_percent(const struct core_policy *p, int64_t days_late)
{
    if (days_late <= 0 || days_late <= p->full_credit_days)
        return 100;
    if (days_late <= p->half_credit_days)
        return 50;
    return 0;
}

const char *depot_core_reminder(const struct core_policy *p, int64_t due_day, int64_t today)
{
    if (today > due_day)
        return "overdue";
    if (today >= due_day - p->remind_before_days)
        return "due_soon";
    return NULL;
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int depot_parse_day(const char *s, const char *field, int64_t *day, struct err *err)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y;
    unsigned m;
    unsigned d;
    int n = 0;

    if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2u-%2u%n", &y, &m, &d, &n) != 3 ||
        n != 10 || s[4] != '-' || s[7] != '-' || y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 ||
        d > mdays[m - 1] + (m == 2 && leap(y)))
        return err_set(err, ERR_INVALID, field, "must be a date like 2026-12-31");
    *day = days_from_civil(y, m, d);
    return 0;
}

void depot_format_day(int64_t z, char out[11])
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999;
    snprintf(out, 11, "%04d-%02u-%02u", (int)y, m % 13, d % 32);
}

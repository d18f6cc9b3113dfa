/*
 * depot: the depot's rules that are not leg moves: receiving quantities, inspection findings,
 * the advance-replacement core policy (due date, reminders, overdue charge, late credit) and
 * quotes.  Pure functions; days are whole days since 1970-01-01 (UTC), passed in by the caller.
 *
 *   receive  expected 5, received 2, now 2 more   -> partially_received, 1 still expected
 *            expected 5, received 2, now 4 more   -> over-receipt: refused unless a reason is
 *                                                    given (then received, with the exception)
 *   core     authorized on day D                  -> due on D + due_days
 *            reminder on due - remind_before and on due + 1 (overdue: a charge of the spare's
 *            price); a core that arrives late earns back credit_percent(days late) of it
 */
#ifndef CORE_DEPOT_H
#define CORE_DEPOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct receive_result {
    const char *state;      /* "partially_received" or "received" */
    int64_t total;          /* received so far, this receipt included */
    int64_t still_expected; /* 0 when complete or over */
    int64_t over;           /* units beyond the authorized quantity (needs a reason) */
};

/*
 * A receipt of qty units on a line that expects `expected` and has `received` already.
 * Returns 0 and fills *out, or -1: ERR_INVALID ("quantity") for qty < 1, ERR_CONFLICT
 * ("reason") for an over-receipt without a reason, ERR_CONFLICT for a line already complete
 * and no reason.
 */
int depot_receive(int64_t expected, int64_t received, int64_t qty, bool has_reason,
                  struct receive_result *out, struct err *err);

/* Inspection finding codes. */
enum finding {
    FINDING_NONE,
    FINDING_COSMETIC,
    FINDING_PHYSICAL_DAMAGE,
    FINDING_LIQUID,
    FINDING_TAMPERING,
    FINDING_BURN,
    FINDING_MISSING_PARTS,
    FINDING_WRONG_ITEM,
    FINDING_FAULT_CONFIRMED,
    FINDING_NO_FAULT,
};
int depot_finding_parse(const char *s, const char *field, enum finding *out, struct err *err);
const char *depot_finding_name(enum finding f);
/* True when the finding means misuse or improper operation (damage, liquid, tampering, burn). */
bool depot_finding_is_misuse(enum finding f);
/* Grades A (as new) to D (scrap). 0 or -1 (ERR_INVALID, field). */
int depot_grade_check(const char *grade, const char *field, struct err *err);

struct core_policy {
    int due_days;           /* days from authorization to the core's due date */
    int remind_before_days; /* first reminder this many days before the due date */
    int full_credit_days;   /* a core this many days late or less earns the whole charge back */
    int half_credit_days;   /* up to this many days late: half; later: none */
};

/* The vendor's default policy: due in 15 days, reminded 3 days before, credit 100% up to
 * 14 days late, 50% up to 30 days late, none after. */
extern const struct core_policy depot_core_policy;

int64_t depot_core_due_day(const struct core_policy *p, int64_t authorized_day);
/* Percentage of the overdue charge credited when the core arrives days_late (>= 1) late. */
int depot_late_credit_percent(const struct core_policy *p, int64_t days_late);
/* Which reminder is due on `today` for a core due on due_day and not yet back: "due_soon",
 * "overdue", or NULL. */
const char *depot_core_reminder(const struct core_policy *p, int64_t due_day, int64_t today);

/* Days since 1970-01-01 of an ISO date "YYYY-MM-DD"; -1 (ERR_INVALID, field) if malformed. */
int depot_parse_day(const char *s, const char *field, int64_t *day, struct err *err);
/* Writes day as "YYYY-MM-DD" into out[11]. */
void depot_format_day(int64_t day, char out[11]);

#endif

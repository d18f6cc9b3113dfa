/*
 * case: the transition table of a service case (the diagram is in include/core/case.h).
 *
 * The rules are data: one row per allowed move.  case_next() only looks them up, so adding a
 * move is adding a row, and a move that is not here is a 409 naming the state the case is in.
 * Resume is the one move whose target is not in the row: it returns to the state the case was
 * held in, which must itself be a state a case may be held in.
 */
#include "core/case.h"

#include <string.h>

struct move {
    enum case_state from;
    enum case_event ev;
    enum case_state to;
    bool back; /* resume: to the state held_from names */
};

static const struct move moves[] = {
    {CASE_NEW, CASE_EV_REGISTER, CASE_REGISTERED, false},
    {CASE_REGISTERED, CASE_EV_ASSIGN, CASE_ASSIGNED, false},
    {CASE_ASSIGNED, CASE_EV_START, CASE_TROUBLESHOOTING, false},

    {CASE_TROUBLESHOOTING, CASE_EV_RESOLVE_REMOTE, CASE_RESOLVED_REMOTELY, false},
    {CASE_TROUBLESHOOTING, CASE_EV_PLAN_ONSITE, CASE_ONSITE_PLANNED, false},
    {CASE_TROUBLESHOOTING, CASE_EV_REQUEST_RMA, CASE_RMA_REQUESTED, false},
    {CASE_TROUBLESHOOTING, CASE_EV_ESCALATE_FACTORY, CASE_FACTORY_ESCALATED, false},
    {CASE_ONSITE_PLANNED, CASE_EV_REQUEST_RMA, CASE_RMA_REQUESTED, false},
    {CASE_ONSITE_PLANNED, CASE_EV_ESCALATE_FACTORY, CASE_FACTORY_ESCALATED, false},
    {CASE_RMA_REQUESTED, CASE_EV_ESCALATE_FACTORY, CASE_FACTORY_ESCALATED, false},

    {CASE_RESOLVED_REMOTELY, CASE_EV_COMPLETE, CASE_WORK_COMPLETE, false},
    {CASE_ONSITE_PLANNED, CASE_EV_COMPLETE, CASE_WORK_COMPLETE, false},
    {CASE_RMA_REQUESTED, CASE_EV_COMPLETE, CASE_WORK_COMPLETE, false},
    {CASE_FACTORY_ESCALATED, CASE_EV_COMPLETE, CASE_WORK_COMPLETE, false},
    {CASE_WORK_COMPLETE, CASE_EV_FOLLOW_UP, CASE_FOLLOW_UP, false},
    {CASE_FOLLOW_UP, CASE_EV_CLOSE, CASE_CLOSED, false},
    {CASE_CLOSED, CASE_EV_ARCHIVE, CASE_ARCHIVED, false},
    {CASE_CANCELLED, CASE_EV_ARCHIVE, CASE_ARCHIVED, false}, /* the record says it was cancelled */

    {CASE_REGISTERED, CASE_EV_HOLD, CASE_ON_HOLD, false},
    {CASE_ASSIGNED, CASE_EV_HOLD, CASE_ON_HOLD, false},
    {CASE_TROUBLESHOOTING, CASE_EV_HOLD, CASE_ON_HOLD, false},
    {CASE_ONSITE_PLANNED, CASE_EV_HOLD, CASE_ON_HOLD, false},
    {CASE_RMA_REQUESTED, CASE_EV_HOLD, CASE_ON_HOLD, false},
    {CASE_FACTORY_ESCALATED, CASE_EV_HOLD, CASE_ON_HOLD, false},
    {CASE_ON_HOLD, CASE_EV_RESUME, CASE_ON_HOLD, true},

    {CASE_NEW, CASE_EV_CANCEL, CASE_CANCELLED, false},
    {CASE_REGISTERED, CASE_EV_CANCEL, CASE_CANCELLED, false},
    {CASE_ASSIGNED, CASE_EV_CANCEL, CASE_CANCELLED, false},
    {CASE_TROUBLESHOOTING, CASE_EV_CANCEL, CASE_CANCELLED, false},
    {CASE_ON_HOLD, CASE_EV_CANCEL, CASE_CANCELLED, false},
    {CASE_ONSITE_PLANNED, CASE_EV_CANCEL, CASE_CANCELLED, false},
    {CASE_RMA_REQUESTED, CASE_EV_CANCEL, CASE_CANCELLED, false},
};

static const char *const state_names[] = {
    [CASE_NEW] = "new",
    [CASE_REGISTERED] = "registered",
    [CASE_ASSIGNED] = "assigned",
    [CASE_TROUBLESHOOTING] = "troubleshooting",
    [CASE_ON_HOLD] = "on_hold",
    [CASE_RESOLVED_REMOTELY] = "resolved_remotely",
    [CASE_ONSITE_PLANNED] = "onsite_planned",
    [CASE_RMA_REQUESTED] = "rma_requested",
    [CASE_FACTORY_ESCALATED] = "factory_escalated",
    [CASE_WORK_COMPLETE] = "work_complete",
    [CASE_FOLLOW_UP] = "follow_up",
    [CASE_CLOSED] = "closed",
    [CASE_ARCHIVED] = "archived",
    [CASE_CANCELLED] = "cancelled",
};

static const char *const event_names[] = {
    [CASE_EV_REGISTER] = "register",
    [CASE_EV_ASSIGN] = "assign",
    [CASE_EV_START] = "start",
    [CASE_EV_RESOLVE_REMOTE] = "resolve_remote",
    [CASE_EV_PLAN_ONSITE] = "plan_onsite",
    [CASE_EV_REQUEST_RMA] = "request_rma",
    [CASE_EV_ESCALATE_FACTORY] = "escalate_factory",
    [CASE_EV_COMPLETE] = "complete",
    [CASE_EV_FOLLOW_UP] = "follow_up",
    [CASE_EV_CLOSE] = "close",
    [CASE_EV_ARCHIVE] = "archive",
    [CASE_EV_HOLD] = "hold",
    [CASE_EV_RESUME] = "resume",
    [CASE_EV_CANCEL] = "cancel",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *case_state_name(enum case_state s)
{
    return (size_t)s < COUNT(state_names) ? state_names[s] : "unknown";
}

int case_state_parse(const char *s, const char *field, enum case_state *out, struct err *err)
{
    for (size_t i = 0; s != NULL && i < COUNT(state_names); i++) {
        if (strcmp(s, state_names[i]) == 0) {
            *out = (enum case_state)i;
            return 0;
        }
    }
    return err_set(err, ERR_INVALID, field,
                   "must be one of new, registered, assigned, troubleshooting, on_hold, "
                   "resolved_remotely, onsite_planned, rma_requested, factory_escalated, "
                   "work_complete, follow_up, closed, archived, cancelled");
}

const char *case_event_name(enum case_event ev)
{
    return (size_t)ev < COUNT(event_names) ? event_names[ev] : "unknown";
}

int case_event_parse(const char *s, const char *field, enum case_event *out, struct err *err)
{
    for (size_t i = 0; s != NULL && i < COUNT(event_names); i++) {
        if (strcmp(s, event_names[i]) == 0) {
            *out = (enum case_event)i;
            return 0;
        }
    }
    return err_set(err, ERR_INVALID, field,
                   "must be one of register, assign, start, resolve_remote, plan_onsite, "
                   "request_rma, escalate_factory, complete, follow_up, close, archive, hold, "
                   "resume, cancel");
}

/* Whether the table has a row for (from, ev) that is not a resume. */
static const struct move *find(enum case_state from, enum case_event ev)
{
    for (size_t i = 0; i < COUNT(moves); i++)
        if (moves[i].from == from && moves[i].ev == ev)
            return &moves[i];
    return NULL;
}

int case_next(enum case_state from, enum case_event ev, enum case_state held_from,
              enum case_state *to, struct err *err)
{
    const struct move *m = find(from, ev);

    if (m == NULL)
        return err_set(err, ERR_CONFLICT, "status", "the case is %s: it cannot %s",
                       case_state_name(from), case_event_name(ev));
    if (m->back) {
        const struct move *h = find(held_from, CASE_EV_HOLD);
        if (h == NULL || h->back)
            return err_set(err, ERR_CONFLICT, "status",
                           "the case is on_hold from %s: it cannot resume there",
                           case_state_name(held_from));
        *to = held_from;
        return 0;
    }
    /* on hold, a case may do only what the state it was held from may do (cancel from a case
     * held at the factory is refused as at the factory) */
    if (from == CASE_ON_HOLD && find(held_from, ev) == NULL)
        return err_set(err, ERR_CONFLICT, "status", "the case is on_hold from %s: it cannot %s",
                       case_state_name(held_from), case_event_name(ev));
    *to = m->to;
    return 0;
}

bool case_is_assignable(enum case_state s)
{
    switch (s) {
    case CASE_ASSIGNED:
    case CASE_TROUBLESHOOTING:
    case CASE_ON_HOLD:
    case CASE_RESOLVED_REMOTELY:
    case CASE_ONSITE_PLANNED:
    case CASE_RMA_REQUESTED:
    case CASE_FACTORY_ESCALATED:
        return true;
    case CASE_NEW:
    case CASE_REGISTERED:
    case CASE_WORK_COMPLETE:
    case CASE_FOLLOW_UP:
    case CASE_CLOSED:
    case CASE_ARCHIVED:
    case CASE_CANCELLED:
        return false;
    }
    return false;
}

bool case_is_final(enum case_state s)
{
    return s == CASE_CLOSED || s == CASE_ARCHIVED || s == CASE_CANCELLED;
}

bool case_clock_runs(enum case_state s)
{
    switch (s) {
    case CASE_NEW:
    case CASE_REGISTERED:
    case CASE_ASSIGNED:
    case CASE_TROUBLESHOOTING:
    case CASE_RESOLVED_REMOTELY:
    case CASE_ONSITE_PLANNED:
    case CASE_RMA_REQUESTED:
    case CASE_FACTORY_ESCALATED:
        return true;
    case CASE_ON_HOLD:
    case CASE_WORK_COMPLETE:
    case CASE_FOLLOW_UP:
    case CASE_CLOSED:
    case CASE_ARCHIVED:
    case CASE_CANCELLED:
        return false;
    }
    return false;
}

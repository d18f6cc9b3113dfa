/*
 * case: the life of a service case under the vendor's service policy (DESIGN.md, the process).
 *
 *   new -> registered -> assigned -> troubleshooting -> resolved_remotely
 *                                                    -> onsite_planned
 *                                                    -> rma_requested
 *                                                    -> factory_escalated
 *   onsite_planned -> rma_requested | factory_escalated      (on site was not enough)
 *   rma_requested  -> factory_escalated                      (the depot could not fix it)
 *   resolved_remotely | onsite_planned | rma_requested | factory_escalated -> work_complete
 *   work_complete -> follow_up -> closed -> archived
 *
 *   registered | assigned | troubleshooting | onsite_planned | rma_requested | factory_escalated
 *       -> on_hold (waiting for the customer; SLA clocks pause) -> back to the state it left
 *   new | registered | assigned | troubleshooting | on_hold | onsite_planned | rma_requested
 *       -> cancelled  (the store refuses it once anything of the case has shipped)
 *   cancelled -> archived  (a cancelled case ends in the archive too; its record says so)
 *
 * Reassignment is not a move: it is an event on a case that stays where it is (assigned and
 * later, up to work_complete).  The rules are rows of the table in src/core/case.c; case_next()
 * only looks them up, so a lost race is a 409 that names the state the case is in.
 */
#ifndef CORE_CASE_H
#define CORE_CASE_H

#include <stdbool.h>

#include "core/err.h"

enum case_state {
    CASE_NEW,
    CASE_REGISTERED,
    CASE_ASSIGNED,
    CASE_TROUBLESHOOTING,
    CASE_ON_HOLD,
    CASE_RESOLVED_REMOTELY,
    CASE_ONSITE_PLANNED,
    CASE_RMA_REQUESTED,
    CASE_FACTORY_ESCALATED,
    CASE_WORK_COMPLETE,
    CASE_FOLLOW_UP,
    CASE_CLOSED,
    CASE_ARCHIVED,
    CASE_CANCELLED,
};

enum case_event {
    CASE_EV_REGISTER,         /* a service manager registers it */
    CASE_EV_ASSIGN,           /* the first engineer */
    CASE_EV_START,            /* first engineer contact: troubleshooting begins */
    CASE_EV_RESOLVE_REMOTE,   /* fixed by phone or remote session */
    CASE_EV_PLAN_ONSITE,      /* an on-site visit is proposed/confirmed */
    CASE_EV_REQUEST_RMA,      /* escalated to the depot: an RMA is created */
    CASE_EV_ESCALATE_FACTORY, /* neither remote, on site nor depot can fix it */
    CASE_EV_COMPLETE,         /* the work is complete */
    CASE_EV_FOLLOW_UP,        /* the follow-up is opened */
    CASE_EV_CLOSE,            /* follow-up done (feedback recorded or given up) */
    CASE_EV_ARCHIVE,          /* the service record is written and frozen */
    CASE_EV_HOLD,             /* waiting for the customer */
    CASE_EV_RESUME,           /* back to the state it was held in */
    CASE_EV_CANCEL,
};

/* Names as stored and shown in the API: "new", "troubleshooting", "on_hold", ... */
const char *case_state_name(enum case_state s);
/* 0, or -1 with ERR_INVALID naming field. */
int case_state_parse(const char *s, const char *field, enum case_state *out, struct err *err);
/* "register", "assign", "start", "resolve_remote", "plan_onsite", "request_rma",
 * "escalate_factory", "complete", "follow_up", "close", "archive", "hold", "resume", "cancel" */
const char *case_event_name(enum case_event ev);
int case_event_parse(const char *s, const char *field, enum case_event *out, struct err *err);

/*
 * case_next: the state `from` moves to on ev.  held_from is the state an on_hold case was held in
 * (ignored otherwise): resume returns to it.  Returns 0 and sets *to, or -1 with ERR_CONFLICT
 * (field "status") naming the current state when the policy has no such move.
 */
int case_next(enum case_state from, enum case_event ev, enum case_state held_from,
              enum case_state *to, struct err *err);

/* Whether an engineer works on the case in this state (reassignment allowed): assigned up to
 * work_complete, on_hold included. */
bool case_is_assignable(enum case_state s);
/* Whether the case is past the point where its data may change (closed, archived, cancelled). */
bool case_is_final(enum case_state s);
/* Whether SLA clocks run (false on hold and once the work is complete). */
bool case_clock_runs(enum case_state s);

#endif

/*
 * rma: the RMA, its lines and their legs, and the rules that move them.
 *
 * Service case -> RMA (0..n per case) -> RMA line (one serialised unit, or a whole quantity of a
 * part) -> up to four legs per line.  Each leg moves only along a row of the transition table in
 * src/core/rma.c; the RMA's status is derived from its legs and never set by hand.
 *
 *   screening  decided once:    eligible | out_of_warranty | misuse_suspected | not_a_fault |
 *                               ineligible
 *   inbound    label_issued -> in_transit -> received -> inspected -> dispositioned
 *              (label_issued | in_transit) -> received     only the depot's dock scan receives
 *              (label_issued | in_transit | overdue) -> partially_received -> received
 *                                                          (whole-number parts, in pieces)
 *              received -> hold (serial mismatch) -> received (decided)
 *              label_issued | in_transit -> lost | overdue | refused
 *   repair     pending -> queued -> diagnosing -> in_repair <-> awaiting_parts -> testing ->
 *              repaired | unrepairable | no_fault_found
 *              diagnosing -> quote_pending -> in_repair (approved) | unrepairable (declined)
 *              (queued | diagnosing | in_repair) -> at_factory -> repaired | factory_replaced |
 *              unrepairable
 *   outbound   blocked -> ready -> packed -> manifested -> shipped -> delivered
 *              shipped -> delivery_exception | returned_to_sender
 */
#ifndef CORE_RMA_H
#define CORE_RMA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

enum rma_type {
    RMA_TYPE_REPAIR, /* repair and return (mail-in) */
    RMA_TYPE_ADVANCE_REPLACEMENT,
    RMA_TYPE_EXCHANGE,
    RMA_TYPE_REPLACEMENT_NO_RETURN,
    RMA_TYPE_FACTORY,
};

enum leg_kind { LEG_INBOUND, LEG_REPAIR, LEG_OUTBOUND };

enum screening_outcome {
    SCREEN_ELIGIBLE,
    SCREEN_OUT_OF_WARRANTY,
    SCREEN_MISUSE_SUSPECTED,
    SCREEN_NOT_A_FAULT,
    SCREEN_INELIGIBLE,
};

enum leg_event {
    LEG_EV_PICKUP,  /* carrier picked the parcel up */
    LEG_EV_RECEIVE, /* dock scan */
    LEG_EV_HOLD,    /* serial mismatch at the dock */
    LEG_EV_RELEASE, /* hold decided */
    LEG_EV_INSPECT,
    LEG_EV_DISPOSITION,
    LEG_EV_LOSE,
    LEG_EV_OVERDUE,
    LEG_EV_QUEUE,
    LEG_EV_DIAGNOSE,
    LEG_EV_START_REPAIR,
    LEG_EV_WAIT_PARTS,
    LEG_EV_PARTS_ARRIVED,
    LEG_EV_TEST,
    LEG_EV_REPAIRED,
    LEG_EV_UNREPAIRABLE,
    LEG_EV_NO_FAULT,
    LEG_EV_UNBLOCK,
    LEG_EV_PACK,
    LEG_EV_MANIFEST,
    LEG_EV_SHIP,
    LEG_EV_DELIVER,
    LEG_EV_DELIVERY_EXCEPTION,
    LEG_EV_RETURN_TO_SENDER,
    LEG_EV_PARTIAL_RECEIVE, /* some of a whole-number quantity arrived */
    LEG_EV_REFUSE,          /* the customer refused to send it back */
    LEG_EV_QUOTE,           /* a chargeable repair needs the customer's approval */
    LEG_EV_QUOTE_APPROVED,
    LEG_EV_QUOTE_DECLINED,
    LEG_EV_ESCALATE, /* to the factory */
    LEG_EV_FACTORY_REPAIRED,
    LEG_EV_FACTORY_REPLACED,
    LEG_EV_FACTORY_UNREPAIRABLE,
    LEG_EV_UNMANIFEST, /* its pickup manifest was voided (issue 5): manifested -> packed */
};

/* Names as stored in the database and shown in the API ("label_issued", "received", ...). */
const char *rma_type_name(enum rma_type t);
int rma_type_parse(const char *s, enum rma_type *out, struct err *err);
const char *leg_kind_name(enum leg_kind k);
const char *leg_event_name(enum leg_event ev);
const char *screening_outcome_name(enum screening_outcome o);
int screening_outcome_parse(const char *s, enum screening_outcome *out, struct err *err);

/* Which legs a line of this type has, and the state each starts in once authorized. */
bool rma_type_has_leg(enum rma_type t, enum leg_kind k);
const char *leg_initial_state(enum rma_type t, enum leg_kind k);

/*
 * The state a leg moves to from `from` on `ev`.  Returns 0 and sets *to (a static string), or -1
 * with ERR_CONFLICT naming the leg when the table has no such move.
 */
int leg_next(enum leg_kind k, const char *from, enum leg_event ev, const char **to,
             struct err *err);
/* The states from which ev moves a leg of kind k; writes up to max of them, returns how many. */
size_t leg_sources(enum leg_kind k, enum leg_event ev, const char **out, size_t max);
bool leg_state_is_known(enum leg_kind k, const char *state);

/* leg_event_parse: the event named s ("receive", "diagnose", ...). 0 or -1 (ERR_INVALID). */
int leg_event_parse(const char *s, const char *field, enum leg_event *out, struct err *err);
/* True for a state no event leaves (delivered, repaired, ...). */
bool leg_state_is_final(enum leg_kind k, const char *state);

/*
 * Whether a line's outbound leg may leave "blocked" (DESIGN.md, repair types): repair and
 * factory when the repair leg has finished (repaired, unrepairable, no_fault_found,
 * factory_replaced) or was never started because the unit was dispositioned otherwise
 * (inbound dispositioned, repair still pending: returned unrepaired or replaced); exchange when the
 * inbound unit is inspected and no misuse was found; advance replacement and replacement without
 * return at once (they start "ready").
 */
bool rma_outbound_unblocked(enum rma_type t, const char *inbound, const char *repair, bool misuse);

/* One line's legs as read from the store; NULL for a leg the line does not have. */
struct rma_line_legs {
    const char *inbound;
    const char *repair;
    const char *outbound;
};

/*
 * The RMA's status derived from its screening and its lines' legs: "not_authorized",
 * "awaiting_return", "in_transit", "on_hold", "received", "in_repair", "ready_to_ship",
 * "shipped", "complete", or "closed".  The least advanced line decides.  A line is "complete"
 * only when its outbound leg is delivered (or absent) and its inbound leg is dispositioned (or
 * absent).  Until then a line whose outbound is blocked or delivered (a spare that went out
 * first) shows its inbound leg: label_issued | overdue -> "awaiting_return", in_transit | lost
 * -> "in_transit", hold -> "on_hold", received -> "received", inspected -> "in_repair" (as does
 * a repair leg past pending) on a line with a repair leg, "received" on one without (exchange,
 * advance replacement); a blocked outbound with a dispositioned inbound is "in_repair", or
 * "received" without a repair leg.  An
 * authorized RMA with no lines yet is "awaiting_return".  partially_received counts as
 * "partially_received" (between in_transit and on_hold).  An RMA whose lines are all complete
 * but that has an open charge is "awaiting_settlement": it cannot complete until the charge is
 * settled or waived; one whose kept data-bearing unit has no destruction certificate yet is
 * "awaiting_certificate".  blockers is a set of RMA_BLOCK_* bits.  Returns a static string.
 */
#define RMA_BLOCK_CHARGE 1u      /* an open charge */
#define RMA_BLOCK_CERTIFICATE 2u /* a destruction certificate is missing */
const char *rma_status_derive(bool authorized, bool closed, unsigned blockers,
                              const struct rma_line_legs *lines, size_t n);

#endif

/*
 * rma: the transition table of the legs and the derived RMA status.
 *
 * The rules are data: one row per allowed move.  leg_next() only looks them up, so adding a
 * move is adding a row, and a move that is not here is a 409 for the caller.
 */
#include "core/rma.h"

#include <string.h>

struct move {
    enum leg_kind leg;
    const char *from;
    enum leg_event ev;
    const char *to;
};

static const struct move moves[] = {
    {LEG_INBOUND, "label_issued", LEG_EV_PICKUP, "in_transit"},
    {LEG_INBOUND, "label_issued", LEG_EV_RECEIVE, "received"},
    {LEG_INBOUND, "in_transit", LEG_EV_RECEIVE, "received"},
    {LEG_INBOUND, "overdue", LEG_EV_RECEIVE, "received"},
    {LEG_INBOUND, "lost", LEG_EV_RECEIVE, "received"},
    {LEG_INBOUND, "label_issued", LEG_EV_LOSE, "lost"},
    {LEG_INBOUND, "in_transit", LEG_EV_LOSE, "lost"},
    {LEG_INBOUND, "label_issued", LEG_EV_OVERDUE, "overdue"},
    {LEG_INBOUND, "in_transit", LEG_EV_OVERDUE, "overdue"},
    {LEG_INBOUND, "received", LEG_EV_HOLD, "hold"},
    {LEG_INBOUND, "hold", LEG_EV_RELEASE, "received"},
    {LEG_INBOUND, "received", LEG_EV_INSPECT, "inspected"},
    {LEG_INBOUND, "inspected", LEG_EV_DISPOSITION, "dispositioned"},
    {LEG_INBOUND, "label_issued", LEG_EV_PARTIAL_RECEIVE, "partially_received"},
    {LEG_INBOUND, "in_transit", LEG_EV_PARTIAL_RECEIVE, "partially_received"},
    {LEG_INBOUND, "overdue", LEG_EV_PARTIAL_RECEIVE, "partially_received"},
    {LEG_INBOUND, "partially_received", LEG_EV_PARTIAL_RECEIVE, "partially_received"},
    {LEG_INBOUND, "partially_received", LEG_EV_RECEIVE, "received"},
    {LEG_INBOUND, "partially_received", LEG_EV_OVERDUE, "overdue"},
    {LEG_INBOUND, "label_issued", LEG_EV_REFUSE, "refused"},
    {LEG_INBOUND, "in_transit", LEG_EV_REFUSE, "refused"},
    {LEG_INBOUND, "overdue", LEG_EV_REFUSE, "refused"},

    {LEG_REPAIR, "pending", LEG_EV_QUEUE, "queued"},
    {LEG_REPAIR, "queued", LEG_EV_DIAGNOSE, "diagnosing"},
    {LEG_REPAIR, "diagnosing", LEG_EV_START_REPAIR, "in_repair"},
    {LEG_REPAIR, "diagnosing", LEG_EV_NO_FAULT, "no_fault_found"},
    {LEG_REPAIR, "diagnosing", LEG_EV_UNREPAIRABLE, "unrepairable"},
    {LEG_REPAIR, "in_repair", LEG_EV_WAIT_PARTS, "awaiting_parts"},
    {LEG_REPAIR, "awaiting_parts", LEG_EV_PARTS_ARRIVED, "in_repair"},
    {LEG_REPAIR, "in_repair", LEG_EV_TEST, "testing"},
    {LEG_REPAIR, "in_repair", LEG_EV_UNREPAIRABLE, "unrepairable"},
    {LEG_REPAIR, "testing", LEG_EV_START_REPAIR, "in_repair"},
    {LEG_REPAIR, "testing", LEG_EV_REPAIRED, "repaired"},
    {LEG_REPAIR, "testing", LEG_EV_UNREPAIRABLE, "unrepairable"},
    {LEG_REPAIR, "diagnosing", LEG_EV_QUOTE, "quote_pending"},
    {LEG_REPAIR, "quote_pending", LEG_EV_QUOTE_APPROVED, "in_repair"},
    {LEG_REPAIR, "quote_pending", LEG_EV_QUOTE_DECLINED, "unrepairable"},
    {LEG_REPAIR, "queued", LEG_EV_ESCALATE, "at_factory"},
    {LEG_REPAIR, "diagnosing", LEG_EV_ESCALATE, "at_factory"},
    {LEG_REPAIR, "in_repair", LEG_EV_ESCALATE, "at_factory"},
    {LEG_REPAIR, "at_factory", LEG_EV_FACTORY_REPAIRED, "repaired"},
    {LEG_REPAIR, "at_factory", LEG_EV_FACTORY_REPLACED, "factory_replaced"},
    {LEG_REPAIR, "at_factory", LEG_EV_FACTORY_UNREPAIRABLE, "unrepairable"},

    {LEG_OUTBOUND, "blocked", LEG_EV_UNBLOCK, "ready"},
    {LEG_OUTBOUND, "ready", LEG_EV_PACK, "packed"},
    {LEG_OUTBOUND, "packed", LEG_EV_MANIFEST, "manifested"},
    {LEG_OUTBOUND, "manifested", LEG_EV_UNMANIFEST, "packed"},
    {LEG_OUTBOUND, "manifested", LEG_EV_SHIP, "shipped"},
    {LEG_OUTBOUND, "packed", LEG_EV_SHIP, "shipped"},
    {LEG_OUTBOUND, "shipped", LEG_EV_DELIVER, "delivered"},
    {LEG_OUTBOUND, "shipped", LEG_EV_DELIVERY_EXCEPTION, "delivery_exception"},
    {LEG_OUTBOUND, "delivery_exception", LEG_EV_DELIVER, "delivered"},
    {LEG_OUTBOUND, "shipped", LEG_EV_RETURN_TO_SENDER, "returned_to_sender"},
    {LEG_OUTBOUND, "delivery_exception", LEG_EV_RETURN_TO_SENDER, "returned_to_sender"},
};

static const char *const type_names[] = {
    [RMA_TYPE_REPAIR] = "repair",     [RMA_TYPE_ADVANCE_REPLACEMENT] = "advance_replacement",
    [RMA_TYPE_EXCHANGE] = "exchange", [RMA_TYPE_REPLACEMENT_NO_RETURN] = "replacement_no_return",
    [RMA_TYPE_FACTORY] = "factory",
};

static const char *const outcome_names[] = {
    [SCREEN_ELIGIBLE] = "eligible",
    [SCREEN_OUT_OF_WARRANTY] = "out_of_warranty",
    [SCREEN_MISUSE_SUSPECTED] = "misuse_suspected",
    [SCREEN_NOT_A_FAULT] = "not_a_fault",
    [SCREEN_INELIGIBLE] = "ineligible",
};

static const char *const event_names[] = {
    [LEG_EV_PICKUP] = "pickup",
    [LEG_EV_RECEIVE] = "receive",
    [LEG_EV_HOLD] = "hold",
    [LEG_EV_RELEASE] = "release",
    [LEG_EV_INSPECT] = "inspect",
    [LEG_EV_DISPOSITION] = "disposition",
    [LEG_EV_LOSE] = "lose",
    [LEG_EV_OVERDUE] = "overdue",
    [LEG_EV_QUEUE] = "queue",
    [LEG_EV_DIAGNOSE] = "diagnose",
    [LEG_EV_START_REPAIR] = "start_repair",
    [LEG_EV_WAIT_PARTS] = "wait_parts",
    [LEG_EV_PARTS_ARRIVED] = "parts_arrived",
    [LEG_EV_TEST] = "test",
    [LEG_EV_REPAIRED] = "repaired",
    [LEG_EV_UNREPAIRABLE] = "unrepairable",
    [LEG_EV_NO_FAULT] = "no_fault_found",
    [LEG_EV_UNBLOCK] = "unblock",
    [LEG_EV_PACK] = "pack",
    [LEG_EV_MANIFEST] = "manifest",
    [LEG_EV_SHIP] = "ship",
    [LEG_EV_DELIVER] = "deliver",
    [LEG_EV_DELIVERY_EXCEPTION] = "delivery_exception",
    [LEG_EV_RETURN_TO_SENDER] = "return_to_sender",
    [LEG_EV_PARTIAL_RECEIVE] = "partial_receive",
    [LEG_EV_REFUSE] = "refuse",
    [LEG_EV_QUOTE] = "quote",
    [LEG_EV_QUOTE_APPROVED] = "quote_approved",
    [LEG_EV_QUOTE_DECLINED] = "quote_declined",
    [LEG_EV_ESCALATE] = "escalate",
    [LEG_EV_FACTORY_REPAIRED] = "factory_repaired",
    [LEG_EV_FACTORY_REPLACED] = "factory_replaced",
    [LEG_EV_FACTORY_UNREPAIRABLE] = "factory_unrepairable",
    [LEG_EV_UNMANIFEST] = "unmanifest",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *rma_type_name(enum rma_type t)
{
    return (size_t)t < COUNT(type_names) ? type_names[t] : "unknown";
}

int rma_type_parse(const char *s, enum rma_type *out, struct err *err)
{
    for (size_t i = 0; i < COUNT(type_names); i++) {
        if (strcmp(s, type_names[i]) == 0) {
            *out = (enum rma_type)i;
            return 0;
        }
    }
    return err_set(err, ERR_INVALID, "type",
                   "must be one of repair, advance_replacement, exchange, "
                   "replacement_no_return, factory");
}

const char *leg_kind_name(enum leg_kind k)
{
    switch (k) {
    case LEG_INBOUND:
        return "inbound";
    case LEG_REPAIR:
        return "repair";
    case LEG_OUTBOUND:
        return "outbound";
    }
    return "unknown";
}

const char *leg_event_name(enum leg_event ev)
{
    return (size_t)ev < COUNT(event_names) ? event_names[ev] : "unknown";
}

const char *screening_outcome_name(enum screening_outcome o)
{
    return (size_t)o < COUNT(outcome_names) ? outcome_names[o] : "unknown";
}

int screening_outcome_parse(const char *s, enum screening_outcome *out, struct err *err)
{
    for (size_t i = 0; i < COUNT(outcome_names); i++) {
        if (strcmp(s, outcome_names[i]) == 0) {
            *out = (enum screening_outcome)i;
            return 0;
        }
    }
    return err_set(err, ERR_INVALID, "screening.outcome",
                   "must be one of eligible, out_of_warranty, misuse_suspected, not_a_fault, "
                   "ineligible");
}

bool rma_type_has_leg(enum rma_type t, enum leg_kind k)
{
    switch (k) {
    case LEG_INBOUND:
        return t != RMA_TYPE_REPLACEMENT_NO_RETURN;
    case LEG_REPAIR:
        return t == RMA_TYPE_REPAIR || t == RMA_TYPE_FACTORY;
    case LEG_OUTBOUND:
        return true;
    }
    return false;
}

const char *leg_initial_state(enum rma_type t, enum leg_kind k)
{
    switch (k) {
    case LEG_INBOUND:
        return "label_issued";
    case LEG_REPAIR:
        return "pending";
    case LEG_OUTBOUND:
        /* outbound unblocked at authorization for spares that ship first (DESIGN.md table) */
        return (t == RMA_TYPE_ADVANCE_REPLACEMENT || t == RMA_TYPE_REPLACEMENT_NO_RETURN) ?
                   "ready" :
                   "blocked";
    }
    return "unknown";
}

int leg_next(enum leg_kind k, const char *from, enum leg_event ev, const char **to, struct err *err)
{
    for (size_t i = 0; i < COUNT(moves); i++) {
        if (moves[i].leg == k && moves[i].ev == ev && strcmp(moves[i].from, from) == 0) {
            *to = moves[i].to;
            return 0;
        }
    }
    /* "an inbound leg", "a repair leg" */
    const char *kind = leg_kind_name(k);
    return err_set(err, ERR_CONFLICT, kind, "cannot %s %s %s leg that is %s", leg_event_name(ev),
                   strchr("aeiou", kind[0]) != NULL ? "an" : "a", kind, from);
}

size_t leg_sources(enum leg_kind k, enum leg_event ev, const char **out, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < COUNT(moves) && n < max; i++)
        if (moves[i].leg == k && moves[i].ev == ev)
            out[n++] = moves[i].from;
    return n;
}

int leg_event_parse(const char *s, const char *field, enum leg_event *out, struct err *err)
{
    for (size_t i = 0; i < COUNT(event_names); i++) {
        if (s != NULL && event_names[i] != NULL && strcmp(s, event_names[i]) == 0) {
            *out = (enum leg_event)i;
            return 0;
        }
    }
    return err_set(err, ERR_INVALID, field, "is not an event rmad knows");
}

bool leg_state_is_final(enum leg_kind k, const char *state)
{
    if (!leg_state_is_known(k, state))
        return false;
    for (size_t i = 0; i < COUNT(moves); i++)
        if (moves[i].leg == k && strcmp(moves[i].from, state) == 0)
            return false;
    return true;
}

bool rma_outbound_unblocked(enum rma_type t, const char *inbound, const char *repair, bool misuse)
{
    static const char *const finished[] = {"repaired", "unrepairable", "no_fault_found",
                                           "factory_replaced"};

    switch (t) {
    case RMA_TYPE_ADVANCE_REPLACEMENT:
    case RMA_TYPE_REPLACEMENT_NO_RETURN:
        return true;
    case RMA_TYPE_EXCHANGE:
        return !misuse && inbound != NULL &&
               (strcmp(inbound, "inspected") == 0 || strcmp(inbound, "dispositioned") == 0);
    case RMA_TYPE_REPAIR:
    case RMA_TYPE_FACTORY:
        for (size_t i = 0; repair != NULL && i < COUNT(finished); i++)
            if (strcmp(repair, finished[i]) == 0)
                return true;
        /* dispositioned without a repair (returned unrepaired, replaced): nothing to wait for */
        return repair != NULL && strcmp(repair, "pending") == 0 && inbound != NULL &&
               strcmp(inbound, "dispositioned") == 0;
    }
    return false;
}

bool leg_state_is_known(enum leg_kind k, const char *state)
{
    for (size_t i = 0; i < COUNT(moves); i++)
        if (moves[i].leg == k &&
            (strcmp(moves[i].from, state) == 0 || strcmp(moves[i].to, state) == 0))
            return true;
    return false;
}

/* Progress rank of one line; the RMA shows its least advanced line. */
enum stage {
    ST_AWAITING,
    ST_IN_TRANSIT,
    ST_PARTIAL,
    ST_ON_HOLD,
    ST_RECEIVED,
    ST_IN_REPAIR,
    ST_READY,
    ST_SHIPPED,
    ST_COMPLETE,
};

static const char *const stage_names[] = {
    [ST_AWAITING] = "awaiting_return",   [ST_IN_TRANSIT] = "in_transit",
    [ST_PARTIAL] = "partially_received", [ST_ON_HOLD] = "on_hold",
    [ST_RECEIVED] = "received",          [ST_IN_REPAIR] = "in_repair",
    [ST_READY] = "ready_to_ship",        [ST_SHIPPED] = "shipped",
    [ST_COMPLETE] = "complete",
};

static bool is(const char *s, const char *v)
{
    return s != NULL && strcmp(s, v) == 0;
}

/* Stage of a line whose inbound leg exists and is not yet dispositioned. */
static enum stage inbound_stage(const struct rma_line_legs *l)
{
    const char *in = l->inbound;

    if (is(in, "label_issued") || is(in, "overdue"))
        return ST_AWAITING;
    if (is(in, "in_transit") || is(in, "lost"))
        return ST_IN_TRANSIT;
    if (is(in, "partially_received"))
        return ST_PARTIAL;
    if (is(in, "refused"))
        return ST_ON_HOLD;
    if (is(in, "hold"))
        return ST_ON_HOLD;
    if (l->repair != NULL && !is(l->repair, "pending"))
        return ST_IN_REPAIR;
    /* inspected and waiting for its repair; a line without a repair leg (exchange, advance
     * replacement) is never repaired here: its inspected core reads "received" */
    if (is(in, "inspected") && l->repair != NULL)
        return ST_IN_REPAIR;
    return ST_RECEIVED;
}

static enum stage line_stage(const struct rma_line_legs *l)
{
    const char *out = l->outbound;

    if (out == NULL || is(out, "delivered")) {
        /* a spare delivered while the core is still out or not yet dispositioned: not complete */
        if (l->inbound == NULL || is(l->inbound, "dispositioned"))
            return ST_COMPLETE;
        return inbound_stage(l);
    }
    if (is(out, "shipped") || is(out, "delivery_exception") || is(out, "returned_to_sender"))
        return ST_SHIPPED;
    if (is(out, "ready") || is(out, "packed") || is(out, "manifested"))
        return ST_READY;
    /* outbound blocked: the unit is on its way in or in the depot */
    if (l->inbound == NULL)
        return ST_AWAITING;
    if (is(l->inbound, "dispositioned"))
        return l->repair != NULL ? ST_IN_REPAIR : ST_RECEIVED;
    return inbound_stage(l);
}

const char *rma_status_derive(bool authorized, bool closed, unsigned blockers,
                              const struct rma_line_legs *lines, size_t n)
{
    enum stage least = ST_COMPLETE;

    if (closed)
        return "closed";
    if (!authorized)
        return "not_authorized";
    if (n == 0)
        return stage_names[ST_AWAITING];
    for (size_t i = 0; i < n; i++) {
        enum stage s = line_stage(&lines[i]);
        if (s < least)
            least = s;
    }
    if (least == ST_COMPLETE && (blockers & RMA_BLOCK_CHARGE))
        return "awaiting_settlement";
    if (least == ST_COMPLETE && (blockers & RMA_BLOCK_CERTIFICATE))
        return "awaiting_certificate";
    return stage_names[least];
}

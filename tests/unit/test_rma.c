/*
 * Unit tests of rma: the leg transition table, which legs each type has and where they start,
 * and the RMA status derived from the lines' legs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/err.h"
#include "core/rma.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const enum leg_event all_events[] = {
    LEG_EV_PICKUP,
    LEG_EV_RECEIVE,
    LEG_EV_HOLD,
    LEG_EV_RELEASE,
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
};

static void allowed_moves(void **state)
{
    static const struct {
        enum leg_kind leg;
        const char *from;
        enum leg_event ev;
        const char *to;
    } cases[] = {
        /* inbound: only the dock scan receives, from label_issued or in_transit */
        {LEG_INBOUND, "label_issued", LEG_EV_PICKUP, "in_transit"},
        {LEG_INBOUND, "label_issued", LEG_EV_RECEIVE, "received"},
        {LEG_INBOUND, "in_transit", LEG_EV_RECEIVE, "received"},
        {LEG_INBOUND, "overdue", LEG_EV_RECEIVE, "received"},
        {LEG_INBOUND, "label_issued", LEG_EV_OVERDUE, "overdue"},
        {LEG_INBOUND, "in_transit", LEG_EV_LOSE, "lost"},
        {LEG_INBOUND, "received", LEG_EV_HOLD, "hold"},
        {LEG_INBOUND, "hold", LEG_EV_RELEASE, "received"},
        {LEG_INBOUND, "received", LEG_EV_INSPECT, "inspected"},
        {LEG_INBOUND, "inspected", LEG_EV_DISPOSITION, "dispositioned"},
        /* repair */
        {LEG_REPAIR, "pending", LEG_EV_QUEUE, "queued"},
        {LEG_REPAIR, "queued", LEG_EV_DIAGNOSE, "diagnosing"},
        {LEG_REPAIR, "diagnosing", LEG_EV_START_REPAIR, "in_repair"},
        {LEG_REPAIR, "diagnosing", LEG_EV_NO_FAULT, "no_fault_found"},
        {LEG_REPAIR, "in_repair", LEG_EV_WAIT_PARTS, "awaiting_parts"},
        {LEG_REPAIR, "awaiting_parts", LEG_EV_PARTS_ARRIVED, "in_repair"},
        {LEG_REPAIR, "in_repair", LEG_EV_TEST, "testing"},
        {LEG_REPAIR, "in_repair", LEG_EV_UNREPAIRABLE, "unrepairable"},
        {LEG_REPAIR, "testing", LEG_EV_REPAIRED, "repaired"},
        /* outbound */
        {LEG_OUTBOUND, "blocked", LEG_EV_UNBLOCK, "ready"},
        {LEG_OUTBOUND, "ready", LEG_EV_PACK, "packed"},
        {LEG_OUTBOUND, "packed", LEG_EV_MANIFEST, "manifested"},
        {LEG_OUTBOUND, "manifested", LEG_EV_SHIP, "shipped"},
        {LEG_OUTBOUND, "shipped", LEG_EV_DELIVER, "delivered"},
        {LEG_OUTBOUND, "shipped", LEG_EV_DELIVERY_EXCEPTION, "delivery_exception"},
        {LEG_OUTBOUND, "delivery_exception", LEG_EV_DELIVER, "delivered"},
        {LEG_OUTBOUND, "shipped", LEG_EV_RETURN_TO_SENDER, "returned_to_sender"},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        const char *to = NULL;
        struct err err = {0};

        if (leg_next(cases[i].leg, cases[i].from, cases[i].ev, &to, &err) != 0)
            fail_msg("%s leg: %s on %s refused: %s", leg_kind_name(cases[i].leg), cases[i].from,
                     leg_event_name(cases[i].ev), err.message);
        assert_false(err_is_set(&err));
        assert_non_null(to);
        assert_string_equal(to, cases[i].to);
        assert_true(leg_state_is_known(cases[i].leg, cases[i].from));
        assert_true(leg_state_is_known(cases[i].leg, to));
    }
}

static void refused_moves_are_conflicts(void **state)
{
    static const struct {
        enum leg_kind leg;
        const char *from;
        enum leg_event ev;
    } cases[] = {
        /* ship before repair / before receive: the outbound leg is still blocked */
        {LEG_OUTBOUND, "blocked", LEG_EV_SHIP},
        {LEG_OUTBOUND, "blocked", LEG_EV_PACK},
        {LEG_OUTBOUND, "blocked", LEG_EV_DELIVER},
        {LEG_OUTBOUND, "ready", LEG_EV_SHIP},
        {LEG_OUTBOUND, "ready", LEG_EV_DELIVER},
        {LEG_OUTBOUND, "returned_to_sender", LEG_EV_DELIVER},
        /* inbound: nothing is inspected or dispositioned before it is received */
        {LEG_INBOUND, "label_issued", LEG_EV_INSPECT},
        {LEG_INBOUND, "in_transit", LEG_EV_DISPOSITION},
        {LEG_INBOUND, "received", LEG_EV_RECEIVE},
        {LEG_INBOUND, "received", LEG_EV_PICKUP},
        {LEG_INBOUND, "dispositioned", LEG_EV_RECEIVE},
        {LEG_INBOUND, "inspected", LEG_EV_HOLD},
        {LEG_INBOUND, "label_issued", LEG_EV_RELEASE},
        /* repair: no skipping ahead, no going back from a final state */
        {LEG_REPAIR, "pending", LEG_EV_REPAIRED},
        {LEG_REPAIR, "queued", LEG_EV_TEST},
        {LEG_REPAIR, "repaired", LEG_EV_START_REPAIR},
        {LEG_REPAIR, "unrepairable", LEG_EV_START_REPAIR},
        {LEG_REPAIR, "no_fault_found", LEG_EV_QUEUE},
        /* an event of another leg, or a state of another leg */
        {LEG_INBOUND, "label_issued", LEG_EV_SHIP},
        {LEG_REPAIR, "label_issued", LEG_EV_RECEIVE},
        {LEG_OUTBOUND, "pending", LEG_EV_QUEUE},
        {LEG_INBOUND, "no_such_state", LEG_EV_RECEIVE},
        {LEG_OUTBOUND, "", LEG_EV_UNBLOCK},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        const char *to = NULL;
        struct err err = {0};

        if (leg_next(cases[i].leg, cases[i].from, cases[i].ev, &to, &err) != -1)
            fail_msg("%s leg: %s on %s allowed (to %s)", leg_kind_name(cases[i].leg), cases[i].from,
                     leg_event_name(cases[i].ev), to);
        assert_int_equal(err.kind, ERR_CONFLICT);
        assert_string_equal(err.field, leg_kind_name(cases[i].leg));
        assert_true(err.message[0] != '\0');
    }
}

static void ship_before_repair_is_refused(void **state)
{
    const char *to = NULL;
    struct err err = {0};

    (void)state;
    assert_int_equal(leg_next(LEG_OUTBOUND, "blocked", LEG_EV_SHIP, &to, &err), -1);
    assert_int_equal(err.kind, ERR_CONFLICT);
    assert_string_equal(err.field, "outbound");
    assert_string_equal(err.message, "cannot ship an outbound leg that is blocked");
    err = (struct err){0};
    assert_int_equal(leg_next(LEG_REPAIR, "pending", LEG_EV_TEST, &to, &err), -1);
    assert_string_equal(err.message, "cannot test a repair leg that is pending");
}

static void final_states_never_move(void **state)
{
    static const char *const final_states[][2] = {
        {"outbound", "delivered"},  {"inbound", "dispositioned"}, {"repair", "repaired"},
        {"repair", "unrepairable"}, {"repair", "no_fault_found"},
    };
    static const enum leg_kind legs[] = {LEG_OUTBOUND, LEG_INBOUND, LEG_REPAIR, LEG_REPAIR,
                                         LEG_REPAIR};

    (void)state;
    for (size_t i = 0; i < COUNT(final_states); i++) {
        assert_string_equal(leg_kind_name(legs[i]), final_states[i][0]);
        assert_true(leg_state_is_known(legs[i], final_states[i][1]));
        for (size_t e = 0; e < COUNT(all_events); e++) {
            const char *to = NULL;
            struct err err = {0};

            if (leg_next(legs[i], final_states[i][1], all_events[e], &to, &err) != -1)
                fail_msg("%s leg moved from %s on %s to %s", final_states[i][0], final_states[i][1],
                         leg_event_name(all_events[e]), to);
            assert_int_equal(err.kind, ERR_CONFLICT);
        }
    }
}

static void legs_and_initial_states_per_type(void **state)
{
    static const struct {
        enum rma_type type;
        const char *name;
        const char *inbound; /* NULL: the type has no such leg */
        const char *repair;
        const char *outbound;
    } cases[] = {
        {RMA_TYPE_REPAIR, "repair", "label_issued", "pending", "blocked"},
        {RMA_TYPE_ADVANCE_REPLACEMENT, "advance_replacement", "label_issued", NULL, "ready"},
        {RMA_TYPE_EXCHANGE, "exchange", "label_issued", NULL, "blocked"},
        {RMA_TYPE_REPLACEMENT_NO_RETURN, "replacement_no_return", NULL, NULL, "ready"},
        {RMA_TYPE_FACTORY, "factory", "label_issued", "pending", "blocked"},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        const char *want[3] = {cases[i].inbound, cases[i].repair, cases[i].outbound};
        const enum leg_kind legs[3] = {LEG_INBOUND, LEG_REPAIR, LEG_OUTBOUND};
        enum rma_type parsed = (enum rma_type) - 1;
        struct err err = {0};

        assert_string_equal(rma_type_name(cases[i].type), cases[i].name);
        assert_int_equal(rma_type_parse(cases[i].name, &parsed, &err), 0);
        assert_int_equal(parsed, cases[i].type);
        for (int k = 0; k < 3; k++) {
            bool has = rma_type_has_leg(cases[i].type, legs[k]);
            if (has != (want[k] != NULL))
                fail_msg("%s: has %s leg is %d", cases[i].name, leg_kind_name(legs[k]), has);
            if (want[k] == NULL)
                continue;
            assert_string_equal(leg_initial_state(cases[i].type, legs[k]), want[k]);
            assert_true(leg_state_is_known(legs[k], want[k]));
        }
    }
}

static void type_and_outcome_parse_refuse_unknown_names(void **state)
{
    enum rma_type t;
    enum screening_outcome o;
    struct err err = {0};

    (void)state;
    assert_int_equal(rma_type_parse("Repair", &t, &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "type");
    err_clear(&err);
    assert_int_equal(rma_type_parse("", &t, &err), -1);
    assert_string_equal(err.field, "type");
    err_clear(&err);
    assert_int_equal(screening_outcome_parse("misuse_suspected", &o, &err), 0);
    assert_int_equal(o, SCREEN_MISUSE_SUSPECTED);
    assert_string_equal(screening_outcome_name(SCREEN_NOT_A_FAULT), "not_a_fault");
    assert_int_equal(screening_outcome_parse("misuse", &o, &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "screening.outcome");
}

/* Shorthands for one line's legs: inbound, repair, outbound. */
#define LINE(in, rep, out)                                                                         \
    {                                                                                              \
        in, rep, out                                                                               \
    }
#define MAX_LINES 3

static void status_is_derived_from_the_least_advanced_line(void **state)
{
    static const struct {
        const char *what;
        bool authorized;
        bool closed;
        size_t n;
        struct rma_line_legs lines[MAX_LINES];
        const char *want;
    } cases[] = {
        {"not authorized",
         false,
         false,
         1,
         {LINE("label_issued", "pending", "blocked")},
         "not_authorized"},
        {"closed", true, true, 1, {LINE("received", "pending", "blocked")}, "closed"},
        {"closed before authorization",
         false,
         true,
         1,
         {LINE("label_issued", "pending", "blocked")},
         "closed"},
        {"no lines yet", true, false, 0, {LINE(NULL, NULL, NULL)}, "awaiting_return"},
        {"no lines, not authorized", false, false, 0, {LINE(NULL, NULL, NULL)}, "not_authorized"},
        {"no lines, closed", true, true, 0, {LINE(NULL, NULL, NULL)}, "closed"},
        {"closed after delivery",
         true,
         true,
         1,
         {LINE("dispositioned", "repaired", "delivered")},
         "closed"},
        /* one repair line through its life */
        {"awaiting the unit",
         true,
         false,
         1,
         {LINE("label_issued", "pending", "blocked")},
         "awaiting_return"},
        {"overdue unit",
         true,
         false,
         1,
         {LINE("overdue", "pending", "blocked")},
         "awaiting_return"},
        {"unit on its way",
         true,
         false,
         1,
         {LINE("in_transit", "pending", "blocked")},
         "in_transit"},
        {"serial mismatch", true, false, 1, {LINE("hold", "pending", "blocked")}, "on_hold"},
        {"received", true, false, 1, {LINE("received", "pending", "blocked")}, "received"},
        {"queued for repair",
         true,
         false,
         1,
         {LINE("inspected", "queued", "blocked")},
         "in_repair"},
        {"in repair", true, false, 1, {LINE("inspected", "in_repair", "blocked")}, "in_repair"},
        {"repaired, outbound ready",
         true,
         false,
         1,
         {LINE("dispositioned", "repaired", "ready")},
         "ready_to_ship"},
        {"packed", true, false, 1, {LINE("dispositioned", "repaired", "packed")}, "ready_to_ship"},
        {"shipped", true, false, 1, {LINE("dispositioned", "repaired", "shipped")}, "shipped"},
        {"delivered", true, false, 1, {LINE("dispositioned", "repaired", "delivered")}, "complete"},
        /* exchange: no repair leg */
        {"exchange received", true, false, 1, {LINE("received", NULL, "blocked")}, "received"},
        {"exchange delivered",
         true,
         false,
         1,
         {LINE("dispositioned", NULL, "delivered")},
         "complete"},
        /* advance replacement: the spare ships first, the core comes back later */
        {"spare ready, core out",
         true,
         false,
         1,
         {LINE("label_issued", NULL, "ready")},
         "ready_to_ship"},
        {"spare delivered, core label issued",
         true,
         false,
         1,
         {LINE("label_issued", NULL, "delivered")},
         "awaiting_return"},
        {"spare delivered, core overdue",
         true,
         false,
         1,
         {LINE("overdue", NULL, "delivered")},
         "awaiting_return"},
        {"spare delivered, core in transit",
         true,
         false,
         1,
         {LINE("in_transit", NULL, "delivered")},
         "in_transit"},
        {"spare delivered, core on hold",
         true,
         false,
         1,
         {LINE("hold", NULL, "delivered")},
         "on_hold"},
        {"spare delivered, core received",
         true,
         false,
         1,
         {LINE("received", NULL, "delivered")},
         "received"},
        /* no repair leg: an inspected core is never "in_repair" */
        {"spare delivered, core inspected",
         true,
         false,
         1,
         {LINE("inspected", NULL, "delivered")},
         "received"},
        {"exchange inspected, misuse quote open",
         true,
         false,
         1,
         {LINE("inspected", NULL, "blocked")},
         "received"},
        {"exchange dispositioned, outbound still blocked",
         true,
         false,
         1,
         {LINE("dispositioned", NULL, "blocked")},
         "received"},
        {"repair line inspected, repair pending",
         true,
         false,
         1,
         {LINE("inspected", "pending", "blocked")},
         "in_repair"},
        {"spare delivered, core lost",
         true,
         false,
         1,
         {LINE("lost", NULL, "delivered")},
         "in_transit"},
        {"spare delivered, core dispositioned",
         true,
         false,
         1,
         {LINE("dispositioned", NULL, "delivered")},
         "complete"},
        /* replacement, no return */
        {"no return, delivered", true, false, 1, {LINE(NULL, NULL, "delivered")}, "complete"},
        {"no return, ready", true, false, 1, {LINE(NULL, NULL, "ready")}, "ready_to_ship"},
        /* several lines: the least advanced wins */
        {"received and in transit",
         true,
         false,
         2,
         {LINE("received", "pending", "blocked"), LINE("in_transit", "pending", "blocked")},
         "in_transit"},
        {"delivered and received",
         true,
         false,
         2,
         {LINE("dispositioned", "repaired", "delivered"), LINE("received", "pending", "blocked")},
         "received"},
        {"shipped, in repair, delivered",
         true,
         false,
         3,
         {LINE("dispositioned", "repaired", "shipped"), LINE("inspected", "in_repair", "blocked"),
          LINE("dispositioned", "repaired", "delivered")},
         "in_repair"},
        {"delivered and shipped",
         true,
         false,
         2,
         {LINE("dispositioned", "repaired", "delivered"),
          LINE("dispositioned", "repaired", "shipped")},
         "shipped"},
        {"spare delivered but one core still out",
         true,
         false,
         2,
         {LINE("dispositioned", NULL, "delivered"), LINE("label_issued", NULL, "delivered")},
         "awaiting_return"},
        {"spare delivered but one core only received",
         true,
         false,
         2,
         {LINE("dispositioned", NULL, "delivered"), LINE("received", NULL, "delivered")},
         "received"},
        {"all delivered",
         true,
         false,
         3,
         {LINE("dispositioned", "repaired", "delivered"), LINE("dispositioned", NULL, "delivered"),
          LINE(NULL, NULL, "delivered")},
         "complete"},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        const char *got = rma_status_derive(cases[i].authorized, cases[i].closed, false,
                                            cases[i].lines, cases[i].n);
        assert_non_null(got);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%s: status %s, expected %s", cases[i].what, got, cases[i].want);
    }
}

static void names_are_stable(void **state)
{
    (void)state;
    assert_string_equal(leg_kind_name(LEG_INBOUND), "inbound");
    assert_string_equal(leg_kind_name(LEG_REPAIR), "repair");
    assert_string_equal(leg_kind_name(LEG_OUTBOUND), "outbound");
    assert_string_equal(leg_event_name(LEG_EV_RECEIVE), "receive");
    assert_string_equal(leg_event_name(LEG_EV_RETURN_TO_SENDER), "return_to_sender");
    for (size_t e = 0; e < COUNT(all_events); e++)
        assert_string_not_equal(leg_event_name(all_events[e]), "unknown");
}

/* DESIGN.md's repair-types table: when the outbound leg may leave "blocked". */
static void outbound_unblock_rules(void **state)
{
    static const struct {
        enum rma_type type;
        const char *inbound;
        const char *repair;
        bool misuse;
        bool unblocked;
    } cases[] = {
        {RMA_TYPE_REPAIR, "received", "pending", false, false},
        {RMA_TYPE_REPAIR, "dispositioned", "queued", false, false},
        {RMA_TYPE_REPAIR, "dispositioned", "in_repair", false, false},
        {RMA_TYPE_REPAIR, "dispositioned", "repaired", false, true},
        {RMA_TYPE_REPAIR, "dispositioned", "unrepairable", false, true},
        {RMA_TYPE_REPAIR, "dispositioned", "no_fault_found", false, true},
        {RMA_TYPE_REPAIR, "dispositioned", "pending", false, true},
        {RMA_TYPE_FACTORY, "dispositioned", "at_factory", false, false},
        {RMA_TYPE_FACTORY, "dispositioned", "factory_replaced", false, true},
        {RMA_TYPE_EXCHANGE, "received", NULL, false, false},
        {RMA_TYPE_EXCHANGE, "inspected", NULL, false, true},
        {RMA_TYPE_EXCHANGE, "inspected", NULL, true, false},
        {RMA_TYPE_EXCHANGE, "dispositioned", NULL, false, true},
        {RMA_TYPE_ADVANCE_REPLACEMENT, "label_issued", NULL, false, true},
        {RMA_TYPE_REPLACEMENT_NO_RETURN, NULL, NULL, false, true},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(rma_outbound_unblocked(cases[i].type, cases[i].inbound, cases[i].repair,
                                                cases[i].misuse),
                         cases[i].unblocked);
}

/* A complete RMA waits for an open charge, then for a missing destruction certificate. */
static void blockers_hold_completion(void **state)
{
    const struct rma_line_legs done[] = {{NULL, NULL, "delivered"}};

    (void)state;
    assert_string_equal(rma_status_derive(true, false, 0, done, 1), "complete");
    assert_string_equal(rma_status_derive(true, false, RMA_BLOCK_CHARGE, done, 1),
                        "awaiting_settlement");
    assert_string_equal(rma_status_derive(true, false, RMA_BLOCK_CERTIFICATE, done, 1),
                        "awaiting_certificate");
    assert_string_equal(
        rma_status_derive(true, false, RMA_BLOCK_CHARGE | RMA_BLOCK_CERTIFICATE, done, 1),
        "awaiting_settlement");
    assert_string_equal(rma_status_derive(true, true, RMA_BLOCK_CHARGE, done, 1), "closed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outbound_unblock_rules),
        cmocka_unit_test(blockers_hold_completion),
        cmocka_unit_test(allowed_moves),
        cmocka_unit_test(refused_moves_are_conflicts),
        cmocka_unit_test(ship_before_repair_is_refused),
        cmocka_unit_test(final_states_never_move),
        cmocka_unit_test(legs_and_initial_states_per_type),
        cmocka_unit_test(type_and_outcome_parse_refuse_unknown_names),
        cmocka_unit_test(status_is_derived_from_the_least_advanced_line),
        cmocka_unit_test(names_are_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of case: every allowed move of a service case, every other (state, event) pair
 * refused as a conflict naming the state, hold and resume back to the state held in, cancel
 * refused once the work is complete, and the predicates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/case.h"
#include "core/err.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define N_STATES (CASE_CANCELLED + 1)
#define N_EVENTS (CASE_EV_CANCEL + 1)

struct row {
    enum case_state from;
    enum case_event ev;
    enum case_state to;
};

/* The policy of include/core/case.h, written out once more by hand (resume is tested apart). */
static const struct row allowed[] = {
    {CASE_NEW, CASE_EV_REGISTER, CASE_REGISTERED},
    {CASE_REGISTERED, CASE_EV_ASSIGN, CASE_ASSIGNED},
    {CASE_ASSIGNED, CASE_EV_START, CASE_TROUBLESHOOTING},
    {CASE_TROUBLESHOOTING, CASE_EV_RESOLVE_REMOTE, CASE_RESOLVED_REMOTELY},
    {CASE_TROUBLESHOOTING, CASE_EV_PLAN_ONSITE, CASE_ONSITE_PLANNED},
    {CASE_TROUBLESHOOTING, CASE_EV_REQUEST_RMA, CASE_RMA_REQUESTED},
    {CASE_TROUBLESHOOTING, CASE_EV_ESCALATE_FACTORY, CASE_FACTORY_ESCALATED},
    {CASE_ONSITE_PLANNED, CASE_EV_REQUEST_RMA, CASE_RMA_REQUESTED},
    {CASE_ONSITE_PLANNED, CASE_EV_ESCALATE_FACTORY, CASE_FACTORY_ESCALATED},
    {CASE_RMA_REQUESTED, CASE_EV_ESCALATE_FACTORY, CASE_FACTORY_ESCALATED},
    {CASE_RESOLVED_REMOTELY, CASE_EV_COMPLETE, CASE_WORK_COMPLETE},
    {CASE_ONSITE_PLANNED, CASE_EV_COMPLETE, CASE_WORK_COMPLETE},
    {CASE_RMA_REQUESTED, CASE_EV_COMPLETE, CASE_WORK_COMPLETE},
    {CASE_FACTORY_ESCALATED, CASE_EV_COMPLETE, CASE_WORK_COMPLETE},
    {CASE_WORK_COMPLETE, CASE_EV_FOLLOW_UP, CASE_FOLLOW_UP},
    {CASE_FOLLOW_UP, CASE_EV_CLOSE, CASE_CLOSED},
    {CASE_CLOSED, CASE_EV_ARCHIVE, CASE_ARCHIVED},
    {CASE_CANCELLED, CASE_EV_ARCHIVE, CASE_ARCHIVED}, /* a cancelled case ends in the archive too */
    {CASE_REGISTERED, CASE_EV_HOLD, CASE_ON_HOLD},
    {CASE_ASSIGNED, CASE_EV_HOLD, CASE_ON_HOLD},
    {CASE_TROUBLESHOOTING, CASE_EV_HOLD, CASE_ON_HOLD},
    {CASE_ONSITE_PLANNED, CASE_EV_HOLD, CASE_ON_HOLD},
    {CASE_RMA_REQUESTED, CASE_EV_HOLD, CASE_ON_HOLD},
    {CASE_FACTORY_ESCALATED, CASE_EV_HOLD, CASE_ON_HOLD},
    {CASE_NEW, CASE_EV_CANCEL, CASE_CANCELLED},
    {CASE_REGISTERED, CASE_EV_CANCEL, CASE_CANCELLED},
    {CASE_ASSIGNED, CASE_EV_CANCEL, CASE_CANCELLED},
    {CASE_TROUBLESHOOTING, CASE_EV_CANCEL, CASE_CANCELLED},
    {CASE_ON_HOLD, CASE_EV_CANCEL, CASE_CANCELLED},
    {CASE_ONSITE_PLANNED, CASE_EV_CANCEL, CASE_CANCELLED},
    {CASE_RMA_REQUESTED, CASE_EV_CANCEL, CASE_CANCELLED},
};

static const struct row *lookup(enum case_state from, enum case_event ev)
{
    for (size_t i = 0; i < COUNT(allowed); i++)
        if (allowed[i].from == from && allowed[i].ev == ev)
            return &allowed[i];
    return NULL;
}

static void every_allowed_move(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(allowed); i++) {
        enum case_state to = CASE_NEW;
        struct err err = {0};
        assert_int_equal(case_next(allowed[i].from, allowed[i].ev, CASE_NEW, &to, &err), 0);
        assert_int_equal(to, allowed[i].to);
        assert_int_equal(err.kind, ERR_NONE);
    }
}

/* Every (state, event) pair not in the table (resume apart) is a 409 naming the state. */
static void every_other_move_is_refused(void **state)
{
    int refused = 0;

    (void)state;
    for (int s = 0; s < N_STATES; s++) {
        for (int e = 0; e < N_EVENTS; e++) {
            if (lookup((enum case_state)s, (enum case_event)e) != NULL)
                continue;
            if (s == CASE_ON_HOLD && e == CASE_EV_RESUME)
                continue;
            enum case_state to = CASE_ARCHIVED;
            struct err err = {0};
            assert_int_equal(
                case_next((enum case_state)s, (enum case_event)e, CASE_ASSIGNED, &to, &err), -1);
            assert_int_equal(err.kind, ERR_CONFLICT);
            assert_string_equal(err.field, "status");
            assert_non_null(strstr(err.message, case_state_name((enum case_state)s)));
            assert_int_equal(to, CASE_ARCHIVED); /* untouched */
            refused++;
        }
    }
    assert_int_equal(refused, N_STATES * N_EVENTS - (int)COUNT(allowed) - 1);
}

/* Some refusals the policy cares about, spelled out. */
static void refused_table(void **state)
{
    static const struct {
        enum case_state from;
        enum case_event ev;
    } refused[] = {
        {CASE_NEW, CASE_EV_ASSIGN},              /* not registered yet */
        {CASE_REGISTERED, CASE_EV_START},        /* no engineer yet */
        {CASE_ASSIGNED, CASE_EV_REQUEST_RMA},    /* no fault isolation without contact */
        {CASE_ASSIGNED, CASE_EV_RESOLVE_REMOTE}, /* troubleshooting first */
        {CASE_RESOLVED_REMOTELY, CASE_EV_REQUEST_RMA},
        {CASE_FACTORY_ESCALATED, CASE_EV_REQUEST_RMA},
        {CASE_REGISTERED, CASE_EV_REGISTER}, /* the second of two registers */
        {CASE_NEW, CASE_EV_HOLD},            /* nothing to wait for yet */
        {CASE_ON_HOLD, CASE_EV_HOLD},
        {CASE_RESOLVED_REMOTELY, CASE_EV_HOLD},
        {CASE_WORK_COMPLETE, CASE_EV_CANCEL}, /* cancel refused after the work */
        {CASE_FOLLOW_UP, CASE_EV_CANCEL},
        {CASE_CLOSED, CASE_EV_CANCEL},
        {CASE_ARCHIVED, CASE_EV_CANCEL},
        {CASE_CANCELLED, CASE_EV_CANCEL},
        {CASE_FACTORY_ESCALATED, CASE_EV_CANCEL}, /* the unit is at the factory */
        {CASE_RESOLVED_REMOTELY, CASE_EV_CANCEL},
        {CASE_TROUBLESHOOTING, CASE_EV_COMPLETE}, /* resolve, plan or escalate first */
        {CASE_WORK_COMPLETE, CASE_EV_CLOSE},      /* follow-up first */
        {CASE_FOLLOW_UP, CASE_EV_ARCHIVE},        /* closed first */
        {CASE_ON_HOLD, CASE_EV_ARCHIVE},          /* closed or cancelled first */
        {CASE_ARCHIVED, CASE_EV_ARCHIVE},
        {CASE_ARCHIVED, CASE_EV_RESUME},
        {CASE_TROUBLESHOOTING, CASE_EV_RESUME},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(refused); i++) {
        enum case_state to;
        struct err err = {0};
        char want[64];
        assert_int_equal(case_next(refused[i].from, refused[i].ev, CASE_ASSIGNED, &to, &err), -1);
        assert_int_equal(err.kind, ERR_CONFLICT);
        snprintf(want, sizeof want, "the case is %s", case_state_name(refused[i].from));
        assert_non_null(strstr(err.message, want));
    }
}

/* hold, then resume returns to the state it left, whichever it was */
static void hold_and_resume_return_to_held_from(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(allowed); i++) {
        if (allowed[i].ev != CASE_EV_HOLD)
            continue;
        enum case_state held = CASE_NEW;
        enum case_state back = CASE_NEW;
        struct err err = {0};
        assert_int_equal(case_next(allowed[i].from, CASE_EV_HOLD, CASE_NEW, &held, &err), 0);
        assert_int_equal(held, CASE_ON_HOLD);
        assert_int_equal(case_next(CASE_ON_HOLD, CASE_EV_RESUME, allowed[i].from, &back, &err), 0);
        assert_int_equal(back, allowed[i].from);
    }
}

/* a held_from that is no state a case is held in (a corrupt row) does not resume */
static void resume_to_a_state_never_held_is_refused(void **state)
{
    static const enum case_state bad[] = {CASE_NEW, CASE_ON_HOLD, CASE_WORK_COMPLETE,
                                          CASE_CANCELLED, CASE_RESOLVED_REMOTELY};

    (void)state;
    for (size_t i = 0; i < COUNT(bad); i++) {
        enum case_state to = CASE_ARCHIVED;
        struct err err = {0};
        assert_int_equal(case_next(CASE_ON_HOLD, CASE_EV_RESUME, bad[i], &to, &err), -1);
        assert_int_equal(err.kind, ERR_CONFLICT);
        assert_int_equal(to, CASE_ARCHIVED);
    }
}

static void cancel_refused_after_work_complete(void **state)
{
    static const enum case_state after[] = {CASE_WORK_COMPLETE, CASE_FOLLOW_UP, CASE_CLOSED,
                                            CASE_ARCHIVED, CASE_CANCELLED};

    (void)state;
    for (size_t i = 0; i < COUNT(after); i++) {
        enum case_state to;
        struct err err = {0};
        assert_int_equal(case_next(after[i], CASE_EV_CANCEL, CASE_NEW, &to, &err), -1);
        assert_int_equal(err.kind, ERR_CONFLICT);
        assert_string_equal(err.field, "status");
    }
}

/* On hold, a case does only what the state it was held from may do: a case held at the factory
 * is not cancelled (the hold is no way around the rule); one held from an earlier state is. */
static void on_hold_does_what_held_from_may(void **state)
{
    static const enum case_state held[] = {CASE_REGISTERED,      CASE_ASSIGNED,
                                           CASE_TROUBLESHOOTING, CASE_ONSITE_PLANNED,
                                           CASE_RMA_REQUESTED,   CASE_FACTORY_ESCALATED};

    (void)state;
    for (size_t i = 0; i < COUNT(held); i++) {
        for (int e = 0; e < N_EVENTS; e++) {
            if (e == CASE_EV_RESUME)
                continue;
            enum case_state to = CASE_ARCHIVED;
            struct err err = {0};
            int rc = case_next(CASE_ON_HOLD, (enum case_event)e, held[i], &to, &err);
            bool both = lookup(CASE_ON_HOLD, (enum case_event)e) != NULL &&
                        lookup(held[i], (enum case_event)e) != NULL;
            assert_int_equal(rc, both ? 0 : -1);
            if (!both) {
                assert_int_equal(err.kind, ERR_CONFLICT);
                assert_string_equal(err.field, "status");
                assert_non_null(strstr(err.message, "on_hold"));
                assert_int_equal(to, CASE_ARCHIVED);
            }
        }
    }
    enum case_state to = CASE_ARCHIVED;
    struct err err = {0};
    assert_int_equal(case_next(CASE_ON_HOLD, CASE_EV_CANCEL, CASE_FACTORY_ESCALATED, &to, &err),
                     -1);
    assert_non_null(strstr(err.message, "from factory_escalated"));
    struct err err2 = {0};
    assert_int_equal(case_next(CASE_ON_HOLD, CASE_EV_CANCEL, CASE_TROUBLESHOOTING, &to, &err2), 0);
    assert_int_equal(to, CASE_CANCELLED);
}

/* A hotline case along the remote path and into the archive. */
static void a_whole_life(void **state)
{
    static const enum case_event path[] = {
        CASE_EV_REGISTER,       CASE_EV_ASSIGN,   CASE_EV_START,     CASE_EV_HOLD,  CASE_EV_RESUME,
        CASE_EV_RESOLVE_REMOTE, CASE_EV_COMPLETE, CASE_EV_FOLLOW_UP, CASE_EV_CLOSE, CASE_EV_ARCHIVE,
    };
    enum case_state s = CASE_NEW;
    enum case_state held = CASE_NEW;

    (void)state;
    for (size_t i = 0; i < COUNT(path); i++) {
        enum case_state to;
        struct err err = {0};
        if (path[i] == CASE_EV_HOLD)
            held = s;
        assert_int_equal(case_next(s, path[i], held, &to, &err), 0);
        s = to;
    }
    assert_int_equal(s, CASE_ARCHIVED);
    assert_true(case_is_final(s));
}

static void predicates(void **state)
{
    (void)state;
    for (int s = 0; s < N_STATES; s++) {
        enum case_state cs = (enum case_state)s;
        bool assignable = cs == CASE_ASSIGNED || cs == CASE_TROUBLESHOOTING || cs == CASE_ON_HOLD ||
                          cs == CASE_RESOLVED_REMOTELY || cs == CASE_ONSITE_PLANNED ||
                          cs == CASE_RMA_REQUESTED || cs == CASE_FACTORY_ESCALATED;
        bool final = cs == CASE_CLOSED || cs == CASE_ARCHIVED || cs == CASE_CANCELLED;
        bool clock =
            !final && cs != CASE_ON_HOLD && cs != CASE_WORK_COMPLETE && cs != CASE_FOLLOW_UP;
        assert_int_equal(case_is_assignable(cs), assignable);
        assert_int_equal(case_is_final(cs), final);
        assert_int_equal(case_clock_runs(cs), clock);
    }
}

static void names_round_trip(void **state)
{
    (void)state;
    for (int s = 0; s < N_STATES; s++) {
        enum case_state out = CASE_NEW;
        struct err err = {0};
        assert_int_equal(
            case_state_parse(case_state_name((enum case_state)s), "status", &out, &err), 0);
        assert_int_equal(out, s);
    }
    for (int e = 0; e < N_EVENTS; e++) {
        enum case_event out = CASE_EV_REGISTER;
        struct err err = {0};
        assert_int_equal(case_event_parse(case_event_name((enum case_event)e), "event", &out, &err),
                         0);
        assert_int_equal(out, e);
    }
    /* the names the SLA report and the other modules rely on */
    assert_string_equal(case_state_name(CASE_ON_HOLD), "on_hold");
    assert_string_equal(case_state_name(CASE_RMA_REQUESTED), "rma_requested");
    assert_string_equal(case_event_name(CASE_EV_HOLD), "hold");
    assert_string_equal(case_event_name(CASE_EV_RESUME), "resume");
    assert_string_equal(case_event_name(CASE_EV_RESOLVE_REMOTE), "resolve_remote");
    assert_string_equal(case_event_name(CASE_EV_PLAN_ONSITE), "plan_onsite");

    struct err err = {0};
    enum case_state s;
    assert_int_equal(case_state_parse("opened", "status", &s, &err), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "status");
    err_clear(&err);
    assert_int_equal(case_state_parse(NULL, "status", &s, &err), -1);
    enum case_event ev;
    err_clear(&err);
    assert_int_equal(case_event_parse("reopen", "event", &ev, &err), -1);
    assert_string_equal(err.field, "event");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_allowed_move),
        cmocka_unit_test(every_other_move_is_refused),
        cmocka_unit_test(refused_table),
        cmocka_unit_test(hold_and_resume_return_to_held_from),
        cmocka_unit_test(resume_to_a_state_never_held_is_refused),
        cmocka_unit_test(cancel_refused_after_work_complete),
        cmocka_unit_test(on_hold_does_what_held_from_may),
        cmocka_unit_test(a_whole_life),
        cmocka_unit_test(predicates),
        cmocka_unit_test(names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

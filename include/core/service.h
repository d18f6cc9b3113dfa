/*
 * service: the rules of remote support, on-site visits, the service log and the customer's
 * authorizations (issue 3; DESIGN.md, the process, steps 3 and 4).  Pure: time comes in as a
 * parameter (seconds since the epoch), the customer's calendar as a struct tz_cal.
 *
 *   authorization   scope remote_session | high_risk_steps | onsite_access, given by a named
 *                   person of the customer by phone | email | written | in_person at an instant
 *                   with its offset (DESIGN.md rule 9), never in the future; append-only
 *   remote session  needs a remote_session authorization recorded and given before it starts;
 *                   starts inside Mon-Fri 09:00-21:00 local, not on a holiday (it may overrun)
 *   visit           lies wholly inside one on-site window, Mon-Fri 08:00-17:00 local, not on a
 *                   holiday, with a preparation list of at least one item
 *
 *     proposed --confirm--> confirmed --complete--> completed
 *     proposed | confirmed --reschedule--> proposed (the customer confirms the new time)
 *     proposed | confirmed --cancel--> cancelled
 *
 *   service log     symptom | root_cause | step | resolution; a step's action may be high-risk
 *                   (service_action_is_high_risk): it needs a high_risk_steps authorization
 *                   given before the step was performed and recorded before the step is logged
 */
#ifndef CORE_SERVICE_H
#define CORE_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/tz.h"

/* The remote support window and the on-site business hours, minutes after local midnight. */
#define SERVICE_REMOTE_OPEN_MIN (9 * 60)
#define SERVICE_REMOTE_CLOSE_MIN (21 * 60)
#define SERVICE_ONSITE_OPEN_MIN (8 * 60)
#define SERVICE_ONSITE_CLOSE_MIN (17 * 60)
/* How far in the past a start time given in a request may lie (clock skew, typing). */
#define SERVICE_PAST_SLACK_S (5 * 60)
/* How far ahead of rmad's clock a "given at" may lie (the recording desk's clock). */
#define SERVICE_CLOCK_SKEW_S 60
/* How far before the case was opened (service_case.created_at) a time given for it may lie: the
 * clocks of the desk, the engineer and rmad differ by a few minutes at most. */
#define SERVICE_CASE_SKEW_S (5 * 60)
/* The earliest instant given_at and the windows' from may name: 2000-01-01T00:00:00Z. */
#define SERVICE_FROM_MIN 946684800
/* How far ahead a session or visit may be planned. */
#define SERVICE_AHEAD_MAX_S (366 * 86400)
#define SERVICE_VISIT_MIN_MINUTES 15
#define SERVICE_PREP_MAX 30

enum service_scope { SERVICE_SCOPE_REMOTE, SERVICE_SCOPE_HIGH_RISK, SERVICE_SCOPE_ONSITE };
enum service_method {
    SERVICE_METHOD_PHONE,
    SERVICE_METHOD_EMAIL,
    SERVICE_METHOD_WRITTEN,
    SERVICE_METHOD_IN_PERSON
};
enum service_log_kind {
    SERVICE_LOG_SYMPTOM,
    SERVICE_LOG_ROOT_CAUSE,
    SERVICE_LOG_STEP,
    SERVICE_LOG_RESOLUTION
};
enum visit_state { VISIT_PROPOSED, VISIT_CONFIRMED, VISIT_CANCELLED, VISIT_COMPLETED };
enum visit_event { VISIT_EV_CONFIRM, VISIT_EV_RESCHEDULE, VISIT_EV_CANCEL, VISIT_EV_COMPLETE };

/* Names as stored and shown: "remote_session", "high_risk_steps", "onsite_access"; parse returns
 * 0 or -1 with ERR_INVALID naming field. */
const char *service_scope_name(enum service_scope s);
int service_scope_parse(const char *s, const char *field, enum service_scope *out, struct err *err);
/* "phone", "email", "written", "in_person" */
const char *service_method_name(enum service_method m);
int service_method_parse(const char *s, const char *field, enum service_method *out,
                         struct err *err);
/* "symptom", "root_cause", "step", "resolution" */
const char *service_log_kind_name(enum service_log_kind k);
int service_log_kind_parse(const char *s, const char *field, enum service_log_kind *out,
                           struct err *err);

/*
 * Actions of a service step: reboot, power_off, power_cycle, firmware_update, bios_reset,
 * storage_reinit (high-risk: they can lose data or the customer's service), and replace_part,
 * reseat, diagnostic, config_change, cable_check, log_collection, software_update, cleaning,
 * inspection, other.  service_action_valid: 0 or -1 (ERR_INVALID naming field).
 */
int service_action_valid(const char *action, const char *field, struct err *err);
bool service_action_is_high_risk(const char *action);

/* "proposed", "confirmed", "cancelled", "completed"; "confirm", "reschedule", ... */
const char *visit_state_name(enum visit_state s);
int visit_state_parse(const char *s, enum visit_state *out);
const char *visit_event_name(enum visit_event ev);
/* The state a visit in `from` moves to on ev: 0 with *to, or -1 with ERR_CONFLICT (field
 * "status") naming the visit's state. */
int visit_next(enum visit_state from, enum visit_event ev, enum visit_state *to, struct err *err);

/*
 * service_instant_parse: an ISO 8601 / RFC 3339 instant WITH an offset,
 * "2026-12-04T20:59:00+01:00", "2026-12-04T19:59Z", seconds and fractions optional (fractions are
 * dropped).  Second 60 (a leap second, "23:59:60Z") is refused: instants are POSIX seconds, which
 * have none (like the tracking formats).  *t the instant, *offset_s the offset as written (east
 * positive).  A local time without an offset is refused (DESIGN.md rule 9).  0, or -1 with
 * ERR_INVALID naming field.
 */
int service_instant_parse(const char *s, const char *field, int64_t *t, int32_t *offset_s,
                          struct err *err);
/* "2026-12-04T19:59:00Z" into buf (at least 21 bytes). */
void service_instant_format(int64_t t, char *buf, size_t n);

/*
 * service_start_check: a requested start time against now: not more than SERVICE_PAST_SLACK_S in
 * the past, not more than SERVICE_AHEAD_MAX_S ahead.  0 or -1 with ERR_INVALID naming field.
 */
int service_start_check(int64_t start, int64_t now, const char *field, struct err *err);

/*
 * service_not_before_case: every instant a client gives for a case (an authorization's given_at,
 * a step's performed_at, a session's or visit's start, a session's end) lies
 * at or after the case was opened (opened), less SERVICE_CASE_SKEW_S: nothing of a case happens
 * before the case exists.  0 or -1 with ERR_INVALID naming field.
 */
int service_not_before_case(int64_t t, int64_t opened, const char *field, struct err *err);

/*
 * service_window_fit: whether [start, start + duration_s) lies inside one window of cal (for a
 * remote session pass duration_s 0: only the start must be inside, the session may overrun).
 * Returns 0 when it does; otherwise -1 with ERR_CONFLICT naming field and *next_open, *next_close
 * set to the first window after start in which the duration fits (ERR_INVALID naming field when
 * none does within a year, or duration_min when the duration is longer than a window).
 */
int service_window_fit(const struct tz_cal *cal, int64_t start, int64_t duration_s,
                       const char *field, int64_t *next_open, int64_t *next_close, struct err *err);

/* "Mon 2026-12-07 09:00 Europe/Berlin": instant t as the customer's wall clock. */
void service_local_describe(const struct tz *tz, int64_t t, char *buf, size_t n);

/* An authorization as the rules need it. */
struct service_auth {
    enum service_scope scope;
    int64_t given_at;
    int64_t recorded_at;
    int64_t valid_until; /* 0 when open-ended */
};

/*
 * service_auth_covers: whether authorization a allows work of scope at instant at:
 * given_at <= at (strictly before for a high-risk step: given_at < at), recorded_at <= recorded_by
 * (the moment the authorization must have been recorded by: a session's start; for a step, the
 * moment the step is logged), and not expired (valid_until, when set, > at).
 */
bool service_auth_covers(const struct service_auth *a, enum service_scope scope, int64_t at,
                         int64_t recorded_by);

/*
 * service_auth_given_check: the given_at of a new authorization against now: not in the future
 * (beyond SERVICE_CLOCK_SKEW_S), not before 2000, and valid_until (0: none) after given_at.
 * 0 or -1 with ERR_INVALID naming the field.
 */
int service_auth_given_check(int64_t given_at, int64_t valid_until, int64_t now, struct err *err);

/*
 * service_prep_check: the preparation list of a visit (items already trimmed strings): 1 to
 * SERVICE_PREP_MAX items, no two equal (ignoring case).  0 or -1 with ERR_INVALID naming
 * "preparation" or "preparation[i]".
 */
int service_prep_check(const char *const *items, size_t n, struct err *err);

#endif

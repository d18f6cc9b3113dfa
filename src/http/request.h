/*
 * request: the state of one HTTP request, from the first call of the access handler to the
 * "request completed" callback, which frees it (arena included) and nothing else does.
 * Handlers fill the response fields through reply.c; server.c queues it.
 */
#ifndef HTTP_REQUEST_H
#define HTTP_REQUEST_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "http/server.h"

#define ROUTE_MAX_PARAMS 4

struct route;

struct request {
    struct MHD_Connection *conn;
    const struct server_config *cfg;
    const char *method;
    const char *url;
    char id[24]; /* request id, in logs and the X-Request-Id header */
    struct arena arena;
    int64_t started_ms;

    const struct route *route;
    const char *params[ROUTE_MAX_PARAMS]; /* path captures, in order */
    size_t n_params;

    char *body; /* malloc'd, NUL-terminated, at most body_max bytes; freed when completed */
    size_t body_len;
    size_t body_cap;
    size_t body_max;
    bool failed;    /* a response was queued early (413, 400): ignore the rest */
    bool too_large; /* a chunked body passed the cap: the rest is read and dropped, then 413 */

    struct db *db;
    struct principal who;
    bool authenticated;
    bool by_session;                /* signed in through a page session (pages, issue 7) */
    char csrf[DB_SESSION_LEN + 1];  /* that session's CSRF token */
    const char *more_headers[6][2]; /* further response headers (Set-Cookie, Location...) */
    size_t n_more_headers;
    const char *idem_key;

    /* the answer */
    int status;
    const char *content_type;
    char *resp; /* from the arena */
    size_t resp_len;
    const char *extra_header; /* "Name: value" or NULL */
    const char *extra_value;
    bool answered;
};

typedef int (*route_handler)(struct request *req);

struct route {
    const char *method;
    const char *pattern;      /* "/api/v1/rmas/{rma}/parcels/{n}/label.png" */
    size_t body_max;          /* 0 for no body */
    unsigned roles;           /* ROLE_BIT()s allowed; 0 = public */
    const char *content_type; /* required request media type for bodies, or NULL */
    route_handler handler;
    unsigned flags; /* ROUTE_PAGE, ROUTE_SESSION (pages, issue 7); 0 for the API */
};

/* An HTML page or page asset, not part of the API: `rmad routes` leaves it out. */
#define ROUTE_PAGE 1u
/* Signed in through the session cookie of the pages (or a bearer token); the roles still apply;
 * a POST through a session needs the session's CSRF token (X-CSRF-Token, or a form field the
 * handler checks for form bodies). */
#define ROUTE_SESSION 2u

/* Finds the route for method and path; fills params.  NULL and *status 404 or 405. */
const struct route *router_match(const char *method, const char *path, struct request *req,
                                 int *status);
/* "GET, POST": the methods of the routes matching path (for a 405's Allow header). */
const char *router_allowed(const char *path, struct request *req);
/* All routes, for the OpenAPI check. */
const struct route *router_routes(size_t *n);

/* reply.c: set the answer.  Each returns 0. */
int reply_json(struct request *req, int status, json_t *body); /* steals body */
int reply_bytes(struct request *req, int status, const char *content_type, const void *data,
                size_t len);
int reply_error(struct request *req, const struct err *err);
int reply_db_error(struct request *req, enum db_result r, const struct err *err);
/* The answer of a database call that made out: out with status (stolen) when r is DB_ONE, else
 * r's error (out is left alone then). */
int reply_db_result(struct request *req, enum db_result r, int status, json_t *out,
                    const struct err *err);
/* Sets the ETag of a stored answer that never changes ("<sha>"); true when the request's
 * If-None-Match names it: the caller replies 304 then. */
bool reply_etag(struct request *req, const char *sha);
int status_of(enum err_kind kind);

/* Path parameters (params.c).  The {rma} parameter i, checked (check digit) and upper-cased, or
 * NULL with a 404 naming rma_number.  A whole number from 1 to max ({line}, {parcel}, an id), or
 * 0 with a 404 naming field. */
const char *request_rma_param(struct request *req, size_t i, struct err *err);
long long request_number_param(struct request *req, size_t i, const char *field, long long max,
                               struct err *err);
/* The {case} parameter i ("C" and 8 digits, any case) upper-cased, or NULL with a 404 naming
 * case_number. */
const char *request_case_param(struct request *req, size_t i, struct err *err);
/* Before the body of a write on a case is read: an engineer must be the one assigned to the case
 * (or, session_no > 0, the one who ran that remote session): 0, or -1 with err (403 "engineer",
 * 404 "case_number", 503).  Other roles: 0 (db_case_engineer_gate). */
int request_case_gate(struct request *req, const char *case_number, int session_no,
                      struct err *err);
/* The {case} parameter 0, the gate above, and the body (request_json(), or
 * request_json_or_empty() when optional): NULL with err when any fails.  Caller decrefs. */
json_t *request_case_body(struct request *req, const char **case_number, bool optional,
                          struct err *err);

/* Request helpers. */
const char *request_header(struct request *req, const char *name);
const char *request_query(struct request *req, const char *name);
/* Parses the body as a JSON object; ERR_BAD_REQUEST on malformed JSON. Caller decrefs. */
json_t *request_json(struct request *req, struct err *err);
/* The same for a body that may be empty (moves without fields): {} then. */
json_t *request_json_or_empty(struct request *req, struct err *err);
/* The request's database connection, ready; NULL and err (503) when the database is down. */
struct db *request_db(struct request *req, struct err *err);

/* Route handlers (routes_<area>.c). */
int route_system_healthz(struct request *req);
int route_system_readyz(struct request *req);
int route_system_openapi(struct request *req);
int route_cases_create(struct request *req);
int route_rmas_create(struct request *req);
int route_rmas_get(struct request *req);
int route_rmas_label_png(struct request *req);
int route_rmas_label_pdf(struct request *req);
int route_rmas_label_zpl(struct request *req);
int route_rmas_receipt_advice(struct request *req);
int route_scans_create(struct request *req);
int route_track_get(struct request *req);
int route_documents_create(struct request *req);
/* ---- tracking import (issue 5), routes_tracking.c ---- */
int route_tracking_import(struct request *req);
int route_documents_list(struct request *req);
int route_documents_get(struct request *req);
int route_tracking_status_xml(struct request *req);

/* depot: authorization and money (issue 4, routes_money.c) */
int route_money_quote_get(struct request *req);
int route_money_quote_accept(struct request *req);
int route_money_quote_decline(struct request *req);
int route_money_quotes_expire(struct request *req);
int route_money_charges_list(struct request *req);
int route_money_charge_settle(struct request *req);
int route_money_charge_waive(struct request *req);
int route_money_rma_close(struct request *req);
int route_money_rma_cancel(struct request *req);
int route_money_destruction_certificate(struct request *req);
int route_money_core_sweep(struct request *req);
int route_money_cores_outstanding(struct request *req);
/* depot: receiving and inspection (issue 4, routes_receiving.c) */
int route_receiving_tasks(struct request *req);
int route_receiving_task_decide(struct request *req);
int route_receiving_ua_create(struct request *req);
int route_receiving_ua_list(struct request *req);
int route_receiving_ua_get(struct request *req);
int route_receiving_ua_match(struct request *req);
int route_receiving_ua_close(struct request *req);
int route_receiving_ua_label_png(struct request *req);
int route_receiving_ua_label_pdf(struct request *req);
int route_receiving_ua_label_zpl(struct request *req);
int route_receiving_receipt(struct request *req);
int route_receiving_inspection(struct request *req);
int route_receiving_disposition(struct request *req);
/* depot: repair and outbound (issue 4, routes_repair.c) */
int route_repair_event(struct request *req);
int route_repair_work_order(struct request *req);
int route_repair_pack(struct request *req);
int route_repair_shipment_event(struct request *req);
/* labels (issue 6, routes_labels.c; route_rmas_label_* above live there too) */
int route_labels_shipment_png(struct request *req);
int route_labels_shipment_pdf(struct request *req);
int route_labels_shipment_zpl(struct request *req);
int route_labels_tag_png(struct request *req);
int route_labels_tag_pdf(struct request *req);
int route_labels_tag_zpl(struct request *req);
int route_labels_list(struct request *req);
int route_labels_batch_day_pdf(struct request *req);
int route_labels_batch_day_zpl(struct request *req);
int route_labels_batch_pdf(struct request *req);
int route_labels_batch_zpl(struct request *req);
/* cases: e-mail intake, follow-up, feedback (issue 3, routes_followup.c) */
int route_followup_intake_email(struct request *req);
int route_followup_complete(struct request *req);
int route_followup_get(struct request *req);
int route_followup_attempt(struct request *req);
int route_followup_feedback(struct request *req);
int route_followup_close(struct request *req);

/* ---- xml: pickup manifests and outbound documents (issue 5, routes_manifests.c) ---- */
int route_manifests_pickup_close(struct request *req);
int route_manifests_list(struct request *req);
int route_manifests_xml(struct request *req);
int route_manifests_void(struct request *req);
int route_manifests_despatch_advice(struct request *req);
/* The ReceiptAdvice of rma at the dock or after inspection, validated against our profile. */
int route_manifests_receipt_advice(struct request *req, const char *rma, bool inspection);
/* ---- cases: lifecycle (issue 3), routes_lifecycle.c ---- */
int route_lifecycle_get(struct request *req);
int route_lifecycle_list(struct request *req);
int route_lifecycle_register(struct request *req);
int route_lifecycle_suggestions(struct request *req);
int route_lifecycle_assign(struct request *req);
int route_lifecycle_contact(struct request *req);
int route_lifecycle_fault_isolation(struct request *req);
int route_lifecycle_resolve(struct request *req);
int route_lifecycle_hold(struct request *req);
int route_lifecycle_resume(struct request *req);
int route_lifecycle_cancel(struct request *req);
int route_lifecycle_escalate(struct request *req);
int route_lifecycle_engineers_list(struct request *req);
int route_lifecycle_engineer_save(struct request *req);
/* routes_rmas.c: the RMA of body for case_number (NULL: the body's), as POST /api/v1/rmas makes
 * it, replied; the escalation of a case to the depot uses it.  body stays the caller's. */
int route_rmas_create_for(struct request *req, json_t *body, const char *case_number);

/* cases: archive and SLA (issue 3, routes_archive.c, routes_sla.c) */
int route_cases_archive(struct request *req);
int route_cases_record_json(struct request *req);
int route_cases_record_pdf(struct request *req);
int route_cases_sla(struct request *req);
int route_reports_sla(struct request *req);
/* cases: remote support, on-site visits, service log (issue 3, routes_service.c) */
int route_service_auth_create(struct request *req);
int route_service_auth_list(struct request *req);
int route_service_session_create(struct request *req);
int route_service_session_list(struct request *req);
int route_service_session_end(struct request *req);
int route_service_session_cancel(struct request *req);
int route_service_windows(struct request *req);
int route_service_visit_create(struct request *req);
int route_service_visit_list(struct request *req);
int route_service_visit_confirm(struct request *req);
int route_service_visit_reschedule(struct request *req);
int route_service_visit_cancel(struct request *req);
int route_service_visit_complete(struct request *req);
int route_service_log_create(struct request *req);
int route_service_log_list(struct request *req);
/* pages (issue 7): routes_pages.c */
int route_pages_track(struct request *req);
int route_pages_parcel(struct request *req);
int route_pages_shipment(struct request *req);
int route_pages_unexpected(struct request *req);
int route_pages_favicon(struct request *req);
int route_pages_login_form(struct request *req);
int route_pages_login(struct request *req);
int route_pages_logout(struct request *req);
int route_pages_station(struct request *req);
int route_pages_scans_list(struct request *req);
int route_pages_scans_create(struct request *req);
int route_pages_asset(struct request *req);
/* An error as an HTML page (a sign-in is a redirect to /login). */
int pages_reply_error(struct request *req, const struct err *err);
/* Adds a response header (at most 6). */
void request_add_header(struct request *req, const char *name, const char *value);
/* The session cookie's name. */
#define PAGES_SESSION_COOKIE "rmad_session"

/* ratelimit.c: true when the client may make another public tracking request. */
bool ratelimit_allow(const struct sockaddr *addr, unsigned per_min, int64_t now_ms);

#endif

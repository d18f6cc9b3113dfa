/*
 * router: the route table.  Each row: method, path pattern ("{name}" captures one segment),
 * body limit, roles allowed (none = public), request media type, handler.
 * src/http/openapi.json describes the same routes; tests/http/test_openapi.sh keeps them in
 * step.
 */
#include <string.h>

#include "request.h"

/* the rows before the pages block leave flags out: they are 0 */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define STAFF (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_AGENT) | ROLE_BIT(ROLE_ENGINEER))
#define ANY_STAFF (STAFF | ROLE_BIT(ROLE_DEPOT))
#define JSON "application/json"
#define XML "application/xml"
#define FORM "application/x-www-form-urlencoded"

static const struct route routes[] = {
    {"GET", "/healthz", 0, 0, NULL, route_system_healthz},
    {"GET", "/readyz", 0, 0, NULL, route_system_readyz},
    {"GET", "/api/v1/openapi.json", 0, 0, NULL, route_system_openapi},
    {"POST", "/api/v1/cases", 64 * 1024, STAFF, JSON, route_cases_create},
    {"POST", "/api/v1/rmas", 64 * 1024, STAFF, JSON, route_rmas_create},
    {"GET", "/api/v1/rmas/{rma}", 0, ANY_STAFF, NULL, route_rmas_get},
    {"GET", "/api/v1/rmas/{rma}/parcels/{parcel}/label.png", 0, ANY_STAFF, NULL,
     route_rmas_label_png},
    {"GET", "/api/v1/rmas/{rma}/parcels/{parcel}/label.pdf", 0, ANY_STAFF, NULL,
     route_rmas_label_pdf},
    {"GET", "/api/v1/rmas/{rma}/parcels/{parcel}/label.zpl", 0, ANY_STAFF, NULL,
     route_rmas_label_zpl},
    {"GET", "/api/v1/rmas/{rma}/receipt-advice.xml", 0, ANY_STAFF, NULL, route_rmas_receipt_advice},
    {"POST", "/api/v1/scans", 4 * 1024, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT), JSON,
     route_scans_create},
    {"GET", "/api/v1/track/{rma}", 0, 0, NULL, route_track_get},
    {"POST", "/api/v1/documents", 4 * 1024 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_CARRIER) | ROLE_BIT(ROLE_AGENT), XML,
     route_documents_create},
    /* ---- tracking import (issue 5), routes_tracking.c ---- */
    {"POST", "/api/v1/tracking", 64 * 1024 * 1024, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_CARRIER),
     XML, route_tracking_import},
    {"GET", "/api/v1/documents", 0,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_CARRIER) | ROLE_BIT(ROLE_AGENT), NULL,
     route_documents_list},
    {"GET", "/api/v1/documents/{id}", 0,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_CARRIER) | ROLE_BIT(ROLE_AGENT), NULL,
     route_documents_get},
    {"GET", "/api/v1/rmas/{rma}/parcels/{parcel}/transportation-status.xml", 0,
     ANY_STAFF | ROLE_BIT(ROLE_CARRIER), NULL, route_tracking_status_xml},
    /* ---- cases: lifecycle (issue 3), routes_lifecycle.c ---- */
    {"GET", "/api/v1/cases", 0, ANY_STAFF | ROLE_BIT(ROLE_MANAGER), NULL, route_lifecycle_list},
    {"GET", "/api/v1/cases/{case}", 0, ANY_STAFF | ROLE_BIT(ROLE_MANAGER), NULL,
     route_lifecycle_get},
    {"POST", "/api/v1/cases/{case}/register", 4 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_MANAGER), JSON, route_lifecycle_register},
    {"GET", "/api/v1/cases/{case}/engineer-suggestions", 0,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_MANAGER), NULL, route_lifecycle_suggestions},
    {"POST", "/api/v1/cases/{case}/assign", 4 * 1024, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_MANAGER),
     JSON, route_lifecycle_assign},
    {"POST", "/api/v1/cases/{case}/contacts", 8 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_ENGINEER), JSON,
     route_lifecycle_contact},
    {"POST", "/api/v1/cases/{case}/fault-isolation", 16 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_ENGINEER), JSON,
     route_lifecycle_fault_isolation},
    {"POST", "/api/v1/cases/{case}/resolve", 8 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_ENGINEER), JSON,
     route_lifecycle_resolve},
    {"POST", "/api/v1/cases/{case}/hold", 8 * 1024, STAFF | ROLE_BIT(ROLE_MANAGER), JSON,
     route_lifecycle_hold},
    {"POST", "/api/v1/cases/{case}/resume", 8 * 1024, STAFF | ROLE_BIT(ROLE_MANAGER), JSON,
     route_lifecycle_resume},
    {"POST", "/api/v1/cases/{case}/cancel", 8 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_AGENT), JSON,
     route_lifecycle_cancel},
    {"POST", "/api/v1/cases/{case}/escalations", 64 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_ENGINEER), JSON,
     route_lifecycle_escalate},
    {"GET", "/api/v1/engineers", 0,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_AGENT), NULL,
     route_lifecycle_engineers_list},
    {"POST", "/api/v1/engineers", 8 * 1024, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_MANAGER), JSON,
     route_lifecycle_engineer_save},
    /* depot: authorization and money (issue 4) */
    {"GET", "/api/v1/rmas/{rma}/quote", 0, STAFF, NULL, route_money_quote_get},
    {"POST", "/api/v1/rmas/{rma}/quote/accept", 4 * 1024, STAFF, JSON, route_money_quote_accept},
    {"POST", "/api/v1/rmas/{rma}/quote/decline", 4 * 1024, STAFF, JSON, route_money_quote_decline},
    {"POST", "/api/v1/jobs/expire-quotes", 1024, ROLE_BIT(ROLE_ADMIN), JSON,
     route_money_quotes_expire},
    {"GET", "/api/v1/rmas/{rma}/charges", 0, ANY_STAFF, NULL, route_money_charges_list},
    {"POST", "/api/v1/charges/{charge}/settle", 4 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_AGENT), JSON, route_money_charge_settle},
    {"POST", "/api/v1/charges/{charge}/waive", 4 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_AGENT), JSON, route_money_charge_waive},
    {"POST", "/api/v1/rmas/{rma}/close", 4 * 1024, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_AGENT),
     JSON, route_money_rma_close},
    {"POST", "/api/v1/rmas/{rma}/cancel", 4 * 1024, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_AGENT),
     JSON, route_money_rma_cancel},
    {"POST", "/api/v1/rmas/{rma}/lines/{line}/destruction-certificate", 4 * 1024, STAFF, JSON,
     route_money_destruction_certificate},
    {"POST", "/api/v1/jobs/core-sweep", 1024, ROLE_BIT(ROLE_ADMIN), JSON, route_money_core_sweep},
    {"GET", "/api/v1/reports/outstanding-cores", 0,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_AGENT) | ROLE_BIT(ROLE_DEPOT), NULL,
     route_money_cores_outstanding},
    /* depot: receiving and inspection (issue 4) */
    {"GET", "/api/v1/tasks", 0, ANY_STAFF, NULL, route_receiving_tasks},
    {"POST", "/api/v1/tasks/{id}/decide", 8 * 1024, ANY_STAFF, JSON, route_receiving_task_decide},
    {"POST", "/api/v1/unexpected-arrivals", 8 * 1024, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT),
     JSON, route_receiving_ua_create},
    {"GET", "/api/v1/unexpected-arrivals", 0, ANY_STAFF, NULL, route_receiving_ua_list},
    {"GET", "/api/v1/unexpected-arrivals/{id}", 0, ANY_STAFF, NULL, route_receiving_ua_get},
    {"GET", "/api/v1/unexpected-arrivals/{id}/label.png", 0, ANY_STAFF, NULL,
     route_receiving_ua_label_png},
    {"GET", "/api/v1/unexpected-arrivals/{id}/label.pdf", 0, ANY_STAFF, NULL,
     route_receiving_ua_label_pdf},
    {"GET", "/api/v1/unexpected-arrivals/{id}/label.zpl", 0, ANY_STAFF, NULL,
     route_receiving_ua_label_zpl},
    {"POST", "/api/v1/unexpected-arrivals/{id}/match", 4 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT), JSON, route_receiving_ua_match},
    {"POST", "/api/v1/unexpected-arrivals/{id}/close", 8 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT), JSON, route_receiving_ua_close},
    {"POST", "/api/v1/rmas/{rma}/lines/{line}/receipts", 8 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT), JSON, route_receiving_receipt},
    {"POST", "/api/v1/rmas/{rma}/lines/{line}/inspection", 64 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT) | ROLE_BIT(ROLE_ENGINEER), JSON,
     route_receiving_inspection},
    {"POST", "/api/v1/rmas/{rma}/lines/{line}/disposition", 4 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT) | ROLE_BIT(ROLE_ENGINEER), JSON,
     route_receiving_disposition},
    /* depot: repair and outbound (issue 4) */
    {"POST", "/api/v1/rmas/{rma}/lines/{line}/repair", 16 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_ENGINEER) | ROLE_BIT(ROLE_DEPOT), JSON,
     route_repair_event},
    {"GET", "/api/v1/rmas/{rma}/lines/{line}/work-order", 0, ANY_STAFF, NULL,
     route_repair_work_order},
    {"POST", "/api/v1/rmas/{rma}/lines/{line}/pack", 4 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT), JSON, route_repair_pack},
    {"POST", "/api/v1/rmas/{rma}/shipments/{parcel}/events", 4 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT) | ROLE_BIT(ROLE_CARRIER), JSON,
     route_repair_shipment_event},
    /* labels (issue 6), routes_labels.c */
    {"GET", "/api/v1/rmas/{rma}/shipments/{parcel}/label.png", 0, ANY_STAFF, NULL,
     route_labels_shipment_png},
    {"GET", "/api/v1/rmas/{rma}/shipments/{parcel}/label.pdf", 0, ANY_STAFF, NULL,
     route_labels_shipment_pdf},
    {"GET", "/api/v1/rmas/{rma}/shipments/{parcel}/label.zpl", 0, ANY_STAFF, NULL,
     route_labels_shipment_zpl},
    {"GET", "/api/v1/rmas/{rma}/parcels/{parcel}/tag.png", 0, ANY_STAFF, NULL,
     route_labels_tag_png},
    {"GET", "/api/v1/rmas/{rma}/parcels/{parcel}/tag.pdf", 0, ANY_STAFF, NULL,
     route_labels_tag_pdf},
    {"GET", "/api/v1/rmas/{rma}/parcels/{parcel}/tag.zpl", 0, ANY_STAFF, NULL,
     route_labels_tag_zpl},
    {"GET", "/api/v1/rmas/{rma}/labels", 0, ANY_STAFF, NULL, route_labels_list},
    {"GET", "/api/v1/labels/batch.pdf", 0, ANY_STAFF, NULL, route_labels_batch_day_pdf},
    {"GET", "/api/v1/labels/batch.zpl", 0, ANY_STAFF, NULL, route_labels_batch_day_zpl},
    {"POST", "/api/v1/labels/batch.pdf", 64 * 1024, ANY_STAFF, JSON, route_labels_batch_pdf},
    {"POST", "/api/v1/labels/batch.zpl", 64 * 1024, ANY_STAFF, JSON, route_labels_batch_zpl},
    /* cases: e-mail intake, follow-up, feedback (issue 3), routes_followup.c */
    {"POST", "/api/v1/intake/email", 1024 * 1024, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_AGENT),
     "message/rfc822", route_followup_intake_email},
    {"POST", "/api/v1/cases/{case}/complete", 16 * 1024, STAFF | ROLE_BIT(ROLE_MANAGER), JSON,
     route_followup_complete},
    {"GET", "/api/v1/cases/{case}/follow-up", 0, STAFF | ROLE_BIT(ROLE_MANAGER), NULL,
     route_followup_get},
    {"POST", "/api/v1/cases/{case}/follow-up/attempts", 8 * 1024, STAFF | ROLE_BIT(ROLE_MANAGER),
     JSON, route_followup_attempt},
    {"POST", "/api/v1/cases/{case}/feedback", 16 * 1024, STAFF | ROLE_BIT(ROLE_MANAGER), JSON,
     route_followup_feedback},
    {"POST", "/api/v1/cases/{case}/close", 4 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_AGENT) | ROLE_BIT(ROLE_MANAGER), JSON,
     route_followup_close},

    /* ---- xml: pickup manifests and outbound documents (issue 5), routes_manifests.c ---- */
    {"POST", "/api/v1/pickups", 4 * 1024, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT), JSON,
     route_manifests_pickup_close},
    {"GET", "/api/v1/manifests", 0, ANY_STAFF | ROLE_BIT(ROLE_CARRIER), NULL, route_manifests_list},
    {"GET", "/api/v1/manifests/{id}.xml", 0, ANY_STAFF | ROLE_BIT(ROLE_CARRIER), NULL,
     route_manifests_xml},
    {"POST", "/api/v1/manifests/{id}/void", 4 * 1024, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT),
     JSON, route_manifests_void},
    {"GET", "/api/v1/rmas/{rma}/shipments/{parcel}/despatch-advice.xml", 0,
     ANY_STAFF | ROLE_BIT(ROLE_CARRIER), NULL, route_manifests_despatch_advice},
    /* cases: archive and SLA (issue 3), routes_archive.c, routes_sla.c */
    {"POST", "/api/v1/cases/{case}/archive", 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_AGENT), JSON,
     route_cases_archive},
    {"GET", "/api/v1/cases/{case}/record.json", 0, STAFF | ROLE_BIT(ROLE_MANAGER), NULL,
     route_cases_record_json},
    {"GET", "/api/v1/cases/{case}/record.pdf", 0, STAFF | ROLE_BIT(ROLE_MANAGER), NULL,
     route_cases_record_pdf},
    {"GET", "/api/v1/cases/{case}/sla", 0, STAFF | ROLE_BIT(ROLE_MANAGER), NULL, route_cases_sla},
    {"GET", "/api/v1/reports/sla", 0,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_AGENT), NULL, route_reports_sla},
    /* cases: remote support, on-site visits, service log (issue 3), routes_service.c */
    {"POST", "/api/v1/cases/{case}/authorizations", 8 * 1024, STAFF | ROLE_BIT(ROLE_MANAGER), JSON,
     route_service_auth_create},
    {"GET", "/api/v1/cases/{case}/authorizations", 0, STAFF | ROLE_BIT(ROLE_MANAGER), NULL,
     route_service_auth_list},
    {"POST", "/api/v1/cases/{case}/remote-sessions", 8 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_ENGINEER), JSON, route_service_session_create},
    {"GET", "/api/v1/cases/{case}/remote-sessions", 0, STAFF | ROLE_BIT(ROLE_MANAGER), NULL,
     route_service_session_list},
    {"POST", "/api/v1/cases/{case}/remote-sessions/{n}/end", 8 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_ENGINEER), JSON, route_service_session_end},
    {"POST", "/api/v1/cases/{case}/remote-sessions/{n}/cancel", 8 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_ENGINEER), JSON, route_service_session_cancel},
    {"GET", "/api/v1/cases/{case}/remote-windows", 0, STAFF | ROLE_BIT(ROLE_MANAGER), NULL,
     route_service_windows},
    {"POST", "/api/v1/cases/{case}/visits", 16 * 1024, STAFF | ROLE_BIT(ROLE_MANAGER), JSON,
     route_service_visit_create},
    {"GET", "/api/v1/cases/{case}/visits", 0, STAFF | ROLE_BIT(ROLE_MANAGER), NULL,
     route_service_visit_list},
    {"POST", "/api/v1/cases/{case}/visits/{n}/confirm", 4 * 1024, STAFF | ROLE_BIT(ROLE_MANAGER),
     JSON, route_service_visit_confirm},
    {"POST", "/api/v1/cases/{case}/visits/{n}/reschedule", 16 * 1024,
     STAFF | ROLE_BIT(ROLE_MANAGER), JSON, route_service_visit_reschedule},
    {"POST", "/api/v1/cases/{case}/visits/{n}/cancel", 4 * 1024, STAFF | ROLE_BIT(ROLE_MANAGER),
     JSON, route_service_visit_cancel},
    {"POST", "/api/v1/cases/{case}/visits/{n}/complete", 4 * 1024, STAFF | ROLE_BIT(ROLE_MANAGER),
     JSON, route_service_visit_complete},
    {"POST", "/api/v1/cases/{case}/service-log", 16 * 1024,
     ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_ENGINEER), JSON, route_service_log_create},
    {"GET", "/api/v1/cases/{case}/service-log", 0, STAFF | ROLE_BIT(ROLE_MANAGER), NULL,
     route_service_log_list},
    /* pages (issue 7), routes_pages.c: HTML pages (ROUTE_PAGE: not API, not in `rmad routes`)
     * and the scan station's JSON under /depot/api/ (session cookie or bearer token) */
    {"GET", "/track", 0, 0, NULL, route_pages_track, ROUTE_PAGE},
    {"POST", "/track", 1024, 0, FORM, route_pages_track, ROUTE_PAGE},
    {"GET", "/P/{rma}/{parcel}/{tag}", 0, 0, NULL, route_pages_parcel, ROUTE_PAGE},
    {"GET", "/S/{rma}/{parcel}/{tag}", 0, 0, NULL, route_pages_shipment, ROUTE_PAGE},
    {"GET", "/U/{id}", 0, 0, NULL, route_pages_unexpected, ROUTE_PAGE},
    {"GET", "/favicon.ico", 0, 0, NULL, route_pages_favicon, ROUTE_PAGE},
    {"GET", "/login", 0, 0, NULL, route_pages_login_form, ROUTE_PAGE},
    {"POST", "/login", 2048, 0, FORM, route_pages_login, ROUTE_PAGE},
    {"POST", "/logout", 1024, ANY_STAFF, FORM, route_pages_logout, ROUTE_PAGE | ROUTE_SESSION},
    {"GET", "/depot/scan", 0, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT), NULL,
     route_pages_station, ROUTE_PAGE | ROUTE_SESSION},
    {"GET", "/assets/{name}", 0, 0, NULL, route_pages_asset, ROUTE_PAGE},
    {"GET", "/depot/api/scans", 0, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT), NULL,
     route_pages_scans_list, ROUTE_SESSION},
    {"POST", "/depot/api/scans", 4 * 1024, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DEPOT), JSON,
     route_pages_scans_create, ROUTE_SESSION},
};

const struct route *router_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}

/* Matches path against pattern; captures point into the arena. */
static bool match(const char *pattern, const char *path, struct request *req)
{
    const char *p = pattern;
    const char *s = path;

    req->n_params = 0;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t n = strcspn(s, "/");
            /* a capture is followed by '/' or the end, or by a literal suffix in the segment */
            const char *after = close + 1;
            size_t lit = strcspn(after, "/");
            if (lit > 0 && n > lit && strncmp(s + n - lit, after, lit) == 0)
                n -= lit;
            if (n == 0 || req->n_params == ROUTE_MAX_PARAMS)
                return false;
            req->params[req->n_params++] = arena_strndup(&req->arena, s, n);
            s += n;
            p = after;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *p == '\0' && *s == '\0';
}

const char *router_allowed(const char *path, struct request *req)
{
    char *out = arena_strdup(&req->arena, "");

    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (match(routes[i].pattern, path, req))
            out = arena_printf(&req->arena, "%s%s%s", out, out[0] ? ", " : "", routes[i].method);
    req->n_params = 0;
    return out;
}

const struct route *router_match(const char *method, const char *path, struct request *req,
                                 int *status)
{
    bool path_known = false;

    *status = 404;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (!match(routes[i].pattern, path, req))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
            *status = 200;
            return &routes[i];
        }
    }
    if (path_known)
        *status = 405;
    req->n_params = 0;
    return NULL;
}

void server_print_routes(FILE *f, bool with_roles)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        /* the HTML pages are not API: the OpenAPI check compares what is printed here */
        if (routes[i].flags & ROUTE_PAGE)
            continue;
        fprintf(f, "%s %s", routes[i].method, routes[i].pattern);
        if (with_roles) {
            const char *sep = " ";
            if (routes[i].roles == 0)
                fputs(" public", f);
            for (int r = ROLE_ADMIN; r <= ROLE_MANAGER; r++) {
                if (routes[i].roles & ROLE_BIT(r)) {
                    fprintf(f, "%s%s", sep, role_name((enum role)r));
                    sep = ",";
                }
            }
        }
        fputc('\n', f);
    }
}

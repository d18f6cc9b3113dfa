/*
 * routes_pages: the HTML pages of issue 7 and the scan station's JSON.
 *
 *   GET /track, POST /track    public tracking: the form, and the answer for an RMA number and
 *                              the postcode (db_track_view, as GET /api/v1/track/{rma}); unknown
 *                              RMA and wrong postcode give the same page; rate limited (429)
 *   GET /P/{RMA}/{PARCEL}/{TAG}  the QR code of a return label: that parcel's status, nothing
 *                              personal; a tag that does not verify is "label not recognised"
 *   GET /S/{RMA}/{PARCEL}/{TAG}  the same for an outbound or spare label (shipment tag,
 *                              qrtag_verify_ship): packed, shipped, delivered...
 *   GET /U/{ID}                an unexpected arrival's tag: "depot label, internal use"
 *   GET /favicon.ico           a tiny icon compiled in
 *   GET /login, POST /login, POST /logout   staff sign-in (argon2id), session cookie
 *   GET /depot/scan            the scan station (src/http/pages/station.js)
 *   GET /depot/api/scans?station=   its last scans;  POST /depot/api/scans  a scan: the very
 *                              handler of POST /api/v1/scans, under the user's actor token
 *   GET /assets/{name}         the pages' CSS and JS, compiled into the binary
 *
 * Pages work without JavaScript except the station.  Nothing personal is shown on a public page
 * (rule 10).  Every form carries a CSRF token: the session's for signed-in forms, a cookie's
 * own for the sign-in form (double submit).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/address.h"
#include "core/rmanum.h"
#include "label/qrtag.h"
#include "pages_html.h"
#include "request.h"

extern const unsigned char rmad_page_css[];
extern const size_t rmad_page_css_len;
extern const unsigned char rmad_page_station_js[];
extern const size_t rmad_page_station_js_len;

#define LOGIN_COOKIE "rmad_login"

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool rate_ok(struct request *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return ratelimit_allow(ci ? ci->client_addr : NULL, req->cfg->track_rate_per_min, mono_ms());
}

static const char *label_of(const char *const (*table)[2], size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (key != NULL && strcmp(table[i][0], key) == 0)
            return table[i][1];
    return key ? key : "";
}

static const char *const status_words[][2] = {
    {"not_authorized", "Being reviewed"},
    {"awaiting_return", "Waiting for your parcel"},
    {"in_transit", "On its way to our depot"},
    {"partially_received", "Partly received"},
    {"on_hold", "On hold: we are checking your unit"},
    {"received", "Received at our depot"},
    {"in_repair", "Being repaired"},
    {"ready_to_ship", "Being packed for shipping"},
    {"shipped", "On its way back to you"},
    {"awaiting_settlement", "Waiting for a payment"},
    {"awaiting_certificate", "Waiting for the destruction certificate"},
    {"complete", "Complete"},
    {"closed", "Closed"},
};

static const char *const next_words[][2] = {
    {"not_authorized", "Your request is being reviewed. We will contact you."},
    {"awaiting_return", "Pack the unit, attach the return label and hand the parcel to the "
                        "carrier. This page shows when it reaches us."},
    {"in_transit", "Your unit is on its way to our depot. We check it in on arrival."},
    {"partially_received", "Part of your return has arrived; we are waiting for the rest."},
    {"on_hold", "We received a unit that needs a check. We will contact you."},
    {"received", "We received your unit. It will be inspected next."},
    {"in_repair", "Your unit is being repaired. It ships back as soon as it passes its test."},
    {"ready_to_ship", "Your unit is being packed and handed to the carrier."},
    {"shipped", "Your unit is on its way back to you: follow it with the tracking number."},
    {"awaiting_settlement", "Your return is waiting for a payment to be settled."},
    {"awaiting_certificate", "We are waiting for the certificate that your drive was destroyed."},
    {"complete", "Your return is complete."},
    {"closed", "This return is closed."},
};

/* What differs when a replacement (a spare) goes out rather than the customer's own unit. */
static const char *const spare_status_words[][2] = {
    {"ready_to_ship", "Your replacement is being packed"},
    {"shipped", "Your replacement is on its way to you"},
};

static const char *const spare_next_words[][2] = {
    {"ready_to_ship", "Your replacement is being packed and handed to the carrier."},
    {"shipped", "Your replacement is on its way to you: follow it with the tracking number."},
};

/* True for the types whose outbound leg carries a spare, not the unit that came in. */
static bool ships_spare(const char *type)
{
    return type != NULL &&
           (strcmp(type, "advance_replacement") == 0 || strcmp(type, "exchange") == 0 ||
            strcmp(type, "replacement_no_return") == 0);
}

static const char *const leg_words[][2] = {
    {"label_issued", "Return label issued"},
    {"in_transit", "On its way to us"},
    {"partially_received", "Partly received"},
    {"received", "Received"},
    {"inspected", "Inspected"},
    {"dispositioned", "Checked in"},
    {"hold", "On hold: being checked"},
    {"overdue", "Overdue"},
    {"lost", "Reported lost"},
    {"refused", "Refused"},
    {"pending", "Waiting for the unit"},
    {"queued", "In the repair queue"},
    {"diagnosing", "Being diagnosed"},
    {"quote_pending", "Waiting for your approval of a quote"},
    {"in_repair", "Being repaired"},
    {"awaiting_parts", "Waiting for parts"},
    {"testing", "Being tested"},
    {"repaired", "Repaired"},
    {"unrepairable", "Cannot be repaired"},
    {"no_fault_found", "No fault found"},
    {"at_factory", "At the factory"},
    {"factory_replaced", "Replaced by the factory"},
    {"blocked", "Not started yet"},
    {"ready", "Ready to pack"},
    {"packed", "Packed"},
    {"manifested", "Handed to the carrier"},
    {"shipped", "On its way to you"},
    {"delivered", "Delivered"},
    {"delivery_exception", "Delivery problem"},
    {"returned_to_sender", "Returned to us by the carrier"},
};

#define N(t) (sizeof t / sizeof t[0])

/* The words for status of an RMA of type: the spare's own where it has them. */
static const char *status_text(const char *type, const char *status)
{
    for (size_t i = 0; ships_spare(type) && status != NULL && i < N(spare_status_words); i++)
        if (strcmp(spare_status_words[i][0], status) == 0)
            return spare_status_words[i][1];
    return label_of(status_words, N(status_words), status);
}

static const char *next_text(const char *type, const char *status)
{
    for (size_t i = 0; ships_spare(type) && status != NULL && i < N(spare_next_words); i++)
        if (strcmp(spare_next_words[i][0], status) == 0)
            return spare_next_words[i][1];
    return label_of(next_words, N(next_words), status);
}

/* "2025-05-20T10:00:00.12+00:00" -> "20 May 2025" */
static const char *nice_date(struct request *req, const char *iso)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y;
    int m;
    int d;
    if (iso == NULL || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12)
        return NULL;
    return arena_printf(&req->arena, "%d %s %d", d, months[m - 1], y);
}

static const char *leg_class(const char *state)
{
    static const char *const done[] = {"received",  "inspected",      "dispositioned",
                                       "repaired",  "no_fault_found", "factory_replaced",
                                       "delivered", "shipped"};
    static const char *const bad[] = {"hold",
                                      "overdue",
                                      "lost",
                                      "refused",
                                      "unrepairable",
                                      "delivery_exception",
                                      "returned_to_sender"};
    static const char *const waiting[] = {"pending", "blocked", "label_issued"};
    for (size_t i = 0; i < N(done); i++)
        if (strcmp(state, done[i]) == 0)
            return "done";
    for (size_t i = 0; i < N(bad); i++)
        if (strcmp(state, bad[i]) == 0)
            return "problem";
    for (size_t i = 0; i < N(waiting); i++)
        if (strcmp(state, waiting[i]) == 0)
            return "waiting";
    return "active";
}

static struct page public_page(const char *title)
{
    struct page pg = {.title = title, .section = "Track your return", .body_class = "public"};
    return pg;
}

/* The tracking form, with the values given (escaped) and an error message or none. */
static void track_form(struct pbuf *b, const char *rma, const char *postcode, const char *error)
{
    pbuf_raw(b, "<form class=\"card track-form\" method=\"get\" action=\"/track\" "
                "novalidate>\n<h2 id=\"find\">Find your return</h2>\n");
    if (error != NULL) {
        pbuf_raw(b, "<p class=\"notice notice-error\" id=\"track-error\" role=\"alert\">");
        pbuf_esc(b, error);
        pbuf_raw(b, "</p>\n");
    }
    pbuf_raw(b, "<div class=\"field\"><label for=\"rma\">RMA number</label>\n"
                "<p class=\"hint\" id=\"rma-hint\">On your return label and in our e-mail, for "
                "example R240000011</p>\n"
                "<input id=\"rma\" name=\"rma\" autocomplete=\"off\" autocapitalize=\"characters\" "
                "spellcheck=\"false\" maxlength=\"20\" required aria-describedby=\"rma-hint");
    if (error)
        pbuf_raw(b, " track-error");
    pbuf_raw(b, "\" value=\"");
    pbuf_esc(b, rma ? rma : "");
    pbuf_raw(b, "\"></div>\n<div class=\"field\"><label for=\"postcode\">Postcode</label>\n"
                "<p class=\"hint\" id=\"postcode-hint\">Of the address the unit was sent "
                "from</p>\n<input id=\"postcode\" name=\"postcode\" autocomplete=\"postal-code\" "
                "maxlength=\"16\" required aria-describedby=\"postcode-hint\" value=\"");
    pbuf_esc(b, postcode ? postcode : "");
    pbuf_raw(b, "\"></div>\n<button type=\"submit\">Show progress</button>\n</form>\n");
}

static int reply_rate_limited(struct request *req)
{
    struct pbuf b = {0};
    struct page pg = public_page("Too many requests");
    pbuf_raw(&b, "<h1>Please wait a minute</h1>\n<p class=\"notice notice-warn\" role=\"alert\">"
                 "There were too many requests from your connection in a short time. Please "
                 "wait a minute, then try again.</p>\n<p><a href=\"/track\">Back to the "
                 "tracking form</a></p>\n");
    pages_reply(req, 429, &pg, &b);
    pbuf_release(&b);
    request_add_header(req, "Retry-After", "60");
    return 0;
}

static void render_track(struct request *req, struct pbuf *b, json_t *view)
{
    const char *num = json_string_value(json_object_get(view, "rma_number"));
    const char *status = json_string_value(json_object_get(view, "status"));
    const char *type = json_string_value(json_object_get(view, "type"));
    size_t i;
    json_t *line;
    json_t *parcel;

    pbuf_raw(b, "<h1>Return <span class=\"mono\">");
    pbuf_esc(b, num);
    pbuf_raw(b, "</span></h1>\n<p class=\"status-pill status-");
    pbuf_esc(b, status);
    pbuf_raw(b, "\" id=\"status\">");
    pbuf_esc(b, status_text(type, status));
    pbuf_raw(b, "</p>\n<section class=\"card next\" aria-labelledby=\"next-h\">"
                "<h2 id=\"next-h\">What happens next</h2>\n<p>");
    pbuf_esc(b, next_text(type, status));
    pbuf_raw(b, "</p></section>\n");

    json_array_foreach(json_object_get(view, "lines"), i, line)
    {
        const char *const legs[][2] = {{"inbound", "Your unit on its way to us"},
                                       {"repair", "Repair"},
                                       {"outbound", ships_spare(type) ?
                                                        "Your replacement on its way to you" :
                                                        "On its way back to you"}};
        json_t *jl = json_object_get(line, "legs");
        pbuf_printf(b,
                    "<section class=\"card line\" aria-labelledby=\"line-%d\">"
                    "<h2 id=\"line-%d\">Item %d: ",
                    (int)(i + 1), (int)(i + 1),
                    (int)json_integer_value(json_object_get(line, "line_no")));
        pbuf_esc(b, json_string_value(json_object_get(line, "product")));
        pbuf_raw(b, "</h2>\n<ol class=\"legs\">\n");
        for (size_t k = 0; k < N(legs); k++) {
            json_t *leg = json_object_get(jl, legs[k][0]);
            if (leg == NULL)
                continue;
            const char *st = json_string_value(json_object_get(leg, "state"));
            const char *at = nice_date(req, json_string_value(json_object_get(leg, "updated_at")));
            pbuf_printf(b, "<li class=\"leg leg-%s\" data-leg=\"%s\"><h3>%s</h3><p>",
                        leg_class(st ? st : ""), legs[k][0], legs[k][1]);
            pbuf_esc(b, label_of(leg_words, N(leg_words), st));
            if (at != NULL) {
                pbuf_raw(b, " <span class=\"date\">since ");
                pbuf_esc(b, at);
                pbuf_raw(b, "</span>");
            }
            pbuf_raw(b, "</p></li>\n");
        }
        pbuf_raw(b, "</ol></section>\n");
    }

    json_t *parcels = json_object_get(view, "parcels");
    if (json_array_size(parcels) > 0) {
        pbuf_raw(b, "<section class=\"card\" aria-labelledby=\"parcels-h\">"
                    "<h2 id=\"parcels-h\">Parcels</h2>\n<ul class=\"parcels\">\n");
        json_array_foreach(parcels, i, parcel)
        {
            const char *dir = json_string_value(json_object_get(parcel, "direction"));
            const char *st = json_string_value(json_object_get(parcel, "state"));
            const char *carrier = json_string_value(json_object_get(parcel, "carrier"));
            const char *tn = json_string_value(json_object_get(parcel, "tracking_number"));
            const char *rec =
                nice_date(req, json_string_value(json_object_get(parcel, "received_at")));
            pbuf_printf(b, "<li><h3>%s, parcel %d of %d</h3><dl>",
                        dir && strcmp(dir, "outbound") == 0 ? "To you" : "To us",
                        (int)json_integer_value(json_object_get(parcel, "parcel_no")),
                        (int)json_integer_value(json_object_get(parcel, "parcel_count")));
            pbuf_raw(b, "<dt>Status</dt><dd>");
            pbuf_esc(b, label_of(leg_words, N(leg_words), st));
            pbuf_raw(b, "</dd><dt>Carrier</dt><dd>");
            pbuf_esc(b, carrier ? carrier : "not yet known");
            pbuf_raw(b, "</dd><dt>Tracking number</dt><dd class=\"mono\">");
            pbuf_esc(b, tn ? tn : "not yet known");
            pbuf_raw(b, "</dd>");
            if (rec != NULL) {
                pbuf_raw(b, "<dt>Received</dt><dd>");
                pbuf_esc(b, rec);
                pbuf_raw(b, "</dd>");
            }
            pbuf_raw(b, "</dl></li>\n");
        }
        pbuf_raw(b, "</ul></section>\n");
    }
    pbuf_raw(b, "<p><a href=\"/track\">Track another return</a></p>\n");
}

/* GET /track[?rma=&postcode=], POST /track (form) */
int route_pages_track(struct request *req)
{
    bool post = strcmp(req->method, "POST") == 0;
    const char *rma = post ? pages_form(req, "rma") : request_query(req, "rma");
    const char *pc = post ? pages_form(req, "postcode") : request_query(req, "postcode");
    struct pbuf b = {0};
    struct page pg = public_page("Track your return");
    struct err err = {0};
    int status = 200;

    if ((rma == NULL || rma[0] == '\0') && (pc == NULL || pc[0] == '\0') && !post) {
        pbuf_raw(&b, "<h1>Track your return</h1>\n<p class=\"lead\">Enter the RMA number and "
                     "the postcode to see where your unit is and what happens next.</p>\n");
        track_form(&b, rma, NULL, NULL);
        pages_reply(req, 200, &pg, &b);
        pbuf_release(&b);
        return 0;
    }
    if (!rate_ok(req))
        return pbuf_release(&b), reply_rate_limited(req);
    if (rma == NULL || rma[0] == '\0' || pc == NULL || pc[0] == '\0' || strlen(rma) > 20 ||
        strlen(pc) > 16) {
        pg.title = "Track your return: check the form";
        pbuf_raw(&b, "<h1>Track your return</h1>\n");
        track_form(&b, rma && strlen(rma) <= 20 ? rma : NULL, pc && strlen(pc) <= 16 ? pc : NULL,
                   "Please enter both the RMA number (up to 20 characters) and the postcode.");
        pages_reply(req, 422, &pg, &b);
        pbuf_release(&b);
        return 0;
    }
    char num[RMANUM_LEN + 1];
    char postcode[32];
    struct err perr = {0};
    bool well_formed = rmanum_parse(rma, "rma", num, &perr) == 0;
    address_postcode_normalize(pc, postcode, sizeof postcode);
    if (request_db(req, &err) == NULL)
        return pbuf_release(&b), pages_reply_error(req, &err);
    json_t *view = NULL;
    enum db_result r =
        db_track_view(req->db, well_formed ? num : "R000000000", postcode, &view, &err);
    switch (r) {
    case DB_ONE:
        pg.title = arena_printf(&req->arena, "Return %s", num);
        render_track(req, &b, view);
        json_decref(view);
        break;
    case DB_NONE:
        status = 404;
        pg.title = "Track your return: not found";
        pbuf_raw(&b, "<h1>Track your return</h1>\n");
        track_form(&b, rma, pc,
                   "We could not find a return with this RMA number and postcode. Please check "
                   "both and try again.");
        break;
    case DB_RETRY:
    case DB_FAIL:
        pbuf_release(&b);
        if (r == DB_RETRY) {
            err_clear(&err);
            err_set(&err, ERR_UNAVAILABLE, NULL, "unavailable");
        }
        return pages_reply_error(req, &err);
    }
    pages_reply(req, status, &pg, &b);
    pbuf_release(&b);
    return 0;
}

static int not_recognised(struct request *req)
{
    struct pbuf b = {0};
    struct page pg = public_page("Label not recognised");
    pbuf_raw(&b, "<h1>Label not recognised</h1>\n<p class=\"notice notice-warn\">We do not "
                 "recognise this label. If you are returning a unit, please use the tracking "
                 "form with your RMA number and postcode.</p>\n<p><a class=\"button\" "
                 "href=\"/track\">Track your return</a></p>\n");
    pages_reply(req, 404, &pg, &b);
    pbuf_release(&b);
    return 0;
}

/* The page of a label's QR code: inbound parcel (/P/, a return label) or outbound (/S/, a
 * shipment: outbound or spare label, with a tag of its own). */
static int parcel_page(struct request *req, bool ship)
{
    struct err err = {0};
    char num[RMANUM_LEN + 1];
    char *end;
    const char *ps = req->params[1];
    const char *tag = req->params[2];
    const unsigned char *key = req->cfg->label_key;
    size_t keylen = sizeof req->cfg->label_key;

    if (!rate_ok(req))
        return reply_rate_limited(req);
    long parcel = strtol(ps, &end, 10);
    if (rmanum_parse(req->params[0], "rma", num, &err) != 0 || *end != '\0' || parcel < 1 ||
        parcel > 999 || ps[0] < '1' || ps[0] > '9' || strlen(tag) > 32 ||
        !(ship ? qrtag_verify_ship(key, keylen, num, (int)parcel, tag) :
                 qrtag_verify(key, keylen, num, (int)parcel, tag)))
        return not_recognised(req);
    if (request_db(req, &err) == NULL)
        return pages_reply_error(req, &err);
    json_t *p = NULL;
    enum db_result r =
        db_parcel_public(req->db, num, ship ? "outbound" : "inbound", (int)parcel, &p, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
        return not_recognised(req);
    case DB_RETRY:
    case DB_FAIL:
        if (r == DB_RETRY) {
            err_clear(&err);
            err_set(&err, ERR_UNAVAILABLE, NULL, "unavailable");
        }
        return pages_reply_error(req, &err);
    }
    const char *st = json_string_value(json_object_get(p, "state"));
    /* the date of the state shown: received (inbound), delivered or shipped (outbound) */
    const char *when = "received_at";
    if (ship)
        when = st != NULL && strcmp(st, "delivered") == 0 ? "delivered_at" : "shipped_at";
    const char *on = nice_date(req, json_string_value(json_object_get(p, when)));
    struct pbuf b = {0};
    struct page pg =
        public_page(arena_printf(&req->arena, "Parcel %ld of %d", parcel,
                                 (int)json_integer_value(json_object_get(p, "parcel_count"))));
    pbuf_raw(&b, "<h1>");
    pbuf_esc(&b, pg.title);
    pbuf_raw(&b, ship ? "</h1>\n<p class=\"lead\">Shipment to you for return <span "
                        "class=\"mono\">" :
                        "</h1>\n<p class=\"lead\">Return <span class=\"mono\">");
    pbuf_esc(&b, num);
    pbuf_raw(&b, "</span></p>\n<p class=\"status-pill status-");
    pbuf_esc(&b, leg_class(st ? st : ""));
    pbuf_raw(&b, "\" id=\"status\">");
    pbuf_esc(&b, label_of(leg_words, N(leg_words), st));
    if (on != NULL) {
        pbuf_raw(&b, " on ");
        pbuf_esc(&b, on);
    }
    pbuf_raw(&b, "</p>\n<p>To see every step of this return, and what happens next, enter the "
                 "postcode on the tracking form.</p>\n<p><a class=\"button\" href=\"/track?rma=");
    pbuf_esc(&b, num);
    pbuf_raw(&b, "#postcode\">Track the whole return</a></p>\n");
    json_decref(p);
    pages_reply(req, 200, &pg, &b);
    pbuf_release(&b);
    return 0;
}

/* GET /P/{RMA}/{PARCEL}/{TAG}: the QR code of a return label */
int route_pages_parcel(struct request *req)
{
    return parcel_page(req, false);
}

/* GET /S/{RMA}/{PARCEL}/{TAG}: the QR code of an outbound or spare label */
int route_pages_shipment(struct request *req)
{
    return parcel_page(req, true);
}

/* GET /U/{ID}: the QR code of an unexpected arrival's tag.  It is the depot's own label: the
 * page says so and nothing else (no look-up, whatever the id). */
int route_pages_unexpected(struct request *req)
{
    struct pbuf b = {0};
    struct page pg = public_page("Depot label");
    pbuf_raw(&b, "<h1>Depot label</h1>\n<p class=\"notice\">This is a depot label, for "
                 "internal use. If you are returning a unit, please use the tracking form with "
                 "your RMA number and postcode.</p>\n<p><a class=\"button\" "
                 "href=\"/track\">Track your return</a></p>\n");
    pages_reply(req, 200, &pg, &b);
    pbuf_release(&b);
    return 0;
}

/* GET /favicon.ico: browsers ask on every page.  A 16x16 white "R" on blue: an ICO holding one
 * 1-bit PNG (134 bytes), rather than a 404 each time. */
int route_pages_favicon(struct request *req)
{
    static const unsigned char ico[] = {
        0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x10, 0x10, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x70,
        0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
        0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
        0x10, 0x01, 0x03, 0x00, 0x00, 0x00, 0x25, 0x3d, 0x6d, 0x22, 0x00, 0x00, 0x00, 0x06, 0x50,
        0x4c, 0x54, 0x45, 0x1d, 0x4a, 0xb0, 0xff, 0xff, 0xff, 0x15, 0xa0, 0x80, 0xea, 0x00, 0x00,
        0x00, 0x25, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x60, 0x00, 0x03, 0xfe, 0x03, 0x0c,
        0xfc, 0x0f, 0x18, 0x78, 0x0a, 0x18, 0x78, 0x0c, 0x40, 0x24, 0x90, 0x0d, 0x14, 0xe1, 0x81,
        0x88, 0x58, 0x30, 0xf0, 0x48, 0x30, 0xc0, 0x00, 0x00, 0xb0, 0x30, 0x06, 0x81, 0x28, 0x85,
        0xd2, 0x46, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    reply_bytes(req, 200, "image/x-icon", ico, sizeof ico);
    request_add_header(req, "Cache-Control", "public, max-age=86400");
    return 0;
}

/* A local path to go to after sign-in: /depot/... only, never //host. */
static const char *safe_next(const char *next)
{
    if (next == NULL || strncmp(next, "/depot/", 7) != 0 || strstr(next, "//") != NULL ||
        strchr(next, '\\') != NULL || strlen(next) > 200)
        return "/depot/scan";
    for (const char *c = next; *c; c++)
        if (*c < 0x21 || *c > 0x7e)
            return "/depot/scan";
    return next;
}

static int login_page(struct request *req, int status, const char *next, const char *name,
                      const char *error)
{
    char token[DB_SESSION_LEN + 1];
    unsigned char raw[DB_SESSION_LEN / 2];
    struct pbuf b = {0};
    struct page pg = {.title = "Sign in", .section = "Depot", .body_class = "staff"};

    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, sizeof token, raw, sizeof raw);
    pbuf_raw(&b,
             "<form class=\"card login\" method=\"post\" action=\"/login\">\n<h1>Sign in</h1>\n");
    if (error != NULL) {
        pbuf_raw(&b, "<p class=\"notice notice-error\" id=\"login-error\" role=\"alert\">");
        pbuf_esc(&b, error);
        pbuf_raw(&b, "</p>\n");
    }
    pbuf_raw(&b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    pbuf_raw(&b, token);
    pbuf_raw(&b, "\"><input type=\"hidden\" name=\"next\" value=\"");
    pbuf_esc(&b, safe_next(next));
    pbuf_raw(&b, "\">\n<div class=\"field\"><label for=\"username\">User name</label>"
                 "<input id=\"username\" name=\"username\" autocomplete=\"username\" "
                 "autocapitalize=\"none\" spellcheck=\"false\" required autofocus value=\"");
    pbuf_esc(&b, name ? name : "");
    pbuf_raw(&b, "\"></div>\n<div class=\"field\"><label for=\"password\">Password</label>"
                 "<input id=\"password\" name=\"password\" type=\"password\" "
                 "autocomplete=\"current-password\" required></div>\n"
                 "<button type=\"submit\">Sign in</button>\n</form>\n");
    pages_reply(req, status, &pg, &b);
    pbuf_release(&b);
    request_add_header(req, "Set-Cookie",
                       arena_printf(&req->arena,
                                    LOGIN_COOKIE "=%s; Path=/login; HttpOnly; SameSite=Strict; "
                                                 "Max-Age=3600%s",
                                    token, pages_https(req) ? "; Secure" : ""));
    return 0;
}

/* GET /login[?next=/depot/...] */
int route_pages_login_form(struct request *req)
{
    return login_page(req, 200, request_query(req, "next"), NULL, NULL);
}

static int redirect(struct request *req, const char *to)
{
    struct pbuf b = {0};
    struct page pg = {.title = "Moved", .section = "Depot", .body_class = "staff"};
    pbuf_raw(&b, "<p><a href=\"");
    pbuf_esc(&b, to);
    pbuf_raw(&b, "\">Continue</a></p>\n");
    pages_reply(req, 303, &pg, &b);
    pbuf_release(&b);
    request_add_header(req, "Location", to);
    return 0;
}

static bool token_eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strlen(a) == DB_SESSION_LEN && strlen(b) == DB_SESSION_LEN &&
           sodium_memcmp(a, b, DB_SESSION_LEN) == 0;
}

static int forbidden_page(struct request *req, const char *why)
{
    struct err err = {0};
    err_set(&err, ERR_FORBIDDEN, "csrf", "%s", why);
    return pages_reply_error(req, &err);
}

/* POST /login  form: csrf, next, username, password */
int route_pages_login(struct request *req)
{
    struct err err = {0};
    char session[DB_SESSION_LEN + 1];
    char csrf[DB_SESSION_LEN + 1];
    const char *name = pages_form(req, "username");
    const char *pw = pages_form(req, "password");
    const char *next = pages_form(req, "next");

    if (!token_eq(pages_form(req, "csrf"), pages_cookie(req, LOGIN_COOKIE)))
        return forbidden_page(req, "The sign-in form has expired. Please load it again.");
    if (!rate_ok(req))
        return reply_rate_limited(req);
    if (request_db(req, &err) == NULL)
        return pages_reply_error(req, &err);
    enum db_result r = db_session_login(req->db, name, pw, session, csrf, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
        return login_page(req, 401, next, name && strlen(name) <= 64 ? name : NULL,
                          "Unknown user name or wrong password.");
    case DB_RETRY:
    case DB_FAIL:
        return pages_reply_error(req, &err);
    }
    redirect(req, safe_next(next));
    request_add_header(req, "Set-Cookie",
                       arena_printf(&req->arena,
                                    PAGES_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; "
                                                         "Max-Age=43200%s",
                                    session, pages_https(req) ? "; Secure" : ""));
    request_add_header(req, "Set-Cookie",
                       LOGIN_COOKIE "=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0");
    sodium_memzero(session, sizeof session);
    return 0;
}

/* POST /logout  form: csrf */
int route_pages_logout(struct request *req)
{
    struct err err = {0};

    if (req->by_session && !token_eq(pages_form(req, "csrf"), req->csrf))
        return forbidden_page(req, "The page has expired. Please reload it and sign out again.");
    const char *cookie = pages_cookie(req, PAGES_SESSION_COOKIE);
    if (cookie != NULL) {
        enum db_result r = db_session_end(req->db, cookie, &err);
        switch (r) {
        case DB_ONE:
        case DB_NONE:
            break;
        case DB_RETRY:
        case DB_FAIL:
            return pages_reply_error(req, &err);
        }
    }
    redirect(req, "/login?signed_out=1");
    request_add_header(req, "Set-Cookie",
                       PAGES_SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return 0;
}

static const char *staff_nav(struct request *req)
{
    struct pbuf b = {0};
    pbuf_raw(&b, "<nav class=\"who\" aria-label=\"Account\"><span>Signed in as <strong>");
    pbuf_esc(&b, req->who.name);
    pbuf_raw(&b, "</strong> (");
    pbuf_esc(&b, role_name(req->who.role));
    pbuf_raw(&b, ")</span>");
    if (req->by_session) {
        pbuf_raw(&b, "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" "
                     "name=\"csrf\" value=\"");
        pbuf_esc(&b, req->csrf);
        pbuf_raw(&b, "\"><button type=\"submit\" class=\"link\" id=\"logout\">Sign out</button>"
                     "</form>");
    }
    pbuf_raw(&b, "</nav>");
    const char *s = arena_strdup(&req->arena, b.s);
    pbuf_release(&b);
    return s;
}

/* GET /depot/scan[?station=] */
int route_pages_station(struct request *req)
{
    struct pbuf b = {0};
    struct pbuf head = {0};
    const char *station = request_query(req, "station");
    struct page pg = {.title = "Scan station", .section = "Depot", .body_class = "staff station"};

    pg.nav = staff_nav(req);
    pbuf_raw(&head, "<meta name=\"csrf-token\" content=\"");
    pbuf_esc(&head, req->csrf);
    pbuf_raw(&head, "\">\n<script src=\"/assets/station.js\" defer></script>");
    pg.head = arena_strdup(&req->arena, head.s);
    pbuf_release(&head);
    pbuf_raw(&b,
             "<h1 class=\"visually-hidden\">Scan station</h1>\n"
             "<noscript><p class=\"notice notice-error\">The scan station needs JavaScript. "
             "Please turn it on.</p></noscript>\n"
             "<form id=\"scan-form\" class=\"scan-form\" autocomplete=\"off\">\n"
             "<div class=\"field code-field\"><label for=\"code\" id=\"code-label\">Scan a parcel "
             "label</label>\n<input id=\"code\" name=\"code\" autocomplete=\"off\" "
             "spellcheck=\"false\" autocapitalize=\"characters\" maxlength=\"200\" autofocus "
             "aria-describedby=\"code-hint\"></div>\n"
             "<p class=\"hint\" id=\"code-hint\">The scanner types the code and Enter. "
             "Press Escape to clear.</p>\n"
             "<div class=\"field serial-field\" id=\"serial-row\" hidden><label for=\"serial\">"
             "Now scan the unit's serial number</label>\n<input id=\"serial\" name=\"serial\" "
             "autocomplete=\"off\" spellcheck=\"false\" maxlength=\"64\"></div>\n"
             "<div class=\"options\"><label class=\"check\"><input type=\"checkbox\" "
             "id=\"check-serial\"> Check serials (label, then serial)</label>\n"
             "<label for=\"station\">Station</label> <input id=\"station\" name=\"station\" "
             "class=\"station-name\" maxlength=\"64\" value=\"");
    pbuf_esc(&b, station && station[0] ? station : "dock-1");
    pbuf_raw(&b, "\"></div>\n</form>\n"
                 "<section id=\"answer\" class=\"answer answer-idle\" aria-live=\"assertive\" "
                 "aria-atomic=\"true\" data-outcome=\"idle\">\n"
                 "<p class=\"answer-head\"><span class=\"answer-icon\" aria-hidden=\"true\">"
                 "&#9675;</span> <span id=\"answer-title\">Ready to scan</span></p>\n"
                 "<p class=\"answer-rma mono\" id=\"answer-rma\"></p>\n"
                 "<p class=\"answer-next\" id=\"answer-next\">Scan the label of the next "
                 "parcel.</p>\n<p class=\"answer-detail\" id=\"answer-detail\"></p>\n</section>\n"
                 "<p id=\"connection\" class=\"connection connection-ok\" role=\"status\">"
                 "Connected</p>\n"
                 "<section class=\"recent\" aria-labelledby=\"recent-h\"><h2 id=\"recent-h\">"
                 "Last scans at this station</h2>\n<ol id=\"queue\" class=\"scans queued\" "
                 "aria-label=\"Waiting to be sent\"></ol>\n<ol id=\"recent\" "
                 "class=\"scans\"></ol></section>\n");
    pages_reply(req, 200, &pg, &b);
    pbuf_release(&b);
    return 0;
}

static const char *station_param(struct request *req, struct err *err)
{
    const char *s = request_query(req, "station");
    if (s == NULL || s[0] == '\0' || strlen(s) > 64) {
        err_set(err, ERR_INVALID, "station", "must be 1 to 64 characters");
        return NULL;
    }
    return s;
}

/* GET /depot/api/scans?station=  the last 20 scans of the station */
int route_pages_scans_list(struct request *req)
{
    struct err err = {0};
    const char *station = station_param(req, &err);
    json_t *list = NULL;

    if (station == NULL)
        return reply_error(req, &err);
    if (request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r = db_scans_recent(req->db, station, 20, &list, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    return reply_json(req, 200, json_pack("{s:s, s:o}", "station", station, "scans", list));
}

/* POST /depot/api/scans: exactly POST /api/v1/scans, for the station's session */
int route_pages_scans_create(struct request *req)
{
    struct err err = {0};
    if (request_db(req, &err) == NULL)
        return reply_error(req, &err);
    return route_scans_create(req);
}

/* GET /assets/{name} */
int route_pages_asset(struct request *req)
{
    const char *name = req->params[0];
    if (strcmp(name, "pages.css") == 0)
        return reply_bytes(req, 200, "text/css; charset=utf-8", rmad_page_css, rmad_page_css_len);
    if (strcmp(name, "station.js") == 0)
        return reply_bytes(req, 200, "text/javascript; charset=utf-8", rmad_page_station_js,
                           rmad_page_station_js_len);
    struct err err = {0};
    err_set(&err, ERR_NOT_FOUND, "path", "no such resource");
    return reply_error(req, &err);
}

int pages_reply_error(struct request *req, const struct err *err)
{
    enum err_kind kind = err->kind == ERR_NONE ? ERR_INTERNAL : err->kind;
    if (kind == ERR_UNAUTHORIZED) {
        const char *to = "/login";
        if (strcmp(req->method, "GET") == 0 && strncmp(req->url, "/depot/", 7) == 0)
            to = arena_printf(&req->arena, "/login?next=%s", safe_next(req->url));
        return redirect(req, to);
    }
    struct pbuf b = {0};
    struct page pg = {.title = "Sorry", .section = "", .body_class = "public"};
    const char *msg;
    switch (kind) {
    case ERR_FORBIDDEN:
        pg.title = "Not allowed";
        msg = err->field[0] && strcmp(err->field, "csrf") == 0 ?
                  err->message :
                  "Your account may not use this page. Please ask a supervisor.";
        break;
    case ERR_UNAVAILABLE:
        pg.title = "Briefly unavailable";
        msg = "The service is briefly unavailable. Please try again in a moment.";
        break;
    default:
        msg = "Something went wrong on our side. Please try again.";
        break;
    }
    pbuf_raw(&b, "<h1>");
    pbuf_esc(&b, pg.title);
    pbuf_raw(&b, "</h1>\n<p class=\"notice notice-error\" role=\"alert\">");
    pbuf_esc(&b, msg);
    pbuf_raw(&b, "</p>\n<p><a href=\"/track\">Track a return</a> &middot; "
                 "<a href=\"/login\">Staff sign-in</a></p>\n");
    pages_reply(req, status_of(kind), &pg, &b);
    pbuf_release(&b);
    return 0;
}

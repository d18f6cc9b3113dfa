/*
 * routes_tracking: carrier tracking documents (issue 5).
 *
 *   POST /api/v1/tracking             a tracking document of UPS, FedEx, USPS, DHL or a UBL
 *                                     TransportationStatus (application/xml, up to 64 MB);
 *                                     carrier tokens, or admin naming ?carrier=CODE
 *   GET  /api/v1/documents            the documents the caller may see (?type=, ?limit=)
 *   GET  /api/v1/documents/{id}       one of them; a carrier sees its own only (404 otherwise)
 *   GET  /api/v1/rmas/{rma}/parcels/{parcel}/transportation-status.xml[?direction=outbound]
 *                                     the parcel's carrier events as a UBL TransportationStatus
 *
 * Tracking documents have a route of their own (not POST /api/v1/documents) because their body
 * cap (64 MB) and their reader (streaming, never a DOM) differ from the small UBL documents.
 * The document is keyed by (carrier, format, ID): the UBL cbc:ID, or for the carrier formats,
 * which have no document ID, the hex SHA-256 of the body.  The reader streams the events
 * straight into the database (db_tracking_add); the first event claims the key, so a replay is
 * answered without reading the rest.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app/log.h"
#include "db/tzcache.h"
#include "request.h"
#include "xml/tracking.h"

static const char *doc_type_of(enum track_carrier_format fmt)
{
    switch (fmt) {
    case TRACK_FMT_UPS:
        return "UPSTrackResponse";
    case TRACK_FMT_FEDEX:
        return "FedExTrackReply";
    case TRACK_FMT_USPS:
        return "USPSTrackResponse";
    case TRACK_FMT_DHL:
        return "DHLTrackingResponse";
    case TRACK_FMT_UBL:
        return "TransportationStatus";
    }
    return "tracking";
}

struct import {
    struct request *req;
    struct db_carrier carrier;
    const char *sender;
    unsigned char sha[crypto_hash_sha256_BYTES];
    const struct track_doc *doc;
    struct db_tracking *t;
    int64_t now; /* when the import began: the bound of an event's time */
    bool claimed;
    bool replayed; /* the key was seen before: status and answer hold the stored answer */
    int status;
    json_t *answer;
};

/* A carrier's own format is the posting carrier's only (carrier codes UPS, FEDEX, USPS, DHL);
 * a UBL TransportationStatus may come from any carrier. */
static int format_fits(const struct db_carrier *c, enum track_carrier_format fmt, struct err *err)
{
    const char *owner = NULL;

    switch (fmt) {
    case TRACK_FMT_UPS:
        owner = "UPS";
        break;
    case TRACK_FMT_FEDEX:
        owner = "FEDEX";
        break;
    case TRACK_FMT_USPS:
        owner = "USPS";
        break;
    case TRACK_FMT_DHL:
        owner = "DHL";
        break;
    case TRACK_FMT_UBL:
        return 0;
    }
    if (owner == NULL || strcmp(c->code, owner) == 0)
        return 0;
    return err_set(err, ERR_INVALID, "document",
                   "a %s is carrier %s's format, not %s's (any carrier may post a UBL "
                   "TransportationStatus)",
                   doc_type_of(fmt), owner, c->code);
}

/* Claims the document's key once its format (and UBL ID) is known. */
static int claim(struct import *im, struct err *err)
{
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    const char *id = im->doc->doc_id;

    im->claimed = true;
    if (format_fits(&im->carrier, im->doc->fmt, err) != 0)
        return -1;
    if (id[0] == '\0')
        id = sodium_bin2hex(hex, sizeof hex, im->sha, sizeof im->sha);
    enum db_result r =
        db_tracking_begin(im->req->db, im->sender, doc_type_of(im->doc->fmt), id, im->sha,
                          &im->carrier, &im->req->who, &im->t, &im->status, &im->answer, err);
    switch (r) {
    case DB_ONE:
        return 0;
    case DB_NONE:
        im->replayed = true;
        return err_set(err, ERR_CONFLICT, NULL, "replayed"); /* stops the reader */
    case DB_RETRY:
    case DB_FAIL:
        return -1;
    }
    return -1;
}

/* A carrier's event is not from the future (15 minutes of clock skew allowed) nor from before
 * 2000: such a time would stand as the parcel's last event for good and make every real event
 * after it history.  A carrier whose local times come out hours ahead has the wrong zone
 * configured (rmad carrier add --time-zone): better refused than applied. */
#define EVENT_FUTURE_MAX (15 * 60)
#define EVENT_EPOCH_MIN 946684800 /* 2000-01-01T00:00:00Z */

static int on_event(void *ctx, const struct track_event *ev, struct err *err)
{
    struct import *im = ctx;

    if (ev->at > im->now + EVENT_FUTURE_MAX || ev->at < EVENT_EPOCH_MIN) {
        err_set(err, ERR_INVALID, "event.time",
                ev->at < EVENT_EPOCH_MIN ? "is before the year 2000" :
                                           "is more than 15 minutes in the future");
        err_set_line(err, ev->line);
        return -1;
    }
    if (!im->claimed && claim(im, err) != 0)
        return -1;
    struct db_track_row row = {
        .tracking_number = ev->tracking_number,
        .code = ev->code,
        .text = ev->text,
        .location = ev->location,
        .canon = track_canon_name(ev->canon),
        .at = ev->at,
        .offset_known = ev->offset_known != 0,
        .ambiguous = ev->ambiguous != 0,
        .line = ev->line,
    };
    return db_tracking_add(im->t, &row, err);
}

/* POST /api/v1/tracking  (Content-Type: application/xml) */
int route_tracking_import(struct request *req)
{
    struct err err = {0};
    struct import im = {.req = req, .now = (int64_t)time(NULL)};
    struct track_doc doc;
    const struct tz *zone = NULL;
    enum db_result r;

    if (req->body_len == 0)
        return err_set(&err, ERR_BAD_REQUEST, "body", "an xml document is required"),
               reply_error(req, &err);
    if (request_db(req, &err) == NULL)
        return reply_error(req, &err);
    if (req->who.role == ROLE_CARRIER) {
        const char *named = request_query(req, "carrier");
        r = db_carrier_get(req->db, NULL, req->who.carrier_id, &im.carrier, &err);
        if (r == DB_ONE && named != NULL && strcasecmp(named, im.carrier.code) != 0)
            return err_set(&err, ERR_FORBIDDEN, "carrier", "a carrier posts its own documents"),
                   reply_error(req, &err);
    } else {
        const char *named = request_query(req, "carrier");
        if (named == NULL || named[0] == '\0')
            return err_set(&err, ERR_INVALID, "carrier", "name the carrier (?carrier=CODE)"),
                   reply_error(req, &err);
        /* carrier codes are upper case; ?carrier=ups names UPS, as a pickup's carrier does */
        char *code = arena_printf(&req->arena, "%s", named);
        for (char *c = code; *c != '\0'; c++)
            *c = (char)toupper((unsigned char)*c);
        r = db_carrier_get(req->db, code, 0, &im.carrier, &err);
        if (r == DB_NONE)
            err.kind = ERR_INVALID;
    }
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    if (im.carrier.zone[0] != '\0' && (zone = db_tz_get(im.carrier.zone, &err)) == NULL) {
        log_warnx("carrier %s: zone does not load", im.carrier.code);
        err_clear(&err);
        return err_set(&err, ERR_INTERNAL, "carrier", "the carrier's time zone does not load"),
               reply_error(req, &err);
    }
    im.sender = arena_printf(&req->arena, "carrier:%lld", (long long)im.carrier.id);
    crypto_hash_sha256(im.sha, (const unsigned char *)req->body, req->body_len);
    im.doc = &doc;

    int rc = xml_tracking_stream(req->body, req->body_len, zone, on_event, &im, &doc, &err);
    if (rc == 0 && !im.claimed)
        rc = claim(&im, &err); /* a document without events */
    if (im.replayed) {
        log_info("tracking import: document of carrier %s replayed", im.carrier.code);
        return reply_json(req, im.status, im.answer);
    }
    if (rc != 0) {
        db_tracking_abort(im.t);
        return reply_error(req, &err);
    }
    int status = 0;
    json_t *answer = NULL;
    r = db_tracking_finish(im.t, &status, &answer, &err);
    return reply_db_result(req, r, status, answer, &err);
}

/* GET /api/v1/documents?type=&limit= */
int route_documents_list(struct request *req)
{
    struct err err = {0};
    const char *type = request_query(req, "type");
    const char *lim = request_query(req, "limit");
    long limit = 100;
    json_t *list = NULL;

    if (lim != NULL) {
        char *end;
        limit = strtol(lim, &end, 10);
        if (lim[0] == '\0' || *end != '\0' || limit < 1 || limit > 1000)
            return err_set(&err, ERR_INVALID, "limit", "must be 1 to 1000"), reply_error(req, &err);
    }
    if (type != NULL && (type[0] == '\0' || strlen(type) > 64))
        return err_set(&err, ERR_INVALID, "type", "must be 1 to 64 characters"),
               reply_error(req, &err);
    if (request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r = db_document_list(req->db, type, &req->who, (int)limit, &list, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    return reply_json(req, 200, json_pack("{s:o}", "documents", list));
}

/* GET /api/v1/documents/{id} */
int route_documents_get(struct request *req)
{
    struct err err = {0};
    json_t *doc = NULL;
    long long id = request_number_param(req, 0, "document", INT64_MAX, &err);

    if (id == 0 || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r = db_document_get(req->db, id, &req->who, &doc, &err);
    return reply_db_result(req, r, 200, doc, &err);
}

/* GET /api/v1/rmas/{rma}/parcels/{parcel}/transportation-status.xml?direction=inbound|outbound */
int route_tracking_status_xml(struct request *req)
{
    struct err err = {0};
    struct db_parcel_status ps;
    const char *rma = request_rma_param(req, 0, &err);
    int parcel = rma ? (int)request_number_param(req, 1, "parcel", 9999, &err) : 0;
    const char *dir = request_query(req, "direction");

    if (dir == NULL)
        dir = "inbound";
    if (!err_is_set(&err) && strcmp(dir, "inbound") != 0 && strcmp(dir, "outbound") != 0)
        err_set(&err, ERR_INVALID, "direction", "must be inbound or outbound");
    if (err_is_set(&err) || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r =
        db_tracking_status(req->db, rma, dir, parcel, &req->who, &req->arena, &ps, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    if (ps.n_events == 0)
        return err_set(&err, ERR_NOT_FOUND, "parcel", "no carrier events for this parcel yet"),
               reply_error(req, &err);
    struct track_status_event *evs = arena_alloc(&req->arena, sizeof *evs * ps.n_events);
    for (size_t i = 0; i < ps.n_events; i++) {
        struct err ignored = {0};
        evs[i].canon = TRACK_UNKNOWN;
        (void)track_canon_parse(ps.events[i].canon, "canon", &evs[i].canon, &ignored);
        evs[i].code = ps.events[i].code;
        evs[i].text = ps.events[i].text;
        evs[i].location = ps.events[i].location;
        evs[i].at = ps.events[i].at;
    }
    struct track_status_doc d = {
        .id = arena_printf(&req->arena, "%s-%c%d-TS%zu", rma, dir[0] == 'o' ? 'O' : 'I', parcel,
                           ps.n_events),
        .issued_at = ps.issued_at,
        .tracking_number = ps.tracking_number ? ps.tracking_number : ps.sscc,
        .sscc = ps.sscc,
        .events = evs,
        .n_events = ps.n_events,
    };
    char *xml = NULL;
    size_t len = 0;
    if (xml_write_transportation_status(&d, &xml, &len, &err) != 0)
        return reply_error(req, &err);
    reply_bytes(req, 200, "application/xml", xml, len);
    free(xml);
    return 0;
}

/*
 * xml/tracking: carrier tracking documents read as a stream of canonical events, and the
 * outbound UBL TransportationStatus.
 *
 * Reading: one xmlTextReader over the caller's memory, XML_PARSE_NONET only.  The first node
 * that is a DOCTYPE stops everything (no DTD, no entity, no external load can follow).  The
 * format is the root element's (TrackResponse is UPS unless its first child is TrackInfo, then
 * USPS; TrackReply FedEx, also inside a SOAP Envelope/Body; TrackingResponse DHL;
 * TransportationStatus UBL).  Containers (Package, TrackDetails, TrackInfo, AWBInfo,
 * Consignment) are streamed through and only remember their tracking number; each event
 * element (Activity, Events, TrackSummary/TrackDetail, ShipmentEvent, TransportEvent) is read
 * node by node too (read_subtree: the texts of the paths the adapter wants are copied into fixed
 * buffers, everything else passes), then the callback runs.  Nothing is ever expanded into a
 * tree, so memory does not depend on the document's size nor on any one element's.
 *
 * What must stay true: parser messages are never copied (only line numbers leave this file);
 * every text we keep is at most XML_TRACK_FIELD_MAX bytes; an event never leaves without a
 * tracking number and an instant; an unknown carrier code is an event with TRACK_UNKNOWN.
 *
 * Writing: xmlTextWriter, in the element order of UBL-TransportationStatus-2.1.xsd.
 */
#include "xml/tracking.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/chvalid.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>

#include "core/utf8.h"
#include "core/xalloc.h"
#include "writer.h"
#include "xml/xml.h"

#define FIELD (XML_TRACK_FIELD_MAX + 1)
#define NAME_MAX_LEN 48
#define PARSE_OPTIONS XML_PARSE_NONET

/* The texts of one event, copied out of its subtree. */
struct fields {
    char number[FIELD];
    char code[FIELD];
    char text[FIELD];
    char location[XML_TRACK_LOCATION_MAX + 1];
    char date[FIELD];
    char time[FIELD];
    char offset[FIELD];
};

struct stream {
    xmlTextReaderPtr r;
    const struct tz *zone;
    int (*cb)(void *ctx, const struct track_event *ev, struct err *err);
    void *ctx;
    struct track_doc *doc;
    bool detected;
    bool pending; /* root TrackResponse seen, its first child decides UPS or USPS */
    bool soap;    /* the format root is inside a SOAP Envelope/Body */
    int root_depth;
    int root_line;        /* the line of the document's root element (or the format root's) */
    char number[FIELD];   /* the current Package, TrackDetails, TrackInfo or AWBInfo's number */
    char fallback[FIELD]; /* UPS: Shipment/ShipmentIdentificationNumber */
    char c_id[FIELD], c_carrier[FIELD], c_sscc[FIELD]; /* UBL: the Consignment */
    int n_consignments;
    /* the lines of the single-valued texts of the current scope read so far (0: none yet) */
    int number_seen, fallback_seen, id_seen, c_id_seen, c_carrier_seen, c_sscc_seen;
    char names[XML_TRACK_DEPTH_MAX + 1][NAME_MAX_LEN];
    size_t n_events;
    int error_line;
    struct fields f;
};

/* The parser's own message can quote the input: only the line is kept. */
static void reader_error(void *data, xmlErrorPtr e)
{
    struct stream *st = data;

    if (st != NULL && e != NULL && st->error_line == 0 && e->line > 0)
        st->error_line = e->line;
}

static int node_line(const xmlNode *n)
{
    long line = n != NULL ? xmlGetLineNo(n) : 0;

    return line > 0 && line <= INT32_MAX ? (int)line : 0;
}

static int fail(struct err *err, int line, enum err_kind kind, const char *field, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));

static int fail(struct err *err, int line, enum err_kind kind, const char *field, const char *fmt,
                ...)
{
    char msg[sizeof err->message];
    va_list ap;

    if (err_is_set(err))
        return -1;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(err, kind, field, "%s", msg);
    err_set_line(err, line);
    return -1;
}

static bool is(const char *a, const char *b)
{
    return a != NULL && strcmp(a, b) == 0;
}

/*
 * One text wanted from an element's subtree: the text of the first element at path, relative to
 * that element ("Status/StatusType/Code"; "" is the element itself), white space trimmed and
 * runs of it made one space.
 */
struct want {
    const char *path;
    char *buf;
    size_t size; /* the text may have size - 1 bytes; longer is ERR_INVALID */
    bool single; /* a second element at path is ambiguous: ERR_INVALID naming it */
    int state;   /* 0 not met yet, 1 reading it, 2 read */
    int depth;   /* the reader's depth of the element being read */
    int line;    /* its input line */
    size_t len;
    bool space; /* white space seen after the last character kept */
    char name[NAME_MAX_LEN];
};

/* Appends the text of one node to w, or ERR_INVALID naming the element when it gets too long. */
static int append_text(struct want *w, const char *text, struct err *err)
{
    /* a character reference (&#xFDD0;) brings what the byte pre-scan cannot see */
    if (text != NULL && utf8_has_noncharacter(text))
        return fail(err, w->line, ERR_INVALID, w->name, "%s", XML_NONCHARACTER_MESSAGE);
    for (const char *p = text; p != NULL && *p != '\0'; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            w->space = w->len > 0;
            continue;
        }
        if (w->len + (w->space ? 2 : 1) >= w->size)
            return fail(err, w->line, ERR_INVALID, w->name, "is longer than %zu characters",
                        w->size - 1);
        if (w->space)
            w->buf[w->len++] = ' ';
        w->space = false;
        w->buf[w->len++] = *p;
        w->buf[w->len] = '\0';
    }
    return 0;
}

/* An element of the subtree starts at depth with relative path path: the wants it opens; a
 * single-valued want met again is ERR_INVALID naming the element, with the line of the second.
 * 0 or -1. */
static int open_wants(struct stream *st, struct want *w, size_t n, const char *path, int depth,
                      const char *name, bool empty, struct err *err)
{
    int line = node_line(xmlTextReaderCurrentNode(st->r));

    for (size_t i = 0; i < n; i++) {
        if (strcmp(w[i].path, path) != 0)
            continue;
        if (w[i].state != 0) {
            if (w[i].single)
                return fail(err, line, ERR_INVALID, name,
                            "is given twice in one event (first on line %d): which one is meant",
                            w[i].line);
            continue;
        }
        w[i].state = empty ? 2 : 1;
        w[i].depth = depth;
        w[i].line = line;
        snprintf(w[i].name, sizeof w[i].name, "%s", name);
    }
    return 0;
}

/* A single-valued element of a container (a Package's TrackingNumber, the document's ID): the
 * second in one scope is ERR_INVALID naming it; *seen is the line of the first (0: none yet).
 * 0 or -1. */
static int once(struct stream *st, int *seen, const char *scope, struct err *err)
{
    int line = node_line(xmlTextReaderCurrentNode(st->r));
    const char *name = (const char *)xmlTextReaderConstLocalName(st->r);

    if (*seen != 0)
        return fail(err, line, ERR_INVALID, name != NULL ? name : "document",
                    "is given twice in one %s (first on line %d): which one is meant", scope,
                    *seen);
    *seen = line > 0 ? line : -1;
    return 0;
}

/* Whether the reader's current element is one we match: UBL documents use the UBL
 * namespaces only (an element of another namespace is never a field). */
static const char *field_name(const struct stream *st)
{
    const char *name = (const char *)xmlTextReaderConstLocalName(st->r);
    const char *ns = (const char *)xmlTextReaderConstNamespaceUri(st->r);

    if (name == NULL)
        return "";
    if (st->doc->fmt == TRACK_FMT_UBL && st->detected && !is(ns, XML_NS_CAC) && !is(ns, XML_NS_CBC))
        return "";
    return name;
}

/*
 * Streams through the subtree of the reader's current element, copying the wanted texts; the
 * reader ends on the element's end (or on the element itself when it is empty), so the caller
 * moves on with xmlTextReaderNext().  Nothing of the subtree is kept: memory does not depend on
 * its size.  *line is the element's input line.  Returns 1, or -1 with err set.
 */
static int read_subtree(struct stream *st, struct want *w, size_t n, int *line, struct err *err)
{
    int depth0 = xmlTextReaderDepth(st->r);
    char path[512];
    size_t plen[XML_TRACK_DEPTH_MAX + 1];
    bool empty = xmlTextReaderIsEmptyElement(st->r) == 1;

    *line = node_line(xmlTextReaderCurrentNode(st->r));
    for (size_t i = 0; i < n; i++) {
        w[i].state = 0;
        w[i].len = 0;
        w[i].space = false;
        w[i].buf[0] = '\0';
    }
    path[0] = '\0';
    plen[0] = 0;
    if (open_wants(st, w, n, "", depth0, field_name(st), empty, err) != 0)
        return -1;
    while (!empty) {
        int rc = xmlTextReaderRead(st->r), type, depth;

        if (rc != 1)
            return fail(
                err, st->error_line > 0 ? st->error_line : xmlTextReaderGetParserLineNumber(st->r),
                ERR_BAD_REQUEST, "document", "is not well-formed xml");
        type = xmlTextReaderNodeType(st->r);
        depth = xmlTextReaderDepth(st->r);
        if (type == XML_READER_TYPE_ELEMENT) {
            int rel = depth - depth0;
            const char *name = field_name(st);
            size_t len;

            if (depth >= XML_TRACK_DEPTH_MAX || rel < 1)
                return fail(err, node_line(xmlTextReaderCurrentNode(st->r)), ERR_INVALID,
                            "document", "nests elements more than %d deep", XML_TRACK_DEPTH_MAX);
            len = plen[rel - 1];
            if (name[0] == '\0' || len >= sizeof path || len + strlen(name) + 2 >= sizeof path) {
                plen[rel] = sizeof path; /* foreign or too long: nothing here or below matches */
            } else {
                len += (size_t)snprintf(path + len, sizeof path - len, "%s%s", rel > 1 ? "/" : "",
                                        name);
                plen[rel] = len;
                if (open_wants(st, w, n, path, depth, name, xmlTextReaderIsEmptyElement(st->r) == 1,
                               err) != 0)
                    return -1;
            }
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (depth == depth0)
                break;
            for (size_t i = 0; i < n; i++)
                if (w[i].state == 1 && w[i].depth == depth)
                    w[i].state = 2;
        } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                   type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
                   type == XML_READER_TYPE_WHITESPACE) {
            const char *value = (const char *)xmlTextReaderConstValue(st->r);

            for (size_t i = 0; i < n; i++)
                if (w[i].state == 1 && w[i].depth == depth - 1 &&
                    append_text(&w[i], value, err) != 0)
                    return -1;
        }
    }
    return 1;
}

/* buf = the non-empty parts joined with ", " (each part at most a field long). */
static void join3(char *buf, size_t size, const char *a, const char *b, const char *c)
{
    const char *parts[] = {a, b, c};
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < 3; i++) {
        if (parts[i][0] == '\0')
            continue;
        len += (size_t)snprintf(buf + len, size - len, "%s%s", len > 0 ? ", " : "", parts[i]);
        if (len >= size)
            return;
    }
}

/* Reads the current element's own text into buf; 1 (the subtree is consumed) or -1. */
static int read_text(struct stream *st, char *buf, size_t size, struct err *err)
{
    struct want w = {.path = "", .buf = buf, .size = size};
    int line;

    return read_subtree(st, &w, 1, &line, err);
}

/* Parses the time of one event with the format's function, then makes it an instant. */
static int event_time(struct stream *st, int line, int64_t *at, int *offset_known, int *ambiguous,
                      struct err *err)
{
    struct track_time t;
    int rc = -1;
    const struct fields *f = &st->f;

    switch (st->doc->fmt) {
    case TRACK_FMT_UPS:
        rc = track_time_ups(f->date, f->time, &t, err);
        if (rc == 0 && f->offset[0] != '\0')
            rc = track_time_offset(f->offset, &t, err);
        break;
    case TRACK_FMT_FEDEX:
        rc = track_time_iso(f->date, &t, err);
        break;
    case TRACK_FMT_USPS:
        rc = track_time_usps(f->date, f->time, &t, err);
        break;
    case TRACK_FMT_DHL:
        rc = track_time_dhl(f->date, f->time, f->offset, &t, err);
        break;
    case TRACK_FMT_UBL:
        rc = track_time_xsd(f->date, f->time, &t, err);
        break;
    }
    if (rc == 0)
        rc = track_time_instant(&t, st->zone, at, ambiguous, err);
    if (rc != 0) {
        err_set_line(err, line);
        return -1;
    }
    *offset_known = t.has_offset ? 1 : 0;
    return 0;
}

/* Hands the event in st->f (canon decided by the caller) to the callback. */
static int emit(struct stream *st, int line, enum track_canon canon, struct err *err)
{
    struct track_event ev = {0};

    if (st->f.number[0] == '\0')
        return fail(err, line, ERR_INVALID, "tracking_number", "the event names no parcel");
    if (st->n_events >= XML_TRACK_EVENTS_MAX)
        return fail(err, line, ERR_TOO_LARGE, "events", "more than %d events in one document",
                    XML_TRACK_EVENTS_MAX);
    if (event_time(st, line, &ev.at, &ev.offset_known, &ev.ambiguous, err) != 0)
        return -1;
    ev.tracking_number = st->f.number;
    ev.code = st->f.code;
    ev.text = st->f.text;
    ev.location = st->f.location;
    ev.canon = canon;
    ev.line = line;
    st->n_events++;
    if (st->cb(st->ctx, &ev, err) != 0) {
        if (!err_is_set(err))
            err_set(err, ERR_INTERNAL, NULL, "the event could not be applied");
        return -1;
    }
    return 0;
}

#define WANT(p, b)                                                                                 \
    {                                                                                              \
        .path = (p), .buf = (b), .size = sizeof(b)                                                 \
    }
/* a number, date, time, offset or code: one per event */
#define ONE(p, b)                                                                                  \
    {                                                                                              \
        .path = (p), .buf = (b), .size = sizeof(b), .single = true                                 \
    }
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- one adapter per format: each returns 1 (subtree consumed), 0 (read on) or -1 ---- */

static int ups_activity(struct stream *st, bool in_package, struct err *err)
{
    struct fields *f = &st->f;
    char type[FIELD] = "", scode[FIELD] = "", type2[FIELD] = "", scode2[FIELD] = "";
    char text2[FIELD] = "", city[FIELD] = "", state[FIELD] = "", country[FIELD] = "";
    struct want w[] = {
        ONE("Status/StatusType/Code", type),
        ONE("Status/StatusCode/Code", scode),
        WANT("Status/StatusType/Description", f->text),
        /* the newer shape: Status/Type, Status/Code, Status/Description */
        ONE("Status/Type", type2),
        ONE("Status/Code", scode2),
        WANT("Status/Description", text2),
        ONE("Date", f->date),
        ONE("Time", f->time),
        ONE("GMTOffset", f->offset),
        WANT("ActivityLocation/Address/City", city),
        ONE("ActivityLocation/Address/StateProvinceCode", state),
        ONE("ActivityLocation/Address/CountryCode", country),
    };
    enum track_canon canon, refined;
    int line;

    if (read_subtree(st, w, COUNT(w), &line, err) < 0)
        return -1;
    snprintf(f->number, sizeof f->number, "%s",
             in_package && st->number[0] != '\0' ? st->number : st->fallback);
    if (type[0] == '\0')
        memcpy(type, type2, sizeof type);
    if (scode[0] == '\0')
        memcpy(scode, scode2, sizeof scode);
    if (f->text[0] == '\0')
        memcpy(f->text, text2, sizeof f->text);
    snprintf(f->code, sizeof f->code, "%s", type[0] != '\0' ? type : scode);
    canon = track_map_code(TRACK_FMT_UPS, f->code);
    refined =
        type[0] != '\0' && scode[0] != '\0' ? track_map_code(TRACK_FMT_UPS, scode) : TRACK_UNKNOWN;
    if ((canon == TRACK_IN_TRANSIT && refined == TRACK_OUT_FOR_DELIVERY) ||
        (canon == TRACK_EXCEPTION && refined == TRACK_ATTEMPTED))
        canon = refined;
    join3(f->location, sizeof f->location, city, state, country);
    return emit(st, line, canon, err) == 0 ? 1 : -1;
}

static int ups_start(struct stream *st, const char *name, const char *parent, struct err *err)
{
    if (is(name, "Shipment")) {
        st->number[0] = st->fallback[0] = '\0';
        st->number_seen = st->fallback_seen = 0;
        return 0;
    }
    if (is(name, "Package")) {
        st->number[0] = '\0';
        st->number_seen = 0;
        return 0;
    }
    if (is(name, "ShipmentIdentificationNumber") && is(parent, "Shipment"))
        return once(st, &st->fallback_seen, "Shipment", err) != 0 ?
                   -1 :
                   read_text(st, st->fallback, sizeof st->fallback, err);
    if (is(name, "TrackingNumber") && is(parent, "Package"))
        return once(st, &st->number_seen, "Package", err) != 0 ?
                   -1 :
                   read_text(st, st->number, sizeof st->number, err);
    if (is(name, "CustomerContext") && is(parent, "TransactionReference"))
        return once(st, &st->id_seen, "document", err) != 0 ?
                   -1 :
                   read_text(st, st->doc->doc_id, sizeof st->doc->doc_id, err);
    if (is(name, "Activity") && (is(parent, "Package") || is(parent, "Shipment")))
        return ups_activity(st, is(parent, "Package"), err);
    return 0;
}

static int fedex_event(struct stream *st, struct err *err)
{
    struct fields *f = &st->f;
    char city[FIELD] = "", state[FIELD] = "", country[FIELD] = "";
    struct want w[] = {
        ONE("EventType", f->code),
        WANT("EventDescription", f->text),
        ONE("Timestamp", f->date),
        WANT("Address/City", city),
        ONE("Address/StateOrProvinceCode", state),
        ONE("Address/CountryCode", country),
    };
    int line;

    if (read_subtree(st, w, COUNT(w), &line, err) < 0)
        return -1;
    snprintf(f->number, sizeof f->number, "%s", st->number);
    f->time[0] = f->offset[0] = '\0';
    join3(f->location, sizeof f->location, city, state, country);
    return emit(st, line, track_map_code(TRACK_FMT_FEDEX, f->code), err) == 0 ? 1 : -1;
}

static int fedex_start(struct stream *st, const char *name, const char *parent, struct err *err)
{
    if (is(name, "TrackDetails")) {
        st->number[0] = '\0';
        st->number_seen = 0;
        return 0;
    }
    if (is(name, "TrackingNumber") && is(parent, "TrackDetails"))
        return once(st, &st->number_seen, "TrackDetails", err) != 0 ?
                   -1 :
                   read_text(st, st->number, sizeof st->number, err);
    if (is(name, "CustomerTransactionId") && is(parent, "TransactionDetail"))
        return once(st, &st->id_seen, "document", err) != 0 ?
                   -1 :
                   read_text(st, st->doc->doc_id, sizeof st->doc->doc_id, err);
    if (is(name, "Events") && is(parent, "TrackDetails"))
        return fedex_event(st, err);
    return 0;
}

static int usps_event(struct stream *st, struct err *err)
{
    struct fields *f = &st->f;
    char city[FIELD] = "", state[FIELD] = "", country[FIELD] = "";
    struct want w[] = {
        ONE("EventCode", f->code),    WANT("Event", f->text),  ONE("EventDate", f->date),
        ONE("EventTime", f->time),    WANT("EventCity", city), ONE("EventState", state),
        ONE("EventCountry", country),
    };
    int line;

    if (read_subtree(st, w, COUNT(w), &line, err) < 0)
        return -1;
    snprintf(f->number, sizeof f->number, "%s", st->number);
    f->offset[0] = '\0';
    join3(f->location, sizeof f->location, city, state, country);
    return emit(st, line, track_map_code(TRACK_FMT_USPS, f->code), err) == 0 ? 1 : -1;
}

static int usps_start(struct stream *st, int rd, const char *name, const char *parent,
                      struct err *err)
{
    if (is(name, "TrackInfo") && rd == 1) {
        xmlChar *id = xmlTextReaderGetAttribute(st->r, BAD_CAST "ID");
        size_t len = id != NULL ? strlen((const char *)id) : 0;

        if (len > XML_TRACK_FIELD_MAX || (id != NULL && utf8_has_noncharacter((char *)id))) {
            bool too_long = len > XML_TRACK_FIELD_MAX;

            xmlFree(id);
            if (!too_long)
                return fail(err, node_line(xmlTextReaderCurrentNode(st->r)), ERR_INVALID,
                            "TrackInfo", "%s", XML_NONCHARACTER_MESSAGE);
            return fail(err, node_line(xmlTextReaderCurrentNode(st->r)), ERR_INVALID, "TrackInfo",
                        "is longer than %d characters", XML_TRACK_FIELD_MAX);
        }
        snprintf(st->number, sizeof st->number, "%s", id != NULL ? (const char *)id : "");
        xmlFree(id);
        return 0;
    }
    if ((is(name, "TrackSummary") || is(name, "TrackDetail")) && is(parent, "TrackInfo"))
        return usps_event(st, err);
    return 0;
}

static int dhl_event(struct stream *st, struct err *err)
{
    struct fields *f = &st->f;
    struct want w[] = {
        ONE("ServiceEvent/EventCode", f->code),
        WANT("ServiceEvent/Description", f->text),
        ONE("Date", f->date),
        ONE("Time", f->time),
        ONE("GMTOffset", f->offset),
        WANT("ServiceArea/Description", f->location),
    };
    int line;

    if (read_subtree(st, w, COUNT(w), &line, err) < 0)
        return -1;
    snprintf(f->number, sizeof f->number, "%s", st->number);
    return emit(st, line, track_map_code(TRACK_FMT_DHL, f->code), err) == 0 ? 1 : -1;
}

static int dhl_start(struct stream *st, const char *name, const char *parent, struct err *err)
{
    if (is(name, "AWBInfo")) {
        st->number[0] = '\0';
        st->number_seen = 0;
        return 0;
    }
    if (is(name, "AWBNumber") && is(parent, "AWBInfo"))
        return once(st, &st->number_seen, "AWBInfo", err) != 0 ?
                   -1 :
                   read_text(st, st->number, sizeof st->number, err);
    if (is(name, "MessageReference") && is(parent, "ServiceHeader"))
        return once(st, &st->id_seen, "document", err) != 0 ?
                   -1 :
                   read_text(st, st->doc->doc_id, sizeof st->doc->doc_id, err);
    if (is(name, "ShipmentEvent") && is(parent, "ShipmentInfo"))
        return dhl_event(st, err);
    return 0;
}

static int ubl_event(struct stream *st, struct err *err)
{
    struct fields *f = &st->f;
    char sscc[FIELD] = "", id[FIELD] = "", shipment[FIELD] = "", type[FIELD] = "";
    struct want w[] = {
        ONE("TransportEventTypeCode", type),
        ONE("CurrentStatus/StatusReasonCode", f->code),
        WANT("Description", f->text),
        ONE("OccurrenceDate", f->date),
        ONE("OccurrenceTime", f->time),
        WANT("Location/Description", f->location),
        ONE("ReportedShipment/TransportHandlingUnit/ID", sscc),
        ONE("ReportedShipment/ID", id),
        ONE("ReportedShipment", shipment), /* only whether it is there */
    };
    int line;

    if (read_subtree(st, w, COUNT(w), &line, err) < 0)
        return -1;
    f->offset[0] = '\0';
    if (w[COUNT(w) - 1].state != 0) {
        snprintf(f->number, sizeof f->number, "%s", sscc[0] != '\0' ? sscc : id);
    } else if (st->n_consignments > 1) {
        return fail(err, line, ERR_INVALID, "tracking_number",
                    "the event names no ReportedShipment and the document has several "
                    "consignments");
    } else {
        snprintf(f->number, sizeof f->number, "%s",
                 st->c_sscc[0] != '\0'    ? st->c_sscc :
                 st->c_carrier[0] != '\0' ? st->c_carrier :
                                            st->c_id);
    }
    /* the canon event is the type code (listID rmad-track-canon); the raw code kept is the
     * carrier's StatusReasonCode when there is one, else the type code: rmad's own
     * TransportationStatus (canon + the stored raw code) imports as the same events again */
    if (f->code[0] == '\0')
        snprintf(f->code, sizeof f->code, "%s", type);
    return emit(st, line, track_map_code(TRACK_FMT_UBL, type), err) == 0 ? 1 : -1;
}

static int ubl_start(struct stream *st, int depth, int rd, const char *name, const char *parent,
                     struct err *err)
{
    const char *ns = (const char *)xmlTextReaderConstNamespaceUri(st->r);
    bool cac = is(ns, XML_NS_CAC), cbc = is(ns, XML_NS_CBC);

    if (rd == 1 && cbc && is(name, "ID"))
        return once(st, &st->id_seen, "document", err) != 0 ?
                   -1 :
                   read_text(st, st->doc->doc_id, sizeof st->doc->doc_id, err);
    if (rd == 1 && cac && is(name, "Consignment")) {
        st->n_consignments++;
        st->c_id[0] = st->c_carrier[0] = st->c_sscc[0] = '\0';
        st->c_id_seen = st->c_carrier_seen = st->c_sscc_seen = 0;
        return 0;
    }
    if (rd == 1 && cac && is(name, "TransportEvent"))
        return ubl_event(st, err);
    if (rd == 2 && cbc && is(parent, "Consignment") && is(name, "ID"))
        return once(st, &st->c_id_seen, "Consignment", err) != 0 ?
                   -1 :
                   read_text(st, st->c_id, sizeof st->c_id, err);
    if (rd == 2 && cbc && is(parent, "Consignment") && is(name, "CarrierAssignedID"))
        return once(st, &st->c_carrier_seen, "Consignment", err) != 0 ?
                   -1 :
                   read_text(st, st->c_carrier, sizeof st->c_carrier, err);
    if (rd == 3 && cbc && is(name, "ID") && is(parent, "TransportHandlingUnit") &&
        is(st->names[depth - 2], "Consignment"))
        return once(st, &st->c_sscc_seen, "Consignment", err) != 0 ?
                   -1 :
                   read_text(st, st->c_sscc, sizeof st->c_sscc, err);
    return 0;
}

/* The format root: sets doc->fmt (or pending for TrackResponse); -1 when it is none. */
static int detect(struct stream *st, int depth, const char *name, struct err *err)
{
    const char *ns = (const char *)xmlTextReaderConstNamespaceUri(st->r);
    int line = node_line(xmlTextReaderCurrentNode(st->r));

    st->root_depth = depth;
    if (is(name, "TrackResponse")) {
        st->pending = true;
        return 0;
    }
    if (is(name, "TrackReply"))
        st->doc->fmt = TRACK_FMT_FEDEX;
    else if (is(name, "TrackingResponse"))
        st->doc->fmt = TRACK_FMT_DHL;
    else if (is(name, "TransportationStatus") && is(ns, XML_NS_TRANSPORTATION_STATUS))
        st->doc->fmt = TRACK_FMT_UBL;
    else
        return fail(err, line, ERR_INVALID, "document",
                    "is not a UPS, FedEx, USPS, DHL or UBL tracking document");
    st->detected = true;
    return 0;
}

/* One element start: 1 when its subtree was consumed, 0 to read on, -1 on error. */
static int on_element(struct stream *st, struct err *err)
{
    int depth = xmlTextReaderDepth(st->r);
    const char *name = (const char *)xmlTextReaderConstLocalName(st->r);
    const char *parent;
    int rd;

    if (depth < 0 || depth >= XML_TRACK_DEPTH_MAX)
        return fail(err, node_line(xmlTextReaderCurrentNode(st->r)), ERR_INVALID, "document",
                    "nests elements more than %d deep", XML_TRACK_DEPTH_MAX);
    if (name == NULL)
        name = "";
    snprintf(st->names[depth], sizeof st->names[depth], "%s", name);
    parent = depth > 0 ? st->names[depth - 1] : "";
    if (!st->detected && !st->pending) {
        if (depth == 0 || (st->soap && depth == 2))
            st->root_line = node_line(xmlTextReaderCurrentNode(st->r));
        if (depth == 0 && is(name, "Envelope")) {
            st->soap = true;
            return 0;
        }
        if (st->soap && depth == 1)
            return is(name, "Body") ? 0 : 1; /* the SOAP Header is not ours */
        if (st->soap && (depth != 2 || !is(parent, "Body")))
            return 1;
        return detect(st, depth, name, err);
    }
    rd = depth - st->root_depth;
    if (rd <= 0)
        return 1; /* a second element in the SOAP Body: not ours */
    if (st->pending) {
        st->pending = false;
        st->detected = true;
        st->doc->fmt = is(name, "TrackInfo") ? TRACK_FMT_USPS : TRACK_FMT_UPS;
    }
    switch (st->doc->fmt) {
    case TRACK_FMT_UPS:
        return ups_start(st, name, parent, err);
    case TRACK_FMT_FEDEX:
        return fedex_start(st, name, parent, err);
    case TRACK_FMT_USPS:
        return usps_start(st, rd, name, parent, err);
    case TRACK_FMT_DHL:
        return dhl_start(st, name, parent, err);
    case TRACK_FMT_UBL:
        return ubl_start(st, depth, rd, name, parent, err);
    }
    return 0;
}

/* What the prolog check saw. */
struct prolog {
    bool doctype;
    int line;
};

/* SAX of the prolog check: "<!DOCTYPE" was read; nothing after it is parsed. */
static void prolog_doctype(void *data, const xmlChar *name, const xmlChar *external_id,
                           const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = data;
    struct prolog *pr = ctxt->_private;

    (void)name;
    (void)external_id;
    (void)system_id;
    pr->doctype = true;
    pr->line = ctxt->input != NULL ? ctxt->input->line : 0;
    xmlStopParser(ctxt);
}

/* SAX of the prolog check: the root element starts, so the prolog had no DOCTYPE. */
static void prolog_root(void *data, const xmlChar *localname, const xmlChar *prefix,
                        const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                        int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    (void)localname;
    (void)prefix;
    (void)uri;
    (void)nb_namespaces;
    (void)namespaces;
    (void)nb_attributes;
    (void)nb_defaulted;
    (void)attributes;
    xmlStopParser(data);
}

static void prolog_error(void *data, xmlErrorPtr e)
{
    (void)data;
    (void)e;
}

/*
 * Refuses a document with a DOCTYPE before the reader sees any of it: a push parser with only
 * two SAX callbacks reads the prolog and stops at "<!DOCTYPE" (before any declaration of the
 * internal subset) or at the root element's start tag.  Other errors are the reader's to
 * report, with their lines.
 */
static int refuse_doctype(const char *buf, size_t len, struct err *err)
{
    xmlSAXHandler sax;
    xmlParserCtxtPtr ctxt;
    struct prolog pr = {0};
    size_t off, first = len < 4 ? len : 4;

    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.internalSubset = prolog_doctype;
    sax.startElementNs = prolog_root;
    sax.serror = prolog_error;
    ctxt = xmlCreatePushParserCtxt(&sax, NULL, buf, (int)first, NULL);
    if (ctxt == NULL)
        return err_set(err, ERR_INTERNAL, NULL, "cannot read the tracking document");
    ctxt->_private = &pr;
    xmlCtxtUseOptions(ctxt, PARSE_OPTIONS);
    for (off = first; off < len && !ctxt->disableSAX && ctxt->instate != XML_PARSER_EOF;) {
        size_t n = len - off < 4096 ? len - off : 4096;

        if (xmlParseChunk(ctxt, buf + off, (int)n, 0) != 0 && !pr.doctype)
            break;
        off += n;
    }
    xmlFreeParserCtxt(ctxt);
    if (pr.doctype)
        return fail(err, pr.line, ERR_BAD_REQUEST, "doctype",
                    "a document type declaration is not allowed");
    return 0;
}

int xml_tracking_stream(const char *buf, size_t len, const struct tz *zone,
                        int (*cb)(void *ctx, const struct track_event *ev, struct err *err),
                        void *ctx, struct track_doc *doc, struct err *err)
{
    struct stream *st;
    int rc, step = 0;

    memset(doc, 0, sizeof *doc);
    if (len > INT32_MAX)
        return err_set(err, ERR_TOO_LARGE, "document", "is too large");
    if (xml_prescan(buf, len, err) != 0 || refuse_doctype(buf, len, err) != 0)
        return -1;
    st = xcalloc(1, sizeof *st);
    st->zone = zone;
    st->cb = cb;
    st->ctx = ctx;
    st->doc = doc;
    st->r = xmlReaderForMemory(buf, (int)len, NULL, NULL, PARSE_OPTIONS);
    if (st->r == NULL) {
        free(st);
        return err_set(err, ERR_INTERNAL, NULL, "cannot read the tracking document");
    }
    xmlTextReaderSetStructuredErrorHandler(st->r, reader_error, st);
    rc = xmlTextReaderRead(st->r);
    while (rc == 1) {
        int type = xmlTextReaderNodeType(st->r);

        if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
            step = fail(err, xmlTextReaderGetParserLineNumber(st->r), ERR_BAD_REQUEST, "doctype",
                        "a document type declaration is not allowed");
            break;
        }
        step = type == XML_READER_TYPE_ELEMENT ? on_element(st, err) : 0;
        if (step < 0)
            break;
        rc = step == 1 ? xmlTextReaderNext(st->r) : xmlTextReaderRead(st->r);
    }
    if (step >= 0 && rc < 0)
        step =
            fail(err, st->error_line > 0 ? st->error_line : xmlTextReaderGetParserLineNumber(st->r),
                 ERR_BAD_REQUEST, "document", "is not well-formed xml");
    if (step >= 0 && !st->detected)
        step = fail(err, st->root_line, ERR_INVALID, "document",
                    "is not a UPS, FedEx, USPS, DHL or UBL tracking document");
    xmlFreeTextReader(st->r);
    free(st);
    return step < 0 ? -1 : 0;
}

/* ---- outbound TransportationStatus ---- */

/* Whether s is at most a field long (what XML cannot carry writer_text() replaces). */
static int check_text(const char *s, const char *field, bool required, size_t max, struct err *err)
{
    if (s == NULL || s[0] == '\0')
        return required ? err_set(err, ERR_INTERNAL, field, "is required") : 0;
    if (strlen(s) > max)
        return err_set(err, ERR_INTERNAL, field, "is longer than %zu bytes", max);
    return 0;
}

static int check_status(const struct track_status_doc *d, struct err *err)
{
    if (check_text(d->id, "id", true, XML_TRACK_FIELD_MAX, err) ||
        check_text(d->tracking_number, "tracking_number", true, XML_TRACK_FIELD_MAX, err) ||
        check_text(d->sscc, "sscc", false, XML_TRACK_FIELD_MAX, err))
        return -1;
    if (d->sscc != NULL && d->sscc[0] != '\0' &&
        (strlen(d->sscc) != 18 || strspn(d->sscc, "0123456789") != 18))
        return err_set(err, ERR_INTERNAL, "sscc", "must be 18 digits");
    if (d->n_events == 0 || d->events == NULL)
        return err_set(err, ERR_INTERNAL, "events", "at least one event is required");
    for (size_t i = 0; i < d->n_events; i++) {
        const struct track_status_event *e = &d->events[i];

        if (check_text(e->code, "event.code", false, XML_TRACK_FIELD_MAX, err) ||
            check_text(e->text, "event.text", false, XML_TRACK_FIELD_MAX, err) ||
            check_text(e->location, "event.location", false, XML_TRACK_LOCATION_MAX, err))
            return -1;
        if (e->at < 0 || e->at > INT64_C(253402300799))
            return err_set(err, ERR_INTERNAL, "event.time", "is out of range");
    }
    if (d->issued_at < 0 || d->issued_at > INT64_C(253402300799))
        return err_set(err, ERR_INTERNAL, "issued_at", "is out of range");
    return 0;
}

/* "YYYY-MM-DD" and "HH:MM:SSZ" of instant t (UTC). */
static void utc_parts(int64_t t, char date[16], char time[16])
{
    int64_t days = t / 86400, secs = t % 86400;
    int y, m, d;

    tz_civil_from_days(days, &y, &m, &d);
    snprintf(date, 16, "%04d-%02d-%02d", y, m, d);
    snprintf(time, 16, "%02d:%02d:%02dZ", (int)(secs / 3600), (int)(secs / 60 % 60),
             (int)(secs % 60));
}

static void status_event(struct writer *wr, const struct track_status_event *e)
{
    char date[16], time[16];

    utc_parts(e->at, date, time);
    writer_start(wr, "cac:TransportEvent");
    writer_text(wr, "cbc:OccurrenceDate", date);
    writer_text(wr, "cbc:OccurrenceTime", time);
    writer_start(wr, "cbc:TransportEventTypeCode");
    writer_note(wr,
                xmlTextWriterWriteAttribute(wr->w, BAD_CAST "listID", BAD_CAST "rmad-track-canon"));
    writer_note(wr, xmlTextWriterWriteString(wr->w, BAD_CAST track_canon_name(e->canon)));
    writer_end(wr);
    writer_text(wr, "cbc:Description", e->text);
    if (e->code != NULL && e->code[0] != '\0') {
        writer_start(wr, "cac:CurrentStatus");
        writer_text(wr, "cbc:StatusReasonCode", e->code);
        writer_end(wr);
    }
    if (e->location != NULL && e->location[0] != '\0') {
        writer_start(wr, "cac:Location");
        writer_text(wr, "cbc:Description", e->location);
        writer_end(wr);
    }
    writer_end(wr);
}

static void transportation_status(struct writer *wr, const struct track_status_doc *d)
{
    char date[16], time[16];

    utc_parts(d->issued_at, date, time);
    writer_note(wr, xmlTextWriterStartElementNS(wr->w, NULL, BAD_CAST "TransportationStatus",
                                                BAD_CAST XML_NS_TRANSPORTATION_STATUS));
    writer_note(wr, xmlTextWriterWriteAttribute(wr->w, BAD_CAST "xmlns:cac", BAD_CAST XML_NS_CAC));
    writer_note(wr, xmlTextWriterWriteAttribute(wr->w, BAD_CAST "xmlns:cbc", BAD_CAST XML_NS_CBC));
    writer_text(wr, "cbc:UBLVersionID", "2.1");
    writer_text(wr, "cbc:CustomizationID", XML_TRACK_CUSTOMIZATION);
    writer_text(wr, "cbc:ID", d->id);
    writer_text(wr, "cbc:IssueDate", date);
    writer_text(wr, "cbc:IssueTime", time);
    writer_start(wr, "cac:Consignment");
    writer_text(wr, "cbc:ID", d->tracking_number);
    writer_text(wr, "cbc:CarrierAssignedID", d->tracking_number);
    if (d->sscc != NULL && d->sscc[0] != '\0') {
        writer_start(wr, "cac:TransportHandlingUnit");
        writer_start(wr, "cbc:ID");
        writer_note(wr, xmlTextWriterWriteAttribute(wr->w, BAD_CAST "schemeID", BAD_CAST "SSCC"));
        writer_note(wr, xmlTextWriterWriteString(wr->w, BAD_CAST d->sscc));
        writer_end(wr);
        writer_end(wr);
    }
    writer_end(wr);
    for (size_t i = 0; i < d->n_events; i++)
        status_event(wr, &d->events[i]);
    writer_end(wr);
}

int xml_write_transportation_status(const struct track_status_doc *d, char **out, size_t *len,
                                    struct err *err)
{
    struct writer wr = {0};
    xmlBufferPtr buf;

    if (check_status(d, err) != 0 || writer_open(&wr, &buf, "transportation status", err) != 0)
        return -1;
    transportation_status(&wr, d);
    return writer_close(&wr, buf, "transportation status", out, len, err);
}

/*
 * xml/tracking: the carrier tracking documents, read as a stream of canonical events.
 *
 * One adapter per format (UPS TrackResponse, FedEx TrackReply, USPS TrackResponse/TrackInfo,
 * DHL TrackingResponse, UBL TransportationStatus), all read with xmlTextReader from memory so a
 * 100,000-parcel batch never becomes a DOM.  The untrusted-XML rules of DESIGN.md hold: no
 * DOCTYPE (refused), no entities, no network, no file reads; errors carry the input line and
 * never the parser's text.
 *
 * Time: a carrier time with an offset (or Z) is an instant; one without an offset is read in the
 * carrier's configured zone (zone may be NULL: then it is refused, ERR_INVALID field
 * "event.time").  A local time in the hour skipped by a DST change is refused; one in the
 * repeated hour takes the earlier instant and sets ambiguous, so the importer can log it.
 */
#ifndef XML_TRACKING_H
#define XML_TRACKING_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/tracking.h"
#include "core/tz.h"

struct track_event {
    const char *tracking_number; /* carrier's number, or an 18-digit SSCC for UBL */
    const char *code;            /* the carrier's raw code, as sent */
    const char *text;            /* the carrier's description, may be "" */
    const char *location;        /* city/country as sent, may be "" */
    enum track_canon canon;      /* track_map_code(fmt, code) */
    int64_t at;                  /* the instant, seconds since the epoch */
    int offset_known;            /* 1 when the document gave an offset */
    int ambiguous;               /* 1 when a local time fell in a repeated DST hour */
    int line;                    /* input line of the event */
};

/* The document's identity: format, document ID (for the (sender, type, ID) key), count. */
struct track_doc {
    enum track_carrier_format fmt;
    char doc_id[128]; /* the document's own ID when it has one, else "" */
};

/*
 * xml_tracking_stream: reads buf[len], detects the format from the root element, fills *doc and
 * calls cb once per event in document order.  The strings in an event live only until cb
 * returns.  cb returns 0 to go on or -1 (with err set) to stop.  Returns 0, or -1 with err set
 * (ERR_INVALID with err->line for a bad document or event; whatever cb set).
 */
int xml_tracking_stream(const char *buf, size_t len, const struct tz *zone,
                        int (*cb)(void *ctx, const struct track_event *ev, struct err *err),
                        void *ctx, struct track_doc *doc, struct err *err);

#endif

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
    const char *location;        /* "city, state, country" as sent (the parts given), at most
                                    XML_TRACK_LOCATION_MAX bytes, may be "" */
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

/* Limits of one tracking document (beyond them: ERR_INVALID / ERR_TOO_LARGE, see below). */
/* bytes of one text field we read; of a location (city, state, country joined by ", ") */
#define XML_TRACK_FIELD_MAX 256
#define XML_TRACK_LOCATION_MAX (3 * XML_TRACK_FIELD_MAX + 4)
#define XML_TRACK_DEPTH_MAX 32       /* element nesting */
#define XML_TRACK_EVENTS_MAX 2000000 /* events in one document */

/* Namespace of UBL 2.1 TransportationStatus, and our profile's CustomizationID. */
#define XML_NS_TRANSPORTATION_STATUS                                                               \
    "urn:oasis:names:specification:ubl:schema:xsd:TransportationStatus-2"
#define XML_TRACK_CUSTOMIZATION "urn:rmad:ubl:transportation-status:1"

/*
 * Errors of xml_tracking_stream (err->line is the input line whenever one is known):
 *   ERR_INVALID  field "doctype": the document has a DOCTYPE (refused before anything else);
 *                field "document": not well-formed XML, or a root element that is none of the
 *                five formats, or nesting deeper than XML_TRACK_DEPTH_MAX;
 *                field "tracking_number": an event whose parcel has no number;
 *                field "event.time": a missing, malformed or impossible time, a local time
 *                without a zone, a local time in a DST gap;
 *                field <element name>: a text longer than XML_TRACK_FIELD_MAX bytes;
 *   ERR_TOO_LARGE field "events": more than XML_TRACK_EVENTS_MAX events.
 * Parser text never reaches err.  The callback runs for the events before the bad one: the
 * importer must treat the whole document as failed (one transaction).
 *
 * doc->fmt is set before the first callback, and so is doc->doc_id whenever the document gives
 * its ID before its events, as all five formats do (UPS Response/TransactionReference/
 * CustomerContext, FedEx TransactionDetail/CustomerTransactionId, DHL ServiceHeader/
 * MessageReference, UBL cbc:ID; USPS has none: "").  A document is refused before the reader
 * runs when its prolog has a DOCTYPE (a push parser that stops at "<!DOCTYPE" or at the root).
 * Memory: nothing is ever expanded into a tree, events included; libxml2 holds some 30 kB
 * whatever the document (measured in test_xml_tracking: 200,000 events in 38 MB, and one event
 * of 2,000,000 elements); speed about that of xmllint --stream.
 *
 * What is read, per format (elements matched by local name):
 *   UPS    TrackResponse/Shipment[/Package]/Activity: Status/StatusType/Code (else
 *          Status/StatusCode/Code; a StatusCode that says out for delivery or attempted refines
 *          an "I" or "X"), Status/StatusType/Description, ActivityLocation/Address (City,
 *          StateProvinceCode, CountryCode), Date + Time [+ GMTOffset]; number
 *          Package/TrackingNumber, else Shipment/ShipmentIdentificationNumber.
 *   FedEx  TrackReply (also inside a SOAP Envelope/Body) .../TrackDetails/Events: EventType,
 *          EventDescription, Timestamp, Address (City, StateOrProvinceCode, CountryCode);
 *          number TrackDetails/TrackingNumber.
 *   USPS   TrackResponse/TrackInfo[@ID]/TrackSummary and TrackDetail: EventCode, Event,
 *          EventDate + EventTime, EventCity, EventState, EventCountry.
 *   DHL    TrackingResponse/AWBInfo[AWBNumber]/ShipmentInfo/ShipmentEvent: Date + Time
 *          [+ GMTOffset], ServiceEvent/EventCode, ServiceEvent/Description,
 *          ServiceArea/Description.
 *   UBL    TransportationStatus (cbc:ID is doc_id): each cac:TransportEvent with
 *          TransportEventTypeCode (our canonical names), OccurrenceDate + OccurrenceTime,
 *          Description, Location/Description; its parcel is ReportedShipment
 *          (TransportHandlingUnit/ID, else ID) when given, else the document's one Consignment
 *          (TransportHandlingUnit/ID (SSCC), else CarrierAssignedID, else ID).
 */

/* ---- outbound: one UBL TransportationStatus per parcel ---- */

struct track_status_event {
    enum track_canon canon; /* written as TransportEventTypeCode (track_canon_name) */
    const char *code;       /* the carrier's raw code (CurrentStatus/StatusReasonCode), may be
                               NULL or "" */
    const char *text;       /* the carrier's text (Description), may be NULL or "" */
    const char *location;   /* Location/Description (at most XML_TRACK_LOCATION_MAX bytes),
                               may be NULL or "" */
    int64_t at;             /* written as OccurrenceDate + OccurrenceTime in UTC ("Z") */
};

struct track_status_doc {
    const char *id;              /* the document's cbc:ID, required */
    int64_t issued_at;           /* IssueDate + IssueTime, UTC */
    const char *tracking_number; /* Consignment/ID and CarrierAssignedID, required */
    const char *sscc;            /* Consignment/TransportHandlingUnit/ID (schemeID "SSCC"),
                                    18 digits, may be NULL */
    const struct track_status_event *events;
    size_t n_events; /* at least one */
};

/*
 * xml_write_transportation_status: d as one UBL 2.1 TransportationStatus that validates against
 * the OASIS UBL-TransportationStatus-2.1.xsd and our profile
 * src/xml/schemas/rmad-ubl-transportation-status.xsd.  Element order is the XSD's:
 *   UBLVersionID, CustomizationID, ID, IssueDate, IssueTime, Consignment (ID,
 *   CarrierAssignedID, TransportHandlingUnit/ID), TransportEvent* (OccurrenceDate,
 *   OccurrenceTime, TransportEventTypeCode, Description, CurrentStatus/StatusReasonCode,
 *   Location/Description).
 * On success returns 0 and sets *out to a NUL-terminated UTF-8 buffer of *len bytes that the
 * caller frees with free().  Returns -1 with ERR_INTERNAL naming the field when a required field
 * is missing, the SSCC is not 18 digits, or a text is not valid UTF-8 XML can carry (or longer
 * than XML_TRACK_FIELD_MAX, XML_TRACK_LOCATION_MAX for a location); *out is then left alone.
 * Thread-safe; no database.
 */
int xml_write_transportation_status(const struct track_status_doc *d, char **out, size_t *len,
                                    struct err *err);

#endif

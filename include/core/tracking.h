/*
 * tracking: the canonical carrier events (DESIGN.md, XML exchange) and what they do to a parcel.
 *
 * Every carrier format (UPS, FedEx, USPS, DHL, UBL TransportationStatus) is mapped by its adapter
 * onto one of these.  A code no table knows becomes TRACK_UNKNOWN: kept with its raw code and
 * text, logged, and it moves nothing.
 *
 * What an event does to a parcel (tracking_parcel_next) is a rule of the domain:
 *   - events are applied in time order; one older than the parcel's last applied event is kept
 *     in the history but moves nothing;
 *   - a delivered parcel never moves back (a later "in transit" is kept, moves nothing);
 *   - for an inbound parcel (customer -> depot) the carrier's "picked up" / "in transit" move the
 *     inbound leg label_issued -> in_transit; the carrier's "delivered" is NOT our "received"
 *     (only the dock scan receives), it is recorded as carrier_delivered on the parcel only;
 *   - for an outbound parcel (depot -> customer) picked up / in transit move the outbound leg
 *     manifested | packed -> shipped, delivered -> delivered, returned to sender ->
 *     returned_to_sender, exception / attempted -> delivery_exception only when final
 *     (returned, lost), otherwise they are history.
 */
#ifndef CORE_TRACKING_H
#define CORE_TRACKING_H

#include <stdbool.h>

#include "core/err.h"

enum track_canon {
    TRACK_UNKNOWN,
    TRACK_LABEL_CREATED,
    TRACK_PICKED_UP,
    TRACK_IN_TRANSIT,
    TRACK_OUT_FOR_DELIVERY,
    TRACK_ATTEMPTED,
    TRACK_DELIVERED,
    TRACK_EXCEPTION,
    TRACK_RETURNED_TO_SENDER,
    TRACK_LOST,
};

/* "unknown", "label_created", "picked_up", "in_transit", "out_for_delivery", "attempted",
 * "delivered", "exception", "returned_to_sender", "lost" */
const char *track_canon_name(enum track_canon c);
int track_canon_parse(const char *s, const char *field, enum track_canon *out, struct err *err);

enum track_carrier_format {
    TRACK_FMT_UPS,   /* UPS TrackResponse */
    TRACK_FMT_FEDEX, /* FedEx TrackReply */
    TRACK_FMT_USPS,  /* USPS TrackResponse / TrackInfo */
    TRACK_FMT_DHL,   /* DHL TrackingResponse (XML-PI) */
    TRACK_FMT_UBL,   /* UBL 2.1 TransportationStatus (codes are our canonical names) */
};

/* The canonical event for a carrier's raw status code (TRACK_UNKNOWN when no table row). */
enum track_canon track_map_code(enum track_carrier_format fmt, const char *code);

#endif

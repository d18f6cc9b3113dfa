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
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/rma.h"
#include "core/tz.h"

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

/* ---- what an event does to a parcel ---- */

enum track_direction {
    TRACK_INBOUND,  /* customer -> depot: the line's inbound leg */
    TRACK_OUTBOUND, /* depot -> customer: the line's outbound leg */
};

/* What the importer knows of one parcel before applying an event. */
struct track_parcel {
    enum track_direction dir;
    const char *leg_state; /* the leg's current state, e.g. "label_issued", "manifested" */
    bool delivered;        /* the carrier already said delivered (carrier_delivered, or an
                              outbound leg that is delivered or returned_to_sender) */
    bool has_last;         /* whether an event was applied before */
    int64_t last_at;       /* the instant of the last applied event (when has_last) */
};

enum track_step_kind {
    TRACK_STEP_HISTORY,           /* keep the event in the history, move nothing */
    TRACK_STEP_LEG,               /* apply events[0..n_events) to the leg, in order */
    TRACK_STEP_CARRIER_DELIVERED, /* mark the parcel carrier_delivered (events may be set too) */
};

/* Why an event is history only (TRACK_WHY_MOVES when it is not). */
enum track_why {
    TRACK_WHY_MOVES,     /* it moves the leg or marks the parcel */
    TRACK_WHY_OLDER,     /* older than the parcel's last applied event */
    TRACK_WHY_DELIVERED, /* the parcel is already delivered: it never moves back */
    TRACK_WHY_UNKNOWN,   /* an unknown carrier code moves nothing */
    TRACK_WHY_NO_MOVE,   /* this event does not move a leg in this state (e.g. in transit twice) */
};

struct track_step {
    enum track_step_kind kind;
    enum leg_event events[2]; /* leg events in order: e.g. ship then deliver when the feed
                                 says delivered of a parcel never scanned as picked up */
    size_t n_events;
    bool carrier_delivered; /* set the parcel's carrier_delivered mark */
    bool advance;           /* the event is not older: its time becomes the parcel's last
                               applied event time (history-only events too, e.g. exception) */
    enum track_why why;
};

/*
 * tracking_parcel_next: what the event (canon at instant at) does to parcel p, following the
 * rules of the header comment:
 *   - at < p->last_at (when p->has_last): history, TRACK_WHY_OLDER, advance false;
 *   - p->delivered: history, TRACK_WHY_DELIVERED (a later "in transit" moves nothing);
 *   - unknown and label_created: history;
 *   - inbound: picked_up / in_transit / out_for_delivery move label_issued -> in_transit
 *     (LEG_EV_PICKUP); delivered is TRACK_STEP_CARRIER_DELIVERED (with LEG_EV_PICKUP first when
 *     the leg is still label_issued), never LEG_EV_RECEIVE; everything else is history;
 *   - outbound (leg packed | manifested | shipped | delivery_exception):
 *     picked_up / in_transit / out_for_delivery / attempted: packed | manifested -> ship;
 *     delivered: [ship,] deliver, plus carrier_delivered;
 *     returned_to_sender: [ship,] return_to_sender; lost: [ship,] delivery_exception;
 *     exception and attempted are history otherwise (not final).
 * Every event that is not older sets advance.  Pure; never fails.
 */
void tracking_parcel_next(const struct track_parcel *p, enum track_canon canon, int64_t at,
                          struct track_step *out);
const char *track_why_name(enum track_why why);

/* ---- carrier times ---- */

/* A carrier's time as written: a local date and time, with the UTC offset when it gave one. */
struct track_time {
    struct tz_local local;
    bool has_offset;
    int32_t offset; /* seconds east of UTC, when has_offset */
};

/*
 * The carriers' formats.  Each returns 0, or -1 with ERR_INVALID field "event.time" when a part
 * is missing, not the format, or out of range (month 1-12, the day within its month, Feb 29 only
 * in leap years, hour 0-23 (24:00 is refused), minute 0-59, second 0-59, offset within 18 h).
 *   track_time_ups    date "YYYYMMDD", time "HHMMSS" (or "HHMM")
 *   track_time_iso    "YYYY-MM-DDTHH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]" (FedEx Timestamp)
 *   track_time_usps   date "May 21, 2026" (full or 3-letter English month), time "2:54 pm"
 *   track_time_dhl    date "YYYY-MM-DD", time "HH:MM:SS" (or "HH:MM"), gmt_offset NULL or ""
 *                     or "+HH:MM" / "-HHMM" / "+HH"
 *   track_time_xsd    UBL cbc:OccurrenceDate "YYYY-MM-DD" and cbc:OccurrenceTime
 *                     "HH:MM:SS[.fraction][Z|+HH:MM]"
 */
int track_time_ups(const char *date, const char *time, struct track_time *out, struct err *err);
int track_time_iso(const char *s, struct track_time *out, struct err *err);
int track_time_usps(const char *date, const char *time, struct track_time *out, struct err *err);
int track_time_dhl(const char *date, const char *time, const char *gmt_offset,
                   struct track_time *out, struct err *err);
int track_time_xsd(const char *date, const char *time, struct track_time *out, struct err *err);

/*
 * track_time_offset: sets t's offset from s ("Z", "+HH:MM", "-HHMM" or "+HH"), for the formats
 * that give the offset in a field of its own (UPS Activity/GMTOffset).  0, or -1 with
 * ERR_INVALID field "event.time".
 */
int track_time_offset(const char *s, struct track_time *t, struct err *err);

/*
 * track_time_instant: the instant t names.  With an offset it is exact.  Without one it is read
 * in zone: ERR_INVALID field "event.time" when zone is NULL ("has no offset and the carrier has
 * no time zone") or when the local time does not exist (the hour skipped by a DST change); in
 * the repeated hour it takes the earlier instant and sets *ambiguous to 1 (else 0).
 */
int track_time_instant(const struct track_time *t, const struct tz *zone, int64_t *at,
                       int *ambiguous, struct err *err);

#endif

/*
 * tracking: the canonical carrier events, one code table per carrier format, the carriers' date
 * and time formats, and what an event does to a parcel (DESIGN.md, XML exchange).
 *
 * The tables are data: one row per carrier code the carrier documents, mapped onto the nine
 * canonical events.  A code that is not in its table is TRACK_UNKNOWN: the adapter keeps the
 * raw code and text and the importer logs it; it never moves a leg.  Codes are compared exactly
 * (carriers send them upper case; USPS codes are two characters, "01" not "1").
 *
 * Times: a carrier time with an offset is an instant; without one it is read in the carrier's
 * zone (tz_from_local), and a time in the skipped DST hour is refused, one in the repeated hour
 * takes the earlier instant and is flagged ambiguous.  Core reads no clock and no file.
 */
#include "core/tracking.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const canon_names[] = {
    [TRACK_UNKNOWN] = "unknown",
    [TRACK_LABEL_CREATED] = "label_created",
    [TRACK_PICKED_UP] = "picked_up",
    [TRACK_IN_TRANSIT] = "in_transit",
    [TRACK_OUT_FOR_DELIVERY] = "out_for_delivery",
    [TRACK_ATTEMPTED] = "attempted",
    [TRACK_DELIVERED] = "delivered",
    [TRACK_EXCEPTION] = "exception",
    [TRACK_RETURNED_TO_SENDER] = "returned_to_sender",
    [TRACK_LOST] = "lost",
};

const char *track_canon_name(enum track_canon c)
{
    return (size_t)c < COUNT(canon_names) ? canon_names[c] : "unknown";
}

int track_canon_parse(const char *s, const char *field, enum track_canon *out, struct err *err)
{
    for (size_t i = 0; s != NULL && i < COUNT(canon_names); i++) {
        if (strcmp(s, canon_names[i]) == 0) {
            *out = (enum track_canon)i;
            return 0;
        }
    }
    return err_set(err, ERR_INVALID, field != NULL ? field : "event",
                   "must be one of unknown, label_created, picked_up, in_transit, "
                   "out_for_delivery, attempted, delivered, exception, returned_to_sender, lost");
}

struct code_row {
    const char *code;
    enum track_canon canon;
};

/*
 * UPS TrackResponse: Activity/Status/StatusType/Code (one letter or two), and the common
 * Activity/Status/StatusCode/Code activity codes (two characters) the adapter consults to
 * refine an "I" or "X" (out for delivery, delivery attempted).
 */
static const struct code_row ups_codes[] = {
    /* StatusType/Code */
    {"M", TRACK_LABEL_CREATED},       /* manifest pickup: billing information received */
    {"MV", TRACK_EXCEPTION},          /* billing information voided */
    {"P", TRACK_PICKED_UP},           /* pickup */
    {"I", TRACK_IN_TRANSIT},          /* in transit */
    {"O", TRACK_OUT_FOR_DELIVERY},    /* out for delivery */
    {"D", TRACK_DELIVERED},           /* delivered */
    {"X", TRACK_EXCEPTION},           /* exception */
    {"RS", TRACK_RETURNED_TO_SENDER}, /* returned to shipper */
    {"DO", TRACK_IN_TRANSIT},         /* delivered to the origin CFS (freight) */
    {"DD", TRACK_IN_TRANSIT},         /* delivered to the destination CFS (freight) */
    {"W", TRACK_IN_TRANSIT},          /* warehousing */
    /* StatusCode/Code (activity codes) */
    {"MP", TRACK_LABEL_CREATED}, /* order processed: ready for UPS */
    {"OR", TRACK_IN_TRANSIT},    /* origin scan */
    {"AR", TRACK_IN_TRANSIT},    /* arrival scan */
    {"DP", TRACK_IN_TRANSIT},    /* departure scan */
    {"AF", TRACK_IN_TRANSIT},    /* arrived at facility */
    {"OT", TRACK_OUT_FOR_DELIVERY},
    {"OF", TRACK_OUT_FOR_DELIVERY},
    {"KB", TRACK_DELIVERED},
    {"KM", TRACK_DELIVERED},
    {"FS", TRACK_DELIVERED},
    {"F4", TRACK_DELIVERED},
    {"2W", TRACK_DELIVERED}, /* picked up by the receiver at a UPS Access Point */
    {"48", TRACK_ATTEMPTED}, /* the receiver was not available at the first attempt */
    {"ZP", TRACK_RETURNED_TO_SENDER},
};

/* FedEx TrackReply: TrackDetails/Events/EventType and StatusDetail/Code. */
static const struct code_row fedex_codes[] = {
    {"OC", TRACK_LABEL_CREATED}, /* shipment information sent to FedEx */
    {"PU", TRACK_PICKED_UP},          {"PX", TRACK_PICKED_UP},  /* picked up (see details) */
    {"IT", TRACK_IN_TRANSIT},         {"IX", TRACK_IN_TRANSIT}, /* in transit (see details) */
    {"AR", TRACK_IN_TRANSIT},                                   /* arrived at a FedEx location */
    {"DP", TRACK_IN_TRANSIT},                                   /* departed a FedEx location */
    {"AA", TRACK_IN_TRANSIT},                                   /* at airport */
    {"AF", TRACK_IN_TRANSIT},                                   /* at a FedEx facility */
    {"AP", TRACK_IN_TRANSIT},                                   /* at pickup */
    {"AX", TRACK_IN_TRANSIT},                                   /* at a USPS facility */
    {"EA", TRACK_IN_TRANSIT},                                   /* enroute to airport */
    {"ED", TRACK_OUT_FOR_DELIVERY},                             /* enroute to delivery */
    {"EO", TRACK_IN_TRANSIT},                                   /* enroute to origin airport */
    {"FD", TRACK_IN_TRANSIT},                                   /* at FedEx destination */
    {"LO", TRACK_IN_TRANSIT},                                   /* left origin */
    {"OF", TRACK_IN_TRANSIT},                                   /* at FedEx origin facility */
    {"OX", TRACK_IN_TRANSIT}, /* shipment information sent to USPS */
    {"PF", TRACK_IN_TRANSIT}, /* plane in flight */
    {"PL", TRACK_IN_TRANSIT}, /* plane landed */
    {"PM", TRACK_IN_TRANSIT}, /* in progress */
    {"SF", TRACK_IN_TRANSIT}, /* at sort facility */
    {"TR", TRACK_IN_TRANSIT}, /* transfer */
    {"CC", TRACK_IN_TRANSIT}, /* cleared customs */
    {"CP", TRACK_IN_TRANSIT}, /* clearance in progress */
    {"CH", TRACK_IN_TRANSIT}, /* location changed */
    {"OD", TRACK_OUT_FOR_DELIVERY},   {"AD", TRACK_OUT_FOR_DELIVERY}, /* at delivery */
    {"DL", TRACK_DELIVERED},          {"DE", TRACK_EXCEPTION},        /* delivery exception */
    {"SE", TRACK_EXCEPTION},                                          /* shipment exception */
    {"CD", TRACK_EXCEPTION},                                          /* clearance delay */
    {"DD", TRACK_EXCEPTION},                                          /* delivery delay */
    {"DY", TRACK_EXCEPTION},                                          /* delay */
    {"PD", TRACK_EXCEPTION},                                          /* pickup delay */
    {"CA", TRACK_EXCEPTION},                                          /* shipment cancelled */
    {"HL", TRACK_ATTEMPTED}, /* hold at location: waits for the recipient */
    {"HP", TRACK_ATTEMPTED}, /* ready for recipient pickup */
    {"RS", TRACK_RETURNED_TO_SENDER}, {"RT", TRACK_RETURNED_TO_SENDER},
};

/* USPS TrackResponse/TrackInfo: TrackSummary and TrackDetail EventCode. */
static const struct code_row usps_codes[] = {
    {"MA", TRACK_LABEL_CREATED}, /* manifest acknowledgement (pre-shipment information) */
    {"GX", TRACK_LABEL_CREATED}, /* shipping label created, USPS awaiting item */
    {"03", TRACK_PICKED_UP},     /* accept or pickup */
    {"OA", TRACK_PICKED_UP},     /* accepted at USPS origin facility */
    {"TM", TRACK_PICKED_UP},     /* truck manifest: shipment acceptance */
    {"PA", TRACK_PICKED_UP},     /* passive acceptance */
    {"80", TRACK_PICKED_UP},     /* picked up by shipping partner */
    {"06", TRACK_IN_TRANSIT},    /* forwarded */
    {"07", TRACK_IN_TRANSIT},    /* arrival at unit */
    {"08", TRACK_IN_TRANSIT},    /* missent */
    {"10", TRACK_IN_TRANSIT},    /* processed */
    {"14", TRACK_IN_TRANSIT},    /* arrival at pickup point */
    {"15", TRACK_IN_TRANSIT},    /* mis-shipped */
    {"19", TRACK_IN_TRANSIT},    /* arrived at destination center */
    {"41", TRACK_IN_TRANSIT},    /* received at opening unit */
    {"42", TRACK_IN_TRANSIT},    /* USPS handoff to shipping partner */
    {"81", TRACK_IN_TRANSIT},    /* arrived at shipping partner facility */
    {"82", TRACK_IN_TRANSIT},    /* departed shipping partner facility */
    {"EF", TRACK_IN_TRANSIT},    /* departed sort facility */
    {"SF", TRACK_IN_TRANSIT},    /* departed post office */
    {"PC", TRACK_IN_TRANSIT},    /* sorting / processing complete */
    {"OF", TRACK_OUT_FOR_DELIVERY},
    {"01", TRACK_DELIVERED},
    {"17", TRACK_DELIVERED}, /* picked up by agent */
    {"43", TRACK_DELIVERED}, /* picked up at the post office */
    {"02", TRACK_ATTEMPTED}, /* attempted, notice left */
    {"16", TRACK_ATTEMPTED}, /* available for pickup */
    {"51", TRACK_ATTEMPTED}, /* business closed */
    {"52", TRACK_ATTEMPTED}, /* notice left */
    {"53", TRACK_ATTEMPTED}, /* receptacle blocked */
    {"54", TRACK_ATTEMPTED}, /* receptacle full / item oversized */
    {"55", TRACK_ATTEMPTED}, /* no secure location available */
    {"56", TRACK_ATTEMPTED}, /* no authorized recipient available */
    {"04", TRACK_EXCEPTION}, /* refused */
    {"05", TRACK_EXCEPTION}, /* undeliverable as addressed */
    {"44", TRACK_EXCEPTION}, /* customer recall */
    {"DX", TRACK_EXCEPTION}, /* delivery status not updated */
    {"09", TRACK_RETURNED_TO_SENDER},
    {"21", TRACK_RETURNED_TO_SENDER}, /* return to sender: no such number */
    {"22", TRACK_RETURNED_TO_SENDER}, /* insufficient address */
    {"23", TRACK_RETURNED_TO_SENDER}, /* moved, left no address */
    {"24", TRACK_RETURNED_TO_SENDER}, /* forward expired */
    {"25", TRACK_RETURNED_TO_SENDER}, /* addressee unknown */
    {"26", TRACK_RETURNED_TO_SENDER}, /* vacant */
    {"27", TRACK_RETURNED_TO_SENDER}, /* unclaimed */
    {"28", TRACK_RETURNED_TO_SENDER}, /* deceased */
    {"29", TRACK_RETURNED_TO_SENDER}, /* other */
    {"31", TRACK_RETURNED_TO_SENDER}, /* not picked up */
    {"11", TRACK_LOST},               /* dead letter */
};

/* DHL TrackingResponse (XML-PI): ShipmentEvent/ServiceEvent/EventCode (checkpoint codes). */
static const struct code_row dhl_codes[] = {
    {"SA", TRACK_LABEL_CREATED}, /* shipment acceptance (data received) */
    {"PU", TRACK_PICKED_UP},
    {"PL", TRACK_IN_TRANSIT}, /* processed at location */
    {"AF", TRACK_IN_TRANSIT}, /* arrived at facility */
    {"DF", TRACK_IN_TRANSIT}, /* departed facility */
    {"AR", TRACK_IN_TRANSIT}, /* arrived at the delivery facility */
    {"TR", TRACK_IN_TRANSIT}, /* transferred through */
    {"CI", TRACK_IN_TRANSIT}, /* facility check-in */
    {"CR", TRACK_IN_TRANSIT}, /* clearance released */
    {"IC", TRACK_IN_TRANSIT}, /* in clearance processing */
    {"SM", TRACK_IN_TRANSIT}, /* scheduled for movement */
    {"TP", TRACK_IN_TRANSIT}, /* forwarded to a third party */
    {"MS", TRACK_IN_TRANSIT}, /* mis-sort, re-routed */
    {"WC", TRACK_OUT_FOR_DELIVERY},
    {"OK", TRACK_DELIVERED},
    {"DD", TRACK_DELIVERED}, /* delivered damaged */
    {"NH", TRACK_ATTEMPTED}, /* not home */
    {"CA", TRACK_ATTEMPTED}, /* closed on arrival */
    {"CC", TRACK_ATTEMPTED}, /* awaiting collection by the recipient */
    {"MD", TRACK_ATTEMPTED}, /* missed delivery cycle */
    {"BA", TRACK_EXCEPTION}, /* bad address */
    {"RD", TRACK_EXCEPTION}, /* recipient refused delivery */
    {"CD", TRACK_EXCEPTION}, /* controllable clearance delay */
    {"UD", TRACK_EXCEPTION}, /* uncontrollable clearance delay */
    {"HP", TRACK_EXCEPTION}, /* held for payment */
    {"OH", TRACK_EXCEPTION}, /* on hold */
    {"SS", TRACK_EXCEPTION}, /* shipment stopped */
    {"TD", TRACK_EXCEPTION}, /* transport delay */
    {"ND", TRACK_EXCEPTION}, /* not delivered */
    {"RT", TRACK_RETURNED_TO_SENDER},
    {"RR", TRACK_RETURNED_TO_SENDER}, /* return to shipper requested and done */
    {"DS", TRACK_LOST},               /* destroyed / disposal */
};

static enum track_canon lookup(const struct code_row *rows, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].code, code) == 0)
            return rows[i].canon;
    return TRACK_UNKNOWN;
}

enum track_canon track_map_code(enum track_carrier_format fmt, const char *code)
{
    enum track_canon c = TRACK_UNKNOWN;

    if (code == NULL)
        return TRACK_UNKNOWN;
    switch (fmt) {
    case TRACK_FMT_UPS:
        return lookup(ups_codes, COUNT(ups_codes), code);
    case TRACK_FMT_FEDEX:
        return lookup(fedex_codes, COUNT(fedex_codes), code);
    case TRACK_FMT_USPS:
        return lookup(usps_codes, COUNT(usps_codes), code);
    case TRACK_FMT_DHL:
        return lookup(dhl_codes, COUNT(dhl_codes), code);
    case TRACK_FMT_UBL:
        for (size_t i = 1; i < COUNT(canon_names); i++)
            if (strcmp(code, canon_names[i]) == 0)
                c = (enum track_canon)i;
        return c;
    }
    return TRACK_UNKNOWN;
}

/* ---- what an event does to a parcel ---- */

static const char *const why_names[] = {
    [TRACK_WHY_MOVES] = "moves",         [TRACK_WHY_OLDER] = "older",
    [TRACK_WHY_DELIVERED] = "delivered", [TRACK_WHY_UNKNOWN] = "unknown",
    [TRACK_WHY_NO_MOVE] = "no_move",
};

const char *track_why_name(enum track_why why)
{
    return (size_t)why < COUNT(why_names) ? why_names[why] : "unknown";
}

static bool state_is(const char *s, const char *want)
{
    return s != NULL && strcmp(s, want) == 0;
}

static void push(struct track_step *out, enum leg_event ev)
{
    if (out->n_events < COUNT(out->events))
        out->events[out->n_events++] = ev;
}

static void inbound_next(const struct track_parcel *p, enum track_canon canon,
                         struct track_step *out)
{
    bool waiting = state_is(p->leg_state, "label_issued");

    switch (canon) {
    case TRACK_PICKED_UP:
    case TRACK_IN_TRANSIT:
    case TRACK_OUT_FOR_DELIVERY:
        if (waiting)
            push(out, LEG_EV_PICKUP);
        break;
    case TRACK_DELIVERED:
        /* the carrier's "delivered" is not our "received": only the dock scan receives */
        if (waiting)
            push(out, LEG_EV_PICKUP);
        out->carrier_delivered = true;
        break;
    case TRACK_UNKNOWN:
    case TRACK_LABEL_CREATED:
    case TRACK_ATTEMPTED:
    case TRACK_EXCEPTION:
    case TRACK_RETURNED_TO_SENDER:
    case TRACK_LOST:
        /* NEEDSWORK: a carrier "lost" of an inbound parcel could move the leg to lost; for now
         * the overdue sweep and the depot decide that */
        break;
    }
}

static void outbound_next(const struct track_parcel *p, enum track_canon canon,
                          struct track_step *out)
{
    bool waiting = state_is(p->leg_state, "packed") || state_is(p->leg_state, "manifested");
    bool moving = state_is(p->leg_state, "shipped") || state_is(p->leg_state, "delivery_exception");

    switch (canon) {
    case TRACK_PICKED_UP:
    case TRACK_IN_TRANSIT:
    case TRACK_OUT_FOR_DELIVERY:
    case TRACK_ATTEMPTED:
        if (waiting)
            push(out, LEG_EV_SHIP);
        break;
    case TRACK_DELIVERED:
        if (waiting)
            push(out, LEG_EV_SHIP);
        if (waiting || moving)
            push(out, LEG_EV_DELIVER);
        out->carrier_delivered = true;
        break;
    case TRACK_RETURNED_TO_SENDER:
        if (waiting)
            push(out, LEG_EV_SHIP);
        if (waiting || moving)
            push(out, LEG_EV_RETURN_TO_SENDER);
        break;
    case TRACK_EXCEPTION: /* the carrier's exception (refused, bad address, delay, ...) */
    case TRACK_LOST:
        if (waiting)
            push(out, LEG_EV_SHIP);
        if (waiting || state_is(p->leg_state, "shipped"))
            push(out, LEG_EV_DELIVERY_EXCEPTION);
        break;
    case TRACK_UNKNOWN:
    case TRACK_LABEL_CREATED:
        break;
    }
}

void tracking_parcel_next(const struct track_parcel *p, enum track_canon canon, int64_t at,
                          struct track_step *out)
{
    memset(out, 0, sizeof *out);
    out->kind = TRACK_STEP_HISTORY;
    if (p->has_last && at < p->last_at) {
        out->why = TRACK_WHY_OLDER;
        return;
    }
    out->advance = true;
    if (p->delivered) {
        out->why = TRACK_WHY_DELIVERED;
        return;
    }
    if (canon == TRACK_UNKNOWN) {
        out->why = TRACK_WHY_UNKNOWN;
        return;
    }
    switch (p->dir) {
    case TRACK_INBOUND:
        inbound_next(p, canon, out);
        break;
    case TRACK_OUTBOUND:
        outbound_next(p, canon, out);
        break;
    }
    if (out->carrier_delivered)
        out->kind = TRACK_STEP_CARRIER_DELIVERED;
    else if (out->n_events > 0)
        out->kind = TRACK_STEP_LEG;
    out->why = out->kind == TRACK_STEP_HISTORY ? TRACK_WHY_NO_MOVE : TRACK_WHY_MOVES;
}

/* ---- carrier times ---- */

static int bad_time(struct err *err, const char *what)
{
    return err_set(err, ERR_INVALID, "event.time", "%s", what);
}

/* Reads exactly n digits at *s into *v and moves *s past them; false when they are not there. */
static bool digits(const char **s, int n, int *v)
{
    int x = 0;

    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*s)[i]))
            return false;
        x = x * 10 + ((*s)[i] - '0');
    }
    *s += n;
    *v = x;
    return true;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool date_ok(int y, int m, int d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= days[m - 1] + (m == 2 && leap(y) ? 1 : 0);
}

static bool clock_ok(int h, int mi, int s)
{
    return h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59;
}

static void set_local(struct track_time *out, int y, int mo, int d, int h, int mi, int s)
{
    memset(out, 0, sizeof *out);
    out->local.year = y;
    out->local.month = mo;
    out->local.day = d;
    out->local.hour = h;
    out->local.min = mi;
    out->local.sec = s;
}

/* "YYYY-MM-DD" at *s; moves *s past it. */
static bool iso_date(const char **s, int *y, int *m, int *d)
{
    if (!digits(s, 4, y) || **s != '-')
        return false;
    (*s)++;
    if (!digits(s, 2, m) || **s != '-')
        return false;
    (*s)++;
    return digits(s, 2, d);
}

/* "HH:MM[:SS[.fraction]]" at *s (seconds required when need_sec); moves *s past it. */
static bool iso_clock(const char **s, bool need_sec, int *h, int *mi, int *sec)
{
    *sec = 0;
    if (!digits(s, 2, h) || **s != ':')
        return false;
    (*s)++;
    if (!digits(s, 2, mi))
        return false;
    if (**s != ':')
        return !need_sec;
    (*s)++;
    if (!digits(s, 2, sec))
        return false;
    if (**s == '.') {
        (*s)++;
        if (!isdigit((unsigned char)**s))
            return false;
        while (isdigit((unsigned char)**s))
            (*s)++;
    }
    return true;
}

#define OFFSET_RANGE "has an offset out of range (-18:00 to +18:00, minutes 00 to 59)"

/* An offset at s: "Z", "+HH:MM", "-HH:MM", "+HHMM" or "+HH" (short forms only when loose).
 * The whole of s must be the offset.  0, or ERR_INVALID on event.time saying why: bad is what
 * the format accepts, a well-formed offset beyond 18 hours (or 59 minutes) is out of range. */
static int offset_of(const char *s, bool loose, const char *bad, int32_t *off, struct err *err)
{
    int sign, h, m = 0;

    if (strcmp(s, "Z") == 0) {
        *off = 0;
        return 0;
    }
    if (*s != '+' && *s != '-')
        return bad_time(err, bad);
    sign = *s == '-' ? -1 : 1;
    s++;
    if (!digits(&s, 2, &h))
        return bad_time(err, bad);
    if (*s == ':') {
        s++;
        if (!digits(&s, 2, &m))
            return bad_time(err, bad);
    } else if (loose && *s != '\0') {
        if (!digits(&s, 2, &m))
            return bad_time(err, bad);
    } else if (!loose) {
        return bad_time(err, bad);
    }
    if (*s != '\0')
        return bad_time(err, bad);
    if (h > 18 || m > 59 || h * 60 + m > 18 * 60)
        return bad_time(err, OFFSET_RANGE);
    *off = sign * (h * 3600 + m * 60);
    return 0;
}

#define UPS_TIME "must be a date YYYYMMDD and a time HHMMSS or HHMM"
#define ISO_TIME                                                                                   \
    "must be YYYY-MM-DDTHH:MM:SS (an optional fraction, an optional offset Z or +HH:MM)"
#define DHL_TIME "must be a date YYYY-MM-DD and a time HH:MM:SS or HH:MM (an optional fraction)"
#define LOOSE_OFFSET "has a GMT offset that is not Z, +HH:MM, +HHMM or +HH"
#define XSD_TIME                                                                                   \
    "must be a date YYYY-MM-DD and a time HH:MM:SS (an optional fraction, an optional offset Z "   \
    "or +HH:MM)"

int track_time_ups(const char *date, const char *time, struct track_time *out, struct err *err)
{
    int y, mo, d, h, mi, s = 0;
    const char *p = date, *q = time;

    if (date == NULL || time == NULL || strlen(date) != 8 || !digits(&p, 4, &y) ||
        !digits(&p, 2, &mo) || !digits(&p, 2, &d))
        return bad_time(err, UPS_TIME);
    if ((strlen(time) != 6 && strlen(time) != 4) || !digits(&q, 2, &h) || !digits(&q, 2, &mi) ||
        (*q != '\0' && !digits(&q, 2, &s)))
        return bad_time(err, UPS_TIME);
    if (!date_ok(y, mo, d) || !clock_ok(h, mi, s))
        return bad_time(err, "is not a real date and time");
    set_local(out, y, mo, d, h, mi, s);
    return 0;
}

int track_time_iso(const char *s, struct track_time *out, struct err *err)
{
    int y, mo, d, h, mi, sec;
    int32_t off = 0;
    bool has_off;
    const char *p = s;

    if (s == NULL || !iso_date(&p, &y, &mo, &d) || *p++ != 'T' ||
        !iso_clock(&p, true, &h, &mi, &sec))
        return bad_time(err, ISO_TIME);
    has_off = *p != '\0';
    if (has_off && offset_of(p, false, ISO_TIME, &off, err) != 0)
        return -1;
    if (!date_ok(y, mo, d) || !clock_ok(h, mi, sec))
        return bad_time(err, "is not a real date and time");
    set_local(out, y, mo, d, h, mi, sec);
    out->has_offset = has_off;
    out->offset = off;
    return 0;
}

static int month_of(const char *name, size_t len)
{
    static const char *const months[] = {"january",   "february", "march",    "april",
                                         "may",       "june",     "july",     "august",
                                         "september", "october",  "november", "december"};

    for (int i = 0; i < 12; i++) {
        size_t full = strlen(months[i]);

        if ((len == full || len == 3) && strncasecmp(name, months[i], len) == 0)
            return i + 1;
    }
    return 0;
}

int track_time_usps(const char *date, const char *time, struct track_time *out, struct err *err)
{
    const char *p = date, *word;
    int y, mo, d, h, mi;
    bool pm;

    if (date == NULL || time == NULL)
        return bad_time(err, "must be a date like May 21, 2026 and a time like 2:54 pm");
    word = p;
    while (isalpha((unsigned char)*p))
        p++;
    mo = month_of(word, (size_t)(p - word));
    if (mo == 0 || *p++ != ' ')
        return bad_time(err, "must be a date like May 21, 2026 and a time like 2:54 pm");
    if (!digits(&p, 1, &d))
        return bad_time(err, "must be a date like May 21, 2026 and a time like 2:54 pm");
    if (isdigit((unsigned char)*p))
        d = d * 10 + (*p++ - '0');
    if (*p++ != ',' || *p++ != ' ' || !digits(&p, 4, &y) || *p != '\0')
        return bad_time(err, "must be a date like May 21, 2026 and a time like 2:54 pm");
    p = time;
    if (!digits(&p, 1, &h))
        return bad_time(err, "must be a date like May 21, 2026 and a time like 2:54 pm");
    if (isdigit((unsigned char)*p))
        h = h * 10 + (*p++ - '0');
    if (*p++ != ':' || !digits(&p, 2, &mi) || *p++ != ' ')
        return bad_time(err, "must be a date like May 21, 2026 and a time like 2:54 pm");
    if (strcasecmp(p, "am") == 0)
        pm = false;
    else if (strcasecmp(p, "pm") == 0)
        pm = true;
    else
        return bad_time(err, "must be a date like May 21, 2026 and a time like 2:54 pm");
    if (h < 1 || h > 12 || !date_ok(y, mo, d) || !clock_ok(0, mi, 0))
        return bad_time(err, "is not a real date and time");
    h = h % 12 + (pm ? 12 : 0);
    set_local(out, y, mo, d, h, mi, 0);
    return 0;
}

int track_time_dhl(const char *date, const char *time, const char *gmt_offset,
                   struct track_time *out, struct err *err)
{
    int y, mo, d, h, mi, sec;
    int32_t off = 0;
    bool has_off = gmt_offset != NULL && *gmt_offset != '\0';
    const char *p = date, *q = time;

    if (date == NULL || time == NULL || !iso_date(&p, &y, &mo, &d) || *p != '\0' ||
        !iso_clock(&q, false, &h, &mi, &sec) || *q != '\0')
        return bad_time(err, DHL_TIME);
    if (has_off && offset_of(gmt_offset, true, LOOSE_OFFSET, &off, err) != 0)
        return -1;
    if (!date_ok(y, mo, d) || !clock_ok(h, mi, sec))
        return bad_time(err, "is not a real date and time");
    set_local(out, y, mo, d, h, mi, sec);
    out->has_offset = has_off;
    out->offset = off;
    return 0;
}

int track_time_xsd(const char *date, const char *time, struct track_time *out, struct err *err)
{
    int y, mo, d, h, mi, sec;
    int32_t off = 0;
    bool has_off;
    const char *p = date, *q = time;

    if (date == NULL || time == NULL || !iso_date(&p, &y, &mo, &d) || *p != '\0' ||
        !iso_clock(&q, true, &h, &mi, &sec))
        return bad_time(err, XSD_TIME);
    has_off = *q != '\0';
    if (has_off && offset_of(q, false, XSD_TIME, &off, err) != 0)
        return -1;
    if (!date_ok(y, mo, d) || !clock_ok(h, mi, sec))
        return bad_time(err, "is not a real date and time");
    set_local(out, y, mo, d, h, mi, sec);
    out->has_offset = has_off;
    out->offset = off;
    return 0;
}

int track_time_offset(const char *s, struct track_time *t, struct err *err)
{
    int32_t off;

    if (s == NULL)
        return bad_time(err, LOOSE_OFFSET);
    if (offset_of(s, true, LOOSE_OFFSET, &off, err) != 0)
        return -1;
    t->has_offset = true;
    t->offset = off;
    return 0;
}

int track_time_instant(const struct track_time *t, const struct tz *zone, int64_t *at,
                       int *ambiguous, struct err *err)
{
    const struct tz_local *l = &t->local;
    int64_t first = 0, second = 0;

    *ambiguous = 0;
    if (t->has_offset) {
        *at = tz_days_from_civil(l->year, l->month, l->day) * 86400 + l->hour * 3600 + l->min * 60 +
              l->sec - t->offset;
        return 0;
    }
    if (zone == NULL)
        return err_set(err, ERR_INVALID, "event.time",
                       "has no offset and the carrier has no time zone");
    switch (tz_from_local(zone, l, &first, &second)) {
    case TZ_LOCAL_UNIQUE:
        *at = first;
        return 0;
    case TZ_LOCAL_AMBIGUOUS:
        *at = first;
        *ambiguous = 1;
        return 0;
    case TZ_LOCAL_NONEXISTENT:
        break;
    }
    return err_set(err, ERR_INVALID, "event.time",
                   "names a local time skipped by a daylight saving change");
}

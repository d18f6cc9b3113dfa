/*
 * label: what a shipping label says.  Decided here, drawn by src/label/ from the templates in
 * labels/.
 *
 * A 4x6 in label shows: from, to (large), the RMA number (largest), "parcel n of m", handling
 * marks, the QR code with its human-readable token printed under it, the carrier's tracking
 * number as Code 128 and the parcel's SSCC as GS1-128 when it has them.  Kinds:
 *
 *     return    inbound parcel: from the customer's service address to the depot
 *     outbound  outbound parcel: from the depot to the customer
 *     spare     outbound parcel of an advance replacement: adds the core due date and the
 *               instructions for sending the defective core back
 *     tag       2x1 in part tag for a unit on the depot shelf: RMA, line, serial, model and the
 *               QR of the inbound parcel it came in; also the tag of an unexpected arrival
 *               (heading, internal id, station, QR <URL>/U/<id>)
 *
 * The QR payload is an upper-case URL so that the symbol uses QR alphanumeric mode:
 * HTTPS://<HOST>/P/<RMA>/<PARCEL>/<TAG>.  The token is <RMA>-<PARCEL>-<TAG>.  Outbound and
 * spare labels (shipments from the depot) use /S/ and <RMA>-S<PARCEL>-<TAG> with a tag of their
 * own, so a shipment's code never resolves to an inbound parcel at the dock.
 */
#ifndef CORE_LABEL_H
#define CORE_LABEL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/address.h"
#include "core/err.h"

#define LABEL_PAYLOAD_MAX 160
#define LABEL_TOKEN_MAX 48
#define LABEL_MARKS_MAX 4

enum label_kind {
    LABEL_RETURN_TO_DEPOT, /* the customer ships the unit to the depot */
    LABEL_OUTBOUND,        /* the depot ships to the customer */
    LABEL_SPARE,           /* an advance-replacement spare, with the core return */
    LABEL_PART_TAG,        /* 2x1 in shelf tag of a unit */
};
#define LABEL_KINDS 4

/* QR error correction: M by default, Q for rough handling. */
enum label_ec { LABEL_EC_M, LABEL_EC_Q };

struct label_content {
    enum label_kind kind;
    const char *rma_number;
    int parcel_no;    /* 1-based */
    int parcel_count; /* m in "parcel n of m" */
    struct address from;
    struct address to;
    const char *marks[LABEL_MARKS_MAX]; /* handling marks such as "FRAGILE"; NULL-terminated */
    char qr_payload[LABEL_PAYLOAD_MAX]; /* upper case, QR alphanumeric set only */
    char token[LABEL_TOKEN_MAX];        /* human-readable token under the QR */
    enum label_ec ec;                   /* zero: M */

    /* optional: NULL or "" leaves the element out */
    const char *carrier;           /* carrier name */
    const char *tracking_number;   /* the carrier's, printed as Code 128 */
    const char *sscc;              /* 18 digits with a valid check digit, printed as GS1-128 */
    const char *core_due_date;     /* spare: YYYY-MM-DD */
    const char *core_instructions; /* spare: how to send the core back */
    const char *core_note;         /* spare: what happens to a core not returned */
    int line_no;                   /* part tag: RMA line */
    const char *serial_number;     /* part tag */
    const char *product_model;     /* part tag */
    const char *heading;           /* tag of an unexpected arrival: "UNEXPECTED ARRIVAL" */
    const char *station;           /* tag of an unexpected arrival: the station that found it */
};

/* "return", "outbound", "spare", "tag"; NULL for an unknown kind. */
const char *label_kind_name(enum label_kind kind);

/* True when s is 1 to 40 characters of [0-9A-Za-z]: what a carrier's tracking number is (the
 * label's Code 128; an inbound DespatchAdvice's CarrierAssignedID is held to it too). */
bool label_tracking_number_ok(const char *s);

/*
 * Standard text for the core return of an advance replacement due on due_date (YYYY-MM-DD):
 * writes it into out (n bytes) and returns out.  The note on cores not returned is apart
 * (label_core_note()), printed on a line of its own so that it is never cut.
 */
const char *label_core_instructions(const char *rma_number, const char *due_date, char *out,
                                    size_t n);

/* "Cores not returned are invoiced.": the spare label's note under the instructions (static). */
const char *label_core_note(void);

/*
 * Fills qr_payload and token from the public base URL (scheme://host[:port][/path]), the RMA
 * number, parcel number and tag.  Returns 0, or -1 (ERR_INVALID, field "public_url") when the
 * URL cannot be written in the QR alphanumeric set or the payload is too long.
 */
int label_set_code(struct label_content *lc, const char *public_url, const char *tag,
                   struct err *err);

/*
 * The 2x1 in tag of an unexpected arrival (a box with no RMA): kind LABEL_PART_TAG showing
 * "UNEXPECTED ARRIVAL", the internal id (U and 8 digits) large, the station that found it and
 * the serial read off the unit (NULL or "": none); no parcel count.  QR payload
 * <PUBLIC URL>/U/<ID> in upper case, token the id.  Strings are borrowed, not copied.  Returns 0,
 * or -1 (ERR_INVALID, field "public_url") when the URL cannot be written in the QR alphanumeric
 * set or is too long.
 */
int label_unexpected_tag(struct label_content *lc, const char *public_url, const char *internal_id,
                         const char *station, const char *serial, struct err *err);

/* True when every byte of s is in the QR alphanumeric set (0-9 A-Z space $ % * + - . / :). */
bool label_is_qr_alnum(const char *s);

#endif

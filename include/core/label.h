/*
 * label: what a shipping label says.  Decided here, drawn by src/label/.
 *
 * A 4x6 in return label shows: from (the customer's service address), to (the depot, large), the
 * RMA number (largest), "parcel n of m", handling marks, and the QR code with its human-readable
 * token printed under it.  The QR payload is an upper-case URL so that the symbol uses QR
 * alphanumeric mode:  HTTPS://<HOST>/P/<RMA>/<PARCEL>/<TAG>.  The token is <RMA>-<PARCEL>-<TAG>.
 */
#ifndef CORE_LABEL_H
#define CORE_LABEL_H

#include <stddef.h>

#include "core/address.h"
#include "core/err.h"

#define LABEL_PAYLOAD_MAX 160
#define LABEL_TOKEN_MAX 48
#define LABEL_MARKS_MAX 4

enum label_kind {
    LABEL_RETURN_TO_DEPOT, /* the customer ships the unit to the depot */
};

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
};

/*
 * Fills qr_payload and token from the public base URL (scheme://host[:port][/path]), the RMA
 * number, parcel number and tag.  Returns 0, or -1 (ERR_INVALID, field "public_url") when the
 * URL cannot be written in the QR alphanumeric set or the payload is too long.
 */
int label_set_code(struct label_content *lc, const char *public_url, const char *tag,
                   struct err *err);

/* True when every byte of s is in the QR alphanumeric set (0-9 A-Z space $ % * + - . / :). */
bool label_is_qr_alnum(const char *s);

#endif

/*
 * scancode: what a depot scanner typed, classified before any database look-up.
 *
 * A hand scanner types a code and Enter.  It may be:
 *   - the label's QR URL          HTTPS://RMA.EXAMPLE.COM/P/R000000174/1/B7M8W1Z4
 *   - the token under the QR       R000000174-1-B7M8W1Z4   (or with '/' between the parts)
 *   - an RMA number                R000000174
 *   - an SSCC                      (00)340123450000000017, 00340123450000000017, ]C1003401..,
 *                                  a GS1 Digital Link .../00/340123450000000017, or 18 digits
 *   - an unexpected arrival's tag  HTTPS://RMA.EXAMPLE.COM/U/U00000001 or its id U00000001
 *   - a carrier tracking number    1Z999AA10123456784 (anything else alphanumeric, 6 to 40)
 * Letters are compared upper case; surrounding white space (the scanner's CR/LF) is ignored.
 * The tag is not checked here (that needs the server key); the RMA check digit is.  Ten
 * characters "R", eight digits and any last one are taken for a mistyped RMA number, never for a
 * tracking number.
 */
#ifndef CORE_SCANCODE_H
#define CORE_SCANCODE_H

#include <stddef.h>

#include "core/err.h"
#include "core/rmanum.h"

#define SCANCODE_MAX_INPUT 512
#define SCANCODE_TAG_MAX 16
#define SCANCODE_SSCC_LEN 18
#define SCANCODE_TRACKING_MAX 40
#define SCANCODE_UNEXPECTED_LEN 9 /* U and 8 digits */

enum scancode_kind {
    SCANCODE_QR_URL,     /* rma, parcel, tag */
    SCANCODE_TOKEN,      /* rma, parcel, tag */
    SCANCODE_RMA,        /* rma */
    SCANCODE_SSCC,       /* sscc */
    SCANCODE_TRACKING,   /* tracking */
    SCANCODE_UNEXPECTED, /* internal_id: the depot's own tag of an unexpected arrival */
};

struct scancode {
    enum scancode_kind kind;
    char rma[RMANUM_LEN + 1];
    int parcel;
    char tag[SCANCODE_TAG_MAX + 1];
    char sscc[SCANCODE_SSCC_LEN + 1];
    char tracking[SCANCODE_TRACKING_MAX + 1];
    char internal_id[SCANCODE_UNEXPECTED_LEN + 1];
};

/*
 * Classifies s (len bytes, need not be NUL-terminated).  Returns 0, or -1 with ERR_INVALID,
 * field "code": empty, too long, control characters, an RMA number with a wrong check digit,
 * or nothing recognisable.
 */
int scancode_parse(const char *s, size_t len, struct scancode *out, struct err *err);

/* GS1 mod-10 check digit of the first n digits of s; -1 if a character is not a digit. */
int scancode_gs1_check_digit(const char *s, size_t n);

const char *scancode_kind_name(enum scancode_kind kind);

#endif

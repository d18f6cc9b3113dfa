/*
 * qrtag: the short tag in a label's QR payload and token.
 *
 * TAG = Crockford base32 of the first 40 bits of HMAC-SHA256(key, "v1|<RMA>|<PARCEL>"), 8
 * characters.  It catches typos and forged labels at the dock; it is not an access token.  The
 * "v1" prefix lets a later scheme coexist with labels already printed.
 */
#ifndef LABEL_QRTAG_H
#define LABEL_QRTAG_H

#include <stdbool.h>
#include <stddef.h>

#define QRTAG_LEN 8
/* Shortest server key accepted, in bytes. */
#define QRTAG_KEY_MIN 16

/*
 * Computes the tag of parcel (>= 1) of rma under key (keylen >= QRTAG_KEY_MIN bytes, owned by the
 * caller) into out.  Returns 0, or -1 (out set to "") when the key is too short, rma is empty or
 * longer than 64 bytes, parcel < 1, or libsodium cannot start.  Thread-safe, never blocks.
 */
int qrtag_compute(const unsigned char *key, size_t keylen, const char *rma, int parcel,
                  char out[QRTAG_LEN + 1]);

/*
 * The tag of an outbound parcel (a shipment from the depot): HMAC of "v1|<RMA>|S<PARCEL>", so
 * it never equals the tag of inbound parcel PARCEL.  Same results as qrtag_compute().
 */
int qrtag_compute_ship(const unsigned char *key, size_t keylen, const char *rma, int parcel,
                       char out[QRTAG_LEN + 1]);

/*
 * True when tag, as typed or scanned (lower case, O for 0, I/L for 1 and hyphens accepted), is
 * the tag of parcel of rma under key.  Compares in constant time.
 */
bool qrtag_verify(const unsigned char *key, size_t keylen, const char *rma, int parcel,
                  const char *tag);

/* The same for the tag of outbound parcel (shipment) parcel, as qrtag_compute_ship() makes it:
 * an inbound parcel's tag never verifies here, nor a shipment's in qrtag_verify(). */
bool qrtag_verify_ship(const unsigned char *key, size_t keylen, const char *rma, int parcel,
                       const char *tag);

#endif

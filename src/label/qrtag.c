/*
 * qrtag: HMAC tags for label codes; see include/label/qrtag.h.
 *
 * Any key length works (HMAC hashes long keys), so the streaming libsodium API is used rather
 * than crypto_auth_hmacsha256(), which wants exactly 32 bytes.  Intermediate secrets are wiped.
 */
#include "label/qrtag.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/crockford.h"

#define QRTAG_RMA_MAX 64

static int compute(const unsigned char *key, size_t keylen, const char *rma, const char *dir,
                   int parcel, char out[QRTAG_LEN + 1])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char msg[QRTAG_RMA_MAX + 32];
    int n;

    out[0] = '\0';
    if (key == NULL || keylen < QRTAG_KEY_MIN || rma == NULL || rma[0] == '\0' ||
        strlen(rma) > QRTAG_RMA_MAX || parcel < 1)
        return -1;
    if (sodium_init() < 0)
        return -1;
    n = snprintf(msg, sizeof msg, "v1|%s|%s%d", rma, dir, parcel);
    if (n < 0 || (size_t)n >= sizeof msg)
        return -1;
    crypto_auth_hmacsha256_init(&st, key, keylen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, (unsigned long long)n);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
    n = crockford_encode(mac, 5, QRTAG_LEN, out);
    sodium_memzero(mac, sizeof mac);
    return n;
}

int qrtag_compute(const unsigned char *key, size_t keylen, const char *rma, int parcel,
                  char out[QRTAG_LEN + 1])
{
    return compute(key, keylen, rma, "", parcel, out);
}

int qrtag_compute_ship(const unsigned char *key, size_t keylen, const char *rma, int parcel,
                       char out[QRTAG_LEN + 1])
{
    return compute(key, keylen, rma, "S", parcel, out);
}

static bool verify(const unsigned char *key, size_t keylen, const char *rma, const char *dir,
                   int parcel, const char *tag)
{
    char typed[QRTAG_LEN + 1];
    char want[QRTAG_LEN + 1];
    bool ok;

    if (tag == NULL || crockford_normalize(tag, typed, sizeof typed) != QRTAG_LEN)
        return false;
    if (compute(key, keylen, rma, dir, parcel, want) != 0)
        return false;
    ok = sodium_memcmp(typed, want, QRTAG_LEN) == 0;
    sodium_memzero(want, sizeof want);
    return ok;
}

bool qrtag_verify(const unsigned char *key, size_t keylen, const char *rma, int parcel,
                  const char *tag)
{
    return verify(key, keylen, rma, "", parcel, tag);
}

bool qrtag_verify_ship(const unsigned char *key, size_t keylen, const char *rma, int parcel,
                       const char *tag)
{
    return verify(key, keylen, rma, "S", parcel, tag);
}

/*
 * crockford: Crockford base32 encoding and typed-input normalization; see
 * include/core/crockford.h.  Only the C library: no locale-dependent ctype calls, so the result
 * never depends on the process locale.
 */
#include "core/crockford.h"

int crockford_encode(const unsigned char *bytes, size_t nbytes, size_t nchars, char *out)
{
    if (nchars > (nbytes * 8 + 4) / 5)
        return -1;
    for (size_t i = 0; i < nchars; i++) {
        unsigned v = 0;

        for (size_t b = i * 5; b < i * 5 + 5; b++) {
            unsigned bit = 0;

            if (b / 8 < nbytes)
                bit = (bytes[b / 8] >> (7 - b % 8)) & 1u;
            v = (v << 1) | bit;
        }
        out[i] = CROCKFORD_ALPHABET[v];
    }
    out[nchars] = '\0';
    return 0;
}

int crockford_value(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c == 'O')
        c = '0';
    else if (c == 'I' || c == 'L')
        c = '1';
    for (int v = 0; v < 32; v++)
        if (CROCKFORD_ALPHABET[v] == c && c != '\0')
            return v;
    return -1;
}

int crockford_normalize(const char *in, char *out, size_t n)
{
    size_t len = 0;

    for (const char *p = in; *p != '\0'; p++) {
        int v;

        if (*p == '-')
            continue;
        v = crockford_value(*p);
        if (v < 0 || len + 1 >= n)
            return -1;
        out[len++] = CROCKFORD_ALPHABET[v];
    }
    if (n == 0)
        return -1;
    out[len] = '\0';
    return (int)len;
}

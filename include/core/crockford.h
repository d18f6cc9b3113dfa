/*
 * crockford: Crockford base32, the alphabet of codes people read off a label and type back.
 *
 * The alphabet is 0123456789ABCDEFGHJKMNPQRSTVWXYZ: no I, L, O or U, so a typed code can be
 * normalized (O -> 0, I and L -> 1, lower case -> upper case, hyphens dropped) before it is
 * compared.  Pure C, no allocation.
 */
#ifndef CORE_CROCKFORD_H
#define CORE_CROCKFORD_H

#include <stddef.h>

#define CROCKFORD_ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/*
 * Writes the first 5 * nchars bits of bytes (most significant bit first) as nchars upper-case
 * characters and a NUL into out, which has nchars + 1 bytes.  Bits past the end of bytes read as
 * zero, as in RFC 4648 padding.  Returns 0, or -1 (out untouched) when nchars is more than
 * ceil(8 * nbytes / 5), the characters bytes can fill.
 */
int crockford_encode(const unsigned char *bytes, size_t nbytes, size_t nchars, char *out);

/* Value 0..31 of one character, accepting lower case and O, I, L; -1 when not in the alphabet. */
int crockford_value(char c);

/*
 * Normalizes typed input into out (n bytes): upper case, O -> 0, I and L -> 1, hyphens removed.
 * Returns the length written (NUL not counted), or -1 when a character is outside the alphabet
 * (U, punctuation, non-ASCII) or the result does not fit in out.
 */
int crockford_normalize(const char *in, char *out, size_t n);

#endif

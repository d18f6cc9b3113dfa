/*
 * gs1: GS1 check digits and SSCC numbers (Serial Shipping Container Code, AI 00).
 *
 * An SSCC is 18 digits:  extension digit | company prefix (7-10 digits) | serial reference
 * (16 - prefix length digits) | check digit.  The check digit is GS1's mod 10: from the right,
 * digits weigh 3, 1, 3, 1, ...; the check digit brings the sum up to a multiple of ten.
 *
 *     extension 0, prefix 0614141, serial reference 123456789  ->  006141411234567890
 *
 * Pure C, no allocation.
 */
#ifndef CORE_GS1_H
#define CORE_GS1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define GS1_SSCC_LEN 18
#define GS1_PREFIX_MIN 7
#define GS1_PREFIX_MAX 10

/* The GS1 mod-10 check digit ('0'..'9') of n digits at s, or -1 when a byte is not a digit. */
int gs1_check_digit(const char *s, size_t n);

/* True when s is exactly 18 digits with a correct check digit. */
bool gs1_sscc_valid(const char *s);

/*
 * The company prefix and serial-reference range SSCCs are made from.  first and last bound the
 * serial reference (inclusive); both must fit in 16 - strlen(prefix) digits.
 */
struct gs1_sscc_range {
    char extension;                  /* '0'..'9' */
    char prefix[GS1_PREFIX_MAX + 1]; /* 7 to 10 digits */
    uint64_t first, last;
};

/*
 * Fills r from the configured texts (extension may be NULL for '0'; first and last NULL for the
 * whole range of the prefix).  Returns 0, or -1 with ERR_INVALID naming the setting at fault
 * ("RMAD_GS1_COMPANY_PREFIX", "RMAD_SSCC_FIRST", "RMAD_SSCC_LAST", "RMAD_SSCC_EXTENSION").
 */
int gs1_sscc_range_parse(const char *prefix, const char *first, const char *last,
                         const char *extension, struct gs1_sscc_range *r, struct err *err);

/* The largest serial reference the prefix leaves room for (10^(16 - prefix length) - 1). */
uint64_t gs1_sscc_ref_max(const struct gs1_sscc_range *r);

/*
 * Writes the SSCC of serial reference ref into out (18 digits + NUL).  Returns 0, or -1 with
 * ERR_CONFLICT (field "sscc") when ref is outside [first, last].
 */
int gs1_sscc_make(const struct gs1_sscc_range *r, uint64_t ref, char out[GS1_SSCC_LEN + 1],
                  struct err *err);

#endif

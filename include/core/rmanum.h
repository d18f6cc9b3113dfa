/*
 * rmanum: RMA numbers.
 *
 * An RMA number is "R", eight digits of a never-reused sequence, and one check digit:
 *
 *   R 0 0 0 0 0 0 1 7 4
 *   ^ ^-------------^ ^ check digit: Damm algorithm over the eight sequence digits
 *   |  sequence (8 digits, from a database sequence, never reused)
 *   prefix
 *
 * The Damm quasigroup of order 10 catches every single mistyped digit and every swap of two
 * neighbouring digits, the check digit included; the fixed "R" catches a mistyped or swapped
 * prefix.  Every character is in the QR alphanumeric set.
 */
#ifndef CORE_RMANUM_H
#define CORE_RMANUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define RMANUM_LEN 10
#define RMANUM_MAX_SEQ 99999999LL

/*
 * Damm check digit (0 to 9) of the first len characters of digits, which need not be
 * NUL-terminated; -1 if one of them is not a digit 0-9.  Appending the check digit makes the
 * Damm check of the whole string 0.
 */
int rmanum_check_digit(const char *digits, size_t len);
/* Writes the RMA number for seq (1..RMANUM_MAX_SEQ) into out[RMANUM_LEN + 1]. 0 or -1. */
int rmanum_format(int64_t seq, char out[RMANUM_LEN + 1], struct err *err);
/* True when s (already upper case) is a well-formed RMA number with the right check digit. */
bool rmanum_is_valid(const char *s);
/*
 * Copies s trimmed and upper-cased into out[RMANUM_LEN + 1] and checks it.  Returns 0, or -1 with
 * ERR_INVALID (field given): "must be an rma number like R000000174" for a malformed number,
 * "check digit does not match" for "R" and nine digits whose check digit is wrong.
 */
int rmanum_parse(const char *s, const char *field, char out[RMANUM_LEN + 1], struct err *err);

#endif

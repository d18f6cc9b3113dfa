/*
 * rmanum: RMA numbers.
 *
 * An RMA number is "R", eight digits of a never-reused sequence, and one check character:
 * R00000017K.  The check character is ISO 7064 MOD 37,36 over the first nine characters, so any
 * single mistyped character and any swap of two neighbours is caught.  Every character is in the
 * QR alphanumeric set.
 */
#ifndef CORE_RMANUM_H
#define CORE_RMANUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define RMANUM_LEN 10
#define RMANUM_MAX_SEQ 99999999LL

/* Check character (0-9, A-Z) of an upper-case alphanumeric string; '\0' if s has others. */
char rmanum_check_char(const char *s, size_t len);
/* Writes the RMA number for seq (1..RMANUM_MAX_SEQ) into out[RMANUM_LEN + 1]. 0 or -1. */
int rmanum_format(int64_t seq, char out[RMANUM_LEN + 1], struct err *err);
/* True when s (already upper case) is a well-formed RMA number with the right check character. */
bool rmanum_is_valid(const char *s);
/*
 * Copies s trimmed and upper-cased into out[RMANUM_LEN + 1] and checks it.  Returns 0, or -1 with
 * ERR_INVALID (field given) for a malformed number or a wrong check character.
 */
int rmanum_parse(const char *s, const char *field, char out[RMANUM_LEN + 1], struct err *err);

#endif

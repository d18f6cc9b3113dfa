/*
 * rmanum: RMA numbers with a Damm check digit; see include/core/rmanum.h.
 *
 *   R 0 0 0 0 0 0 1 7 4
 *   ^ ^-------------^ ^ check digit: Damm over the eight digits before it
 *   |  sequence (8 digits, from a database sequence, never reused)
 *   prefix
 *
 * The table is the weakly totally anti-symmetric quasigroup of order 10 from H. M. Damm's thesis
 * (2004), with zeros on the diagonal: running it over the sequence digits and then the check
 * digit ends in 0 exactly for a correct number.
 */
#include "core/rmanum.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* damm[interim][digit] is the next interim digit */
/* clang-format off */
static const unsigned char damm[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
    {7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
    {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
    {6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
    {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
    {8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
    {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};
/* clang-format on */

int rmanum_check_digit(const char *digits, size_t len)
{
    int interim = 0;

    for (size_t i = 0; i < len; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return -1;
        interim = damm[interim][digits[i] - '0'];
    }
    return interim;
}

int rmanum_format(int64_t seq, char out[RMANUM_LEN + 1], struct err *err)
{
    if (seq < 1 || seq > RMANUM_MAX_SEQ)
        return err_set(err, ERR_INTERNAL, "rma_number", "rma number sequence out of range");
    snprintf(out, RMANUM_LEN + 1, "R%08lld", (long long)seq);
    out[RMANUM_LEN - 1] = (char)('0' + rmanum_check_digit(out + 1, RMANUM_LEN - 2));
    out[RMANUM_LEN] = '\0';
    return 0;
}

/* "R" and nine digits, whatever the check digit. */
static bool well_formed(const char *s)
{
    if (strlen(s) != RMANUM_LEN || s[0] != 'R')
        return false;
    for (int i = 1; i < RMANUM_LEN; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool rmanum_is_valid(const char *s)
{
    /* the Damm check of the sequence digits followed by the check digit is 0 */
    return well_formed(s) && rmanum_check_digit(s + 1, RMANUM_LEN - 1) == 0;
}

int rmanum_parse(const char *s, const char *field, char out[RMANUM_LEN + 1], struct err *err)
{
    static const char malformed[] = "must be an rma number like R000000174";
    size_t n = 0;

    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    if (len != RMANUM_LEN)
        return err_set(err, ERR_INVALID, field, "%s", malformed);
    for (; n < len; n++)
        out[n] = (char)toupper((unsigned char)s[n]);
    out[n] = '\0';
    if (!well_formed(out))
        return err_set(err, ERR_INVALID, field, "%s", malformed);
    if (!rmanum_is_valid(out))
        return err_set(err, ERR_INVALID, field, "check digit does not match");
    return 0;
}

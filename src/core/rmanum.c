/*
 * rmanum: RMA numbers with an ISO 7064 MOD 37,36 check character.
 *
 *   R 0 0 0 0 0 0 1 7 K
 *   ^ ^-------------^ ^ check character over the nine before it
 *   |  sequence (8 digits, from a database sequence, never reused)
 *   prefix
 */
#include "core/rmanum.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int char_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return -1;
}

char rmanum_check_char(const char *s, size_t len)
{
    const int m = 36;
    int p = m;

    for (size_t i = 0; i < len; i++) {
        int v = char_value(s[i]);
        if (v < 0)
            return '\0';
        int t = (p + v) % m;
        if (t == 0)
            t = m;
        p = (t * 2) % (m + 1);
    }
    int c = (m + 1 - p) % m;
    return (char)(c < 10 ? '0' + c : 'A' + c - 10);
}

int rmanum_format(int64_t seq, char out[RMANUM_LEN + 1], struct err *err)
{
    if (seq < 1 || seq > RMANUM_MAX_SEQ)
        return err_set(err, ERR_INTERNAL, "rma_number", "rma number sequence out of range");
    snprintf(out, RMANUM_LEN + 1, "R%08lld", (long long)seq);
    out[RMANUM_LEN - 1] = rmanum_check_char(out, RMANUM_LEN - 1);
    out[RMANUM_LEN] = '\0';
    return 0;
}

bool rmanum_is_valid(const char *s)
{
    if (strlen(s) != RMANUM_LEN || s[0] != 'R')
        return false;
    for (int i = 1; i < RMANUM_LEN - 1; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return rmanum_check_char(s, RMANUM_LEN - 1) == s[RMANUM_LEN - 1];
}

int rmanum_parse(const char *s, const char *field, char out[RMANUM_LEN + 1], struct err *err)
{
    size_t n = 0;

    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    if (len != RMANUM_LEN)
        return err_set(err, ERR_INVALID, field, "must be an rma number like R00000017K");
    for (; n < len; n++)
        out[n] = (char)toupper((unsigned char)s[n]);
    out[n] = '\0';
    if (!rmanum_is_valid(out))
        return err_set(err, ERR_INVALID, field,
                       out[0] == 'R' ? "check character does not match" :
                                       "must be an rma number like R00000017K");
    return 0;
}

/*
 * gs1: GS1 mod-10 check digits and SSCCs; see include/core/gs1.h.
 *
 * What must stay true: every SSCC this module writes passes gs1_sscc_valid(), and a serial
 * reference outside the configured range is refused, never wrapped or truncated.
 */
#include "core/gs1.h"

#include <stdio.h>
#include <string.h>

int gs1_check_digit(const char *s, size_t n)
{
    unsigned sum = 0;
    unsigned w = 3;

    for (size_t i = n; i > 0; i--) {
        char c = s[i - 1];

        if (c < '0' || c > '9')
            return -1;
        sum += (unsigned)(c - '0') * w;
        w = 4 - w;
    }
    return '0' + (int)((10 - sum % 10) % 10);
}

bool gs1_sscc_valid(const char *s)
{
    if (s == NULL || strlen(s) != GS1_SSCC_LEN)
        return false;
    return gs1_check_digit(s, GS1_SSCC_LEN - 1) == s[GS1_SSCC_LEN - 1];
}

static bool all_digits(const char *s)
{
    if (s == NULL || *s == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* Parses 1 to 16 digits into *v. */
static bool parse_ref(const char *s, uint64_t *v)
{
    uint64_t x = 0;

    if (!all_digits(s) || strlen(s) > 16)
        return false;
    for (; *s != '\0'; s++)
        x = x * 10 + (uint64_t)(*s - '0');
    *v = x;
    return true;
}

uint64_t gs1_sscc_ref_max(const struct gs1_sscc_range *r)
{
    uint64_t max = 1;

    for (size_t i = strlen(r->prefix); i < 16; i++)
        max *= 10;
    return max - 1;
}

int gs1_sscc_range_parse(const char *prefix, const char *first, const char *last,
                         const char *extension, struct gs1_sscc_range *r, struct err *err)
{
    struct gs1_sscc_range out;
    uint64_t max;

    memset(&out, 0, sizeof out);
    if (!all_digits(prefix) || strlen(prefix) < GS1_PREFIX_MIN || strlen(prefix) > GS1_PREFIX_MAX)
        return err_set(err, ERR_INVALID, "RMAD_GS1_COMPANY_PREFIX", "must be 7 to 10 digits");
    memcpy(out.prefix, prefix, strlen(prefix) + 1);
    out.extension = '0';
    if (extension != NULL && extension[0] != '\0') {
        if (strlen(extension) != 1 || !all_digits(extension))
            return err_set(err, ERR_INVALID, "RMAD_SSCC_EXTENSION", "must be one digit");
        out.extension = extension[0];
    }
    max = gs1_sscc_ref_max(&out);
    out.first = 0;
    out.last = max;
    if (first != NULL && first[0] != '\0' && (!parse_ref(first, &out.first) || out.first > max))
        return err_set(err, ERR_INVALID, "RMAD_SSCC_FIRST", "must be a number from 0 to %llu",
                       (unsigned long long)max);
    if (last != NULL && last[0] != '\0' && (!parse_ref(last, &out.last) || out.last > max))
        return err_set(err, ERR_INVALID, "RMAD_SSCC_LAST", "must be a number from 0 to %llu",
                       (unsigned long long)max);
    if (out.last < out.first)
        return err_set(err, ERR_INVALID, "RMAD_SSCC_LAST", "must not be below RMAD_SSCC_FIRST");
    *r = out;
    return 0;
}

int gs1_sscc_make(const struct gs1_sscc_range *r, uint64_t ref, char out[GS1_SSCC_LEN + 1],
                  struct err *err)
{
    int width = 16 - (int)strlen(r->prefix);
    int n;

    if (ref < r->first || ref > r->last)
        return err_set(err, ERR_CONFLICT, "sscc", "the sscc range is used up");
    n = snprintf(out, GS1_SSCC_LEN + 1, "%c%s%0*llu", r->extension, r->prefix, width,
                 (unsigned long long)ref);
    if (n != GS1_SSCC_LEN - 1)
        return err_set(err, ERR_INTERNAL, "sscc", "cannot write the sscc");
    out[GS1_SSCC_LEN - 1] = (char)gs1_check_digit(out, GS1_SSCC_LEN - 1);
    out[GS1_SSCC_LEN] = '\0';
    return 0;
}

/*
 * manifest: the pickup manifest's rules that need no database (see include/core/manifest.h).
 * Pure C: no clock, no files; the dates checked here are the ones clients send.
 */
#include "core/manifest.h"

#include <string.h>

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num(const char *s, size_t n)
{
    int v = 0;

    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int manifest_date_parse(const char *s, const char *field, struct err *err)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;

    if (s == NULL || strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
        s[7] != '-' || !digits(s + 8, 2))
        return err_set(err, ERR_INVALID, field, "must be a date yyyy-mm-dd");
    y = num(s, 4);
    m = num(s + 5, 2);
    d = num(s + 8, 2);
    if (y < 2000 || m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && is_leap(y) ? 1 : 0))
        return err_set(err, ERR_INVALID, field, "must be a date yyyy-mm-dd");
    return 0;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int manifest_pickup_date_check(const char *s, int64_t now, const char *field, struct err *err)
{
    if (manifest_date_parse(s, field, err) != 0)
        return -1;
    int64_t day = days_from_civil(num(s, 4), num(s + 5, 2), num(s + 8, 2));
    int64_t today = (now >= 0 ? now : now - 86399) / 86400;
    if (day < today - MANIFEST_PICKUP_DAYS_BEFORE || day > today + MANIFEST_PICKUP_DAYS_AHEAD)
        return err_set(err, ERR_INVALID, field,
                       "a pickup is closed for a day from %d days ago to %d days ahead (UTC)",
                       MANIFEST_PICKUP_DAYS_BEFORE, MANIFEST_PICKUP_DAYS_AHEAD);
    return 0;
}

enum manifest_service manifest_service_for(enum rma_type t)
{
    switch (t) {
    case RMA_TYPE_ADVANCE_REPLACEMENT:
        return MANIFEST_SERVICE_EXPRESS;
    case RMA_TYPE_REPAIR:
    case RMA_TYPE_EXCHANGE:
    case RMA_TYPE_REPLACEMENT_NO_RETURN:
    case RMA_TYPE_FACTORY:
        return MANIFEST_SERVICE_STANDARD;
    }
    return MANIFEST_SERVICE_STANDARD;
}

const char *manifest_service_name(enum manifest_service s)
{
    return s == MANIFEST_SERVICE_EXPRESS ? "express" : "standard";
}

bool manifest_version_supported(const char *v)
{
    if (v == NULL || v[0] != '1' || v[1] != '.' || v[2] == '\0')
        return false;
    for (const char *p = v + 2; *p != '\0'; p++)
        if (*p < '0' || *p > '9')
            return false;
    return strlen(v) <= 12;
}

int64_t manifest_total_weight(const struct manifest *m)
{
    int64_t total = 0;

    for (size_t i = 0; i < m->n_parcels; i++) {
        if (m->parcels[i].weight_g <= 0)
            return 0;
        total += m->parcels[i].weight_g;
    }
    return total;
}

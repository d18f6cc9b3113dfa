/*
 * tz: IANA time zones from TZif bytes, and the service policy's calendar; see include/core/tz.h.
 *
 *   TZif file (RFC 8536):  header v1 | 32-bit data | header v2+ | 64-bit data | \n footer \n
 *                                                    ^ used (v2-v4)            ^ POSIX TZ rule
 *
 * The 64-bit block gives the transitions (ascending instants, each naming a local time type:
 * offset, dst flag); the footer (e.g. "CET-1CEST,M3.5.0,M10.5.0/3") gives the rule for every
 * instant at or after the last transition, so "slim" files whose table stops early still answer
 * for 2040.  Version 1 files have only the 32-bit block and no footer.
 *
 * What must stay true:
 *   - no clock, no files, no TZ variable, no localtime(): everything comes from the bytes;
 *   - garbage is refused (ERR_INVALID, field "zone"), never half read: every count is checked
 *     against the length before it is used;
 *   - the reverse question (local -> instants) is answered exactly: an instant t names local
 *     time L when t + offset_at(t) == L, so the candidates are L - o for every offset o the zone
 *     ever uses, kept when they check out;
 *   - a window is "the instants whose local date is D and local wall-clock time is in
 *     [open, close)": on a DST-change day it is still 09:00-21:00 on the wall, and business
 *     seconds count the real seconds inside it (pieces of constant offset, cut at transitions).
 *
 * Leap-second ("right/") files are refused: their instants are not POSIX seconds.
 */
#include "core/tz.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

#define DAY 86400
#define TZ_NAME_MAX 64
/* no offset in use is beyond +-26 h; windows are searched this far around their local day */
#define MAX_OFF (26 * 3600)
/* instants are clamped to about +-557,000 years, so years fit an int and sums do not overflow */
#define T_LIMIT ((int64_t)1 << 44)
/* the calendar counts windows between 1900 and 2200 only (bounded loops for any input) */
#define CAL_MIN ((int64_t)-2208988800) /* 1900-01-01 */
#define CAL_MAX ((int64_t)7258118400)  /* 2200-01-01 */

enum rule_kind { RULE_JULIAN1, RULE_JULIAN0, RULE_MONTH };

/* one date rule of a POSIX TZ string: Jn, n or Mm.w.d, and the local time of the change */
struct rule {
    enum rule_kind kind;
    int n;        /* Jn: 1-365; n: 0-365 */
    int m, w, d;  /* Mm.w.d */
    int32_t secs; /* seconds after local midnight, -167 h to 167 h (v3) */
};

struct footer {
    bool present;
    bool has_dst;
    int32_t std_off; /* east positive (POSIX writes it the other way round) */
    int32_t dst_off;
    struct rule start, end; /* start of dst (in standard time), end (in dst) */
};

struct ttype {
    int32_t off;
    bool dst;
};

struct tz {
    char name[TZ_NAME_MAX + 1];
    size_t n_trans;
    int64_t *trans;     /* ascending */
    unsigned char *idx; /* type of each transition */
    size_t n_types;
    struct ttype *types;
    struct footer footer;
    size_t n_offs;
    int32_t *offs; /* every distinct offset of types and footer */
};

/* ---- civil dates ---- */

int64_t tz_days_from_civil(int year, int month, int day)
{
    /* H. Hinnant, "chrono-compatible low-level date algorithms" */
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

void tz_civil_from_days(int64_t days, int *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;

    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* 0 = Sunday; 1970-01-01 was a Thursday */
static int wday_of_days(int64_t days)
{
    return (int)(((days % 7) + 11) % 7);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_len(int64_t y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* ---- names ---- */

bool tz_name_valid(const char *name)
{
    size_t len, part = 0;

    if (name == NULL)
        return false;
    len = strlen(name);
    if (len == 0 || len > TZ_NAME_MAX)
        return false;
    for (size_t i = 0; i <= len; i++) {
        char c = name[i];

        if (c == '/' || c == '\0') {
            if (part == 0)
                return false; /* leading '/', "//" or trailing '/' */
            part = 0;
            continue;
        }
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '+'))
            return false; /* this also refuses "." and ".." parts */
        part++;
    }
    return true;
}

const char *tz_name(const struct tz *tz)
{
    return tz->name;
}

/* countries with one zone in practice; sorted by code (bsearch) */
static const struct {
    char code[3];
    const char *zone;
} country_zones[] = {
    {"AT", "Europe/Vienna"},    {"BE", "Europe/Brussels"},     {"BG", "Europe/Sofia"},
    {"CH", "Europe/Zurich"},    {"CN", "Asia/Shanghai"},       {"CZ", "Europe/Prague"},
    {"DE", "Europe/Berlin"},    {"DK", "Europe/Copenhagen"},   {"EE", "Europe/Tallinn"},
    {"ES", "Europe/Madrid"},    {"FI", "Europe/Helsinki"},     {"FR", "Europe/Paris"},
    {"GB", "Europe/London"},    {"GR", "Europe/Athens"},       {"HK", "Asia/Hong_Kong"},
    {"HR", "Europe/Zagreb"},    {"HU", "Europe/Budapest"},     {"IE", "Europe/Dublin"},
    {"IL", "Asia/Jerusalem"},   {"IN", "Asia/Kolkata"},        {"IS", "Atlantic/Reykjavik"},
    {"IT", "Europe/Rome"},      {"JP", "Asia/Tokyo"},          {"KR", "Asia/Seoul"},
    {"LI", "Europe/Vaduz"},     {"LT", "Europe/Vilnius"},      {"LU", "Europe/Luxembourg"},
    {"LV", "Europe/Riga"},      {"MT", "Europe/Malta"},        {"NL", "Europe/Amsterdam"},
    {"NO", "Europe/Oslo"},      {"PL", "Europe/Warsaw"},       {"PT", "Europe/Lisbon"},
    {"RO", "Europe/Bucharest"}, {"SE", "Europe/Stockholm"},    {"SG", "Asia/Singapore"},
    {"SI", "Europe/Ljubljana"}, {"SK", "Europe/Bratislava"},   {"TR", "Europe/Istanbul"},
    {"TW", "Asia/Taipei"},      {"ZA", "Africa/Johannesburg"},
};

const char *tz_country_zone(const char *country)
{
    size_t lo = 0, hi = sizeof country_zones / sizeof country_zones[0];

    if (country == NULL || strlen(country) != 2)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(country_zones[mid].code, country);

        if (c == 0)
            return country_zones[mid].zone;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- the POSIX TZ footer ---- */

/* digits into *v (at most max_digits); returns chars read or 0 */
static size_t parse_num(const char *s, int max_digits, int *v)
{
    size_t i = 0;

    *v = 0;
    while (s[i] >= '0' && s[i] <= '9' && (int)i < max_digits)
        *v = *v * 10 + (s[i++] - '0');
    return i;
}

/* [+-]hh[:mm[:ss]] with hh <= max_h; *secs signed as written.  Returns chars read or 0. */
static size_t parse_hms(const char *s, int max_h, int32_t *secs)
{
    size_t i = 0, n;
    int sign = 1, h, m = 0, sec = 0;

    if (s[i] == '+' || s[i] == '-')
        sign = s[i++] == '-' ? -1 : 1;
    if ((n = parse_num(s + i, 3, &h)) == 0 || h > max_h)
        return 0;
    i += n;
    if (s[i] == ':') {
        if ((n = parse_num(s + i + 1, 2, &m)) == 0 || m > 59)
            return 0;
        i += n + 1;
        if (s[i] == ':') {
            if ((n = parse_num(s + i + 1, 2, &sec)) == 0 || sec > 59)
                return 0;
            i += n + 1;
        }
    }
    *secs = sign * (h * 3600 + m * 60 + sec);
    return i;
}

/* a zone abbreviation: 3 or more letters, or <...> of letters, digits, '+' and '-' */
static size_t parse_abbr(const char *s)
{
    size_t i = 0;

    if (s[0] == '<') {
        for (i = 1; s[i] != '>'; i++) {
            char c = s[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '-'))
                return 0;
        }
        return i >= 4 ? i + 1 : 0;
    }
    while ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))
        i++;
    return i >= 3 ? i : 0;
}

static size_t parse_rule(const char *s, struct rule *r)
{
    size_t i = 0, n;

    if (s[0] == 'J') {
        r->kind = RULE_JULIAN1;
        if ((n = parse_num(s + 1, 3, &r->n)) == 0 || r->n < 1 || r->n > 365)
            return 0;
        i = 1 + n;
    } else if (s[0] == 'M') {
        r->kind = RULE_MONTH;
        i = 1;
        if ((n = parse_num(s + i, 2, &r->m)) == 0 || r->m < 1 || r->m > 12 || s[i + n] != '.')
            return 0;
        i += n + 1;
        if ((n = parse_num(s + i, 1, &r->w)) == 0 || r->w < 1 || r->w > 5 || s[i + n] != '.')
            return 0;
        i += n + 1;
        if ((n = parse_num(s + i, 1, &r->d)) == 0 || r->d > 6)
            return 0;
        i += n;
    } else {
        r->kind = RULE_JULIAN0;
        if ((n = parse_num(s, 3, &r->n)) == 0 || r->n > 365)
            return 0;
        i = n;
    }
    r->secs = 2 * 3600;
    if (s[i] == '/') {
        if ((n = parse_hms(s + i + 1, 167, &r->secs)) == 0)
            return 0;
        i += n + 1;
    }
    return i;
}

/* s is NUL-terminated; an empty string is "no rule" */
static int parse_footer(const char *s, struct footer *f)
{
    size_t i, n;
    int32_t v;

    memset(f, 0, sizeof(*f));
    if (*s == '\0')
        return 0;
    if ((i = parse_abbr(s)) == 0 || (n = parse_hms(s + i, 24, &v)) == 0)
        return -1;
    i += n;
    f->present = true;
    f->std_off = -v;
    if (s[i] == '\0')
        return 0;
    if ((n = parse_abbr(s + i)) == 0)
        return -1;
    i += n;
    f->has_dst = true;
    f->dst_off = f->std_off + 3600;
    if (s[i] != ',' && s[i] != '\0') {
        if ((n = parse_hms(s + i, 24, &v)) == 0)
            return -1;
        f->dst_off = -v;
        i += n;
    }
    if (s[i] == '\0') {
        /* no rule: the default of tzcode (US rules since 2007) */
        f->start = (struct rule){RULE_MONTH, 0, 3, 2, 0, 7200};
        f->end = (struct rule){RULE_MONTH, 0, 11, 1, 0, 7200};
        return 0;
    }
    if (s[i] != ',' || (n = parse_rule(s + i + 1, &f->start)) == 0)
        return -1;
    i += n + 1;
    if (s[i] != ',' || (n = parse_rule(s + i + 1, &f->end)) == 0)
        return -1;
    i += n + 1;
    return s[i] == '\0' ? 0 : -1;
}

/* days since the epoch of the local date a rule names in year y */
static int64_t rule_day(const struct rule *r, int64_t y)
{
    int64_t jan1 = tz_days_from_civil((int)y, 1, 1);

    switch (r->kind) {
    case RULE_JULIAN1:
        /* February 29 is never counted: day 60 is always March 1 */
        return jan1 + r->n - 1 + (is_leap(y) && r->n >= 60 ? 1 : 0);
    case RULE_JULIAN0:
        return jan1 + r->n;
    case RULE_MONTH: {
        int64_t first = tz_days_from_civil((int)y, r->m, 1);
        int64_t d = first + (r->d - wday_of_days(first) + 7) % 7 + 7 * (r->w - 1);
        int len = month_len(y, r->m);

        while (d >= first + len)
            d -= 7;
        return d;
    }
    }
    return jan1;
}

/*
 * The footer's changes of years y-1 to y+1 (start of dst at [2k], end at [2k+1]), as instants.
 */
static void footer_changes(const struct footer *f, int64_t y, int64_t at[6])
{
    for (int k = 0; k < 3; k++) {
        int64_t yy = y - 1 + k;

        at[2 * k] = rule_day(&f->start, yy) * DAY + f->start.secs - f->std_off;
        at[2 * k + 1] = rule_day(&f->end, yy) * DAY + f->end.secs - f->dst_off;
    }
}

static int64_t year_of(int64_t t)
{
    int y, m, d;

    tz_civil_from_days(floor_div(t, DAY), &y, &m, &d);
    return y;
}

/* the footer's offset at t */
static int32_t footer_offset(const struct footer *f, int64_t t)
{
    int64_t at[6], best = INT64_MIN;
    bool dst = false;

    if (!f->has_dst)
        return f->std_off;
    footer_changes(f, year_of(t + f->std_off), at);
    for (int k = 0; k < 6; k++) {
        /* on a tie the start wins: "dst all year" rules end and start at the same instant */
        if (at[k] <= t && (at[k] > best || (at[k] == best && k % 2 == 0))) {
            best = at[k];
            dst = k % 2 == 0;
        }
    }
    return dst ? f->dst_off : f->std_off;
}

/* the first footer change after t, if any */
static bool footer_next_change(const struct footer *f, int64_t t, int64_t *when)
{
    int64_t at[6], best = INT64_MAX;

    if (!f->has_dst)
        return false;
    footer_changes(f, year_of(t + f->std_off) + 1, at); /* years y to y+2 */
    for (int k = 0; k < 6; k++)
        if (at[k] > t && at[k] < best)
            best = at[k];
    *when = best;
    return best != INT64_MAX;
}

/* ---- parsing TZif ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_hdr {
    int version; /* 1 to 4 */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static int read_header(const unsigned char *p, size_t len, struct tzif_hdr *h)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return -1;
    if (p[4] == 0)
        h->version = 1;
    else if (p[4] >= '2' && p[4] <= '4')
        h->version = p[4] - '0';
    else
        return -1;
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    if (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0 || h->charcnt > 65536 ||
        h->timecnt > 1000000 || h->leapcnt > 100000 ||
        (h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
        (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
        return -1;
    return 0;
}

/* bytes of the data block after a header; tsize is 4 (v1 block) or 8 (v2+ block) */
static size_t block_len(const struct tzif_hdr *h, size_t tsize)
{
    return (size_t)h->timecnt * tsize + h->timecnt + (size_t)h->typecnt * 6 + h->charcnt +
           (size_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

static void add_off(struct tz *tz, int32_t off)
{
    for (size_t i = 0; i < tz->n_offs; i++)
        if (tz->offs[i] == off)
            return;
    tz->offs[tz->n_offs++] = off;
}

void tz_free(struct tz *tz)
{
    if (tz == NULL)
        return;
    free(tz->trans);
    free(tz->idx);
    free(tz->types);
    free(tz->offs);
    free(tz);
}

static struct tz *refuse(struct tz *tz, struct err *err, const char *what)
{
    tz_free(tz);
    err_set(err, ERR_INVALID, "zone", "%s", what);
    return NULL;
}

struct tz *tz_parse(const unsigned char *data, size_t len, const char *name, struct err *err)
{
    struct tzif_hdr h;
    const unsigned char *p = data;
    size_t tsize = 4, rest = len;
    struct tz *tz;
    char footer[256];

    if (data == NULL || read_header(p, rest, &h) != 0)
        return refuse(NULL, err, "not a time zone file");
    p += 44;
    rest -= 44;
    if (h.version >= 2) {
        /* skip the 32-bit block; the 64-bit one follows with its own header */
        size_t skip = block_len(&h, 4);

        if (skip > rest)
            return refuse(NULL, err, "truncated time zone file");
        p += skip;
        rest -= skip;
        if (read_header(p, rest, &h) != 0)
            return refuse(NULL, err, "not a time zone file");
        p += 44;
        rest -= 44;
        tsize = 8;
    }
    if (block_len(&h, tsize) > rest)
        return refuse(NULL, err, "truncated time zone file");
    if (h.leapcnt != 0)
        return refuse(NULL, err, "leap second zones are not supported");

    tz = xcalloc(1, sizeof(*tz));
    if (name != NULL) {
        strncpy(tz->name, name, TZ_NAME_MAX);
        tz->name[TZ_NAME_MAX] = '\0';
    }
    tz->n_trans = h.timecnt;
    tz->trans = xcalloc(h.timecnt + 1, sizeof(*tz->trans));
    tz->idx = xcalloc(h.timecnt + 1, 1);
    tz->n_types = h.typecnt;
    tz->types = xcalloc(h.typecnt, sizeof(*tz->types));
    for (size_t i = 0; i < h.timecnt; i++) {
        tz->trans[i] = tsize == 8 ? be64(p + i * 8) : (int32_t)be32(p + i * 4);
        if (i > 0 && tz->trans[i] <= tz->trans[i - 1])
            return refuse(tz, err, "time zone transitions out of order");
    }
    p += (size_t)h.timecnt * tsize;
    for (size_t i = 0; i < h.timecnt; i++) {
        tz->idx[i] = p[i];
        if (p[i] >= h.typecnt)
            return refuse(tz, err, "time zone transition names no type");
    }
    p += h.timecnt;
    for (size_t i = 0; i < h.typecnt; i++) {
        int32_t off = (int32_t)be32(p + i * 6);

        if (off == INT32_MIN || off < -MAX_OFF || off > MAX_OFF || p[i * 6 + 4] > 1 ||
            p[i * 6 + 5] >= h.charcnt)
            return refuse(tz, err, "bad local time type in time zone file");
        tz->types[i].off = off;
        tz->types[i].dst = p[i * 6 + 4] == 1;
    }
    p += (size_t)h.typecnt * 6;
    p += h.charcnt + (size_t)h.leapcnt * (tsize + 4);
    for (size_t i = 0; i < h.isstdcnt + h.isutcnt; i++)
        if (p[i] > 1)
            return refuse(tz, err, "bad indicator in time zone file");
    p += h.isstdcnt + h.isutcnt;
    rest = len - (size_t)(p - data);

    footer[0] = '\0';
    if (h.version >= 2) {
        const unsigned char *nl;
        size_t flen;

        if (rest < 2 || p[0] != '\n' || (nl = memchr(p + 1, '\n', rest - 1)) == NULL)
            return refuse(tz, err, "time zone file has no footer");
        flen = (size_t)(nl - (p + 1));
        if (flen >= sizeof(footer) || memchr(p + 1, '\0', flen) != NULL)
            return refuse(tz, err, "bad time zone footer");
        memcpy(footer, p + 1, flen);
        footer[flen] = '\0';
    }
    if (parse_footer(footer, &tz->footer) != 0)
        return refuse(tz, err, "bad time zone footer");
    if (tz->footer.present && (tz->footer.std_off < -MAX_OFF || tz->footer.std_off > MAX_OFF ||
                               tz->footer.dst_off < -MAX_OFF || tz->footer.dst_off > MAX_OFF))
        return refuse(tz, err, "bad time zone footer");

    tz->offs = xcalloc(h.typecnt + 2, sizeof(*tz->offs));
    for (size_t i = 0; i < h.typecnt; i++)
        add_off(tz, tz->types[i].off);
    if (tz->footer.present) {
        add_off(tz, tz->footer.std_off);
        if (tz->footer.has_dst)
            add_off(tz, tz->footer.dst_off);
    }
    return tz;
}

/* ---- instants and local times ---- */

/* how many transitions are at or before t */
static size_t trans_upto(const struct tz *tz, int64_t t)
{
    size_t lo = 0, hi = tz->n_trans;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (tz->trans[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int64_t clamp_t(int64_t t)
{
    return t < -T_LIMIT ? -T_LIMIT : t > T_LIMIT ? T_LIMIT : t;
}

int32_t tz_offset_at(const struct tz *tz, int64_t t)
{
    size_t n;

    t = clamp_t(t);
    n = trans_upto(tz, t);

    if (tz->footer.present && n == tz->n_trans)
        return footer_offset(&tz->footer, t);
    if (n == 0)
        return tz->types[0].off;
    return tz->types[tz->idx[n - 1]].off;
}

/* the first instant after t at which the offset may change; false when it never does */
static bool next_change(const struct tz *tz, int64_t t, int64_t *when)
{
    size_t n = trans_upto(tz, t);

    if (n < tz->n_trans) {
        *when = tz->trans[n];
        return true;
    }
    return tz->footer.present && footer_next_change(&tz->footer, t, when);
}

static int64_t local_secs(const struct tz_local *l)
{
    return tz_days_from_civil(l->year, l->month, l->day) * DAY + l->hour * 3600 + l->min * 60 +
           l->sec;
}

void tz_to_local(const struct tz *tz, int64_t t, struct tz_local *out)
{
    int64_t l = clamp_t(t) + tz_offset_at(tz, t);
    int64_t days = floor_div(l, DAY);
    int64_t s = l - days * DAY;

    tz_civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(s / 3600);
    out->min = (int)(s / 60 % 60);
    out->sec = (int)(s % 60);
    out->wday = wday_of_days(days);
}

enum tz_local_kind tz_from_local(const struct tz *tz, const struct tz_local *local, int64_t *first,
                                 int64_t *second)
{
    int64_t l = local_secs(local), lo, hi;
    int64_t found[2] = {0, 0};
    size_t n = 0;

    for (size_t i = 0; i < tz->n_offs; i++) {
        int64_t t = l - tz->offs[i];

        if (tz_offset_at(tz, t) != tz->offs[i])
            continue;
        if (n == 0) {
            found[n++] = t;
        } else if (n == 1) {
            if (t != found[0]) {
                found[n++] = t > found[0] ? t : found[0];
                found[0] = t > found[0] ? found[0] : t;
            }
        } else {
            /* more than two: keep the earliest and the latest */
            found[0] = t < found[0] ? t : found[0];
            found[1] = t > found[1] ? t : found[1];
        }
    }
    if (n == 1) {
        *first = found[0];
        return TZ_LOCAL_UNIQUE;
    }
    if (n == 2) {
        *first = found[0];
        *second = found[1];
        return TZ_LOCAL_AMBIGUOUS;
    }
    /*
     * In a gap: the wall clock t + offset(t) jumps over l at a transition T.  Search the first
     * instant whose wall clock is past l (offsets are within MAX_OFF).
     */
    lo = l - MAX_OFF - 1; /* wall clock before l */
    hi = l + MAX_OFF + 1; /* wall clock after l */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;

        if (mid + tz_offset_at(tz, mid) > l)
            hi = mid;
        else
            lo = mid;
    }
    *first = hi;
    return TZ_LOCAL_NONEXISTENT;
}

/* ---- the calendar ---- */

static bool is_holiday(const struct tz_cal *cal, int64_t day)
{
    size_t lo = 0, hi = cal->n_holidays;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cal->holidays[mid] == day)
            return true;
        if (cal->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static bool is_working_day(const struct tz_cal *cal, int64_t day)
{
    int wd = wday_of_days(day);

    return wd >= 1 && wd <= 5 && !is_holiday(cal, day);
}

static int clamp_min(int m)
{
    return m < 0 ? 0 : m > 24 * 60 ? 24 * 60 : m;
}

bool tz_cal_is_open(const struct tz_cal *cal, int64_t t)
{
    int64_t l = clamp_t(t) + tz_offset_at(cal->tz, t);
    int64_t day = floor_div(l, DAY);
    int64_t s = l - day * DAY;

    return t >= CAL_MIN && t < CAL_MAX && is_working_day(cal, day) &&
           s >= (int64_t)clamp_min(cal->open_min) * 60 &&
           s < (int64_t)clamp_min(cal->close_min) * 60;
}

/* the window of one local day as real-time intervals [at[k], at[k+1]); returns how many */
#define MAX_PIECES 8
static size_t day_window(const struct tz_cal *cal, int64_t day, int64_t iv[MAX_PIECES][2])
{
    int64_t lo = day * DAY + (int64_t)clamp_min(cal->open_min) * 60;
    int64_t lc = day * DAY + (int64_t)clamp_min(cal->close_min) * 60;
    int64_t a = lo - MAX_OFF, end = lc + MAX_OFF;
    size_t n = 0;

    if (lo >= lc || !is_working_day(cal, day))
        return 0;
    /* pieces [a, b) of constant offset o; inside one, the wall clock is t + o */
    while (a < end && n < MAX_PIECES) {
        int32_t o = tz_offset_at(cal->tz, a);
        int64_t b;
        int64_t s, e;

        if (!next_change(cal->tz, a, &b) || b > end)
            b = end;
        s = lo - o > a ? lo - o : a;
        e = lc - o < b ? lc - o : b;
        if (s < e) {
            if (n > 0 && iv[n - 1][1] == s) {
                iv[n - 1][1] = e; /* the same window across a change of offset */
            } else {
                iv[n][0] = s;
                iv[n][1] = e;
                n++;
            }
        }
        a = b;
    }
    return n;
}

int tz_cal_next_open(const struct tz_cal *cal, int64_t t, int64_t *open, int64_t *close,
                     struct err *err)
{
    int64_t day0;

    if (t < CAL_MIN)
        t = CAL_MIN;
    if (t > CAL_MAX)
        return err_set(err, ERR_INVALID, "zone", "no working hours within a year");
    day0 = floor_div(t + tz_offset_at(cal->tz, t), DAY);
    for (int64_t day = day0 - 1; day <= day0 + 366; day++) {
        int64_t iv[MAX_PIECES][2];
        size_t n = day_window(cal, day, iv);

        for (size_t k = 0; k < n; k++) {
            if (iv[k][1] > t && iv[k][0] < CAL_MAX) {
                *open = iv[k][0] > t ? iv[k][0] : t;
                *close = iv[k][1];
                return 0;
            }
        }
    }
    return err_set(err, ERR_INVALID, "zone", "no working hours within a year");
}

int64_t tz_cal_business_seconds(const struct tz_cal *cal, int64_t from, int64_t to)
{
    int64_t sum = 0, d0, d1;

    from = from < CAL_MIN ? CAL_MIN : from;
    to = to > CAL_MAX ? CAL_MAX : to;
    if (to <= from)
        return 0;
    d0 = floor_div(from - MAX_OFF, DAY);
    d1 = floor_div(to + MAX_OFF, DAY);
    for (int64_t day = d0; day <= d1; day++) {
        int64_t iv[MAX_PIECES][2];
        size_t n = day_window(cal, day, iv);

        for (size_t k = 0; k < n; k++) {
            int64_t s = iv[k][0] > from ? iv[k][0] : from;
            int64_t e = iv[k][1] < to ? iv[k][1] : to;

            if (s < e)
                sum += e - s;
        }
    }
    return sum;
}

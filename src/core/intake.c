/*
 * intake: value checks for a new service case and its addresses.
 * Text must be valid UTF-8 without control characters (new lines allowed in long text), so that
 * what we store can be printed on a label and shown on a page.
 */
#include "core/intake.h"
#include "core/tz.h"
#include "core/utf8.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/*
 * Length in bytes if s is valid UTF-8 (RFC 3629: shortest form only, no UTF-16 surrogates, nothing
 * above U+10FFFF) with no control characters: C0 controls except \n \r \t when multiline, DEL,
 * and the C1 controls U+0080..U+009F.  -1 otherwise.
 */
static long utf8_text_len(const char *s, bool multiline)
{
    const unsigned char *p = (const unsigned char *)s;
    long n = 0;

    while (*p) {
        unsigned char c = *p;
        /* the range allowed for the second byte; the others are always 80..BF */
        unsigned char lo = 0x80, hi = 0xbf;
        int extra;

        if (c < 0x80) {
            if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f)
                return -1;
            extra = 0;
        } else if (c == 0xc2) {
            lo = 0xa0; /* C2 80..C2 9F are the C1 controls */
            extra = 1;
        } else if (c >= 0xc3 && c <= 0xdf) {
            extra = 1;
        } else if (c == 0xe0) {
            lo = 0xa0; /* E0 80..E0 9F would be overlong */
            extra = 2;
        } else if (c == 0xed) {
            hi = 0x9f; /* ED A0..ED BF would be UTF-16 surrogates */
            extra = 2;
        } else if (c >= 0xe1 && c <= 0xef) {
            extra = 2;
        } else if (c == 0xf0) {
            lo = 0x90; /* F0 80..F0 8F would be overlong */
            extra = 3;
        } else if (c >= 0xf1 && c <= 0xf3) {
            extra = 3;
        } else if (c == 0xf4) {
            hi = 0x8f; /* F4 90 and up would be above U+10FFFF */
            extra = 3;
        } else {
            return -1; /* continuation byte, C0, C1 (overlong) or F5..FF */
        }
        if (extra > 0 && (p[1] < lo || p[1] > hi))
            return -1;
        for (int i = 2; i <= extra; i++)
            if ((p[i] & 0xc0) != 0x80)
                return -1;
        p += extra + 1;
        n += extra + 1;
    }
    return n;
}

/* The code point at *p of valid UTF-8; advances *p. */
static unsigned long next_cp(const unsigned char **p)
{
    const unsigned char *q = *p;
    unsigned long cp;
    int extra;

    if (q[0] < 0x80) {
        cp = q[0];
        extra = 0;
    } else if (q[0] < 0xe0) {
        cp = q[0] & 0x1f;
        extra = 1;
    } else if (q[0] < 0xf0) {
        cp = q[0] & 0x0f;
        extra = 2;
    } else {
        cp = q[0] & 0x07;
        extra = 3;
    }
    for (int i = 1; i <= extra && q[i]; i++)
        cp = (cp << 6) | (q[i] & 0x3f);
    *p = q + extra + 1;
    return cp;
}

/* Spaces and characters that print nothing: a field of only these is empty. */
static bool invisible(unsigned long cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xa0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
           (cp >= 0x205f && cp <= 0x2064) || cp == 0x3000 || cp == 0xfeff || cp == 0x180e;
}

/* Bidirectional embeddings, overrides and isolates: they can make printed text read other
 * than it is stored (a label spoofed by U+202E), so customer text may not carry them. */
static bool bidi_control(unsigned long cp)
{
    return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* s is valid UTF-8 here. */
static bool blank(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p)
        if (!invisible(next_cp(&p)))
            return false;
    return true;
}

static bool has_bidi_control(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p)
        if (bidi_control(next_cp(&p)))
            return true;
    return false;
}

int intake_check_text(const char *s, size_t max, bool required, const char *field, struct err *err)
{
    if (s == NULL)
        return required ? err_set(err, ERR_INVALID, field, "is required") : 0;
    long n = utf8_text_len(s, max > ADDRESS_FIELD_MAX);
    if (n < 0)
        return err_set(err, ERR_INVALID, field, "must be utf-8 text without control characters");
    if (utf8_has_noncharacter(s))
        return err_set(err, ERR_INVALID, field,
                       "must not contain unicode noncharacters (such as U+FFFF)");
    if (blank(s))
        return required ? err_set(err, ERR_INVALID, field, "is required") : 0;
    if (has_bidi_control(s))
        return err_set(err, ERR_INVALID, field,
                       "must not contain bidirectional override characters");
    if ((size_t)n > max)
        return err_set(err, ERR_INVALID, field, "must be at most %zu bytes", max);
    return 0;
}

int intake_check_serial(const char *s, const char *field, struct err *err)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0)
        return err_set(err, ERR_INVALID, field, "is required");
    if (n > 64)
        return err_set(err, ERR_INVALID, field, "must be 1 to 64 characters");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '-' && c != '.' && c != '/')
            return err_set(err, ERR_INVALID, field, "may hold only letters, digits, - . /");
    }
    return 0;
}

int intake_check_model(const char *s, const char *field, struct err *err)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0)
        return err_set(err, ERR_INVALID, field, "is required");
    if (n > 64)
        return err_set(err, ERR_INVALID, field, "must be 1 to 64 characters");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '-' && c != '.' && c != '_' && c != '/')
            return err_set(err, ERR_INVALID, field, "may hold only letters, digits, - . _ /");
    }
    return 0;
}

static int check_email(const char *s, struct err *err)
{
    const char *at = strchr(s, '@');
    size_t n = strlen(s);

    if (n > 254 || at == NULL || at == s || strchr(at + 1, '@') != NULL ||
        strchr(at + 1, '.') == NULL || s[n - 1] == '.' || at[1] == '.')
        return err_set(err, ERR_INVALID, "contact.email", "must be an e-mail address");
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == ',' || *p == ';')
            return err_set(err, ERR_INVALID, "contact.email", "must be an e-mail address");
    return 0;
}

static int check_phone(const char *s, struct err *err)
{
    int digits = 0;

    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (!strchr("+ -()./", *p))
            return err_set(err, ERR_INVALID, "contact.phone",
                           "may hold only digits, spaces and + - ( ) . /");
    }
    if (digits < 5 || digits > 20 || strlen(s) > 32)
        return err_set(err, ERR_INVALID, "contact.phone", "must have 5 to 20 digits");
    return 0;
}

/* Runs check into a fresh struct err; a failure is kept as problem n (when there is room). */
#define PROBLEM(check)                                                                             \
    do {                                                                                           \
        struct err e_ = {0};                                                                       \
        struct err *err = &e_;                                                                     \
        if ((check) != 0) {                                                                        \
            if (n < max)                                                                           \
                errs[n] = e_;                                                                      \
            n++;                                                                                   \
        }                                                                                          \
    } while (0)

static int check_postcode(const char *postcode, const char *field, struct err *err)
{
    if (intake_check_text(postcode, 16, true, field, err))
        return -1;
    for (const char *p = postcode; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != ' ' && *p != '-')
            return err_set(err, ERR_INVALID, field, "may hold only letters, digits, spaces and -");
    return 0;
}

static int check_country(const char *country, const char *field, struct err *err)
{
    if (country == NULL || strlen(country) != 2 || !isupper((unsigned char)country[0]) ||
        !isupper((unsigned char)country[1]))
        return err_set(err, ERR_INVALID, field, "must be an iso 3166 two-letter code such as DE");
    return 0;
}

size_t address_problems(const struct address *a, const char *prefix, struct err *errs, size_t max)
{
    char f[64];
    size_t n = 0;

#define FIELD(name) (snprintf(f, sizeof f, "%s.%s", prefix, name), f)
    PROBLEM(intake_check_text(a->name, ADDRESS_FIELD_MAX, true, FIELD("name"), err));
    PROBLEM(intake_check_text(a->street, ADDRESS_FIELD_MAX, true, FIELD("street"), err));
    PROBLEM(intake_check_text(a->city, ADDRESS_FIELD_MAX, true, FIELD("city"), err));
    PROBLEM(check_postcode(a->postcode, FIELD("postcode"), err));
    PROBLEM(check_country(a->country, FIELD("country"), err));
#undef FIELD
    return n;
}

/* The first of problems[0..n) into err: -1, or 0 when n is 0. */
static int first_problem(const struct err *problems, size_t n, struct err *err)
{
    if (n == 0)
        return 0;
    return err_set(err, problems[0].kind, problems[0].field[0] ? problems[0].field : NULL, "%s",
                   problems[0].message);
}

int address_validate(const struct address *a, const char *prefix, struct err *err)
{
    struct err first;
    return first_problem(&first, address_problems(a, prefix, &first, 1), err);
}

void address_postcode_normalize(const char *in, char *out, size_t n)
{
    size_t j = 0;

    if (n == 0)
        return;
    for (; in != NULL && *in && j + 1 < n; in++) {
        unsigned char c = (unsigned char)*in;
        if (c == ' ' || c == '-' || c == '\t')
            continue;
        out[j++] = (char)toupper(c);
    }
    out[j] = '\0';
}

static const char *const channels[] = {"hotline", "email", "designated_contact", "web", "api"};

size_t intake_problems(const struct intake *in, struct err *errs, size_t max)
{
    bool channel_ok = false;
    size_t n = 0;

    for (size_t i = 0; in->channel != NULL && i < sizeof channels / sizeof channels[0]; i++)
        if (strcmp(in->channel, channels[i]) == 0)
            channel_ok = true;
    PROBLEM(in->channel == NULL ? err_set(err, ERR_INVALID, "channel", "is required") :
            !channel_ok         ? err_set(err, ERR_INVALID, "channel",
                                          "must be one of hotline, email, designated_contact, web, api") :
                                  0);
    PROBLEM(intake_check_model(in->product_model, "product_model", err));
    PROBLEM(intake_check_serial(in->serial_number, "serial_number", err));
    PROBLEM(
        intake_check_text(in->fault_description, INTAKE_TEXT_MAX, true, "fault_description", err));
    PROBLEM(intake_check_text(in->contact.name, ADDRESS_FIELD_MAX, true, "contact.name", err));
    PROBLEM(
        in->contact.phone == NULL && in->contact.email == NULL ?
            err_set(err, ERR_INVALID, "contact.email", "a phone number or an e-mail is required") :
            0);
    PROBLEM(in->contact.email != NULL ? check_email(in->contact.email, err) : 0);
    PROBLEM(in->contact.phone != NULL ? check_phone(in->contact.phone, err) : 0);
    n += address_problems(&in->service_address, "service_address", n < max ? errs + n : NULL,
                          n < max ? max - n : 0);
    return n;
}

int intake_validate(const struct intake *in, struct err *err)
{
    struct err first;
    return first_problem(&first, intake_problems(in, &first, 1), err);
}

#undef PROBLEM

/* ---- zones and holidays (issue 3) ---- */

int intake_resolve_zone(struct intake *in, struct err *err)
{
    const char *country = in->service_address.country;
    const char *r = in->region;

    if (in->zone == NULL) {
        in->zone = tz_country_zone(country);
        if (in->zone == NULL)
            return err_set(err, ERR_INVALID, "service_address.zone", "required for country %s",
                           country);
    } else if (!tz_name_valid(in->zone)) {
        return err_set(err, ERR_INVALID, "service_address.zone", "unknown time zone");
    }
    if (r == NULL) {
        in->region = country;
        return 0;
    }
    /* "CC" or "CC-" and a subdivision code (DE-BY): the country, then 1 to 3 upper-case letters or
     * digits */
    size_t len = strlen(r), i;
    bool ok = len >= 2 && strncmp(r, country, 2) == 0 && (len == 2 || (len >= 4 && len <= 6));
    for (i = 3; ok && i < len; i++)
        ok = isupper((unsigned char)r[i]) || isdigit((unsigned char)r[i]);
    if (!ok || (len > 2 && r[2] != '-'))
        return err_set(err, ERR_INVALID, "service_address.region",
                       "must be the country or one of its subdivisions (%s or %s-XX)", country,
                       country);
    return 0;
}

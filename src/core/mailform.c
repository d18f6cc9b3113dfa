/*
 * mailform: the intake fields of a customer's e-mail text (see include/core/mailform.h for the
 * format) and the texts rmad writes back.  A line "Label: value" whose label is in the alias
 * table below sets a field; every other line is free text.  Nothing here fails: what cannot be
 * read stays missing, and the caller lists it back to the sender.
 */
#include "core/mailform.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum mf_field {
    MF_NONE,
    MF_MODEL,
    MF_SERIAL,
    MF_ERRORS,
    MF_CONFIG,
    MF_PHONE,
    MF_NAME,
    MF_COMPANY,
    MF_ADDRESS,
    MF_STREET,
    MF_CITY,
    MF_POSTCODE,
    MF_COUNTRY,
    MF_DESCRIPTION,
    MF_ZONE,
};

/* Labels as written, compared without case (ASCII) after trimming; German with and without
 * umlauts. */
static const struct {
    const char *label;
    enum mf_field field;
} aliases[] = {
    {"model", MF_MODEL},
    {"product model", MF_MODEL},
    {"product", MF_MODEL},
    {"modell", MF_MODEL},
    {"produkt", MF_MODEL},
    {"produktmodell", MF_MODEL},
    {"ger\xc3\xa4t", MF_MODEL},
    {"geraet", MF_MODEL},
    {"serial number", MF_SERIAL},
    {"serial", MF_SERIAL},
    {"serial no", MF_SERIAL},
    {"serial no.", MF_SERIAL},
    {"s/n", MF_SERIAL},
    {"sn", MF_SERIAL},
    {"seriennummer", MF_SERIAL},
    {"serien-nr.", MF_SERIAL},
    {"serien-nr", MF_SERIAL},
    {"seriennr.", MF_SERIAL},
    {"seriennr", MF_SERIAL},
    {"error messages", MF_ERRORS},
    {"error message", MF_ERRORS},
    {"errors", MF_ERRORS},
    {"error", MF_ERRORS},
    {"fehlermeldungen", MF_ERRORS},
    {"fehlermeldung", MF_ERRORS},
    {"configuration", MF_CONFIG},
    {"config", MF_CONFIG},
    {"hardware/software configuration", MF_CONFIG},
    {"konfiguration", MF_CONFIG},
    {"phone", MF_PHONE},
    {"phone number", MF_PHONE},
    {"telephone", MF_PHONE},
    {"tel", MF_PHONE},
    {"tel.", MF_PHONE},
    {"mobile", MF_PHONE},
    {"telefon", MF_PHONE},
    {"telefonnummer", MF_PHONE},
    {"handy", MF_PHONE},
    {"name", MF_NAME},
    {"contact", MF_NAME},
    {"contact person", MF_NAME},
    {"contact name", MF_NAME},
    {"ansprechpartner", MF_NAME},
    {"ansprechpartnerin", MF_NAME},
    {"kontakt", MF_NAME},
    {"company", MF_COMPANY},
    {"organisation", MF_COMPANY},
    {"organization", MF_COMPANY},
    {"firma", MF_COMPANY},
    {"unternehmen", MF_COMPANY},
    {"address", MF_ADDRESS},
    {"service address", MF_ADDRESS},
    {"adresse", MF_ADDRESS},
    {"anschrift", MF_ADDRESS},
    {"serviceadresse", MF_ADDRESS},
    {"street", MF_STREET},
    {"stra\xc3\x9f"
     "e",
     MF_STREET},
    {"strasse", MF_STREET},
    {"city", MF_CITY},
    {"town", MF_CITY},
    {"ort", MF_CITY},
    {"stadt", MF_CITY},
    {"postcode", MF_POSTCODE},
    {"post code", MF_POSTCODE},
    {"postal code", MF_POSTCODE},
    {"zip", MF_POSTCODE},
    {"zip code", MF_POSTCODE},
    {"plz", MF_POSTCODE},
    {"postleitzahl", MF_POSTCODE},
    {"country", MF_COUNTRY},
    {"land", MF_COUNTRY},
    {"time zone", MF_ZONE},
    {"timezone", MF_ZONE},
    {"zeitzone", MF_ZONE},
    {"fault description", MF_DESCRIPTION},
    {"description", MF_DESCRIPTION},
    {"fault", MF_DESCRIPTION},
    {"problem", MF_DESCRIPTION},
    {"problem description", MF_DESCRIPTION},
    {"fehlerbeschreibung", MF_DESCRIPTION},
    {"beschreibung", MF_DESCRIPTION},
    {"problembeschreibung", MF_DESCRIPTION},
};

/* Country names a customer may write instead of the ISO code. */
static const struct {
    const char *name;
    const char *code;
} countries[] = {
    {"germany", "DE"},
    {"deutschland", "DE"},
    {"austria", "AT"},
    {"\xc3\xb6sterreich", "AT"},
    {"oesterreich", "AT"},
    {"switzerland", "CH"},
    {"schweiz", "CH"},
    {"france", "FR"},
    {"frankreich", "FR"},
    {"netherlands", "NL"},
    {"niederlande", "NL"},
    {"belgium", "BE"},
    {"belgien", "BE"},
    {"italy", "IT"},
    {"italien", "IT"},
    {"spain", "ES"},
    {"spanien", "ES"},
    {"poland", "PL"},
    {"polen", "PL"},
    {"united kingdom", "GB"},
    {"uk", "GB"},
    {"great britain", "GB"},
    {"usa", "US"},
    {"united states", "US"},
    {"japan", "JP"},
    {"denmark", "DK"},
    {"d\xc3\xa4nemark", "DK"},
};

/* The API fields an e-mail must provide, and the label to write for each. */
static const struct {
    const char *field;
    const char *label;
} required[] = {
    {"product_model", "Model"},
    {"serial_number", "Serial number"},
    {"fault_description", "Fault description"},
    {"contact.name", "Name"},
    {"service_address.street", "Street"},
    {"service_address.city", "City"},
    {"service_address.postcode", "Postcode"},
    {"service_address.country", "Country"},
};

static bool blank(const char *s)
{
    if (s == NULL)
        return true;
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

/* A copy of s[0..n) without leading and trailing white space. */
static char *trimmed(struct arena *a, const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return arena_strndup(a, s, n);
}

/* The field of a line "Label: value"; *value points after the colon.  MF_NONE otherwise. */
static enum mf_field label_of(const char *line, size_t n, const char **value)
{
    const char *colon = memchr(line, ':', n);
    char label[48];
    size_t len;
    const char *p = line;

    if (colon == NULL)
        return MF_NONE;
    while (p < colon && isspace((unsigned char)*p))
        p++;
    len = (size_t)(colon - p);
    while (len > 0 && isspace((unsigned char)p[len - 1]))
        len--;
    if (len == 0 || len >= sizeof label)
        return MF_NONE;
    memcpy(label, p, len);
    label[len] = '\0';
    /* a hint in parentheses after the label, as our replies write it: "Time zone (for example
     * America/New_York): ..." */
    if (len > 2 && label[len - 1] == ')') {
        char *open = strrchr(label, '(');
        if (open != NULL && open > label) {
            while (open > label && isspace((unsigned char)open[-1]))
                open--;
            *open = '\0';
        }
    }
    /* "Fault description (free text)" style additions are not labels; "-" and "*" bullets are */
    if (label[0] == '-' || label[0] == '*') {
        size_t skip = 1;
        while (skip < len && isspace((unsigned char)label[skip]))
            skip++;
        memmove(label, label + skip, len - skip + 1);
    }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(label, aliases[i].label) == 0) {
            *value = colon + 1;
            return aliases[i].field;
        }
    return MF_NONE;
}

/* "DE", "de", "Germany", "Deutschland" -> "DE"; anything else as written, upper-cased when
 * it has two letters. */
static const char *country_code(struct arena *a, const char *s)
{
    size_t n = strlen(s);

    if (n == 2 && isalpha((unsigned char)s[0]) && isalpha((unsigned char)s[1]))
        return arena_printf(a, "%c%c", toupper((unsigned char)s[0]), toupper((unsigned char)s[1]));
    for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
        if (strcasecmp(s, countries[i].name) == 0)
            return countries[i].code;
    /* "Österreich" with its capital umlaut */
    if (n > 2 && strncmp(s, "\xc3\x96", 2) == 0 && strcasecmp(s + 2, "sterreich") == 0)
        return "AT";
    return s;
}

static bool is_country(const char *s)
{
    size_t n = strlen(s);
    if (n == 2 && isalpha((unsigned char)s[0]) && isalpha((unsigned char)s[1]))
        return true;
    return strlen(country_code(NULL, s)) == 2 && strcmp(country_code(NULL, s), s) != 0;
}

/* "60329 Frankfurt", "D-60329 Frankfurt am Main", "1010 Wien": postcode then city. */
static bool postcode_city(struct arena *a, const char *part, const char **postcode,
                          const char **city)
{
    const char *sp = strchr(part, ' ');
    bool digit = false;

    if (sp == NULL)
        return false;
    for (const char *c = part; c < sp; c++) {
        if (isdigit((unsigned char)*c))
            digit = true;
        else if (!isalpha((unsigned char)*c) && *c != '-')
            return false;
    }
    if (!digit || blank(sp))
        return false;
    *postcode = arena_strndup(a, part, (size_t)(sp - part));
    *city = trimmed(a, sp, strlen(sp));
    return true;
}

/* An address in one line (or several joined with ", "): [company,] street, postcode city
 * [, country].  What cannot be placed is left unset. */
static void parse_address(struct arena *a, const char *text, struct mailform *f)
{
    const char *parts[8];
    size_t n = 0;
    const char *p = text;

    while (*p && n < 8) {
        size_t len = strcspn(p, ",;\n");
        char *part = trimmed(a, p, len);
        if (*part)
            parts[n++] = part;
        p += len;
        if (*p)
            p++;
    }
    if (n == 0)
        return;
    if (n >= 2 && is_country(parts[n - 1])) {
        f->country = country_code(a, parts[n - 1]);
        n--;
    }
    for (size_t i = n; i-- > 0;) {
        const char *pc;
        const char *city;
        if (postcode_city(a, parts[i], &pc, &city)) {
            f->postcode = pc;
            f->city = city;
            if (i >= 1)
                f->street = parts[i - 1];
            if (i >= 2 && f->company == NULL)
                f->company = parts[i - 2];
            return;
        }
    }
    /* no "postcode city": street first, then city */
    f->street = parts[0];
    if (n >= 2)
        f->city = parts[1];
}

static void set_field(struct arena *a, struct mailform *f, enum mf_field field, const char *v)
{
    if (blank(v))
        return;
    switch (field) {
    case MF_NONE:
        break;
    case MF_MODEL:
        f->product_model = v;
        break;
    case MF_SERIAL: {
        char *s = arena_strdup(a, v);
        for (char *c = s; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        f->serial_number = s;
        break;
    }
    case MF_ERRORS: {
        /* several lines under the label: one message each */
        const char *p = v;
        while (*p && f->n_error_messages < MAILFORM_MAX_ERRORS) {
            size_t len = strcspn(p, "\n");
            char *m = trimmed(a, p, len);
            if (*m)
                f->error_messages[f->n_error_messages++] = m;
            p += len;
            if (*p)
                p++;
        }
        break;
    }
    case MF_CONFIG:
        f->configuration = v;
        break;
    case MF_PHONE:
        f->phone = v;
        break;
    case MF_NAME:
        f->name = v;
        break;
    case MF_COMPANY:
        f->company = v;
        break;
    case MF_ADDRESS:
        parse_address(a, v, f);
        break;
    case MF_STREET:
        f->street = v;
        break;
    case MF_CITY:
        f->city = v;
        break;
    case MF_POSTCODE:
        f->postcode = v;
        break;
    case MF_COUNTRY:
        f->country = country_code(a, v);
        break;
    case MF_ZONE:
        f->zone = v;
        break;
    case MF_DESCRIPTION:
        f->description = f->description ? arena_printf(a, "%s\n%s", v, f->description) : v;
        break;
    }
}

/* Description text capped at INTAKE_TEXT_MAX bytes, cut at a character boundary. */
static const char *capped(struct arena *a, const char *s)
{
    if (s != NULL && strlen(s) > INTAKE_TEXT_MAX) {
        size_t cut = INTAKE_TEXT_MAX;
        while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
            cut--;
        return arena_strndup(a, s, cut);
    }
    return s;
}

/* Appends line to the free text; one blank line at most between paragraphs. */
static void add_free(struct arena *a, char **text, const char *line, size_t n, bool *gap)
{
    char *t = trimmed(a, line, n);
    if (*t == '\0') {
        *gap = *text != NULL;
        return;
    }
    if (*text == NULL)
        *text = t;
    else
        *text = arena_printf(a, "%s%s%s", *text, *gap ? "\n\n" : "\n", t);
    *gap = false;
}

void mailform_parse(const char *text, struct arena *a, struct mailform *out)
{
    const char *p = text ? text : "";
    char *free_text = NULL;
    bool gap = false;
    enum mf_field pending = MF_NONE; /* a label with nothing after its colon */
    char *block = NULL;

    memset(out, 0, sizeof *out);
    while (*p) {
        size_t n = strcspn(p, "\r\n");
        const char *line = p;
        const char *value = NULL;
        enum mf_field field;

        p += n;
        if (*p == '\r' && p[1] == '\n')
            p += 2;
        else if (*p)
            p++;
        if (strncmp(line, "-- ", 3) == 0 && (n == 3 || n == 2))
            break; /* signature */
        if (n == 2 && strncmp(line, "--", 2) == 0)
            break;
        if (n > 0 && line[0] == '>')
            continue; /* quoted reply */
        field = label_of(line, n, &value);
        if (pending != MF_NONE) {
            char *t = trimmed(a, line, n);
            if (field == MF_NONE && *t != '\0') {
                block = block ? arena_printf(a, "%s\n%s", block, t) : t;
                continue;
            }
            set_field(a, out, pending, block);
            pending = MF_NONE;
            block = NULL;
            if (field == MF_NONE) {
                add_free(a, &free_text, line, n, &gap);
                continue;
            }
        }
        if (field == MF_NONE) {
            add_free(a, &free_text, line, n, &gap);
            continue;
        }
        char *v = trimmed(a, value, (size_t)(line + n - value));
        if (*v == '\0') {
            pending = field;
            continue;
        }
        set_field(a, out, field, v);
    }
    if (pending != MF_NONE && block != NULL)
        set_field(a, out, pending, block);
    if (free_text != NULL)
        out->description =
            out->description ? arena_printf(a, "%s\n\n%s", out->description, free_text) : free_text;
    /* the stored description is capped; cut at a character boundary */
    out->description = capped(a, out->description);
}

/* The length of a reply or forward prefix at s ("Re:", "RE :", "Re[2]:", "AW:", "Fwd:", "WG:",
 * "SV:", ...), 0 when there is none. */
static size_t prefix_len(const char *s)
{
    static const char *const prefixes[] = {"re", "aw", "fwd", "fw", "wg", "antw", "sv", "vs", "tr"};

    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncasecmp(s, prefixes[i], n) != 0)
            continue;
        if (s[n] == '[' || s[n] == '(') { /* "Re[2]:", "Re(2):" */
            char close = s[n] == '[' ? ']' : ')';
            size_t j = n + 1;
            while (isdigit((unsigned char)s[j]))
                j++;
            if (j == n + 1 || s[j] != close)
                continue;
            n = j + 1;
        }
        while (s[n] == ' ')
            n++;
        if (s[n] == ':')
            return n + 1;
    }
    return 0;
}

const char *mailform_bare_subject(const char *s)
{
    size_t n;

    if (s == NULL)
        return NULL;
    do {
        while (*s == ' ' || *s == '\t')
            s++;
        n = prefix_len(s);
        s += n;
    } while (n > 0);
    return s;
}

char *mailform_reply_subject(struct arena *a, const char *subject, const char *otherwise)
{
    const char *bare = mailform_bare_subject(subject);
    return blank(bare) ? arena_strdup(a, otherwise) : arena_printf(a, "Re: %s", bare);
}

static const char *bare_subject(const char *s)
{
    return mailform_bare_subject(s);
}

void mailform_merge(struct mailform *into, const struct mailform *reply, struct arena *a)
{
#define TAKE(f)                                                                                    \
    if (!blank(reply->f))                                                                          \
    into->f = reply->f
    TAKE(product_model);
    TAKE(serial_number);
    TAKE(configuration);
    TAKE(phone);
    TAKE(name);
    TAKE(company);
    TAKE(street);
    TAKE(city);
    TAKE(postcode);
    TAKE(country);
    TAKE(zone);
#undef TAKE
    if (!blank(reply->description))
        into->description =
            blank(into->description) ?
                reply->description :
                capped(a, arena_printf(a, "%s\n\n%s", into->description, reply->description));
    if (reply->n_error_messages > 0) {
        for (size_t i = 0; i < reply->n_error_messages; i++)
            into->error_messages[i] = reply->error_messages[i];
        into->n_error_messages = reply->n_error_messages;
    }
}

void mailform_intake(const struct mailform *f, const char *from_name, const char *from_addr,
                     const char *subject, struct arena *a, struct intake *in)
{
    memset(in, 0, sizeof *in);
    in->channel = "email";
    in->product_model = f->product_model;
    in->serial_number = f->serial_number;
    in->fault_description = f->description;
    if (blank(in->fault_description) && subject != NULL && !blank(bare_subject(subject)))
        in->fault_description = arena_strdup(a, bare_subject(subject));
    in->contact.name = !blank(f->name) ? f->name : (!blank(from_name) ? from_name : NULL);
    in->contact.phone = f->phone;
    in->contact.email = !blank(from_addr) ? from_addr : NULL;
    in->service_address.name = !blank(f->company) ? f->company : in->contact.name;
    in->service_address.street = f->street;
    in->service_address.city = f->city;
    in->service_address.postcode = f->postcode;
    in->service_address.country = f->country;
    in->zone = f->zone;
}

size_t mailform_missing(const struct intake *in, const char **fields, size_t max)
{
    const char *values[] = {in->product_model,
                            in->serial_number,
                            in->fault_description,
                            in->contact.name,
                            in->service_address.street,
                            in->service_address.city,
                            in->service_address.postcode,
                            in->service_address.country};
    size_t n = 0;

    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        if (!blank(values[i]))
            continue;
        if (n < max)
            fields[n] = required[i].field;
        n++;
    }
    return n;
}

size_t mailform_unreadable_all(const struct intake *in, const char **out, size_t max)
{
    const char *values[] = {in->product_model,
                            in->serial_number,
                            in->contact.name,
                            in->contact.phone,
                            in->service_address.name,
                            in->service_address.street,
                            in->service_address.city,
                            in->service_address.postcode,
                            in->service_address.country,
                            in->zone};
    static const char *const fields[] = {"product_model",
                                         "serial_number",
                                         "contact.name",
                                         "contact.phone",
                                         "service_address.name",
                                         "service_address.street",
                                         "service_address.city",
                                         "service_address.postcode",
                                         "service_address.country",
                                         "service_address.zone"};

    size_t n = 0;

    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        if (values[i] == NULL || strstr(values[i], "\xef\xbf\xbd") == NULL)
            continue;
        /* the service address's name taken from the contact's: the contact's line only */
        if (i == 4 && values[4] == in->contact.name)
            continue;
        if (n < max)
            out[n] = fields[i];
        n++;
    }
    return n;
}

const char *mailform_unreadable(const struct intake *in)
{
    const char *first = NULL;
    return mailform_unreadable_all(in, &first, 1) > 0 ? first : NULL;
}

const char *mailform_label(const char *field)
{
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (strcmp(field, required[i].field) == 0)
            return required[i].label;
    if (strcmp(field, "contact.phone") == 0)
        return "Phone";
    if (strcmp(field, "service_address.name") == 0)
        return "Company";
    if (strcmp(field, "contact.email") == 0)
        return "E-mail (the sender address)";
    if (strncmp(field, "error_messages", 14) == 0)
        return "Error messages";
    if (strcmp(field, "configuration") == 0)
        return "Configuration";
    if (strcmp(field, "service_address.zone") == 0)
        return "Time zone (for example America/New_York)";
    if (strcmp(field, "body") == 0)
        return "The text of your e-mail";
    if (strcmp(field, "Subject") == 0)
        return "The subject of your e-mail";
    return field;
}

bool mailform_fillable(const char *field)
{
    const char *value = NULL;
    char line[64];
    int n = snprintf(line, sizeof line, "%s:", mailform_label(field));
    return n > 0 && (size_t)n < sizeof line && label_of(line, (size_t)n, &value) != MF_NONE;
}

/* "a\nb" -> "a\n- b": the lines after the first as a list (the first follows "- "). */
static const char *bulleted(struct arena *a, const char *lines)
{
    char *out = arena_strdup(a, "");
    const char *p = lines;

    while (*p) {
        size_t len = strcspn(p, "\n");
        out = arena_printf(a, "%s%s%.*s", out, *out ? "\n- " : "", (int)len, p);
        p += len;
        if (*p)
            p++;
    }
    return out;
}

char *mailform_reply_missing(struct arena *a, const char *subject, const char *const *fields,
                             size_t n, const char *problem, bool threaded)
{
    char *list = arena_strdup(a, "");

    for (size_t i = 0; i < n; i++) {
        bool twice = false;
        for (size_t j = 0; j < i; j++)
            twice = twice || strcmp(mailform_label(fields[j]), mailform_label(fields[i])) == 0;
        if (!twice && mailform_fillable(fields[i]))
            list = arena_printf(a, "%s%s: \n", list, mailform_label(fields[i]));
    }
    return arena_printf(
        a,
        "Hello,\n\n"
        "thank you for your message%s%s%s. %s"
        "We could not open a service case yet because some information is %s.\n\n"
        "%s%s%s"
        "%s%s"
        "You need to send only %s: when you reply to this e-mail, we read your reply "
        "together with what you wrote before. Every other line of your message is added to the "
        "description of the fault.\n\n"
        "Your service team\n",
        subject ? " \"" : "", subject ? subject : "", subject ? "\"" : "",
        threaded ? "We have read it together with your earlier message. " : "",
        problem ? "missing or not valid" : "missing",
        problem ? (strchr(problem, '\n') ? "What we could not accept:\n- " :
                                           "What we could not accept: ") :
                  "",
        problem ? (strchr(problem, '\n') ? bulleted(a, problem) : problem) : "",
        problem ? "\n\n" : "",
        list[0] ? "Please reply to this e-mail with the following lines filled in (you may write "
                  "them in English or German, one per line):\n\n" :
                  "Please reply to this e-mail with what we could not accept corrected.\n",
        list[0] ? arena_printf(a, "%s\n", list) : "\n", list[0] ? "these lines" : "that");
}

char *mailform_reply_ack(struct arena *a, const char *case_number, const char *subject)
{
    return arena_printf(a,
                        "Hello,\n\n"
                        "thank you for your message%s%s%s. We have opened service case %s for "
                        "it. Please quote this number in every message about it.\n\n"
                        "An engineer will contact you.\n\n"
                        "Your service team\n",
                        subject ? " \"" : "", subject ? subject : "", subject ? "\"" : "",
                        case_number);
}

char *mailform_follow_up(struct arena *a, const char *case_number, const char *contact_name,
                         const char *summary)
{
    return arena_printf(a,
                        "Hello %s,\n\n"
                        "the work on your service case %s is complete:\n\n%s\n\n"
                        "Is everything working as it should? Please reply to this e-mail and "
                        "tell us how satisfied you are with our service, from 1 (not at all) to "
                        "5 (very), and anything you would like us to know.\n\n"
                        "Your service team\n",
                        contact_name ? contact_name : "", case_number, summary);
}

/*
 * routes_followup: e-mail intake, completing the work, the follow-up, feedback and closing
 * (issue 3).
 *
 *   POST /api/v1/intake/email   (message/rfc822: the raw message as an MTA pipes it)
 *     -> 201 {"case_number"} and an acknowledgement in the outbox, or
 *     -> 422 {"error", "missing": [...]} and a reply listing what is missing; nothing else.
 *     The same Message-ID again gets the first answer (no second case, no second reply).
 *   POST /api/v1/cases/{case}/complete            {"summary", "follow_up": {"channel",
 *                                                  "due_in_days"}}
 *   POST /api/v1/cases/{case}/follow-up/attempts  {"channel", "outcome", "note"}
 *   POST /api/v1/cases/{case}/feedback            {"rating": 1..5, "comment"}  (closes it)
 *   POST /api/v1/cases/{case}/close               {"reason"} (due, and attempted)
 *   GET  /api/v1/cases/{case}/follow-up
 *
 * Nothing of the e-mail (addresses, names, text) is logged.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/intake.h"
#include "core/mailform.h"
#include "core/tz.h"
#include "db/followup.h"
#include "db/tzcache.h"
#include "json_in.h"
#include "mail/mail.h"
#include "core/utf8.h"
#include "request.h"

/* Header text for a subject: noncharacters (an RFC 2047 word can carry one) become U+FFFD, as
 * every output would make them, control characters spaces, at most 200 bytes. */
static const char *clean_subject(struct arena *a, const char *s)
{
    if (s == NULL)
        return NULL;
    char *scrubbed = utf8_scrub(s, false);
    s = arena_strdup(a, scrubbed);
    free(scrubbed);
    char *c = arena_strndup(a, s, 200);
    size_t n = strlen(c);
    /* do not cut a UTF-8 sequence */
    while (n > 0 && ((unsigned char)c[n - 1] & 0x80) && strlen(s) > 200) {
        unsigned char b = (unsigned char)c[n - 1];
        n--;
        c[n] = '\0';
        if ((b & 0xc0) == 0xc0)
            break;
    }
    for (char *p = c; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return c;
}

/* The idempotency key of a delivery: its Message-ID, or a hash of the whole message. */
static const char *delivery_key(struct request *req, const struct mail_in *m)
{
    unsigned char sha[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof sha + 1];

    if (m->message_id != NULL && strlen(m->message_id) <= 900)
        return m->message_id;
    crypto_hash_sha256(sha, (const unsigned char *)req->body, req->body_len);
    sodium_bin2hex(hex, sizeof hex, sha, sizeof sha);
    return arena_printf(&req->arena, "sha256:%s", hex);
}

/* The stored answer of a delivery seen before. */
static int replay(struct request *req, const char *key)
{
    struct err err = {0};
    int status = 0;
    char *response = NULL;
    enum db_result r = db_mail_intake_get(req->db, key, &req->arena, &status, &response, &err);

    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    request_add_header(req, "Idempotent-Replayed", "true");
    return reply_bytes(req, status, "application/json", response, strlen(response));
}

/* The fields read from an intake that lacked some, for a reply in its thread (JSON text). */
static const char *form_json(struct request *req, const struct mailform *f, const char *description)
{
    static const char *const names[] = {
        "product_model", "serial_number", "configuration", "phone",   "name", "company",
        "street",        "city",          "postcode",      "country", "zone", "description"};
    const char *values[] = {f->product_model, f->serial_number, f->configuration, f->phone,
                            f->name,          f->company,       f->street,        f->city,
                            f->postcode,      f->country,       f->zone,          description};
    json_t *o = json_object();
    json_t *errors = json_array();

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (values[i] != NULL)
            json_object_set_new(o, names[i], json_string(values[i]));
    for (size_t i = 0; i < f->n_error_messages; i++)
        json_array_append_new(errors, json_string(f->error_messages[i]));
    json_object_set_new(o, "error_messages", errors);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    char *copy = text ? arena_strdup(&req->arena, text) : NULL;
    free(text);
    return copy;
}

/* The fields stored by form_json() back into *f (what is not there stays NULL). */
static void form_from_json(struct request *req, const char *text, struct mailform *f)
{
    json_t *o = json_loads(text, 0, NULL);
    const char **slots[] = {&f->product_model, &f->serial_number, &f->configuration,
                            &f->phone,         &f->name,          &f->company,
                            &f->street,        &f->city,          &f->postcode,
                            &f->country,       &f->zone,          &f->description};
    static const char *const names[] = {
        "product_model", "serial_number", "configuration", "phone",   "name", "company",
        "street",        "city",          "postcode",      "country", "zone", "description"};

    memset(f, 0, sizeof *f);
    if (o == NULL)
        return;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = json_string_value(json_object_get(o, names[i]));
        if (v != NULL)
            *slots[i] = arena_strdup(&req->arena, v);
    }
    json_t *errors = json_object_get(o, "error_messages");
    for (size_t i = 0; i < json_array_size(errors) && i < MAILFORM_MAX_ERRORS; i++) {
        const char *v = json_string_value(json_array_get(errors, i));
        if (v != NULL)
            f->error_messages[f->n_error_messages++] = arena_strdup(&req->arena, v);
    }
    json_decref(o);
}

/* A message answering one of our missing-fields replies: *f becomes the earlier fields of that
 * intake with the message's own added or overriding (*threaded).  -1 after replying with a
 * database error. */
static int read_thread(struct request *req, const struct mail_in *m, struct mailform *f,
                       bool *threaded)
{
    struct err err = {0};
    struct mailform earlier;
    char *stored = NULL;

    *threaded = false;
    if (m->n_refs == 0)
        return 0;
    json_t *ids = json_array();
    for (size_t i = 0; i < m->n_refs; i++)
        json_array_append_new(ids, json_string(arena_printf(&req->arena, "<%s>", m->refs[i])));
    char *text = json_dumps(ids, JSON_COMPACT);
    json_decref(ids);
    enum db_result r =
        db_mail_intake_thread(req->db, text, m->from_addr, &req->arena, &stored, &err);
    free(text);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
        return 0;
    case DB_RETRY:
    case DB_FAIL:
        reply_db_error(req, r, &err);
        return -1;
    }
    form_from_json(req, stored, &earlier);
    mailform_merge(&earlier, f, &req->arena);
    *f = earlier;
    *threaded = true;
    return 0;
}

/* What an e-mail lacks and what it holds that was refused, all of it: every check runs, and the
 * first answer lists every field (one round trip for the customer). */
#define MAX_PROBLEMS 32
struct problems {
    const char *missing[16];
    size_t n_missing;
    struct err bad[MAX_PROBLEMS];
    size_t n_bad;
};

static bool listed(const struct problems *p, const char *field)
{
    for (size_t i = 0; i < p->n_missing; i++)
        if (strcmp(p->missing[i], field) == 0)
            return true;
    for (size_t i = 0; i < p->n_bad; i++)
        if (strcmp(p->bad[i].field, field) == 0)
            return true;
    return false;
}

/* Adds a refused field, unless it is listed already (missing, or refused by an earlier check). */
static void add_bad(struct problems *p, const struct err *e)
{
    if (p->n_bad < MAX_PROBLEMS && !listed(p, e->field))
        p->bad[p->n_bad++] = *e;
}

/* 422 for what the message lacks or holds wrong (p), with the reply queued; form: the fields
 * read (JSON), kept for a reply in the thread. */
static int refuse(struct request *req, const char *key, const struct mail_in *m,
                  const struct problems *p, const char *form, bool threaded)
{
    struct err err = {0};
    json_t *missing = json_array();
    const char *subject = clean_subject(&req->arena, m->subject);
    const char *problem = NULL;
    const char *lines[16 + MAX_PROBLEMS];
    size_t n_lines = 0;

    for (size_t i = 0; i < p->n_missing; i++) {
        json_array_append_new(missing, json_string(p->missing[i]));
        lines[n_lines++] = p->missing[i];
    }
    json_t *e =
        json_pack("{s:s, s:s, s:s}", "code", "invalid", "message",
                  p->n_missing > 0 ? "the e-mail lacks fields of the intake" : p->bad[0].message,
                  "field", p->n_missing > 0 ? p->missing[0] : p->bad[0].field);
    json_t *body = json_pack("{s:o, s:o}", "error", e, "missing", missing);
    if (p->n_bad > 0) {
        json_t *invalid = json_array();
        json_t *why = json_object();
        for (size_t i = 0; i < p->n_bad; i++) {
            json_array_append_new(invalid, json_string(p->bad[i].field));
            json_object_set_new(why, p->bad[i].field, json_string(p->bad[i].message));
            problem =
                arena_printf(&req->arena, "%s%s%s %s", problem ? problem : "", problem ? "\n" : "",
                             mailform_label(p->bad[i].field), p->bad[i].message);
            /* what was refused is a line to fill in too (the time zone of a country with
             * several) */
            lines[n_lines++] = p->bad[i].field;
        }
        json_object_set_new(body, "invalid", invalid);
        json_object_set_new(body, "reasons", why);
    }
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    struct mail_reply reply = {
        m->from_addr,
        mailform_reply_subject(&req->arena, subject, "Your service request: information missing"),
        m->message_id ? arena_printf(&req->arena, "<%s>", m->message_id) : NULL};
    char *mail = mailform_reply_missing(&req->arena, subject, lines, n_lines, problem, threaded);
    /* a machine's message (a bounce, an auto-reply) is never answered: mail loops */
    enum db_result r = db_mail_intake_refuse(req->db, key, text, form, m->automatic ? NULL : &reply,
                                             mail, &req->who, &err);
    switch (r) {
    case DB_ONE:
        reply_bytes(req, 422, "application/json", text, strlen(text));
        break;
    case DB_NONE: /* delivered twice at the same moment: the first answer stands */
        replay(req, key);
        break;
    case DB_RETRY:
    case DB_FAIL:
        reply_db_error(req, r, &err);
        break;
    }
    free(text);
    json_decref(body);
    return 0;
}

/* refuse() for one refused field. */
static int refuse_one(struct request *req, const char *key, const struct mail_in *m,
                      const struct err *bad, const char *form, bool threaded)
{
    struct problems *p = arena_alloc(&req->arena, sizeof *p);
    memset(p, 0, sizeof *p);
    add_bad(p, bad);
    return refuse(req, key, m, p, form, threaded);
}

/* The error messages as a JSON list (NULL for none); a refused one is added to p. */
static char *error_list(struct request *req, const struct mailform *f, struct problems *p)
{
    if (f->n_error_messages == 0)
        return NULL;
    json_t *list = json_array();
    for (size_t i = 0; i < f->n_error_messages; i++) {
        char field[48];
        struct err e = {0};
        snprintf(field, sizeof field, "error_messages[%zu]", i);
        if (intake_check_text(f->error_messages[i], 1000, true, field, &e) != 0)
            add_bad(p, &e);
        json_array_append_new(list, json_string(f->error_messages[i]));
    }
    char *text = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    char *copy = arena_strdup(&req->arena, text ? text : "[]");
    free(text);
    return copy;
}

/* The zone checks of the service address (zone of the country, a zone file, the zone in that
 * country); only a zone's name when the country is missing or refused.  -1 after replying with an
 * error that is not the customer's. */
static int check_zone(struct request *req, struct intake *in, struct problems *p)
{
    struct err e = {0};

    if (listed(p, "service_address.zone"))
        return 0;
    if (listed(p, "service_address.country")) {
        if (in->zone != NULL && (!tz_name_valid(in->zone) || db_tz_get(in->zone, &e) == NULL)) {
            err_clear(&e);
            err_set(&e, ERR_INVALID, "service_address.zone", "unknown time zone");
            add_bad(p, &e);
        }
        return 0;
    }
    if (intake_resolve_zone(in, &e) != 0) {
        add_bad(p, &e);
        return 0;
    }
    if (db_tz_get(in->zone, &e) == NULL) {
        err_clear(&e);
        err_set(&e, ERR_INVALID, "service_address.zone", "unknown time zone");
        add_bad(p, &e);
        return 0;
    }
    if (db_tz_check_address(in->zone, in->service_address.country, in->region, &e) != 0) {
        if (e.kind != ERR_INVALID) {
            reply_error(req, &e);
            return -1;
        }
        add_bad(p, &e);
    }
    return 0;
}

/* POST /api/v1/intake/email */
int route_followup_intake_email(struct request *req)
{
    struct err err = {0};
    struct mail_in m;
    struct mailform f;
    struct intake in;

    if (mail_parse(req->body, req->body_len, &req->arena, &m, &err) != 0)
        return reply_error(req, &err);
    if (m.unreadable != NULL && strcmp(m.unreadable, "From") == 0) {
        err_set(&err, ERR_INVALID, "From", "%s", m.unreadable_why);
        return reply_error(req, &err);
    }
    if (m.from_addr == NULL) {
        err_set(&err, ERR_INVALID, "From", "the message names no sender address");
        return reply_error(req, &err);
    }
    if (!mail_address_ok(m.from_addr)) {
        err_set(&err, ERR_INVALID, "From", "the sender address is not a usable e-mail address");
        return reply_error(req, &err);
    }
    const char *key = delivery_key(req, &m);
    int status = 0;
    char *stored = NULL;
    enum db_result r = db_mail_intake_get(req->db, key, &req->arena, &status, &stored, &err);
    switch (r) {
    case DB_ONE:
        return replay(req, key);
    case DB_NONE:
        err_clear(&err);
        break;
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }

    if (m.unreadable != NULL) { /* a text, or a header rmad reads, that could not be read */
        mailform_parse(NULL, &req->arena, &f);
        err_set(&err, ERR_INVALID, m.unreadable, "%s", m.unreadable_why);
        return refuse_one(req, key, &m, &err, form_json(req, &f, NULL), false);
    }
    mailform_parse(m.text, &req->arena, &f);
    bool threaded = false;
    if (read_thread(req, &m, &f, &threaded) != 0)
        return 0;
    mailform_intake(&f, m.from_name, m.from_addr, clean_subject(&req->arena, m.subject),
                    &req->arena, &in);
    const char *form = form_json(req, &f, in.fault_description);

    /* every check runs: the answer lists every missing and every refused field at once */
    struct problems *p = arena_alloc(&req->arena, sizeof *p);
    memset(p, 0, sizeof *p);
    p->n_missing = mailform_missing(&in, p->missing, sizeof p->missing / sizeof p->missing[0]);
    if (p->n_missing > sizeof p->missing / sizeof p->missing[0])
        p->n_missing = sizeof p->missing / sizeof p->missing[0];
    const char *unreadable[16];
    size_t n_unreadable = mailform_unreadable_all(&in, unreadable, 16);
    for (size_t i = 0; i < n_unreadable && i < 16; i++) {
        struct err e = {0};
        err_set(&e, ERR_INVALID, unreadable[i],
                "holds a control character (such as a NUL byte) that cannot be read, shown as "
                "\xef\xbf\xbd");
        add_bad(p, &e);
    }
    char *configuration = NULL;
    if (f.configuration != NULL) {
        struct err e = {0};
        if (intake_check_text(f.configuration, INTAKE_TEXT_MAX, false, "configuration", &e) == 0) {
            json_t *s = json_string(f.configuration);
            char *text = json_dumps(s, JSON_COMPACT | JSON_ENCODE_ANY);
            json_decref(s);
            configuration = text ? arena_strdup(&req->arena, text) : NULL;
            free(text);
        } else {
            add_bad(p, &e);
        }
    }
    char *errors = error_list(req, &f, p);
    struct err found[MAX_PROBLEMS];
    size_t n_found = intake_problems(&in, found, MAX_PROBLEMS);
    for (size_t i = 0; i < n_found && i < MAX_PROBLEMS; i++) {
        /* the service address's name taken from the contact's: the contact's line only */
        if (strcmp(found[i].field, "service_address.name") == 0 &&
            in.service_address.name == in.contact.name && listed(p, "contact.name"))
            continue;
        add_bad(p, &found[i]);
    }
    if (check_zone(req, &in, p) != 0)
        return 0;
    if (p->n_missing > 0 || p->n_bad > 0)
        return refuse(req, key, &m, p, form, threaded);

    char *case_number = NULL;
    const char *subject = clean_subject(&req->arena, m.subject);
    struct mail_reply ack = {m.from_addr, NULL,
                             m.message_id ? arena_printf(&req->arena, "<%s>", m.message_id) : NULL};
    r = db_mail_intake_case(req->db, key, &in, configuration, errors, m.automatic ? NULL : &ack,
                            subject, &req->who, &req->arena, &case_number, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
        return replay(req, key);
    case DB_FAIL:
        if (err.kind == ERR_INVALID)
            return refuse_one(req, key, &m, &err, form, threaded);
        return reply_db_error(req, r, &err);
    case DB_RETRY:
        return reply_db_error(req, r, &err);
    }
    return reply_json(req, 201,
                      json_pack("{s:s, s:s, s:s}", "case_number", case_number, "status", "new",
                                "channel", "email"));
}

/* POST /api/v1/cases/{case}/complete */
int route_followup_complete(struct request *req)
{
    struct err err = {0};
    struct follow_up_request fr = {0};
    json_t *out = NULL;
    const char *number;
    json_t *body = request_case_body(req, &number, false, &err);

    if (body == NULL)
        return reply_error(req, &err);
    fr.summary =
        json_in_text(&req->arena, body, "summary", "summary", INTAKE_TEXT_MAX, true, false, &err);
    json_t *fu = json_in_object(body, "follow_up", "follow_up", true, &err);
    fr.due_in_days = 3;
    if (fu != NULL) {
        fr.channel = json_in_string(&req->arena, fu, "channel", "follow_up.channel", true, &err);
        if (fr.channel != NULL && strcmp(fr.channel, "email") != 0 &&
            strcmp(fr.channel, "phone") != 0)
            err_set(&err, ERR_INVALID, "follow_up.channel", "must be email or phone");
        json_t *d = json_object_get(fu, "due_in_days");
        if (d != NULL && !json_is_null(d)) {
            if (!json_is_integer(d) || json_integer_value(d) < 1 || json_integer_value(d) > 30)
                err_set(&err, ERR_INVALID, "follow_up.due_in_days",
                        "must be a whole number of days from 1 to 30");
            else
                fr.due_in_days = (int)json_integer_value(d);
        }
    }
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_case_complete(req->db, number, &fr, &req->who, &out, &err);
    return reply_db_result(req, r, 200, out, &err);
}

/* POST /api/v1/cases/{case}/follow-up/attempts */
int route_followup_attempt(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    const char *number;
    json_t *body = request_case_body(req, &number, false, &err);

    if (body == NULL)
        return reply_error(req, &err);
    const char *channel = json_in_string(&req->arena, body, "channel", "channel", true, &err);
    if (channel != NULL && strcmp(channel, "email") != 0 && strcmp(channel, "phone") != 0)
        err_set(&err, ERR_INVALID, "channel", "must be email or phone");
    const char *outcome = json_in_string(&req->arena, body, "outcome", "outcome", true, &err);
    if (outcome != NULL && strcmp(outcome, "reached") != 0 && strcmp(outcome, "no_answer") != 0)
        err_set(&err, ERR_INVALID, "outcome", "must be reached or no_answer");
    const char *note = json_in_text(&req->arena, body, "note", "note", 2000, false, false, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r =
        db_follow_up_attempt(req->db, number, channel, outcome, note, &req->who, &out, &err);
    return reply_db_result(req, r, 201, out, &err);
}

/* POST /api/v1/cases/{case}/feedback */
int route_followup_feedback(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    int rating = 0;
    const char *number;
    json_t *body = request_case_body(req, &number, false, &err);

    if (body == NULL)
        return reply_error(req, &err);
    json_t *rv = json_object_get(body, "rating");
    if (rv == NULL || json_is_null(rv))
        err_set(&err, ERR_INVALID, "rating", "is required: a whole number from 1 to 5");
    else if (!json_is_integer(rv) || json_integer_value(rv) < 1 || json_integer_value(rv) > 5)
        err_set(&err, ERR_INVALID, "rating", "must be a whole number from 1 to 5");
    else
        rating = (int)json_integer_value(rv);
    const char *comment =
        json_in_text(&req->arena, body, "comment", "comment", INTAKE_TEXT_MAX, false, false, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r =
        db_follow_up_feedback(req->db, number, rating, comment, &req->who, &out, &err);
    return reply_db_result(req, r, 200, out, &err);
}

/* POST /api/v1/cases/{case}/close */
int route_followup_close(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    const char *number;
    json_t *body = request_case_body(req, &number, false, &err);

    if (body == NULL)
        return reply_error(req, &err);
    const char *reason =
        json_in_text(&req->arena, body, "reason", "reason", 2000, true, false, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    enum db_result r = db_follow_up_close(req->db, number, reason, &req->who, &out, &err);
    return reply_db_result(req, r, 200, out, &err);
}

/* GET /api/v1/cases/{case}/follow-up */
int route_followup_get(struct request *req)
{
    struct err err = {0};
    json_t *out = NULL;
    const char *number = request_case_param(req, 0, &err);

    if (number == NULL)
        return reply_error(req, &err);
    enum db_result r = db_follow_up_get(req->db, number, &out, &err);
    return reply_db_result(req, r, 200, out, &err);
}

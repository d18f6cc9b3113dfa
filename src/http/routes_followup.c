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
#include "db/followup.h"
#include "db/tzcache.h"
#include "json_in.h"
#include "mail/mail.h"
#include "request.h"

/* Header text for a subject: control characters become spaces, at most 200 bytes. */
static const char *clean_subject(struct arena *a, const char *s)
{
    if (s == NULL)
        return NULL;
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

/* 422 for what the message lacks (fields) or holds wrong (bad), with the reply queued; form:
 * the fields read (JSON), kept for a reply in the thread. */
static int refuse(struct request *req, const char *key, const struct mail_in *m,
                  const char *const *fields, size_t n, const struct err *bad, const char *form,
                  bool threaded)
{
    struct err err = {0};
    json_t *missing = json_array();
    const char *subject = clean_subject(&req->arena, m->subject);
    const char *problem = NULL;

    for (size_t i = 0; i < n; i++)
        json_array_append_new(missing, json_string(fields[i]));
    json_t *e = json_pack("{s:s, s:s, s:s}", "code", "invalid", "message",
                          n > 0 ? "the e-mail lacks fields of the intake" : bad->message, "field",
                          n > 0 ? fields[0] : bad->field);
    json_t *body = json_pack("{s:o, s:o}", "error", e, "missing", missing);
    if (bad != NULL) {
        json_object_set_new(body, "invalid", json_pack("[s]", bad->field));
        problem = arena_printf(&req->arena, "%s %s", mailform_label(bad->field), bad->message);
    }
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    struct mail_reply reply = {
        m->from_addr,
        mailform_reply_subject(&req->arena, subject, "Your service request: information missing"),
        m->message_id ? arena_printf(&req->arena, "<%s>", m->message_id) : NULL};
    /* what was refused is a line to fill in too (the time zone of a country with several) */
    const char *bad_field = bad != NULL ? bad->field : NULL;
    char *mail = mailform_reply_missing(&req->arena, subject, n > 0 ? fields : &bad_field,
                                        n > 0 ? n : (bad_field != NULL), problem, threaded);
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

/* The error messages as a JSON list (NULL for none). */
static char *error_list(struct request *req, const struct mailform *f, struct err *err)
{
    if (f->n_error_messages == 0)
        return NULL;
    json_t *list = json_array();
    for (size_t i = 0; i < f->n_error_messages; i++) {
        char field[48];
        snprintf(field, sizeof field, "error_messages[%zu]", i);
        intake_check_text(f->error_messages[i], 1000, true, field, err);
        json_array_append_new(list, json_string(f->error_messages[i]));
    }
    char *text = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    char *copy = arena_strdup(&req->arena, text ? text : "[]");
    free(text);
    return copy;
}

/* POST /api/v1/intake/email */
int route_followup_intake_email(struct request *req)
{
    struct err err = {0};
    struct mail_in m;
    struct mailform f;
    struct intake in;
    const char *missing[16];

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
        return refuse(req, key, &m, NULL, 0, &err, form_json(req, &f, NULL), false);
    }
    mailform_parse(m.text, &req->arena, &f);
    bool threaded = false;
    if (read_thread(req, &m, &f, &threaded) != 0)
        return 0;
    mailform_intake(&f, m.from_name, m.from_addr, clean_subject(&req->arena, m.subject),
                    &req->arena, &in);
    const char *form = form_json(req, &f, in.fault_description);
    size_t n = mailform_missing(&in, missing, sizeof missing / sizeof missing[0]);
    if (n > 0)
        return refuse(req, key, &m, missing, n, NULL, form, threaded);
    const char *unreadable = mailform_unreadable(&in);
    if (unreadable != NULL) {
        err_set(&err, ERR_INVALID, unreadable,
                "holds a control character (such as a NUL byte) that cannot be read, shown as "
                "\xef\xbf\xbd");
        return refuse(req, key, &m, NULL, 0, &err, form, threaded);
    }

    char *configuration = NULL;
    if (f.configuration != NULL &&
        intake_check_text(f.configuration, INTAKE_TEXT_MAX, false, "configuration", &err) == 0) {
        json_t *s = json_string(f.configuration);
        char *text = json_dumps(s, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(s);
        configuration = text ? arena_strdup(&req->arena, text) : NULL;
        free(text);
    }
    char *errors = error_list(req, &f, &err);
    if (err_is_set(&err) || intake_validate(&in, &err) != 0 || intake_resolve_zone(&in, &err) != 0)
        return refuse(req, key, &m, NULL, 0, &err, form, threaded);
    if (db_tz_get(in.zone, &err) == NULL) {
        err_clear(&err);
        err_set(&err, ERR_INVALID, "service_address.zone", "unknown time zone");
        return refuse(req, key, &m, NULL, 0, &err, form, threaded);
    }
    if (db_tz_check_address(in.zone, in.service_address.country, in.region, &err) != 0)
        return err.kind == ERR_INVALID ? refuse(req, key, &m, NULL, 0, &err, form, threaded) :
                                         reply_error(req, &err);

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
            return refuse(req, key, &m, NULL, 0, &err, form, threaded);
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

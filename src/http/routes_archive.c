/*
 * routes_archive: the archived service record of a closed or cancelled case (issue 3).
 *
 *   POST /api/v1/cases/{case}/archive       closed | cancelled -> archived; the record is
 *                                           written once (a cancelled case's says who cancelled
 *                                           it, when and why)
 *   GET  /api/v1/cases/{case}/record.json   the stored JSON, byte for byte, ETag = its SHA-256
 *   GET  /api/v1/cases/{case}/record.pdf    the stored PDF, the same way
 *
 * The PDF is drawn from the record's JSON (label/record.h) inside the archive's transaction:
 * each top-level section is a heading, objects are sub-headings with their fields, lists of
 * events are one line per event, and anything nested deeper is shown as compact JSON.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label/record.h"
#include "db/archive.h"
#include "request.h"

/* ---- the record as blocks of the PDF ---- */

struct blocks {
    struct arena *a;
    struct record_block *v;
    size_t n, cap;
};

static void add(struct blocks *b, enum record_block_kind kind, int indent, const char *label,
                const char *text)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        struct record_block *v = arena_alloc(b->a, cap * sizeof *v);
        if (b->n > 0)
            memcpy(v, b->v, b->n * sizeof *v);
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = (struct record_block){kind, indent, label, text};
}

/* "fault_description" -> "Fault description"; "rmas" -> "RMAs". */
static const char *pretty(struct arena *a, const char *key)
{
    static const char *const special[][2] = {
        {"rmas", "RMAs"},        {"rma_number", "RMA number"},
        {"sscc", "SSCC"},        {"line_no", "Line"},
        {"parcel_no", "Parcel"}, {"at", "When"},
        {"from", "From"},        {"to", "To"},
    };
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (strcmp(key, special[i][0]) == 0)
            return special[i][1];
    char *s = arena_strdup(a, key);
    for (char *p = s; *p; p++)
        if (*p == '_')
            *p = ' ';
    s[0] = (char)toupper((unsigned char)s[0]);
    return s;
}

static const char *scalar(struct arena *a, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *t = json_string_value(v);
        size_t n = strlen(t);
        if (n >= 25 && n <= 32 && t[4] == '-' && t[10] == 'T' && t[13] == ':' &&
            strcmp(t + n - 6, "+00:00") == 0)
            return arena_printf(a, "%.10s %.8s UTC", t, t + 11);
        return t;
    }
    case JSON_INTEGER:
        return arena_printf(a, "%lld", (long long)json_integer_value(v));
    case JSON_REAL:
        return arena_printf(a, "%g", json_real_value(v));
    case JSON_TRUE:
        return "yes";
    case JSON_FALSE:
        return "no";
    case JSON_NULL:
        return "-";
    case JSON_OBJECT:
    case JSON_ARRAY:
        break;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    const char *copy = arena_strdup(a, text ? text : "");
    free(text);
    return copy;
}

static bool is_scalar(const json_t *v)
{
    return !json_is_object(v) && !json_is_array(v);
}

/* An event as one line: "kind: from -> to, actor (channel); reason; evidence". */
static const char *event_line(struct arena *a, const json_t *e)
{
    const char *kind = json_string_value(json_object_get(e, "kind"));
    const char *from = json_string_value(json_object_get(e, "from"));
    const char *to = json_string_value(json_object_get(e, "to"));
    const char *actor = json_string_value(json_object_get(e, "actor"));
    const char *channel = json_string_value(json_object_get(e, "channel"));
    const char *reason = json_string_value(json_object_get(e, "reason"));
    const json_t *leg = json_object_get(e, "leg");
    const json_t *line = json_object_get(e, "line_no");
    const json_t *ev = json_object_get(e, "evidence");
    char *s = arena_printf(a, "%s", kind ? kind : "event");

    if (json_is_string(leg))
        s = arena_printf(a, "%s [line %s, %s]", s, scalar(a, line), json_string_value(leg));
    if (from || to)
        s = arena_printf(a, "%s: %s -> %s", s, from ? from : "-", to ? to : "-");
    s = arena_printf(a, "%s, by %s (%s)", s, actor ? actor : "-", channel ? channel : "-");
    if (reason)
        s = arena_printf(a, "%s; %s", s, reason);
    if (ev != NULL && !json_is_null(ev))
        s = arena_printf(a, "%s; %s", s, scalar(a, ev));
    return s;
}

static void flatten(struct blocks *b, const char *key, const json_t *v, int indent);

static void object_fields(struct blocks *b, const json_t *obj, int indent)
{
    const char *k;
    json_t *item;

    json_object_foreach((json_t *)obj, k, item) flatten(b, k, item, indent);
}

/* One item of a list: "rmas" -> "RMA", "lines" -> "Line", "service_log" -> "Log entry". */
static const char *singular(struct arena *a, const char *key)
{
    static const char *const special[][2] = {
        {"rmas", "RMA"},
        {"service_log", "Log entry"},
        {"screening", "Screening"},
        {"fault_isolation", "Fault isolation"},
        {"follow_up_attempts", "Attempt"},
    };
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (strcmp(key, special[i][0]) == 0)
            return special[i][1];
    char *s = (char *)pretty(a, key);
    size_t n = strlen(s);
    if (n > 1 && s[n - 1] == 's')
        s[n - 1] = '\0';
    return s;
}

/* A sub-heading for item i of a list: "RMA R000000013", "Line 1", "Leg inbound", "Contact 2". */
static const char *item_title(struct arena *a, const char *key, size_t i, const json_t *item)
{
    static const char *const names[] = {"rma_number", "line_no", "kind", "direction", "scope"};

    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        const json_t *v = json_object_get(item, names[n]);
        if (v != NULL && is_scalar(v) && !json_is_null(v))
            return arena_printf(a, "%s %s", singular(a, key), scalar(a, v));
    }
    return arena_printf(a, "%s %zu", singular(a, key), i + 1);
}

static void flatten(struct blocks *b, const char *key, const json_t *v, int indent)
{
    struct arena *a = b->a;

    if (indent > 4 && !is_scalar(v)) {
        add(b, RECORD_FIELD, indent, pretty(a, key), scalar(a, v));
    } else if (json_is_object(v)) {
        if (json_object_size(v) == 0) {
            add(b, RECORD_FIELD, indent, pretty(a, key), "-");
            return;
        }
        add(b, RECORD_SUBHEADING, indent, pretty(a, key), NULL);
        object_fields(b, v, indent + 1);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *item;
        bool scalars = true;
        json_array_foreach((json_t *)v, i, item) scalars = scalars && is_scalar(item);
        if (json_array_size(v) == 0) {
            add(b, RECORD_FIELD, indent, pretty(a, key), "none");
        } else if (scalars) {
            char *text = arena_strdup(a, "");
            json_array_foreach((json_t *)v, i, item) text =
                arena_printf(a, "%s%s%s", text, i ? "\n" : "", scalar(a, item));
            add(b, RECORD_FIELD, indent, pretty(a, key), text);
        } else if (strcmp(key, "events") == 0) {
            add(b, RECORD_SUBHEADING, indent, pretty(a, key), NULL);
            json_array_foreach((json_t *)v, i, item)
                add(b, RECORD_FIELD, indent + 1, scalar(a, json_object_get(item, "at")),
                    event_line(a, item));
        } else {
            json_array_foreach((json_t *)v, i, item)
            {
                if (json_is_object(item)) {
                    add(b, RECORD_SUBHEADING, indent, item_title(a, key, i, item), NULL);
                    object_fields(b, item, indent + 1);
                } else {
                    flatten(b, arena_printf(a, "%s %zu", key, i + 1), item, indent);
                }
            }
        }
    } else {
        add(b, RECORD_FIELD, indent, pretty(a, key), scalar(a, v));
    }
}

static const char *str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "-";
}

/* The archive's renderer (db_record_render_fn): the record's JSON as blocks, drawn as a PDF. */
static int render_record(void *ctx, const json_t *rec, unsigned char **pdf, size_t *len,
                         struct err *err)
{
    struct request *req = ctx;
    struct arena *a = &req->arena;
    struct blocks b = {.a = a};
    const json_t *intake = json_object_get(rec, "intake");
    const json_t *contact = json_object_get(intake, "contact");
    const json_t *addr = json_object_get(intake, "service_address");
    const char *k;
    json_t *section;

    /* the head fields (case number, status, archived at/by) are the title block */
    json_object_foreach((json_t *)rec, k, section)
    {
        if (is_scalar(section))
            continue;
        add(&b, RECORD_HEADING, 0, pretty(a, k), NULL);
        if (json_is_object(section))
            object_fields(&b, section, 0);
        else
            flatten(&b, k, section, 0);
    }
    const char *archived_at = str(rec, "archived_at");
    struct record_doc doc = {
        .title = arena_printf(a, "Service record %s", str(rec, "case_number")),
        .subtitle = arena_printf(
            a,
            "Customer: %s, %s, %s %s, %s\nProduct: %s, serial %s; channel %s\n"
            "Archived %s by %s, the case was %s (record version %s); this record cannot be "
            "changed.",
            str(contact, "name"), str(addr, "name"), str(addr, "postcode"), str(addr, "city"),
            str(addr, "country"), str(intake, "product_model"), str(intake, "serial_number"),
            str(intake, "channel"), archived_at, str(rec, "archived_by"), str(rec, "archived_from"),
            scalar(a, json_object_get(rec, "record_version"))),
        .footer = arena_printf(a, "%s - archived service record - %s", str(rec, "case_number"),
                               str(contact, "name")),
        .created = strlen(archived_at) >= 19 ? arena_printf(a, "%.19sZ", archived_at) : NULL,
        .blocks = b.v,
        .n_blocks = b.n,
    };
    return record_pdf_render(&doc, pdf, len, err);
}

/* ---- routes ---- */

/* POST /api/v1/cases/{case}/archive   body: none or {}; 200 with the record's hashes */
int route_cases_archive(struct request *req)
{
    struct err err = {0};
    const char *number = request_case_param(req, 0, &err);
    struct case_record_info info = {0};

    if (number == NULL)
        return reply_error(req, &err);
    if (req->body_len > 0) {
        json_t *body = request_json(req, &err);
        if (body == NULL)
            return reply_error(req, &err);
        json_decref(body);
    }
    enum db_result r = db_case_archive(req->db, number, &req->who, render_record, req, &info, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    json_t *out = json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:s, s:I, s:s, s:s, s:I}}", "case_number", number, "status",
        "archived", "archived_at", info.archived_at, "record", "json_sha256", info.record_sha256,
        "json_url", arena_printf(&req->arena, "/api/v1/cases/%s/record.json", number), "json_bytes",
        (json_int_t)info.record_len, "pdf_sha256", info.pdf_sha256, "pdf_url",
        arena_printf(&req->arena, "/api/v1/cases/%s/record.pdf", number), "pdf_bytes",
        (json_int_t)info.pdf_len);
    return reply_json(req, 200, out);
}

static int record_get(struct request *req, bool pdf)
{
    struct err err = {0};
    const char *number = request_case_param(req, 0, &err);
    unsigned char *data = NULL;
    size_t len = 0;
    char sha[65];

    if (number == NULL)
        return reply_error(req, &err);
    enum db_result r =
        db_case_record_get(req->db, number, pdf, &req->arena, &data, &len, sha, &err);
    if (r != DB_ONE)
        return reply_db_error(req, r, &err);
    request_add_header(req, "Cache-Control", "private, max-age=31536000, immutable");
    if (reply_etag(req, sha))
        return reply_bytes(req, 304, pdf ? "application/pdf" : "application/json", "", 0);
    if (pdf)
        request_add_header(req, "Content-Disposition",
                           arena_printf(&req->arena, "inline; filename=\"%s-record.pdf\"", number));
    return reply_bytes(req, 200, pdf ? "application/pdf" : "application/json", data, len);
}

/* GET /api/v1/cases/{case}/record.json */
int route_cases_record_json(struct request *req)
{
    return record_get(req, false);
}

/* GET /api/v1/cases/{case}/record.pdf */
int route_cases_record_pdf(struct request *req)
{
    return record_get(req, true);
}

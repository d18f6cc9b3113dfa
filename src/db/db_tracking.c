/*
 * db_tracking: the carrier tracking import (issue 5), streaming and set-based.
 *
 * One document is one transaction:
 *
 *   begin    BEGIN; claim document (sender, type, ID) with the body's SHA-256 (the same key
 *            again: replay the first answer, or 409 for another body)
 *   add      each event of the reader -> a COPY batch into tracking_stage (never all in memory)
 *   finish   keep the unmatched events (tracking_unmatched; another carrier's parcel is no
 *            parcel of this one); walk the new events of the carrier's parcels
 *            with a cursor, grouped by leg and per parcel in time order, and let core decide
 *            (tracking_parcel_next, leg_next); COPY the decisions into tracking_stage_decision;
 *            then a few set-based statements move the legs (expected state named), write one
 *            event row per leg move (rule 8), update the parcels (expected last event named),
 *            store every event once (rule 5: UNIQUE (parcel_id, at, code)), clear the staging
 *            rows, record the answer and COMMIT.
 *
 * A lost race anywhere (a leg, a parcel or an event changed by someone else meanwhile) is a 409
 * and the whole document rolls back.  rmad killed in the middle leaves nothing: the transaction
 * never committed, the staging tables are UNLOGGED working space of that transaction only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/log.h"
#include "core/tracking.h"
#include "core/xalloc.h"
#include "db_int.h"

#define COPY_FLUSH (256 * 1024) /* bytes of COPY text sent at once */
#define ANALYZE_FROM 2000       /* events from which the staged rows are analyzed */

struct leg_group {
    int64_t line_id; /* 0: the parcel has no line */
    char dir[12];    /* "inbound" | "outbound" */
    char state[32];  /* the leg's state as the document moves it; "" without a leg */
    char first_from[32];
    bool moved;
    bool open;
};

struct parcel_walk {
    int64_t id;
    char state[32];      /* as the document leaves it */
    char orig_state[32]; /* as read */
    bool has_prev;       /* the parcel had a last event before */
    int64_t prev_at;
    bool has_last;
    int64_t last_at;
    const char *last_canon;
    bool carrier_delivered;     /* before or during this document */
    int64_t new_delivered_mark; /* carrier_delivered_at set now, 0 when not */
    int64_t shipped_at, delivered_at;
    bool changed;
    bool open;
    bool archived; /* its case is archived: its events are kept as history, nothing moves */
};

struct db_tracking {
    struct db *db;
    struct db_carrier carrier;
    struct principal actor;
    int64_t document_id;
    char doc_s[24];
    char doc_type[64];
    char doc_key[160];
    bool copying;
    char *buf;
    size_t len, cap;
    int seq;
    /* counts */
    long events, ambiguous, local_times;
    long unmatched, unmatched_new, fresh, moved_events, recorded, history, no_move, unknown;
    long legs, moves, parcels, decisions_e;
    /* the walk */
    struct leg_group g;
    struct parcel_walk p;
    int ord;
    /* milliseconds since begin at the end of each phase, for the summary log line */
    struct timespec started;
    long ms_stream, ms_match, ms_walk;
};

static long elapsed_ms(const struct db_tracking *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)((now.tv_sec - t->started.tv_sec) * 1000 +
                  (now.tv_nsec - t->started.tv_nsec) / 1000000);
}

/* ---- COPY text ---------------------------------------------------------------------------- */

static void put(struct db_tracking *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        while (t->len + n + 1 > t->cap)
            t->cap = t->cap ? t->cap * 2 : COPY_FLUSH + 4096;
        t->buf = xrealloc(t->buf, t->cap);
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
}

static void put_text(struct db_tracking *t, const char *s)
{
    if (s == NULL) {
        put(t, "\\N", 2);
        return;
    }
    for (const char *c = s; *c; c++) {
        switch (*c) {
        case '\\':
            put(t, "\\\\", 2);
            break;
        case '\t':
            put(t, "\\t", 2);
            break;
        case '\n':
            put(t, "\\n", 2);
            break;
        case '\r':
            put(t, "\\r", 2);
            break;
        default:
            put(t, c, 1);
        }
    }
}

static void put_int(struct db_tracking *t, int64_t v)
{
    char n[24];
    put(t, n, (size_t)snprintf(n, sizeof n, "%lld", (long long)v));
}

/* an integer column, or NULL when !set */
static void put_opt(struct db_tracking *t, bool set, int64_t v)
{
    if (set)
        put_int(t, v);
    else
        put(t, "\\N", 2);
}

static void tab(struct db_tracking *t)
{
    put(t, "\t", 1);
}

static enum db_result copy_fail(struct db_tracking *t, const char *what, struct err *err)
{
    PGconn *c = t->db->conn;
    if (c == NULL || PQstatus(c) != CONNECTION_OK) {
        err_set(err, ERR_UNAVAILABLE, NULL, "database unavailable");
        return DB_RETRY;
    }
    log_warnx("tracking import: %s: %s", what, PQerrorMessage(c));
    err_set(err, ERR_INTERNAL, NULL, "database error");
    return DB_FAIL;
}

static enum db_result copy_start(struct db_tracking *t, enum stmt q, struct err *err)
{
    PGresult *r = PQexecPrepared(t->db->conn, db_statements[q].name, 0, NULL, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok)
        log_warnx("tracking import: copy: %s", PQresultErrorMessage(r));
    PQclear(r);
    if (!ok)
        return copy_fail(t, "copy", err);
    t->copying = true;
    return DB_ONE;
}

static enum db_result copy_flush(struct db_tracking *t, struct err *err)
{
    if (t->len > 0 && PQputCopyData(t->db->conn, t->buf, (int)t->len) != 1)
        return copy_fail(t, "copy data", err);
    t->len = 0;
    return DB_ONE;
}

/* Ends the COPY in progress: DB_ONE when the server took every row. */
static enum db_result copy_end(struct db_tracking *t, const char *abort_msg, struct err *err)
{
    enum db_result kind = DB_ONE;

    if (!t->copying)
        return DB_ONE;
    t->copying = false;
    if (abort_msg == NULL && (kind = copy_flush(t, err)) != DB_ONE)
        abort_msg = "aborted";
    t->len = 0;
    if (PQputCopyEnd(t->db->conn, abort_msg) != 1 && kind == DB_ONE)
        kind = copy_fail(t, "copy end", err);
    PGresult *r;
    while ((r = PQgetResult(t->db->conn)) != NULL) {
        if (abort_msg == NULL && kind == DB_ONE && PQresultStatus(r) != PGRES_COMMAND_OK) {
            log_warnx("tracking import: copy: %s", PQresultErrorMessage(r));
            kind = copy_fail(t, "copy", err);
        }
        PQclear(r);
    }
    return kind;
}

/* ---- begin / add -------------------------------------------------------------------------- */

enum db_result db_carrier_get(struct db *db, const char *code, int64_t id, struct db_carrier *out,
                              struct err *err)
{
    enum db_result kind;
    char ids[24];

    snprintf(ids, sizeof ids, "%lld", (long long)id);
    const char *p[2] = {code, ids};
    PGresult *r = db_run(db, Q_TRK_CARRIER, p, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "carrier", "no such carrier");
        return DB_NONE;
    }
    memset(out, 0, sizeof *out);
    out->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    snprintf(out->code, sizeof out->code, "%s", PQgetvalue(r, 0, 1));
    snprintf(out->zone, sizeof out->zone, "%s", PQgetvalue(r, 0, 2));
    PQclear(r);
    return DB_ONE;
}

static void tracking_free(struct db_tracking *t)
{
    free(t->buf);
    free(t);
}

enum db_result db_tracking_begin(struct db *db, const char *sender, const char *doc_type,
                                 const char *doc_id, const unsigned char sha256[32],
                                 const struct db_carrier *carrier, const struct principal *actor,
                                 struct db_tracking **out, int *status, json_t **replay,
                                 struct err *err)
{
    enum db_result kind;
    char tid[24];

    *out = NULL;
    snprintf(tid, sizeof tid, "%lld", (long long)actor->token_id);
    if ((kind = db_begin(db, err)) != DB_ONE)
        return kind;
    const char *dp[5] = {sender, doc_type, doc_id, (const char *)sha256, tid};
    int dl[5] = {0, 0, 0, 32, 0};
    int df[5] = {0, 0, 0, 1, 0};
    PGresult *r = db_run_bin(db, Q_DOC_INSERT, dp, dl, df, &kind, err);
    if (r == NULL) {
        db_rollback(db);
        return kind;
    }
    if (PQntuples(r) == 0) {
        /* seen before (a concurrent first import waited on the unique key and committed) */
        PQclear(r);
        const char *gp[3] = {sender, doc_type, doc_id};
        r = db_run(db, Q_DOC_GET, gp, &kind, err);
        db_rollback(db);
        if (r == NULL)
            return kind;
        size_t hlen = 0;
        unsigned char *h = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 1), &hlen);
        bool same = h != NULL && hlen == 32 && memcmp(h, sha256, 32) == 0;
        PQfreemem(h);
        if (!same) {
            PQclear(r);
            err_set(err, ERR_CONFLICT, "ID",
                    "a different document with this ID was already received from this sender");
            return DB_FAIL;
        }
        *status = atoi(PQgetvalue(r, 0, 2));
        *replay = json_loads(PQgetvalue(r, 0, 3), 0, NULL);
        PQclear(r);
        if (*replay == NULL) {
            err_set(err, ERR_INTERNAL, NULL, "stored answer unreadable");
            return DB_FAIL;
        }
        json_object_set_new(*replay, "replayed", json_true());
        return DB_NONE;
    }
    struct db_tracking *t = xcalloc(1, sizeof *t);
    t->db = db;
    clock_gettime(CLOCK_MONOTONIC, &t->started);
    t->carrier = *carrier;
    t->actor = *actor;
    snprintf(t->doc_s, sizeof t->doc_s, "%s", PQgetvalue(r, 0, 0));
    t->document_id = strtoll(t->doc_s, NULL, 10);
    snprintf(t->doc_type, sizeof t->doc_type, "%s", doc_type);
    snprintf(t->doc_key, sizeof t->doc_key, "%s", doc_id);
    PQclear(r);
    *out = t;
    return DB_ONE;
}

int db_tracking_add(struct db_tracking *t, const struct db_track_row *row, struct err *err)
{
    char tn[72];
    size_t n = strlen(row->tracking_number);

    if (n == 0 || n >= sizeof tn) {
        err_set(err, ERR_INVALID, "event.tracking_number", "must be 1 to 70 characters");
        err_set_line(err, row->line);
        return -1;
    }
    for (size_t i = 0; i <= n; i++) {
        char c = row->tracking_number[i];
        tn[i] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    if (!t->copying && copy_start(t, Q_TRK_COPY_STAGE, err) != DB_ONE)
        return -1;
    t->seq++;
    t->events++;
    t->ambiguous += row->ambiguous;
    t->local_times += !row->offset_known;
    put(t, t->doc_s, strlen(t->doc_s));
    tab(t);
    put_int(t, t->seq);
    tab(t);
    put_int(t, row->line);
    tab(t);
    put_text(t, tn);
    tab(t);
    put_text(t, row->canon);
    tab(t);
    put_text(t, row->code ? row->code : "");
    tab(t);
    put_text(t, row->text ? row->text : "");
    tab(t);
    put_text(t, row->location ? row->location : "");
    tab(t);
    put_int(t, row->at);
    put(t, row->offset_known ? "\tt" : "\tf", 2);
    put(t, row->ambiguous ? "\tt\n" : "\tf\n", 3);
    if (t->len >= COPY_FLUSH && copy_flush(t, err) != DB_ONE)
        return -1;
    return 0;
}

void db_tracking_abort(struct db_tracking *t)
{
    struct err ignored = {0};

    if (t == NULL)
        return;
    if (t->copying)
        copy_end(t, "import aborted", &ignored);
    db_rollback(t->db);
    tracking_free(t);
}

/* ---- the walk: core decides, per leg and per parcel in time order ------------------------ */

/* one decision row: document, kind, ord, seq, parcel, line, outcome, leg, leg_event, leg_from,
 * leg_to, state, last_event_epoch, last_event, prev_event_epoch, carrier_delivered_epoch,
 * shipped_epoch, delivered_epoch (seconds since the epoch) */
struct decision {
    char kind;
    int ord, seq;
    int64_t parcel_id, line_id;
    const char *outcome, *leg, *leg_event, *leg_from, *leg_to, *state, *last_event;
    bool has_last, has_prev;
    int64_t last_at, prev_at, delivered_mark, shipped_at, delivered_at;
};

static void emit(struct db_tracking *t, const struct decision *d)
{
    put(t, t->doc_s, strlen(t->doc_s));
    tab(t);
    put(t, &d->kind, 1);
    tab(t);
    put_opt(t, d->ord > 0, d->ord);
    tab(t);
    put_opt(t, d->seq > 0, d->seq);
    tab(t);
    put_opt(t, d->parcel_id > 0, d->parcel_id);
    tab(t);
    put_opt(t, d->line_id > 0, d->line_id);
    const char *texts[6] = {d->outcome, d->leg, d->leg_event, d->leg_from, d->leg_to, d->state};
    for (size_t i = 0; i < 6; i++) {
        tab(t);
        put_text(t, texts[i]);
    }
    tab(t);
    put_opt(t, d->has_last, d->last_at);
    tab(t);
    put_text(t, d->last_event);
    tab(t);
    put_opt(t, d->has_prev, d->prev_at);
    tab(t);
    put_opt(t, d->delivered_mark != 0, d->delivered_mark);
    tab(t);
    put_opt(t, d->shipped_at != 0, d->shipped_at);
    tab(t);
    put_opt(t, d->delivered_at != 0, d->delivered_at);
    put(t, "\n", 1);
}

static void parcel_flush(struct db_tracking *t)
{
    struct parcel_walk *p = &t->p;

    if (p->open && p->changed) {
        struct decision d = {0};
        d.kind = 'p';
        d.parcel_id = p->id;
        d.state = strcmp(p->state, p->orig_state) != 0 ? p->state : NULL;
        d.has_last = p->has_last;
        d.last_at = p->last_at;
        d.last_event = p->last_canon;
        d.has_prev = p->has_prev;
        d.prev_at = p->prev_at;
        d.delivered_mark = p->new_delivered_mark;
        d.shipped_at = p->shipped_at;
        d.delivered_at = p->delivered_at;
        emit(t, &d);
        t->parcels++;
    }
    p->open = false;
}

static void group_flush(struct db_tracking *t)
{
    struct leg_group *g = &t->g;

    parcel_flush(t);
    if (g->open && g->moved) {
        struct decision d = {0};
        d.kind = 'l';
        d.line_id = g->line_id;
        d.leg = g->dir;
        d.leg_from = g->first_from;
        d.leg_to = g->state;
        emit(t, &d);
        t->legs++;
    }
    g->open = false;
}

static int64_t col_int(const PGresult *r, int i, int c)
{
    return PQgetisnull(r, i, c) ? 0 : strtoll(PQgetvalue(r, i, c), NULL, 10);
}

/* Walks one fetched row: seq, parcel_id, line_id, direction, leg state, parcel state, parcel's
 * last event (epoch or NULL), carrier delivered, canon, at, whether its case is archived. */
static void walk_row(struct db_tracking *t, const PGresult *r, int i)
{
    struct leg_group *g = &t->g;
    struct parcel_walk *p = &t->p;
    int seq = (int)col_int(r, i, 0);
    int64_t parcel_id = col_int(r, i, 1);
    int64_t line_id = col_int(r, i, 2);
    const char *dir = PQgetvalue(r, i, 3);
    struct err ignored = {0};
    enum track_canon canon = TRACK_UNKNOWN;
    int64_t at = col_int(r, i, 9);

    if (!g->open || g->line_id != line_id || strcmp(g->dir, dir) != 0) {
        group_flush(t);
        memset(g, 0, sizeof *g);
        g->open = true;
        g->line_id = line_id;
        snprintf(g->dir, sizeof g->dir, "%s", dir);
        snprintf(g->state, sizeof g->state, "%s", line_id ? PQgetvalue(r, i, 4) : "");
    }
    if (!p->open || p->id != parcel_id) {
        parcel_flush(t);
        memset(p, 0, sizeof *p);
        p->open = true;
        p->id = parcel_id;
        snprintf(p->state, sizeof p->state, "%s", PQgetvalue(r, i, 5));
        snprintf(p->orig_state, sizeof p->orig_state, "%s", p->state);
        p->has_prev = p->has_last = !PQgetisnull(r, i, 6);
        p->prev_at = p->last_at = col_int(r, i, 6);
        p->carrier_delivered = strcmp(PQgetvalue(r, i, 7), "t") == 0;
        p->archived = strcmp(PQgetvalue(r, i, 10), "t") == 0;
    }
    if (p->archived) {
        /* a late event about a parcel of an archived case (its record is final and its rows
         * cannot change): kept in tracking_event as history, moves and marks nothing, and the
         * rest of the document goes on */
        struct decision h = {.kind = 'e', .seq = seq, .parcel_id = parcel_id, .line_id = line_id};
        h.outcome = "history";
        t->history++;
        emit(t, &h);
        t->decisions_e++;
        t->fresh++;
        return;
    }
    (void)track_canon_parse(PQgetvalue(r, i, 8), "canon", &canon, &ignored);

    bool outbound = strcmp(dir, "outbound") == 0;
    enum leg_kind kind = outbound ? LEG_OUTBOUND : LEG_INBOUND;
    struct track_parcel tp = {
        .dir = outbound ? TRACK_OUTBOUND : TRACK_INBOUND,
        .leg_state = g->state[0] ? g->state : NULL,
        .delivered = outbound ? (strcmp(g->state, "delivered") == 0 ||
                                 strcmp(g->state, "returned_to_sender") == 0) :
                                p->carrier_delivered,
        .has_last = p->has_last,
        .last_at = p->last_at,
    };
    struct track_step step;
    tracking_parcel_next(&tp, canon, at, &step);

    struct decision e = {0};
    e.kind = 'e';
    e.seq = seq;
    e.parcel_id = parcel_id;
    e.line_id = line_id;
    size_t moved = 0;
    char from0[32];
    snprintf(from0, sizeof from0, "%s", g->state);
    for (size_t k = 0; k < step.n_events && g->state[0]; k++) {
        const char *to = NULL;
        if (leg_next(kind, g->state, step.events[k], &to, &ignored) != 0)
            break;
        struct decision m = {0};
        m.kind = 'm';
        m.ord = ++t->ord;
        m.seq = seq;
        m.parcel_id = parcel_id;
        m.line_id = line_id;
        m.leg = g->dir;
        m.leg_event = leg_event_name(step.events[k]);
        m.leg_from = g->state;
        m.leg_to = to;
        emit(t, &m);
        t->moves++;
        if (!g->moved)
            snprintf(g->first_from, sizeof g->first_from, "%s", g->state);
        g->moved = true;
        if (moved == 0) {
            e.leg = g->dir;
            e.leg_from = from0;
        }
        snprintf(g->state, sizeof g->state, "%s", to);
        e.leg_to = to;
        moved++;
        if (step.events[k] == LEG_EV_SHIP)
            p->shipped_at = at;
        if (step.events[k] == LEG_EV_DELIVER)
            p->delivered_at = at;
        snprintf(p->state, sizeof p->state, "%s", to);
        p->changed = true;
    }
    /* another parcel of the line already moved the inbound leg: this one is on its way too */
    if (!outbound && step.advance && !tp.delivered && strcmp(p->state, "label_issued") == 0 &&
        strcmp(g->state, "in_transit") == 0 &&
        (canon == TRACK_PICKED_UP || canon == TRACK_IN_TRANSIT || canon == TRACK_OUT_FOR_DELIVERY ||
         canon == TRACK_DELIVERED)) {
        snprintf(p->state, sizeof p->state, "in_transit");
        p->changed = true;
    }
    if (step.carrier_delivered && !p->carrier_delivered) {
        p->carrier_delivered = true;
        p->new_delivered_mark = at;
        p->changed = true;
    }
    if (step.advance) {
        p->has_last = true;
        p->last_at = at;
        p->last_canon = track_canon_name(canon);
        p->changed = true;
    }
    if (moved > 0) {
        e.outcome = "moved";
        t->moved_events++;
    } else if (step.carrier_delivered) {
        e.outcome = "recorded";
        t->recorded++;
    } else if (canon == TRACK_UNKNOWN) {
        e.outcome = "unknown";
        t->unknown++;
    } else if (step.why == TRACK_WHY_OLDER) {
        e.outcome = "history"; /* older than the parcel's last event */
        t->history++;
    } else {
        e.outcome = "no_move"; /* newer, but nothing to move in the leg's state */
        t->no_move++;
    }
    emit(t, &e);
    t->decisions_e++;
    t->fresh++;
}

/* Sends the decisions buffered so far in one COPY. */
static enum db_result decisions_send(struct db_tracking *t, struct err *err)
{
    enum db_result kind;

    if (t->len == 0)
        return DB_ONE;
    size_t keep = t->len;
    t->len = 0;
    if ((kind = copy_start(t, Q_TRK_COPY_DECISION, err)) != DB_ONE)
        return kind;
    t->len = keep;
    return copy_end(t, NULL, err);
}

/* Runs q on the document (params: document, then more) and checks how many rows it touched. */
static enum db_result apply(struct db_tracking *t, enum stmt q, const char *const *params,
                            long want, const char *field, const char *what, struct err *err)
{
    enum db_result kind;
    PGresult *r = db_run(t->db, q, params, &kind, err);
    if (r == NULL)
        return kind;
    long n = strtol(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    if (want >= 0 && n != want) {
        err_set(err, ERR_CONFLICT, field, "%s changed meanwhile: send the document again", what);
        return DB_FAIL;
    }
    return DB_ONE;
}

static enum db_result walk(struct db_tracking *t, struct err *err)
{
    enum db_result kind;
    char cid[24];
    PGresult *r;

    snprintf(cid, sizeof cid, "%lld", (long long)t->carrier.id);
    const char *p[2] = {t->doc_s, cid};
    /* the cursor is read to its end: plan for all rows, not the first tenth */
    if ((r = db_run(t->db, Q_TRK_CURSOR_ALL, NULL, &kind, err)) == NULL)
        return kind;
    PQclear(r);
    if ((r = db_run(t->db, Q_TRK_CURSOR, p, &kind, err)) == NULL)
        return kind;
    PQclear(r);
    for (;;) {
        if ((r = db_run(t->db, Q_TRK_FETCH, NULL, &kind, err)) == NULL)
            return kind;
        int n = PQntuples(r);
        for (int i = 0; i < n; i++)
            walk_row(t, r, i);
        PQclear(r);
        if (n == 0)
            break;
        /* the open group's rows are complete only once it ends; what is done goes now */
        if ((kind = decisions_send(t, err)) != DB_ONE)
            return kind;
    }
    group_flush(t);
    if ((r = db_run(t->db, Q_TRK_CLOSE, NULL, &kind, err)) == NULL)
        return kind;
    PQclear(r);
    return decisions_send(t, err);
}

static enum db_result finish(struct db_tracking *t, int *status, json_t **response, struct err *err)
{
    enum db_result kind;
    PGresult *r;
    char cid[24], tid[24];

    snprintf(cid, sizeof cid, "%lld", (long long)t->carrier.id);
    snprintf(tid, sizeof tid, "%lld", (long long)t->actor.token_id);
    if ((kind = copy_end(t, NULL, err)) != DB_ONE)
        return kind;
    t->ms_stream = elapsed_ms(t);
    const char *dc[2] = {t->doc_s, cid};
    /* A large batch: the planner must see the staged rows (this transaction's own), else it
     * plans for none.  ANALYZE holds its lock to the COMMIT, so concurrent large imports take
     * turns from here; small documents skip it and never wait. */
    bool large = t->events >= ANALYZE_FROM;
    if (large && (r = db_run(t->db, Q_TRK_LARGE, NULL, &kind, err)) == NULL)
        return kind;
    if (large)
        PQclear(r);
    if (large && (r = db_run(t->db, Q_TRK_ANALYZE_STAGE, NULL, &kind, err)) == NULL)
        return kind;
    if (large)
        PQclear(r);

    /* a carrier's events match its own parcels only: one naming another carrier's parcel is
     * unmatched exactly as an unknown number (numbers and SSCCs are sequential: no probing) */
    if ((r = db_run(t->db, Q_TRK_UNMATCHED, dc, &kind, err)) == NULL)
        return kind;
    t->unmatched = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    t->unmatched_new = strtol(PQgetvalue(r, 0, 1), NULL, 10);
    PQclear(r);

    t->ms_match = elapsed_ms(t);
    if ((kind = walk(t, err)) != DB_ONE)
        return kind;
    t->ms_walk = elapsed_ms(t);
    if (large && (r = db_run(t->db, Q_TRK_ANALYZE_DECISION, NULL, &kind, err)) == NULL)
        return kind;
    if (large)
        PQclear(r);

    const char *d1[1] = {t->doc_s};
    const char *ev[3] = {t->doc_s, t->actor.name, tid};
    if ((kind = apply(t, Q_TRK_LEGS, d1, t->legs, "event", "a leg", err)) != DB_ONE ||
        (kind = apply(t, Q_TRK_LEG_EVENTS, ev, t->moves, "event", "a leg", err)) != DB_ONE ||
        (kind = apply(t, Q_TRK_PARCELS, d1, t->parcels, "event", "a parcel", err)) != DB_ONE ||
        (kind = apply(t, Q_TRK_EVENTS_STORE, dc, t->decisions_e, "event", "an event", err)) !=
            DB_ONE ||
        (kind = apply(t, Q_TRK_SPARES, d1, -1, NULL, NULL, err)) != DB_ONE ||
        (kind = apply(t, Q_TRK_BINS, d1, -1, NULL, NULL, err)) != DB_ONE ||
        (kind = apply(t, Q_TRK_LINES_DONE, d1, -1, NULL, NULL, err)) != DB_ONE ||
        (kind = apply(t, Q_TRK_STAGE_CLEAR, d1, -1, NULL, NULL, err)) != DB_ONE)
        return kind;

    *status = 201;
    *response = json_pack(
        "{s:s, s:s, s:s, s:s, s:i, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}}",
        "document", t->doc_type, "id", t->doc_key, "carrier", t->carrier.code, "outcome",
        "recorded", "document_id", (json_int_t)t->document_id, "events", "total",
        (json_int_t)t->events, "new", (json_int_t)t->fresh, "duplicates",
        (json_int_t)(t->events - t->unmatched - t->fresh), "moved", (json_int_t)t->moved_events,
        "carrier_delivered", (json_int_t)t->recorded, "history", (json_int_t)t->history, "no_move",
        (json_int_t)t->no_move, "unknown_code", (json_int_t)t->unknown, "unmatched",
        (json_int_t)t->unmatched, "ambiguous_time", (json_int_t)t->ambiguous, "leg_moves",
        (json_int_t)t->moves);
    if (*response == NULL) {
        err_set(err, ERR_INTERNAL, NULL, "answer could not be built");
        return DB_FAIL;
    }
    char *text = json_dumps(*response, JSON_COMPACT);
    const char *fp[3] = {t->doc_s, "201", text};
    r = db_run(t->db, Q_DOC_FINISH, fp, &kind, err);
    free(text);
    if (r == NULL)
        return kind;
    PQclear(r);
    return db_commit(t->db, err);
}

enum db_result db_tracking_finish(struct db_tracking *t, int *status, json_t **response,
                                  struct err *err)
{
    *response = NULL;
    enum db_result kind = finish(t, status, response, err);
    if (kind != DB_ONE) {
        json_decref(*response);
        *response = NULL;
        db_tracking_abort(t);
        return kind;
    }
    log_info("tracking import: document %s (%s, carrier %s): %ld events, %ld new, %ld duplicate, "
             "%ld unmatched, %ld unknown code, %ld ambiguous local time, %ld leg moves; ms: "
             "stream %ld, match %ld, walk %ld, apply %ld",
             t->doc_s, t->doc_type, t->carrier.code, t->events, t->fresh,
             t->events - t->unmatched - t->fresh, t->unmatched, t->unknown, t->ambiguous, t->moves,
             t->ms_stream, t->ms_match - t->ms_stream, t->ms_walk - t->ms_match,
             elapsed_ms(t) - t->ms_walk);
    tracking_free(t);
    return DB_ONE;
}

/* ---- documents ---------------------------------------------------------------------------- */

/* NULL for a role that sees every document, else the sender a carrier's documents are keyed by */
static const char *scope_of(const struct principal *who, char *buf, size_t n)
{
    if (who->role != ROLE_CARRIER)
        return NULL;
    snprintf(buf, n, "carrier:%lld", (long long)who->carrier_id);
    return buf;
}

enum db_result db_document_get(struct db *db, int64_t id, const struct principal *who, json_t **out,
                               struct err *err)
{
    enum db_result kind;
    char ids[24], scope[48];

    snprintf(ids, sizeof ids, "%lld", (long long)id);
    const char *p[2] = {ids, scope_of(who, scope, sizeof scope)};
    PGresult *r = db_run(db, Q_TRK_DOC_GET, p, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "document", "no such document");
        return DB_NONE;
    }
    *out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
    PQclear(r);
    if (*out == NULL) {
        err_set(err, ERR_INTERNAL, NULL, "document unreadable");
        return DB_FAIL;
    }
    return DB_ONE;
}

enum db_result db_document_list(struct db *db, const char *doc_type, const struct principal *who,
                                int limit, json_t **out, struct err *err)
{
    enum db_result kind;
    char lim[16], scope[48];

    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[3] = {doc_type, scope_of(who, scope, sizeof scope), lim};
    PGresult *r = db_run(db, Q_TRK_DOC_LIST, p, &kind, err);
    if (r == NULL)
        return kind;
    *out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
    PQclear(r);
    if (*out == NULL) {
        err_set(err, ERR_INTERNAL, NULL, "documents unreadable");
        return DB_FAIL;
    }
    return DB_ONE;
}

/* ---- one parcel's events (TransportationStatus out) --------------------------------------- */

enum db_result db_tracking_status(struct db *db, const char *rma_number, const char *direction,
                                  int parcel_no, const struct principal *who, struct arena *a,
                                  struct db_parcel_status *out, struct err *err)
{
    enum db_result kind;
    char no[16], pid[24];

    snprintf(no, sizeof no, "%d", parcel_no);
    const char *pp[3] = {rma_number, direction, no};
    PGresult *r = db_run(db, Q_TRK_STATUS_PARCEL, pp, &kind, err);
    if (r == NULL)
        return kind;
    bool mine =
        PQntuples(r) == 1 &&
        (who->role != ROLE_CARRIER ||
         (!PQgetisnull(r, 0, 3) && strtoll(PQgetvalue(r, 0, 3), NULL, 10) == who->carrier_id));
    if (!mine) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "parcel", "no such parcel");
        return DB_NONE;
    }
    memset(out, 0, sizeof *out);
    snprintf(pid, sizeof pid, "%s", PQgetvalue(r, 0, 0));
    out->tracking_number = db_field(a, r, 0, 1);
    out->sscc = db_field(a, r, 0, 2);
    PQclear(r);
    const char *ep[1] = {pid};
    if ((r = db_run(db, Q_TRK_STATUS_EVENTS, ep, &kind, err)) == NULL)
        return kind;
    int n = PQntuples(r);
    out->events = arena_alloc(a, sizeof *out->events * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        struct db_status_event *e = &out->events[i];
        e->canon = db_field(a, r, i, 0);
        e->code = db_field(a, r, i, 1);
        e->text = db_field(a, r, i, 2);
        e->location = db_field(a, r, i, 3);
        e->at = col_int(r, i, 4);
        int64_t stored = col_int(r, i, 5);
        if (stored > out->issued_at)
            out->issued_at = stored;
    }
    out->n_events = (size_t)n;
    PQclear(r);
    return DB_ONE;
}

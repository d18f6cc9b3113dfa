/*
 * server: libmicrohttpd glue.
 *
 * The access handler is called several times per request: first with no request state (we route,
 * check the declared size and create the state), then once per piece of body (appended to a
 * bounded buffer), then once more with no data: only then do we authenticate, run the handler
 * and queue its answer.  The request state, arena included, is freed in the "request completed"
 * callback and nowhere else.  Each pool thread keeps one database connection of its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "app/log.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "jobs.h"
#include "outbox.h"

#include "request.h"

static _Thread_local struct db *thread_db;
static pthread_key_t thread_db_key;
static pthread_once_t thread_db_once = PTHREAD_ONCE_INIT;

/* Closes a pool thread's database connection when the thread ends. */
static void thread_db_free(void *db)
{
    db_free(db);
}

static void thread_db_key_make(void)
{
    pthread_key_create(&thread_db_key, thread_db_free);
}
static atomic_ullong request_counter;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct db *request_db(struct request *req, struct err *err)
{
    if (thread_db == NULL) {
        thread_db = db_new(req->cfg->conninfo);
        pthread_once(&thread_db_once, thread_db_key_make);
        pthread_setspecific(thread_db_key, thread_db);
    }
    if (db_ready(thread_db, err) != DB_ONE)
        return NULL;
    req->db = thread_db;
    return thread_db;
}

const char *request_header(struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *request_query(struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

/*
 * Every string of a request body, member names too, must be free of Unicode noncharacters
 * (core/utf8.h): whatever a route keeps of the body ends up on labels, documents and records.
 * path is the field so far ("" at the top, "service_address", "lines[2]"); 0 or -1.
 */
static int refuse_noncharacters(json_t *j, const char *path, struct err *err)
{
    char sub[64];

    if (json_is_string(j)) {
        if (utf8_has_noncharacter(json_string_value(j)))
            return err_set(err, ERR_INVALID, path[0] ? path : "body",
                           "must not contain unicode noncharacters (such as U+FFFF)");
    } else if (json_is_object(j)) {
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v)
        {
            snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", key);
            if (utf8_has_noncharacter(key))
                return err_set(err, ERR_INVALID, path[0] ? path : "body",
                               "a member name must not contain unicode noncharacters");
            if (refuse_noncharacters(v, sub, err) != 0)
                return -1;
        }
    } else if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) {
            snprintf(sub, sizeof sub, "%s[%zu]", path[0] ? path : "body", i);
            if (refuse_noncharacters(json_array_get(j, i), sub, err) != 0)
                return -1;
        }
    }
    return 0;
}

/*
 * The member a number too large for jansson belongs to: the name before the ':' that precedes the
 * number ending at or before body[pos].  "body" when the number is not a member's value.
 */
static const char *overflow_field(const char *body, size_t len, size_t pos, char *out, size_t n)
{
    size_t i = pos < len ? pos : len;

    while (i > 0 && strchr("0123456789+-.eE", body[i - 1]) == NULL)
        i--; /* the lexer may stop after the number */
    while (i > 0 && strchr("0123456789+-.eE", body[i - 1]) != NULL)
        i--;
    while (i > 0 && strchr(" \t\r\n", body[i - 1]) != NULL)
        i--;
    if (i == 0 || body[i - 1] != ':')
        return "body";
    i--;
    while (i > 0 && strchr(" \t\r\n", body[i - 1]) != NULL)
        i--;
    if (i < 2 || body[i - 1] != '"')
        return "body";
    size_t end = --i;
    while (i > 0 && (body[i - 1] != '"' || (i > 1 && body[i - 2] == '\\')))
        i--;
    if (i == 0 || end - i == 0 || end - i >= n)
        return "body";
    memcpy(out, body + i, end - i);
    out[end - i] = '\0';
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == '\\')
            return "body";
    return out;
}

/* The first number of j (decoded with JSON_DECODE_INT_AS_REAL) outside the 64-bit integers: its
 * field into out (as refuse_noncharacters names them); false when there is none. */
static bool huge_number_field(json_t *j, const char *path, char *out, size_t n)
{
    char sub[64];

    if (json_is_real(j)) {
        double v = json_real_value(j);
        if (v >= 9223372036854775808.0 || v <= -9223372036854775808.0) { /* 2^63 */
            snprintf(out, n, "%s", path[0] ? path : "body");
            return true;
        }
    } else if (json_is_object(j)) {
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v)
        {
            snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", key);
            if (huge_number_field(v, sub, out, n))
                return true;
        }
    } else if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) {
            snprintf(sub, sizeof sub, "%s[%zu]", path[0] ? path : "body", i);
            if (huge_number_field(json_array_get(j, i), sub, out, n))
                return true;
        }
    }
    return false;
}

json_t *request_json(struct request *req, struct err *err)
{
    json_error_t jerr;
    json_t *j;

    if (req->body == NULL || req->body_len == 0) {
        err_set(err, ERR_BAD_REQUEST, "body", "a json object is required");
        return NULL;
    }
    j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL && json_error_code(&jerr) == json_error_numeric_overflow) {
        /* well-formed JSON with a number out of range: a bad value, not a malformed body */
        char name[64];
        const char *field = NULL;
        json_t *again = json_loadb(req->body, req->body_len,
                                   JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, NULL);
        if (again != NULL && huge_number_field(again, "", name, sizeof name))
            field = name; /* an integer too large: its whole path */
        else              /* a real too large (1e999): the member name just before it */
            field =
                overflow_field(req->body, req->body_len, (size_t)jerr.position, name, sizeof name);
        json_decref(again);
        err_set(err, ERR_INVALID, field, "a number is too large (line %d, column %d)", jerr.line,
                jerr.column);
        return NULL;
    }
    if (j == NULL) {
        err_set(err, ERR_BAD_REQUEST, "body", "malformed json at line %d column %d", jerr.line,
                jerr.column);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        err_set(err, ERR_BAD_REQUEST, "body", "must be a json object");
        return NULL;
    }
    if (refuse_noncharacters(j, "", err) != 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

json_t *request_json_or_empty(struct request *req, struct err *err)
{
    if (req->body == NULL || req->body_len == 0)
        return json_object();
    return request_json(req, err);
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    (void)value;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        (*(int *)cls)++;
    return MHD_YES;
}

/* The query's parameters: the first one named twice (a route reads one value of each, so
 * "?carrier=UPS&carrier=DHL" is ambiguous), or more than QUERY_ARGS_MAX of them. */
#define QUERY_ARGS_MAX 64
struct query_scan {
    const char *keys[QUERY_ARGS_MAX];
    int n;
    const char *twice;
    bool too_many;
};

static enum MHD_Result scan_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    struct query_scan *q = cls;

    (void)kind;
    (void)value;
    for (int i = 0; i < q->n; i++) {
        if (strcmp(q->keys[i], key) == 0) {
            q->twice = key;
            return MHD_NO;
        }
    }
    if (q->n == QUERY_ARGS_MAX) {
        q->too_many = true;
        return MHD_NO;
    }
    q->keys[q->n++] = key;
    return MHD_YES;
}

/* Queues the answer held in req. */
static enum MHD_Result send_answer(struct request *req)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    if (!req->answered) {
        struct err err = {0};
        err_set(&err, ERR_INTERNAL, NULL, "no answer");
        reply_error(req, &err);
    }
    resp = MHD_create_response_from_buffer(req->resp_len, req->resp, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type);
    MHD_add_response_header(resp, "X-Request-Id", req->id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (req->extra_header != NULL)
        MHD_add_response_header(resp, req->extra_header, req->extra_value);
    for (size_t i = 0; i < req->n_more_headers; i++)
        MHD_add_response_header(resp, req->more_headers[i][0], req->more_headers[i][1]);
    if (req->status == 503)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "5");
    if (req->status == 401 && !req->by_session &&
        (req->route == NULL || !(req->route->flags & ROUTE_PAGE)))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"rmad\"");
    ret = MHD_queue_response(req->conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    log_debug("%s %s -> %d", req->method, req->route ? req->route->pattern : req->url, req->status);
    return ret;
}

static enum MHD_Result fail_now(struct request *req, enum err_kind kind, const char *field,
                                const char *msg)
{
    struct err err = {0};
    err_set(&err, kind, field, "%s", msg);
    reply_error(req, &err);
    req->failed = true;
    return send_answer(req);
}

static bool media_type_is(const char *header, const char *want)
{
    size_t n = strlen(want);
    if (header == NULL)
        return false;
    while (*header == ' ')
        header++;
    return strncasecmp(header, want, n) == 0 &&
           (header[n] == '\0' || header[n] == ';' || header[n] == ' ');
}

static bool content_type_ok(const struct route *route, const char *ct)
{
    if (strcmp(route->content_type, "application/xml") == 0)
        return media_type_is(ct, "application/xml") || media_type_is(ct, "text/xml");
    return media_type_is(ct, route->content_type);
}

/* First call: route, size checks, state. Returns the request or NULL after queueing an error. */
static struct request *start(const struct server_config *cfg, struct MHD_Connection *conn,
                             const char *url, const char *method)
{
    struct request *req = xcalloc(1, sizeof *req);
    int status = 404;

    req->conn = conn;
    req->cfg = cfg;
    req->started_ms = now_ms();
    arena_init(&req->arena);
    req->method = arena_strdup(&req->arena, method);
    req->url = arena_strdup(&req->arena, url);
    snprintf(req->id, sizeof req->id, "%llx-%llu", (unsigned long long)(time(NULL) & 0xffffff),
             (unsigned long long)atomic_fetch_add(&request_counter, 1));
    log_set_request_id(req->id);
    req->route = router_match(method, url, req, &status);
    return req;
}

static int64_t declared_length(struct request *req, bool *bad)
{
    const char *cl = request_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    char *end;
    *bad = false;
    if (cl == NULL)
        return -1;
    errno = 0;
    long long v = strtoll(cl, &end, 10);
    if (errno || *end != '\0' || v < 0 || end == cl)
        *bad = true;
    return v;
}

void request_add_header(struct request *req, const char *name, const char *value)
{
    if (req->n_more_headers < sizeof req->more_headers / sizeof req->more_headers[0]) {
        req->more_headers[req->n_more_headers][0] = arena_strdup(&req->arena, name);
        req->more_headers[req->n_more_headers][1] = arena_strdup(&req->arena, value);
        req->n_more_headers++;
    }
}

/* A route with ROUTE_SESSION and no Authorization header: the pages' session cookie. */
static int authorize_session(struct request *req, struct err *err)
{
    const struct route *route = req->route;
    const char *cookie =
        MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, PAGES_SESSION_COOKIE);

    if (cookie == NULL)
        return err_set(err, ERR_UNAUTHORIZED, "session", "please sign in");
    if (request_db(req, err) == NULL)
        return -1;
    switch (db_session_lookup(req->db, cookie, &req->who, req->csrf, err)) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return -1;
    }
    req->authenticated = true;
    req->by_session = true;
    if ((route->roles & ROLE_BIT(req->who.role)) == 0)
        return err_set(err, ERR_FORBIDDEN, "role", "the %s role may not do this",
                       role_name(req->who.role));
    /* a form body carries its token as a field, which the handler checks once it is read */
    if (strcmp(req->method, "POST") == 0 &&
        (route->content_type == NULL ||
         strcmp(route->content_type, "application/x-www-form-urlencoded") != 0)) {
        const char *t = request_header(req, "X-CSRF-Token");
        if (t == NULL || strlen(t) != DB_SESSION_LEN ||
            sodium_memcmp(t, req->csrf, DB_SESSION_LEN) != 0)
            return err_set(err, ERR_FORBIDDEN, "X-CSRF-Token",
                           "the page's csrf token is missing or wrong: reload the page");
    }
    return 0;
}

/* Authentication and the role check of the route. */
static int authorize(struct request *req, struct err *err)
{
    const struct route *route = req->route;
    const char *auth;

    if (route->roles == 0)
        return 0;
    auth = request_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    if (auth == NULL && (route->flags & ROUTE_SESSION))
        return authorize_session(req, err);
    if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0 || auth[7] == '\0')
        return err_set(err, ERR_UNAUTHORIZED, "authorization", "a bearer token is required");
    if (strlen(auth + 7) > 200)
        return err_set(err, ERR_UNAUTHORIZED, "authorization", "unknown or revoked token");
    if (request_db(req, err) == NULL)
        return -1;
    enum db_result r = db_token_lookup(req->db, auth + 7, &req->who, err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return -1;
    }
    req->authenticated = true;
    if ((route->roles & ROLE_BIT(req->who.role)) == 0)
        return err_set(err, ERR_FORBIDDEN, "authorization", "the %s role may not do this",
                       role_name(req->who.role));
    return 0;
}

static void run_handler(struct request *req)
{
    struct err err = {0};
    const char *key = NULL;
    unsigned char sha[crypto_hash_sha256_BYTES];

    if (strcmp(req->method, "POST") == 0 && req->authenticated)
        key = request_header(req, "Idempotency-Key");
    if (key != NULL) {
        int status = 0;
        char *ctype = NULL;
        char *body = NULL;
        size_t blen = 0;
        bool printable = true;
        for (const char *c = key; *c; c++)
            if (*c < 0x21 || *c > 0x7e)
                printable = false;
        if (strlen(key) == 0 || strlen(key) > 200 || !printable) {
            err_set(&err, ERR_BAD_REQUEST, "Idempotency-Key",
                    "must be 1 to 200 printable ascii characters");
            reply_error(req, &err);
            return;
        }
        crypto_hash_sha256(sha, (const unsigned char *)(req->body ? req->body : ""), req->body_len);
        enum db_result r = db_idem_begin(req->db, req->who.token_id, key, req->method, req->url,
                                         sha, &req->arena, &status, &ctype, &body, &blen, &err);
        switch (r) {
        case DB_ONE:
            break;
        case DB_NONE:
            reply_bytes(req, status, ctype ? ctype : "application/json", body, blen);
            req->extra_header = "Idempotent-Replayed";
            req->extra_value = "true";
            return;
        case DB_RETRY:
        case DB_FAIL:
            reply_db_error(req, r, &err);
            return;
        }
        req->idem_key = key;
    }
    req->route->handler(req);
    if (req->idem_key != NULL) {
        struct err ferr = {0};
        /* Only answers of requests that did something are kept: after a refusal (4xx, 5xx) the
         * client may correct the request and retry under the same key. */
        if (req->status >= 400 ||
            db_idem_finish(req->db, req->who.token_id, req->idem_key, req->status,
                           req->content_type, req->resp, req->resp_len, &ferr) != DB_ONE)
            db_idem_abandon(req->db, req->who.token_id, req->idem_key);
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    const struct server_config *cfg = cls;
    struct request *req = *con_cls;

    (void)version;
    if (req == NULL) {
        req = start(cfg, conn, url, method);
        *con_cls = req;
        if (req->route == NULL) {
            int status = 404;
            router_match(method, url, req, &status);
            if (status == 405) {
                req->extra_header = MHD_HTTP_HEADER_ALLOW;
                req->extra_value = router_allowed(url, req);
                return fail_now(req, ERR_NOT_ALLOWED, "method", "method not allowed here");
            }
            return fail_now(req, ERR_NOT_FOUND, "path", "no such resource");
        }
        struct query_scan qs = {.n = 0};
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, scan_query, &qs);
        if (qs.twice != NULL)
            return fail_now(req, ERR_BAD_REQUEST, arena_printf(&req->arena, "%.64s", qs.twice),
                            "this query parameter is given more than once");
        if (qs.too_many)
            return fail_now(req, ERR_BAD_REQUEST, "query", "more than 64 query parameters");
        int n_cl = 0;
        MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &n_cl);
        if (n_cl > 1)
            return fail_now(req, ERR_BAD_REQUEST, "Content-Length",
                            "more than one content-length header");
        bool bad;
        int64_t declared = declared_length(req, &bad);
        if (bad)
            return fail_now(req, ERR_BAD_REQUEST, "Content-Length", "malformed content-length");
        const char *te = request_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
        bool has_body = declared > 0 || te != NULL;
        if (has_body && req->route->body_max == 0)
            return fail_now(req, ERR_TOO_LARGE, "body", "this request takes no body");
        if (declared > (int64_t)req->route->body_max)
            return fail_now(req, ERR_TOO_LARGE, "body", "the body is too large for this request");
        if (has_body && req->route->content_type != NULL &&
            !content_type_ok(req->route, request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE)))
            return fail_now(req, ERR_UNSUPPORTED, "Content-Type",
                            arena_printf(&req->arena, "must be %s", req->route->content_type));

        if (te != NULL && declared >= 0)
            return fail_now(req, ERR_BAD_REQUEST, "Transfer-Encoding",
                            "content-length and transfer-encoding together");
        /* Credentials are checked before any body is read, so a stranger cannot make us hold
         * megabytes; the buffer then grows with what arrives, up to the route's cap. */
        struct err err = {0};
        if (authorize(req, &err) != 0) {
            if (req->route->flags & ROUTE_PAGE)
                pages_reply_error(req, &err);
            else
                reply_error(req, &err);
            req->failed = true;
            return send_answer(req);
        }
        req->body_max = req->route->body_max;
        if (declared >= 0 && (size_t)declared < req->body_max)
            req->body_max = (size_t)declared;
        return MHD_YES;
    }
    log_set_request_id(req->id);
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (req->failed)
            return MHD_YES;
        if (now_ms() - req->started_ms > (int64_t)cfg->request_deadline_s * 1000) {
            log_warnx("request deadline passed while reading the body");
            return MHD_NO;
        }
        /* libmicrohttpd cannot queue an answer in the middle of a body: drop the rest (the
         * request deadline bounds how long that can take) and answer 413 at the end */
        if (req->too_large || req->body_len + n > req->body_max) {
            req->too_large = true;
            return MHD_YES;
        }
        if (req->body_len + n + 1 > req->body_cap) {
            size_t cap = req->body_cap ? req->body_cap : 1024;
            while (cap < req->body_len + n + 1)
                cap *= 2;
            if (cap > req->body_max + 1)
                cap = req->body_max + 1;
            req->body = xrealloc(req->body, cap);
            req->body_cap = cap;
        }
        memcpy(req->body + req->body_len, upload_data, n);
        req->body_len += n;
        req->body[req->body_len] = '\0';
        return MHD_YES;
    }
    if (req->failed)
        return MHD_YES;
    if (req->too_large) {
        struct err err = {0};
        err_set(&err, ERR_TOO_LARGE, "body", "the body is too large for this request");
        reply_error(req, &err);
        return send_answer(req);
    }
    run_handler(req);
    return send_answer(req);
}

/*
 * The whole-request deadline.  libmicrohttpd's timeout only measures inactivity, so a client
 * that sends one byte every few seconds (headers or body) would hold a connection forever.
 * Every connection is watched from the moment it opens or its last request completed; a
 * watchdog thread shuts down the socket of one that passes the deadline, and the library then
 * closes it as it would any broken connection.
 */
struct watch {
    int fd;
    int64_t since_ms;
    bool cut;
    struct watch *prev;
    struct watch *next;
};

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct watch *watch_head;
static atomic_bool watch_stop;

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        struct watch *w = xcalloc(1, sizeof *w);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        w->fd = ci ? ci->connect_fd : -1;
        w->since_ms = now_ms();
        pthread_mutex_lock(&watch_lock);
        w->next = watch_head;
        if (watch_head)
            watch_head->prev = w;
        watch_head = w;
        pthread_mutex_unlock(&watch_lock);
        *socket_context = w;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context != NULL) {
        struct watch *w = *socket_context;
        pthread_mutex_lock(&watch_lock);
        if (w->prev)
            w->prev->next = w->next;
        else
            watch_head = w->next;
        if (w->next)
            w->next->prev = w->prev;
        pthread_mutex_unlock(&watch_lock);
        free(w);
        *socket_context = NULL;
    }
}

static void *watchdog(void *arg)
{
    const struct server_config *cfg = arg;
    const int64_t limit = (int64_t)cfg->request_deadline_s * 1000;

    while (!atomic_load(&watch_stop)) {
        struct timespec pause = {0, 250 * 1000000L};
        nanosleep(&pause, NULL);
        int64_t now = now_ms();
        pthread_mutex_lock(&watch_lock);
        for (struct watch *w = watch_head; w != NULL; w = w->next) {
            if (!w->cut && w->fd >= 0 && now - w->since_ms > limit) {
                w->cut = true;
                shutdown(w->fd, SHUT_RDWR);
                log_warnx("a request took longer than %u s: connection closed",
                          cfg->request_deadline_s);
            }
        }
        pthread_mutex_unlock(&watch_lock);
    }
    return NULL;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct request *req = *con_cls;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    (void)cls;
    if (ci != NULL && ci->socket_context != NULL) {
        struct watch *w = ci->socket_context;
        pthread_mutex_lock(&watch_lock);
        w->since_ms = now_ms();
        pthread_mutex_unlock(&watch_lock);
    }
    (void)toe;
    if (req == NULL)
        return;
    arena_release(&req->arena);
    free(req->body);
    free(req);
    *con_cls = NULL;
    log_set_request_id(NULL);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Percent-decoding of the path and the query.  An encoded '/' or NUL is left as it was
 * ("%2F"), so it can never split a path segment or cut a string short: such a path matches no
 * route (404) and such a value fails its check.
 */
static size_t on_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    char *r = s;
    char *w = s;

    (void)cls;
    (void)conn;
    while (*r) {
        int hi;
        int lo;
        if (r[0] == '%' && (hi = hex_value(r[1])) >= 0 && (lo = hex_value(r[2])) >= 0) {
            char c = (char)(hi * 16 + lo);
            if (c != '/' && c != '\0') {
                *w++ = c;
                r += 3;
                continue;
            }
        }
        *w++ = *r++;
    }
    *w = '\0';
    return (size_t)(w - s);
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    log_warnx("http: %s", msg);
}

int server_run(const struct server_config *cfg, struct err *err)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    /* ITC: MHD_quiesce_daemon needs it in the thread-pool mode (see the stop below) */
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    sigset_t set;
    int sig;

    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, cfg->listen_host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)cfg->port);
        sslen = sizeof *s4;
    } else if (inet_pton(AF_INET6, cfg->listen_host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)cfg->port);
        sslen = sizeof *s6;
        flags |= MHD_USE_IPv6;
    } else {
        return err_set(err, ERR_INVALID, "RMAD_LISTEN", "the listen address must be numeric");
    }
    (void)sslen;

    /* Signals are taken synchronously by this thread; the pool threads inherit the mask. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* SO_REUSEPORT only when asked for.  The option must then be left out, not given as 0:
     * given at all, 0 means "disallow", and MHD then skips the SO_REUSEADDR it sets by default,
     * so a restart could not bind while the old connections sit in TIME_WAIT. */
    struct MHD_OptionItem shared[] = {{MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL},
                                      {MHD_OPTION_END, 0, NULL}};
    struct MHD_OptionItem not_shared[] = {{MHD_OPTION_END, 0, NULL}};
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, (void *)cfg, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_error, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
        cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)64 * 1024, MHD_OPTION_ARRAY, cfg->listen_shared ? shared : not_shared,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, NULL, MHD_OPTION_UNESCAPE_CALLBACK, on_unescape, NULL, MHD_OPTION_END);
    if (d == NULL)
        return err_set(err, ERR_INTERNAL, "RMAD_LISTEN", "cannot listen on %s port %d",
                       cfg->listen_host, cfg->port);
    pthread_t dog;
    atomic_store(&watch_stop, false);
    if (pthread_create(&dog, NULL, watchdog, (void *)cfg) != 0) {
        MHD_stop_daemon(d);
        return err_set(err, ERR_INTERNAL, NULL, "cannot start the request watchdog");
    }
    if (jobs_start(cfg, err) != 0) {
        MHD_stop_daemon(d);
        atomic_store(&watch_stop, true);
        pthread_join(dog, NULL);
        return -1;
    }
    /* the outbox's SMTP sender (issue 3, outbox.c) */
    if (outbox_start(cfg, err) != 0) {
        jobs_stop();
        MHD_stop_daemon(d);
        atomic_store(&watch_stop, true);
        pthread_join(dog, NULL);
        return -1;
    }

    log_info("rmad listening on %s port %d with %u threads", cfg->listen_host, cfg->port,
             cfg->threads);
    sigwait(&set, &sig);
    log_info("signal %d: stopping", sig);
    /* stop accepting and give the port back at once, so the next rmad can start on it while
     * this one finishes the requests it has (without SO_REUSEPORT the bind would fail) */
    MHD_socket lfd = MHD_quiesce_daemon(d);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    outbox_stop();
    jobs_stop();

    MHD_stop_daemon(d);
    atomic_store(&watch_stop, true);
    pthread_join(dog, NULL);
    return 0;
}

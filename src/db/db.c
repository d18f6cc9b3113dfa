/*
 * db: connections, statement execution, error mapping, migrations, secrets and tokens.
 *
 * A connection is opened lazily and re-opened after it breaks, with a back-off of 1, 2, 4
 * seconds between attempts so a down database is not hammered; meanwhile callers get DB_RETRY.
 * Errors are mapped here once: unique violations and our own RM409 are conflicts (409), a lost
 * connection is "unavailable" (503), the rest is internal (500, logged with the SQLSTATE).
 */
#include "db_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/log.h"
#include "core/xalloc.h"

struct db *db_new(const char *conninfo)
{
    struct db *db = xcalloc(1, sizeof *db);
    db->conninfo = xstrdup(conninfo ? conninfo : "");
    return db;
}

void db_free(struct db *db)
{
    if (db == NULL)
        return;
    if (db->conn)
        PQfinish(db->conn);
    free(db->conninfo);
    free(db);
}

static void drop(struct db *db)
{
    if (db->conn)
        PQfinish(db->conn);
    db->conn = NULL;
    db->prepared = false;
}

enum db_result db_ready(struct db *db, struct err *err)
{
    time_t now = time(NULL);

    if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK && db->prepared)
        return DB_ONE;
    if (db->conn != NULL)
        drop(db);
    if (now < db->next_attempt) {
        err_set(err, ERR_UNAVAILABLE, NULL, "database unavailable");
        return DB_RETRY;
    }
    db->conn = PQconnectdb(db->conninfo);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        log_warnx("database connection failed: %s", PQerrorMessage(db->conn));
        drop(db);
        db->backoff = db->backoff ? (db->backoff * 2 > 4 ? 4 : db->backoff * 2) : 1;
        db->next_attempt = now + db->backoff;
        err_set(err, ERR_UNAVAILABLE, NULL, "database unavailable");
        return DB_RETRY;
    }
    db->backoff = 0;
    db->next_attempt = 0;
    PQclear(PQexec(db->conn, "SET TIME ZONE 'UTC'"));
    for (int i = 0; i < Q__COUNT; i++) {
        const struct statement *s = &db_statements[i];
        PGresult *r = PQprepare(db->conn, s->name, s->sql, s->nparams, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            /* Before migrations ran, statements on missing tables cannot be prepared yet. */
            log_warnx("prepare %s: %s", s->name, PQresultErrorMessage(r));
            PQclear(r);
            drop(db);
            err_set(err, ERR_UNAVAILABLE, NULL, "database schema is not ready");
            return DB_RETRY;
        }
        PQclear(r);
    }
    db->prepared = true;
    return DB_ONE;
}

static void map_error(struct db *db, const PGresult *r, enum db_result *kind, struct err *err)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        log_warnx("database connection lost");
        drop(db);
        *kind = DB_RETRY;
        err_set(err, ERR_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    *kind = DB_FAIL;
    if (state != NULL && strcmp(state, "23505") == 0) {
        err_set(err, ERR_CONFLICT, NULL, "already exists");
    } else if (state != NULL && strcmp(state, "RM409") == 0) {
        /* the archive guards (0012, 0015) name the archived case: say so, not "meanwhile" */
        const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
        if (msg != NULL && strstr(msg, "archived") != NULL)
            err_set(err, ERR_CONFLICT, "status",
                    "%s: an archived case and everything of it (its rmas, parcels, events...) "
                    "is frozen",
                    msg);
        else
            err_set(err, ERR_CONFLICT, NULL, "the state changed meanwhile");
    } else if (state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)) {
        err_set(err, ERR_CONFLICT, NULL, "concurrent update, try again");
    } else if (state != NULL && strncmp(state, "08", 2) == 0) {
        drop(db);
        *kind = DB_RETRY;
        err_set(err, ERR_UNAVAILABLE, NULL, "database unavailable");
    } else {
        log_warnx("database error %s: %s", state ? state : "?",
                  r ? PQresultErrorMessage(r) : "no result");
        err_set(err, ERR_INTERNAL, NULL, "database error");
    }
}

PGresult *db_run_bin(struct db *db, enum stmt q, const char *const *params, const int *lengths,
                     const int *formats, enum db_result *res_kind, struct err *err)
{
    enum db_result dummy;
    enum db_result *kind = res_kind ? res_kind : &dummy;

    *kind = db_ready(db, err);
    if (*kind != DB_ONE)
        return NULL;
    const struct statement *s = &db_statements[q];
    bool idle = PQtransactionStatus(db->conn) == PQTRANS_IDLE;
    PGresult *r = PQexecPrepared(db->conn, s->name, s->nparams, params, lengths, formats, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_FATAL_ERROR && idle && PQstatus(db->conn) != CONNECTION_OK) {
        /* The server went away since this connection's last use (a restart, a fail-over).
         * Outside a transaction nothing was done: connect again and run it once more. */
        PQclear(r);
        drop(db);
        *kind = db_ready(db, err);
        if (*kind != DB_ONE)
            return NULL;
        r = PQexecPrepared(db->conn, s->name, s->nparams, params, lengths, formats, 0);
        st = PQresultStatus(r);
    }
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        *kind = DB_ONE;
        return r;
    }
    map_error(db, r, kind, err);
    PQclear(r);
    return NULL;
}

PGresult *db_run(struct db *db, enum stmt q, const char *const *params, enum db_result *res_kind,
                 struct err *err)
{
    return db_run_bin(db, q, params, NULL, NULL, res_kind, err);
}

static enum db_result simple(struct db *db, const char *sql, struct err *err)
{
    enum db_result kind = db_ready(db, err);

    if (kind != DB_ONE)
        return kind;
    PGresult *r = PQexec(db->conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        map_error(db, r, &kind, err);
        PQclear(r);
        return kind;
    }
    PQclear(r);
    return DB_ONE;
}

enum db_result db_begin(struct db *db, struct err *err)
{
    return simple(db, "BEGIN", err);
}

enum db_result db_commit(struct db *db, struct err *err)
{
    /* Never answer 2xx before COMMIT returned; a failed COMMIT rolled back. */
    return simple(db, "COMMIT", err);
}

void db_rollback(struct db *db)
{
    if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
        PQclear(PQexec(db->conn, "ROLLBACK"));
}

PGresult *db_tx_run(struct db *db, enum stmt q, const char *const *params, enum db_result *res_kind,
                    struct err *err)
{
    PGresult *r = db_run(db, q, params, res_kind, err);
    if (r == NULL)
        db_rollback(db);
    return r;
}

enum db_result db_tx_abort(struct db *db, enum db_result kind)
{
    db_rollback(db);
    return kind == DB_ONE ? DB_FAIL : kind;
}

enum db_result db_tx_fail(struct db *db, struct err *err, enum err_kind k, const char *field,
                          const char *msg)
{
    db_rollback(db);
    err_set(err, k, field, "%s", msg);
    return DB_FAIL;
}

PGresult *db_run_case(struct db *db, enum stmt q, const char *const *params,
                      enum db_result *res_kind, struct err *err)
{
    PGresult *r = db_run(db, q, params, res_kind, err);

    if (r != NULL && PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "case_number", "no such case");
        *res_kind = DB_NONE;
        return NULL;
    }
    return r;
}

char *db_field(struct arena *a, const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    return arena_strndup(a, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

/* ---- migrations ---- */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted NNNN_*.sql file names of dir (malloc'd array of malloc'd strings). */
static int list_migrations(const char *dir, char ***names, size_t *n, struct err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t cap = 16;

    *n = 0;
    if (d == NULL)
        return err_set(err, ERR_INTERNAL, "migrations", "cannot open migrations directory %s", dir);
    *names = xmalloc(cap * sizeof **names);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 9 || strspn(e->d_name, "0123456789") != 4 || e->d_name[4] != '_' ||
            strcmp(e->d_name + len - 4, ".sql") != 0)
            continue;
        if (*n == cap)
            *names = xrealloc(*names, (cap *= 2) * sizeof **names);
        (*names)[(*n)++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(*names, *n, sizeof **names, cmp_names);
    return 0;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static char *read_file(const char *path, struct err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long len;

    if (f == NULL) {
        err_set(err, ERR_INTERNAL, "file", "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = xmalloc((size_t)len + 1);
    if (len < 0 || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        free(buf);
        err_set(err, ERR_INTERNAL, "file", "cannot read %s", path);
        return NULL;
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

/* NOTICEs ("relation already exists, skipping") are not news for the operator. */
static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Raw connection for the migration runner and file loader (before statements can prepare). */
static PGconn *raw_connect(struct db *db, struct err *err)
{
    PGconn *c = PQconnectdb(db->conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        err_set(err, ERR_UNAVAILABLE, NULL, "cannot connect to the database: %s",
                PQerrorMessage(c));
        /* libpq ends its messages with a new line */
        size_t n = strlen(err->message);
        while (n > 0 && (err->message[n - 1] == '\n' || err->message[n - 1] == ' '))
            err->message[--n] = '\0';
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    return c;
}

static int exec_ok(PGconn *c, const char *sql, const char *what, struct err *err)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        err_set(err, ERR_INTERNAL, what, "%s failed: %s", what, PQresultErrorMessage(r));
        size_t n = strlen(err->message);
        while (n > 0 && err->message[n - 1] == '\n')
            err->message[--n] = '\0';
        PQclear(r);
        PQclear(PQexec(c, "ROLLBACK"));
        return -1;
    }
    PQclear(r);
    return 0;
}

/* Skips white space and SQL comments; returns the first other character. */
static char *skip_blank(char *p)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        return p;
    }
}

/* Blanks a leading "BEGIN;" and a trailing "COMMIT;" of a migration file in place. */
static void strip_transaction(char *sql)
{
    char *p = skip_blank(sql);
    if (strncasecmp(p, "BEGIN", 5) == 0) {
        char *q = skip_blank(p + 5);
        if (*q == ';')
            memset(p, ' ', (size_t)(q + 1 - p));
    }
    size_t n = strlen(sql);
    while (n > 0 &&
           (sql[n - 1] == ' ' || sql[n - 1] == '\n' || sql[n - 1] == '\r' || sql[n - 1] == '\t'))
        n--;
    if (n > 0 && sql[n - 1] == ';') {
        size_t e = n - 1;
        while (e > 0 && (sql[e - 1] == ' ' || sql[e - 1] == '\t' || sql[e - 1] == '\n'))
            e--;
        if (e >= 6 && strncasecmp(sql + e - 6, "COMMIT", 6) == 0 &&
            (e == 6 || !isalnum((unsigned char)sql[e - 7])))
            memset(sql + e - 6, ' ', n - (e - 6));
    }
}

static bool applied(PGconn *c, int version)
{
    char v[16];
    const char *p[1] = {v};
    snprintf(v, sizeof v, "%d", version);
    PGresult *r = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL, p,
                               NULL, NULL, 0);
    bool yes = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    return yes;
}

int db_migrate(struct db *db, const char *dir, int *count, struct err *err)
{
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    PGconn *c = raw_connect(db, err);

    *count = 0;
    if (c == NULL)
        return -1;
    if (exec_ok(c, "SELECT pg_advisory_lock(7316001)", "migration lock", err) ||
        exec_ok(c,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
                "applied_at timestamptz NOT NULL DEFAULT now())",
                "migration table", err) ||
        list_migrations(dir, &names, &n, err)) {
        PQfinish(c);
        return -1;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        int version = atoi(names[i]);
        if (applied(c, version))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *sql = read_file(path, err);
        if (sql == NULL) {
            rc = -1;
            break;
        }
        /* The runner owns the transaction: the file's own BEGIN and COMMIT are taken off, and
         * the version must be recorded before COMMIT, so a file that fails or forgets to
         * record itself leaves nothing behind. */
        strip_transaction(sql);
        rc = exec_ok(c, "BEGIN", names[i], err);
        if (rc == 0)
            rc = exec_ok(c, sql, names[i], err);
        free(sql);
        if (rc == 0 && !applied(c, version)) {
            PQclear(PQexec(c, "ROLLBACK"));
            rc = err_set(err, ERR_INTERNAL, names[i],
                         "migration %s did not record itself in schema_migrations", names[i]);
        }
        if (rc == 0)
            rc = exec_ok(c, "COMMIT", names[i], err);
        if (rc == 0) {
            log_info("applied migration %s", names[i]);
            (*count)++;
        }
    }
    free_names(names, n);
    PQclear(PQexec(c, "SELECT pg_advisory_unlock(7316001)"));
    PQfinish(c);
    return rc;
}

enum db_result db_migrations_current(struct db *db, const char *dir, struct err *err)
{
    char **names = NULL;
    size_t n = 0;
    enum db_result kind;

    PGresult *r = db_run(db, Q_MIGRATION_VERSIONS, NULL, &kind, err);
    if (r == NULL)
        return kind;
    if (list_migrations(dir, &names, &n, err)) {
        PQclear(r);
        return DB_FAIL;
    }
    kind = DB_ONE;
    for (size_t i = 0; i < n && kind == DB_ONE; i++) {
        bool found = false;
        for (int row = 0; row < PQntuples(r); row++)
            if (atoi(PQgetvalue(r, row, 0)) == atoi(names[i]))
                found = true;
        if (!found) {
            err_set(err, ERR_UNAVAILABLE, "migrations", "migration %s is not applied", names[i]);
            kind = DB_NONE;
        }
    }
    free_names(names, n);
    PQclear(r);
    return kind;
}

enum db_result db_exec_file(struct db *db, const char *path, struct err *err)
{
    PGconn *c = raw_connect(db, err);
    if (c == NULL)
        return DB_RETRY;
    char *sql = read_file(path, err);
    int rc = sql ? exec_ok(c, sql, "demo data", err) : -1;
    free(sql);
    PQfinish(c);
    return rc == 0 ? DB_ONE : DB_FAIL;
}

/* ---- secrets ---- */

enum db_result db_secret(struct db *db, const char *name, unsigned char *out, size_t len,
                         struct err *err)
{
    unsigned char fresh[64];
    enum db_result kind;
    int lengths[2] = {0, (int)len};
    int formats[2] = {0, 1};
    const char *p[2] = {name, (const char *)fresh};

    if (len > sizeof fresh)
        return err_set(err, ERR_INTERNAL, NULL, "secret too long"), DB_FAIL;
    randombytes_buf(fresh, len);
    /* INSERT .. ON CONFLICT DO NOTHING, then read: every process ends up with the same key. */
    PGresult *r = db_run_bin(db, Q_SECRET_INSERT, p, lengths, formats, &kind, err);
    if (r == NULL)
        return kind;
    PQclear(r);
    r = db_run(db, Q_SECRET_GET, p, &kind, err);
    if (r == NULL)
        return kind;
    size_t got = 0;
    unsigned char *bytes = PQntuples(r) == 1 ?
                               PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 0), &got) :
                               NULL;
    PQclear(r);
    if (bytes == NULL || got != len) {
        PQfreemem(bytes);
        err_set(err, ERR_INTERNAL, name, "stored secret has the wrong length");
        return DB_FAIL;
    }
    memcpy(out, bytes, len);
    PQfreemem(bytes);
    sodium_memzero(fresh, sizeof fresh);
    return DB_ONE;
}

/* ---- roles and tokens ---- */

static const char *const role_names[] = {
    [ROLE_ADMIN] = "admin", [ROLE_AGENT] = "agent",     [ROLE_ENGINEER] = "engineer",
    [ROLE_DEPOT] = "depot", [ROLE_CARRIER] = "carrier", [ROLE_MANAGER] = "manager",
};

const char *role_name(enum role r)
{
    return (size_t)r < sizeof role_names / sizeof role_names[0] ? role_names[r] : "unknown";
}

int role_parse(const char *s, enum role *out, struct err *err)
{
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++) {
        if (s != NULL && strcmp(s, role_names[i]) == 0) {
            *out = (enum role)i;
            return 0;
        }
    }
    return err_set(err, ERR_INVALID, "role",
                   "must be one of admin, agent, engineer, depot, carrier, manager");
}

static void token_hash(const char *token, unsigned char out[crypto_hash_sha256_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

enum db_result db_token_create(struct db *db, enum role role, const char *name,
                               const char *carrier_code, char out[DB_TOKEN_LEN + 1],
                               struct err *err)
{
    unsigned char raw[32];
    unsigned char hash[crypto_hash_sha256_BYTES];
    char carrier_id[24] = "";
    enum db_result kind;

    if (name == NULL || name[0] == '\0' || strlen(name) > 100)
        return err_set(err, ERR_INVALID, "name", "must be 1 to 100 characters"), DB_FAIL;
    if ((role == ROLE_CARRIER) != (carrier_code != NULL))
        return err_set(err, ERR_INVALID, "carrier",
                       "a carrier token needs --carrier CODE, and only a carrier token has one"),
               DB_FAIL;
    if (carrier_code != NULL) {
        const char *p[1] = {carrier_code};
        PGresult *r = db_run(db, Q_CARRIER_BY_CODE, p, &kind, err);
        if (r == NULL)
            return kind;
        if (PQntuples(r) != 1) {
            PQclear(r);
            return err_set(err, ERR_INVALID, "carrier", "unknown carrier code"), DB_FAIL;
        }
        snprintf(carrier_id, sizeof carrier_id, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    randombytes_buf(raw, sizeof raw);
    memcpy(out, "rmad_", 5);
    sodium_bin2base64(out + 5, DB_TOKEN_LEN + 1 - 5, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    token_hash(out, hash);
    const char *p[4] = {name, role_name(role), (const char *)hash,
                        carrier_id[0] ? carrier_id : NULL};
    int lengths[4] = {0, 0, (int)sizeof hash, 0};
    int formats[4] = {0, 0, 1, 0};
    PGresult *r = db_run_bin(db, Q_TOKEN_INSERT, p, lengths, formats, &kind, err);
    sodium_memzero(raw, sizeof raw);
    if (r == NULL)
        return kind;
    PQclear(r);
    return DB_ONE;
}

enum db_result db_token_lookup(struct db *db, const char *token, struct principal *pr,
                               struct err *err)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    enum db_result kind;

    token_hash(token, hash);
    const char *p[1] = {(const char *)hash};
    int lengths[1] = {(int)sizeof hash};
    int formats[1] = {1};
    PGresult *r = db_run_bin(db, Q_TOKEN_LOOKUP, p, lengths, formats, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_UNAUTHORIZED, "authorization", "unknown or revoked token");
        return DB_NONE;
    }
    pr->token_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    snprintf(pr->name, sizeof pr->name, "%s", PQgetvalue(r, 0, 1));
    struct err ignored = {0};
    if (role_parse(PQgetvalue(r, 0, 2), &pr->role, &ignored) != 0)
        pr->role = ROLE_AGENT;
    pr->carrier_id = PQgetisnull(r, 0, 3) ? 0 : strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    PQclear(r);
    return DB_ONE;
}

enum db_result db_system_principal(struct db *db, const char *name, struct principal *pr,
                                   struct err *err)
{
    enum db_result kind;
    const char *p[1] = {name};

    /* two processes may race to make it: the loser finds the winner's row on the second try */
    for (int attempt = 0; attempt < 2; attempt++) {
        PGresult *r = db_run(db, Q_SYSTEM_PRINCIPAL, p, &kind, err);
        if (r == NULL)
            return kind;
        if (PQntuples(r) >= 1) {
            memset(pr, 0, sizeof *pr);
            pr->token_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            pr->role = ROLE_ADMIN;
            snprintf(pr->name, sizeof pr->name, "%s", name);
            PQclear(r);
            return DB_ONE;
        }
        PQclear(r);
    }
    err_set(err, ERR_INTERNAL, NULL, "cannot find or make the system identity");
    return DB_FAIL;
}

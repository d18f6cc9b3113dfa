/*
 * db_idem: Idempotency-Key for POST requests.  The key row is claimed before the handler runs
 * (status NULL) and completed with the answer after; a replay gets the stored answer.  A claim
 * older than 60 seconds that never completed (the process died) may be taken over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

enum db_result db_idem_begin(struct db *db, int64_t token_id, const char *key, const char *method,
                             const char *path, const unsigned char sha256[32], struct arena *a,
                             int *status, char **ctype, char **body, size_t *body_len,
                             struct err *err)
{
    enum db_result kind;
    char tid[24];

    snprintf(tid, sizeof tid, "%lld", (long long)token_id);
    const char *p[5] = {tid, key, method, path, (const char *)sha256};
    int l[5] = {0, 0, 0, 0, 32};
    int f[5] = {0, 0, 0, 0, 1};
    PGresult *r = db_run_bin(db, Q_IDEM_INSERT, p, l, f, &kind, err);
    if (r == NULL)
        return kind;
    bool claimed = PQntuples(r) == 1;
    PQclear(r);
    if (claimed)
        return DB_ONE;

    r = db_run(db, Q_IDEM_GET, p, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_CONFLICT, "Idempotency-Key", "the key is in use, try again");
        return DB_FAIL;
    }
    size_t hlen = 0;
    unsigned char *h = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 2), &hlen);
    bool same = h != NULL && hlen == 32 && memcmp(h, sha256, 32) == 0 &&
                strcmp(PQgetvalue(r, 0, 0), method) == 0 && strcmp(PQgetvalue(r, 0, 1), path) == 0;
    PQfreemem(h);
    if (!same) {
        PQclear(r);
        err_set(err, ERR_INVALID, "Idempotency-Key", "the key was used for a different request");
        return DB_FAIL;
    }
    if (PQgetisnull(r, 0, 3)) {
        bool stale = strcmp(PQgetvalue(r, 0, 6), "t") == 0;
        PQclear(r);
        if (stale) {
            const char *tp[2] = {tid, key};
            r = db_run(db, Q_IDEM_TAKEOVER, tp, &kind, err);
            if (r == NULL)
                return kind;
            bool taken = PQntuples(r) == 1;
            PQclear(r);
            if (taken)
                return DB_ONE;
        }
        err_set(err, ERR_CONFLICT, "Idempotency-Key",
                "a request with this key is still being processed");
        return DB_FAIL;
    }
    *status = atoi(PQgetvalue(r, 0, 3));
    *ctype = db_field(a, r, 0, 4);
    size_t blen = 0;
    unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 5), &blen);
    *body = arena_alloc(a, blen + 1);
    if (b != NULL)
        memcpy(*body, b, blen);
    (*body)[blen] = '\0';
    *body_len = blen;
    PQfreemem(b);
    PQclear(r);
    return DB_NONE;
}

enum db_result db_idem_finish(struct db *db, int64_t token_id, const char *key, int status,
                              const char *ctype, const char *body, size_t body_len, struct err *err)
{
    enum db_result kind;
    char tid[24];
    char st[16];

    snprintf(tid, sizeof tid, "%lld", (long long)token_id);
    snprintf(st, sizeof st, "%d", status);
    const char *p[5] = {tid, key, st, ctype, body};
    int l[5] = {0, 0, 0, 0, (int)body_len};
    int f[5] = {0, 0, 0, 0, 1};
    PGresult *r = db_run_bin(db, Q_IDEM_FINISH, p, l, f, &kind, err);
    if (r == NULL)
        return kind;
    PQclear(r);
    return DB_ONE;
}

void db_idem_abandon(struct db *db, int64_t token_id, const char *key)
{
    char tid[24];
    struct err ignored = {0};

    snprintf(tid, sizeof tid, "%lld", (long long)token_id);
    const char *p[2] = {tid, key};
    PGresult *r = db_run(db, Q_IDEM_DELETE, p, NULL, &ignored);
    if (r != NULL)
        PQclear(r);
}

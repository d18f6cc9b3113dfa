/*
 * db_pages: staff users and sessions of the pages (issue 7), and the two reads the pages need
 * beyond the API's (the station's last scans, a parcel's public status).
 *
 * Passwords are argon2id hashes (crypto_pwhash_str, interactive limits).  A session's cookie
 * secret is 32 random bytes in hex, stored as its SHA-256 only; its CSRF token is 32 other
 * random bytes in hex, stored as it is (it is no credential on its own).  Each user has an
 * actor token of its own (see migrations/0007_pages.sql): principal.token_id of a session is
 * that token's id, so events, scans and idempotency keys name the user.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/* A hash to check against when the name is unknown, so that the answer takes as long. */
static void dummy_make(void)
{
    unsigned char pw[16];
    randombytes_buf(pw, sizeof pw);
    if (crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof pw,
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = '\0';
}

static void random_hex(char out[DB_SESSION_LEN + 1])
{
    unsigned char raw[DB_SESSION_LEN / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, DB_SESSION_LEN + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
}

static bool name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}

enum db_result db_user_create(struct db *db, const char *name, enum role role, const char *password,
                              struct err *err)
{
    char hash[crypto_pwhash_STRBYTES];
    unsigned char raw[32];
    unsigned char token_hash[crypto_hash_sha256_BYTES];
    enum db_result kind;

    if (!name_ok(name))
        return err_set(err, ERR_INVALID, "name",
                       "must be 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or "
                       "digit"),
               DB_FAIL;
    /* the pages serve the depot and the desk: carriers and service managers (whose work is
     * the API's case routes) have no sign-in of their own */
    if (role == ROLE_CARRIER || role == ROLE_MANAGER)
        return err_set(err, ERR_INVALID, "role", "must be admin, agent, engineer or depot"),
               DB_FAIL;
    if (password == NULL || strlen(password) < 8 || strlen(password) > 200)
        return err_set(err, ERR_INVALID, "password", "must be 8 to 200 characters"), DB_FAIL;
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return err_set(err, ERR_INTERNAL, "password", "out of memory while hashing"), DB_FAIL;
    /* the actor token: the hash of random bytes nobody keeps */
    randombytes_buf(raw, sizeof raw);
    crypto_hash_sha256(token_hash, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    const char *p[4] = {name, role_name(role), hash, (const char *)token_hash};
    int lengths[4] = {0, 0, 0, (int)sizeof token_hash};
    int formats[4] = {0, 0, 0, 1};
    PGresult *r = db_run_bin(db, Q_PAGES_USER_INSERT, p, lengths, formats, &kind, err);
    if (r == NULL) {
        if (err->kind == ERR_CONFLICT) {
            err_clear(err);
            err_set(err, ERR_CONFLICT, "name", "a user of this name exists");
        }
        return kind;
    }
    PQclear(r);
    return DB_ONE;
}

enum db_result db_session_login(struct db *db, const char *name, const char *password,
                                char session[DB_SESSION_LEN + 1], char csrf[DB_SESSION_LEN + 1],
                                struct err *err)
{
    enum db_result kind;
    char user_id[24] = "";
    char stored[crypto_pwhash_STRBYTES] = "";

    pthread_once(&dummy_once, dummy_make);
    if (name_ok(name) && password != NULL && strlen(password) <= 200) {
        const char *p[1] = {name};
        PGresult *r = db_run(db, Q_PAGES_USER_GET, p, &kind, err);
        if (r == NULL)
            return kind;
        if (PQntuples(r) == 1) {
            snprintf(user_id, sizeof user_id, "%s", PQgetvalue(r, 0, 0));
            snprintf(stored, sizeof stored, "%s", PQgetvalue(r, 0, 1));
        }
        PQclear(r);
    }
    const char *pw = password ? password : "";
    bool ok = crypto_pwhash_str_verify(user_id[0] ? stored : dummy_hash, pw, strlen(pw)) == 0;
    if (!ok || !user_id[0]) {
        err_set(err, ERR_UNAUTHORIZED, "password", "unknown user name or wrong password");
        return DB_NONE;
    }
    unsigned char hash[crypto_hash_sha256_BYTES];
    random_hex(session);
    random_hex(csrf);
    crypto_hash_sha256(hash, (const unsigned char *)session, strlen(session));
    const char *p[3] = {(const char *)hash, user_id, csrf};
    int lengths[3] = {(int)sizeof hash, 0, 0};
    int formats[3] = {1, 0, 0};
    PGresult *r = db_run_bin(db, Q_PAGES_SESSION_INSERT, p, lengths, formats, &kind, err);
    if (r == NULL)
        return kind;
    PQclear(r);
    return DB_ONE;
}

static bool session_shape_ok(const char *session)
{
    if (session == NULL || strlen(session) != DB_SESSION_LEN)
        return false;
    for (const char *c = session; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return false;
    return true;
}

enum db_result db_session_lookup(struct db *db, const char *session, struct principal *pr,
                                 char csrf[DB_SESSION_LEN + 1], struct err *err)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    enum db_result kind;

    if (!session_shape_ok(session)) {
        err_set(err, ERR_UNAUTHORIZED, "session", "please sign in");
        return DB_NONE;
    }
    crypto_hash_sha256(hash, (const unsigned char *)session, strlen(session));
    const char *p[1] = {(const char *)hash};
    int lengths[1] = {(int)sizeof hash};
    int formats[1] = {1};
    PGresult *r = db_run_bin(db, Q_PAGES_SESSION_LOOKUP, p, lengths, formats, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_UNAUTHORIZED, "session", "please sign in");
        return DB_NONE;
    }
    memset(pr, 0, sizeof *pr);
    pr->token_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    snprintf(pr->name, sizeof pr->name, "%s", PQgetvalue(r, 0, 1));
    struct err ignored = {0};
    if (role_parse(PQgetvalue(r, 0, 2), &pr->role, &ignored) != 0)
        pr->role = ROLE_AGENT;
    snprintf(csrf, DB_SESSION_LEN + 1, "%s", PQgetvalue(r, 0, 3));
    PQclear(r);
    return DB_ONE;
}

enum db_result db_session_end(struct db *db, const char *session, struct err *err)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    enum db_result kind;

    if (!session_shape_ok(session))
        return DB_ONE;
    crypto_hash_sha256(hash, (const unsigned char *)session, strlen(session));
    const char *p[1] = {(const char *)hash};
    int lengths[1] = {(int)sizeof hash};
    int formats[1] = {1};
    PGresult *r = db_run_bin(db, Q_PAGES_SESSION_END, p, lengths, formats, &kind, err);
    if (r == NULL)
        return kind;
    PQclear(r);
    return DB_ONE;
}

/* Runs q, whose one row and column is JSON text, into *out. */
static enum db_result json_row(struct db *db, enum stmt q, const char *const *p, json_t **out,
                               struct err *err)
{
    enum db_result kind;
    PGresult *r = db_run(db, q, p, &kind, err);
    if (r == NULL)
        return kind;
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, NULL, "not found");
        return DB_NONE;
    }
    *out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
    PQclear(r);
    if (*out == NULL)
        return err_set(err, ERR_INTERNAL, NULL, "malformed json from the database"), DB_FAIL;
    return DB_ONE;
}

enum db_result db_scans_recent(struct db *db, const char *station, int limit, json_t **out,
                               struct err *err)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[2] = {station, lim};
    return json_row(db, Q_PAGES_SCANS_RECENT, p, out, err);
}

enum db_result db_parcel_public(struct db *db, const char *rma_number, const char *direction,
                                int parcel_no, json_t **out, struct err *err)
{
    char no[16];
    snprintf(no, sizeof no, "%d", parcel_no);
    const char *p[3] = {rma_number, no, direction};
    return json_row(db, Q_PAGES_PARCEL_PUBLIC, p, out, err);
}

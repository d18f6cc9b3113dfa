/*
 * outbox: the sender of rmad's e-mails.  One thread per rmad process, on its own database
 * connection, every RMAD_OUTBOX_INTERVAL seconds (default 5) sends what is due:
 *
 *   1. claim   UPDATE outbox SET status = 'sending', claimed_by = <this process>,
 *              claimed_until = now() + lease ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED)
 *              in autocommit: the claim is committed before anything goes out, so no other
 *              sender (another thread, process or a restarted rmad) takes the message while
 *              the lease (RMAD_OUTBOX_LEASE, default 300 s) runs.
 *   2. send    libcurl SMTP: MAIL FROM, RCPT TO, DATA with the Message-ID made once at enqueue.
 *   3. mark    accepted (2xx after DATA): UPDATE ... status = 'sent' at once, retried until it
 *              is committed; refused or unreachable: queued again with a back-off
 *              (interval * 2^(attempts-1), at most an hour) and last_error; a 5xx, or 50
 *              attempts, is 'failed' for good (kept, never dropped).
 *
 * What "exactly once" means here.  Never lost: a message leaves 'queued'/'sending' only as
 * 'sent' after the server accepted it, as 'failed' after a permanent refusal, or as
 * 'cancelled' when it is a follow-up e-mail and its follow-up was closed before the send.  Never
 * sent twice, with one exception: if rmad dies (or loses the database for longer than the lease)
 * after the SMTP server accepted the message and before the 'sent' mark is committed, the
 * claim's lease expires and the message goes out again, with the same Message-ID, so a
 * receiver that de-duplicates on Message-ID (most MTAs and mail stores do for identical
 * messages) shows it once.  No protocol can close that window: SMTP has no two-phase commit,
 * and the server's acceptance and our commit are two systems.  We keep it as small as we can:
 * the mark is one autocommitted statement right after the server's 250, no other work in
 * between, and it is retried for as long as the process lives; a process that dies between
 * claim and send (the test hook RMAD_TEST_OUTBOX_PAUSE_AFTER_CLAIM puts a pause exactly there)
 * sent nothing, and its message is sent once, by whoever claims it after the lease.
 * Right before the send the claim is renewed, only if it is still ours and unexpired (a pause or
 * a stalled database may have outlived it: then another sender may have the message, and this
 * one leaves it), and a follow-up e-mail whose follow-up was closed meanwhile (feedback came in
 * by phone, or it was closed without) is 'cancelled' there instead of sent; the SMTP transfer's
 * timeout is half the lease, so a slow send cannot outlive its claim either.
 *
 * Nothing personal is logged: message ids and outbox row ids only.
 */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/log.h"
#include "db/followup.h"
#include "mail/mail.h"
#include "outbox.h"

#define OUTBOX_MAX_ATTEMPTS 50

static struct {
    const char *conninfo;
    const char *url;
    const char *from;
    const char *user;
    const char *password;
    unsigned interval_s;
    unsigned lease_s;
    unsigned pause_s; /* test hook: seconds between the committed claim and the send */
    char claimer[96]; /* host:pid:random, so a restarted process is a new claimer */
} oc;

static atomic_bool stop;
static pthread_t thread;
static bool running;

/* Sleeps s seconds in small steps; false when asked to stop meanwhile. */
static bool nap(unsigned s)
{
    for (unsigned i = 0; i < s * 4; i++) {
        if (atomic_load(&stop))
            return false;
        struct timespec q = {0, 250 * 1000000L};
        nanosleep(&q, NULL);
    }
    return !atomic_load(&stop);
}

static int backoff_s(int attempts)
{
    long b = oc.interval_s ? oc.interval_s : 1;
    for (int i = 1; i < attempts && b < 3600; i++)
        b *= 2;
    return (int)(b > 3600 ? 3600 : b);
}

/* Marks m sent, retrying while the database is away: this is the window in which a dying
 * process would let the message go out twice, so it must close as soon as it can. */
static void mark_sent(struct db *db, int64_t id)
{
    for (unsigned tries = 0;; tries++) {
        struct err err = {0};
        enum db_result r = db_outbox_sent(db, id, &err);
        switch (r) {
        case DB_ONE:
            log_info("outbox: message %lld sent", (long long)id);
            return;
        case DB_NONE:
            log_warnx("outbox: message %lld was already marked sent", (long long)id);
            return;
        case DB_RETRY:
        case DB_FAIL:
            break;
        }
        if (tries % 10 == 0)
            log_warnx("outbox: message %lld sent but not yet marked: %s", (long long)id,
                      err.message);
        struct timespec q = {0, 500 * 1000000L};
        nanosleep(&q, NULL);
        /* on shutdown, keep trying for a while; past the lease another sender may resend */
        if (atomic_load(&stop) && tries > 20)
            return;
    }
}

/* Claims and sends one message.  false when nothing was due (or the database is away). */
static bool send_one(struct db *db)
{
    struct err err = {0};
    struct arena a;
    struct outbox_msg m;
    char why[512] = "";
    bool sent_something = true;

    arena_init(&a);
    enum db_result r = db_outbox_claim(db, oc.claimer, (int)oc.lease_s, &a, &m, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
        sent_something = false;
        goto done;
    case DB_RETRY:
    case DB_FAIL:
        log_warnx("outbox: claim: %s", err.message);
        sent_something = false;
        goto done;
    }
    log_info("outbox: message %lld claimed (attempt %d)", (long long)m.id, m.attempts);
    if (oc.pause_s > 0 && !nap(oc.pause_s)) {
        /* stopping before the send: give the claim back, nothing went out */
        db_outbox_retry(db, m.id, oc.claimer, 0, false, "rmad stopped before sending", &err);
        goto done;
    }
    /* a pause (the test hook) or a stalled database may have outlived the lease: then another
     * sender may have the message, and this one must not send it too */
    bool cancelled = false;
    switch (db_outbox_hold(db, m.id, oc.claimer, (int)oc.lease_s, &cancelled, &err)) {
    case DB_ONE:
        if (cancelled) {
            log_info("outbox: message %lld cancelled: its follow-up was closed", (long long)m.id);
            goto done;
        }
        break;
    case DB_NONE:
        log_warnx("outbox: message %lld: the claim ran out before the send; left to others",
                  (long long)m.id);
        goto done;
    case DB_RETRY:
    case DB_FAIL:
        log_warnx("outbox: message %lld: cannot renew the claim: %s (retried after the lease)",
                  (long long)m.id, err.message);
        goto done;
    }
    if (!mail_address_ok(m.to)) {
        db_outbox_retry(db, m.id, oc.claimer, 0, true, "the recipient address is not usable", &err);
        goto done;
    }
    size_t len;
    struct mail_out out = {
        oc.from, m.to, m.subject, m.body, m.message_id, m.in_reply_to, (long long)time(NULL)};
    char *data = mail_compose(&out, &len);
    /* the transfer ends well inside the lease just renewed */
    long timeout = oc.lease_s / 2 > 120 ? 120 : (long)oc.lease_s / 2;
    struct smtp_config sc = {oc.url, oc.user, oc.password, timeout > 0 ? timeout : 1};
    enum smtp_result sr = smtp_send(&sc, oc.from, m.to, data, len, why, sizeof why);
    free(data);
    switch (sr) {
    case SMTP_ACCEPTED:
        mark_sent(db, m.id);
        break;
    case SMTP_TEMPORARY:
    case SMTP_PERMANENT: {
        bool permanent = sr == SMTP_PERMANENT || m.attempts >= OUTBOX_MAX_ATTEMPTS;
        int wait = backoff_s(m.attempts);
        log_warnx("outbox: message %lld not sent (attempt %d): %s; %s", (long long)m.id, m.attempts,
                  why, permanent ? "failed for good" : "queued again");
        if (db_outbox_retry(db, m.id, oc.claimer, wait, permanent, why, &err) != DB_ONE)
            log_warnx("outbox: message %lld: cannot give the claim back: %s (it is retried "
                      "when its lease ends)",
                      (long long)m.id, err.message);
        /* the server is away: wait for the next round rather than try every message now */
        sent_something = false;
        break;
    }
    }
done:
    arena_release(&a);
    return sent_something;
}

static void *loop(void *arg)
{
    (void)arg;
    struct db *db = db_new(oc.conninfo);

    while (!atomic_load(&stop)) {
        for (int i = 0; i < 100 && !atomic_load(&stop) && send_one(db); i++)
            ;
        if (!nap(oc.interval_s))
            break;
    }
    db_free(db);
    return NULL;
}

static int env_seconds(const char *name, unsigned def, unsigned min, unsigned max, unsigned *out,
                       struct err *err)
{
    const char *v = getenv(name);
    char *end;

    *out = def;
    if (v == NULL || v[0] == '\0')
        return 0;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || *end != '\0' || n < min || n > max)
        return err_set(err, ERR_INVALID, name, "must be a whole number from %u to %u", min, max);
    *out = (unsigned)n;
    return 0;
}

static const char *env_str(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

int outbox_start(const struct server_config *cfg, struct err *err)
{
    unsigned char rnd[6];
    char hex[13];
    char host[48] = "";

    memset(&oc, 0, sizeof oc);
    oc.conninfo = cfg->conninfo;
    oc.url = env_str("RMAD_SMTP_URL");
    oc.from = env_str("RMAD_SMTP_FROM") ? env_str("RMAD_SMTP_FROM") : "rmad@localhost";
    oc.user = env_str("RMAD_SMTP_USER");
    oc.password = env_str("RMAD_SMTP_PASSWORD");
    if (env_seconds("RMAD_OUTBOX_INTERVAL", 5, 1, 86400, &oc.interval_s, err) ||
        env_seconds("RMAD_OUTBOX_LEASE", 300, 1, 86400, &oc.lease_s, err) ||
        env_seconds("RMAD_TEST_OUTBOX_PAUSE_AFTER_CLAIM", 0, 0, 3600, &oc.pause_s, err))
        return -1;
    if (oc.url == NULL) {
        log_info("outbox: RMAD_SMTP_URL is not set: e-mails stay queued in the outbox");
        return 0;
    }
    if (strncmp(oc.url, "smtp://", 7) != 0 && strncmp(oc.url, "smtps://", 8) != 0)
        return err_set(err, ERR_INVALID, "RMAD_SMTP_URL", "must start with smtp:// or smtps://");
    if (strchr(oc.from, '@') == NULL || strpbrk(oc.from, "<>\r\n ") != NULL)
        return err_set(err, ERR_INVALID, "RMAD_SMTP_FROM", "must be an e-mail address");
    gethostname(host, sizeof host - 1);
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    snprintf(oc.claimer, sizeof oc.claimer, "%.40s:%ld:%s", host, (long)getpid(), hex);
    smtp_global_init();
    atomic_store(&stop, false);
    if (pthread_create(&thread, NULL, loop, NULL) != 0)
        return err_set(err, ERR_INTERNAL, NULL, "cannot start the outbox sender");
    running = true;
    if (oc.pause_s > 0)
        log_warnx("outbox: test hook: pausing %u s between claim and send", oc.pause_s);
    log_info("outbox: sending every %u s (lease %u s) as %s", oc.interval_s, oc.lease_s,
             oc.claimer);
    return 0;
}

void outbox_stop(void)
{
    if (!running)
        return;
    atomic_store(&stop, true);
    pthread_join(thread, NULL);
    smtp_global_cleanup();
    running = false;
}

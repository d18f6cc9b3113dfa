/*
 * jobs: the depot's scheduled work, run by every rmad serve process on its own connection:
 * the core policy sweep (reminders, overdue cores and their charges) and the expiry of quotes.
 * Both are idempotent in the database (a reminder or charge is never made twice, an expired
 * quote is closed once), so several processes may run them; the same work is reachable through
 * POST /api/v1/jobs/core-sweep and /api/v1/jobs/expire-quotes for operators and tests.
 * RMAD_JOBS_INTERVAL sets the period in seconds (default 3600; 0 turns the jobs off).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "app/log.h"
#include "jobs.h"

static atomic_bool stop;
static pthread_t thread;
static bool running;

static void run_once(struct db *db)
{
    struct err err = {0};
    struct principal who;
    json_t *out = NULL;

    if (db_system_principal(db, "rmad (scheduled jobs)", &who, &err) != DB_ONE) {
        log_warnx("jobs: %s", err.message);
        return;
    }
    if (db_core_sweep(db, NULL, &who, &out, &err) == DB_ONE) {
        json_t *lines = json_object_get(out, "lines");
        log_info("jobs: core sweep done, %zu line(s) acted on",
                 json_is_array(lines) ? json_array_size(lines) : 0);
    } else {
        log_warnx("jobs: core sweep: %s", err.message);
    }
    json_decref(out);
    out = NULL;
    err_clear(&err);
    if (db_quotes_expire(db, NULL, &who, &out, &err) == DB_ONE) {
        json_t *expired = json_object_get(out, "expired");
        log_info("jobs: %zu quote(s) expired",
                 json_is_array(expired) ? json_array_size(expired) : 0);
    } else {
        log_warnx("jobs: quote expiry: %s", err.message);
    }
    json_decref(out);
}

static void *loop(void *arg)
{
    const struct server_config *cfg = arg;
    struct db *db = db_new(cfg->conninfo);
    /* first run shortly after start, then every interval */
    unsigned wait_s = 5;

    while (!atomic_load(&stop)) {
        for (unsigned i = 0; i < wait_s * 4 && !atomic_load(&stop); i++) {
            struct timespec pause = {0, 250 * 1000000L};
            nanosleep(&pause, NULL);
        }
        if (atomic_load(&stop))
            break;
        run_once(db);
        wait_s = cfg->jobs_interval_s;
    }
    db_free(db);
    return NULL;
}

int jobs_start(const struct server_config *cfg, struct err *err)
{
    if (cfg->jobs_interval_s == 0)
        return 0;
    atomic_store(&stop, false);
    if (pthread_create(&thread, NULL, loop, (void *)cfg) != 0)
        return err_set(err, ERR_INTERNAL, NULL, "cannot start the scheduled jobs");
    running = true;
    return 0;
}

void jobs_stop(void)
{
    if (!running)
        return;
    atomic_store(&stop, true);
    pthread_join(thread, NULL);
    running = false;
}

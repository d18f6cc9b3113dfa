/*
 * tzcache: parsed zones shared by all threads, and a case's calendar; see include/db/tzcache.h.
 *
 * Core parses (tz_parse) but reads no files; this module reads the zone file, under the mutex,
 * at most once per zone that loads.  Names that do not load are not remembered, so the cache
 * holds at most the zones of the zoneinfo directory.
 */
#include "db/tzcache.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "db_int.h"

#define ZONEINFO_DEFAULT "/usr/share/zoneinfo"
#define ZONE_FILE_MAX (1 << 20)

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz **cache;
static size_t cache_len, cache_cap;

/* The bytes of the zone file dir/name (malloc'd), or NULL. */
static unsigned char *read_zone(const char *name, size_t *len)
{
    const char *dir = getenv("RMAD_ZONEINFO_DIR");
    char path[4096];
    struct stat st;
    unsigned char *buf;
    size_t got = 0;
    int fd;

    if (dir == NULL || dir[0] == '\0')
        dir = ZONEINFO_DEFAULT;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return NULL;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        st.st_size > ZONE_FILE_MAX) {
        close(fd);
        return NULL;
    }
    buf = xmalloc((size_t)st.st_size);
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got != (size_t)st.st_size) {
        free(buf);
        return NULL;
    }
    *len = got;
    return buf;
}

const struct tz *db_tz_get(const char *name, struct err *err)
{
    const struct tz *found = NULL;
    struct err perr = {0};

    if (!tz_name_valid(name)) {
        err_set(err, ERR_INVALID, "zone", "unknown time zone");
        return NULL;
    }
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < cache_len && found == NULL; i++)
        if (strcmp(tz_name(cache[i]), name) == 0)
            found = cache[i];
    if (found == NULL) {
        size_t len = 0;
        unsigned char *bytes = read_zone(name, &len);
        struct tz *tz = bytes ? tz_parse(bytes, len, name, &perr) : NULL;

        free(bytes);
        if (tz != NULL) {
            if (cache_len == cache_cap) {
                cache_cap = cache_cap ? cache_cap * 2 : 16;
                cache = xrealloc(cache, cache_cap * sizeof *cache);
            }
            cache[cache_len++] = tz;
            found = tz;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    if (found == NULL)
        err_set(err, ERR_INVALID, "zone", "unknown time zone");
    return found;
}

void db_tz_cache_free(void)
{
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < cache_len; i++)
        tz_free(cache[i]);
    free(cache);
    cache = NULL;
    cache_len = cache_cap = 0;
    pthread_mutex_unlock(&cache_lock);
}

enum db_result db_case_calendar(struct db *db, int64_t case_id, int open_min, int close_min,
                                struct arena *a, struct tz_cal *out, struct err *err)
{
    enum db_result kind;
    char id[24];
    const char *p[1] = {id};
    PGresult *r;
    const struct tz *tz;
    struct err zerr = {0};
    int64_t *days;
    size_t n;

    snprintf(id, sizeof id, "%" PRId64, case_id);
    if ((r = db_run(db, Q_CAL_CASE, p, &kind, err)) == NULL)
        return kind;
    if (PQntuples(r) != 1) {
        PQclear(r);
        err_set(err, ERR_NOT_FOUND, "case", "no such case");
        return DB_NONE;
    }
    tz = db_tz_get(PQgetvalue(r, 0, 0), &zerr);
    if (tz == NULL) {
        err_set(err, ERR_INTERNAL, "zone", "the time zone of the case cannot be loaded");
        PQclear(r);
        return DB_FAIL;
    }
    const char *hp[1] = {arena_strdup(a, PQgetvalue(r, 0, 1))};
    PQclear(r);
    if ((r = db_run(db, Q_CAL_HOLIDAYS, hp, &kind, err)) == NULL)
        return kind;
    n = (size_t)PQntuples(r);
    days = arena_alloc(a, (n ? n : 1) * sizeof *days);
    for (size_t i = 0; i < n; i++)
        days[i] = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
    PQclear(r);
    out->tz = tz;
    out->open_min = open_min;
    out->close_min = close_min;
    out->holidays = days;
    out->n_holidays = n;
    return DB_ONE;
}

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
#include <jansson.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "db_int.h"

#define ZONEINFO_DEFAULT "/usr/share/zoneinfo"
#define ZONE_FILE_MAX (1 << 20)
#define ISO3166_2_DEFAULT "/usr/share/iso-codes/json/iso_3166-2.json"

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

/* ---- which zones belong to which country (zone.tab, zone1970.tab, iso3166.tab) ---- */

struct zone_country {
    char country[3];
    char *zone;
};

static pthread_once_t tab_once = PTHREAD_ONCE_INIT;
static struct zone_country *tab; /* (country, zone) pairs; zone NULL: a country only */
static size_t tab_len, tab_cap;
static bool tab_loaded;

static void tab_add(const char *country, const char *zone)
{
    if (tab_len == tab_cap) {
        tab_cap = tab_cap ? tab_cap * 2 : 1024;
        tab = xrealloc(tab, tab_cap * sizeof *tab);
    }
    memcpy(tab[tab_len].country, country, 2);
    tab[tab_len].country[2] = '\0';
    tab[tab_len].zone = zone ? xstrdup(zone) : NULL;
    tab_len++;
}

/* Reads dir/file: each line not starting with '#' is tab-separated; column 0 holds one or more
 * comma-separated country codes, column zone_col (-1: none) the zone.  false if unreadable. */
static bool tab_read(const char *dir, const char *file, int zone_col)
{
    char path[4096], line[1024];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, file);
    if ((f = fopen(path, "re")) == NULL)
        return false;
    while (fgets(line, sizeof line, f) != NULL) {
        char *cols[4] = {0}, *save = NULL, *p = line;
        int n = 0;

        if (line[0] == '#')
            continue;
        line[strcspn(line, "\r\n")] = '\0';
        for (char *t = strtok_r(p, "\t", &save); t != NULL && n < 4;
             t = strtok_r(NULL, "\t", &save))
            cols[n++] = t;
        if (n == 0 || (zone_col >= 0 && n <= zone_col))
            continue;
        for (char *c = strtok_r(cols[0], ",", &save); c != NULL; c = strtok_r(NULL, ",", &save))
            if (strlen(c) == 2)
                tab_add(c, zone_col >= 0 ? cols[zone_col] : NULL);
    }
    fclose(f);
    return true;
}

static void tab_load(void)
{
    const char *dir = getenv("RMAD_ZONEINFO_DIR");

    if (dir == NULL || dir[0] == '\0')
        dir = ZONEINFO_DEFAULT;
    tab_loaded = tab_read(dir, "zone.tab", 2);
    tab_read(dir, "zone1970.tab", 2);
    tab_read(dir, "iso3166.tab", -1);
}

/* ISO 3166-2 subdivision codes ("DE-BY"), sorted; none when iso-codes is not installed. */
static pthread_once_t regions_once = PTHREAD_ONCE_INIT;
static char (*regions)[8];
static size_t regions_len;

static int region_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void regions_load(void)
{
    const char *path = getenv("RMAD_ISO3166_2_JSON");
    json_t *doc = json_load_file(path && path[0] ? path : ISO3166_2_DEFAULT, 0, NULL);
    json_t *list = json_object_get(doc, "3166-2"), *item;
    size_t i;

    regions = xcalloc(json_array_size(list) + 1, sizeof *regions);
    json_array_foreach(list, i, item)
    {
        const char *code = json_string_value(json_object_get(item, "code"));
        if (code != NULL && strlen(code) < sizeof regions[0])
            strcpy(regions[regions_len++], code);
    }
    qsort(regions, regions_len, sizeof regions[0], region_cmp);
    json_decref(doc);
}

int db_tz_check_address(const char *zone, const char *country, const char *region, struct err *err)
{
    bool country_known = false, zone_known = false;

    pthread_once(&regions_once, regions_load);
    if (region != NULL && strcmp(region, country) != 0 && regions_len > 0 &&
        bsearch(region, regions, regions_len, sizeof regions[0], region_cmp) == NULL)
        return err_set(err, ERR_INVALID, "service_address.region",
                       "must be the country or one of its iso 3166-2 subdivisions (%s or %s-XX)",
                       country, country);
    pthread_once(&tab_once, tab_load);
    if (!tab_loaded)
        return err_set(err, ERR_INTERNAL, NULL, "the time zone table (zone.tab) cannot be read");
    for (size_t i = 0; i < tab_len; i++) {
        if (strcmp(tab[i].country, country) != 0)
            continue;
        country_known = true;
        if (tab[i].zone != NULL && zone != NULL && strcmp(tab[i].zone, zone) == 0)
            zone_known = true;
    }
    if (!country_known)
        return err_set(err, ERR_INVALID, "service_address.country",
                       "must be an iso 3166 two-letter code such as DE");
    if (!zone_known)
        return err_set(err, ERR_INVALID, "service_address.zone",
                       "must be a time zone of the address's country %s (such as %s)", country,
                       tz_country_zone(country) ? tz_country_zone(country) : "America/New_York");
    return 0;
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

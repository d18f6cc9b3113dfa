/*
 * tzcache: the IANA zones rmad uses, read once from the zoneinfo directory and shared by every
 * thread, and the calendar of a service case (its zone and its region's holidays).
 *
 * Zone files come from $RMAD_ZONEINFO_DIR/<name> (default /usr/share/zoneinfo), only for names
 * tz_name_valid() accepts, so a name never walks out of that directory.  The cache owns the
 * zones until db_tz_cache_free() (main, at shutdown); a zone handed out stays valid till then.
 */
#ifndef DB_TZCACHE_H
#define DB_TZCACHE_H

#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/tz.h"
#include "db/db.h"

/*
 * The zone called name, parsed on first use (reads a file; never the database).  Thread-safe.
 * NULL with ERR_INVALID field "zone" ("unknown time zone") for a name that is not valid, names
 * no readable zone file or a file that is not TZif.
 */
const struct tz *db_tz_get(const char *name, struct err *err);

/*
 * Whether a service address's zone, country and region fit together (intake_resolve_zone() has
 * checked their form): zone must be one of the zones $RMAD_ZONEINFO_DIR/zone.tab or zone1970.tab
 * list for country (read once; so "posixrules", "Factory", "posix/..." and "right/..." never
 * are), country a code those or iso3166.tab know, and region (NULL: the country) the country or
 * one of its ISO 3166-2 subdivisions ($RMAD_ISO3166_2_JSON, default Debian's iso-codes
 * /usr/share/iso-codes/json/iso_3166-2.json, read once; without that file any "CC-" plus 1 to 3
 * letters or digits of the country passes).  0, or -1 with ERR_INVALID naming
 * "service_address.region", ".country" or
 * ".zone"; ERR_INTERNAL when zone.tab is missing (tzdata is a dependency).  Thread-safe; no
 * database.
 */
int db_tz_check_address(const char *zone, const char *country, const char *region, struct err *err);

/* Frees every cached zone (at exit, when no thread uses them any more). */
void db_tz_cache_free(void);

/*
 * The calendar of case case_id's service address: its zone (service_case.addr_zone) and the
 * holidays of its region (service_case.addr_region): those of the region itself and, for a
 * subdivision such as "DE-BY", those of its country "DE" too; sorted, in the arena.  open_min and
 * close_min make the window (9 * 60, 21 * 60 for remote support).  May block on the database;
 * runs inside or outside a transaction.  DB_ONE with *out; DB_NONE with ERR_NOT_FOUND ("case")
 * for an unknown case; DB_FAIL with ERR_INTERNAL when the stored zone no longer loads; DB_RETRY.
 */
enum db_result db_case_calendar(struct db *db, int64_t case_id, int open_min, int close_min,
                                struct arena *a, struct tz_cal *out, struct err *err);

#endif

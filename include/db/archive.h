/*
 * db/archive: the archived service record of a closed case and the SLA clocks' data (issue 3;
 * src/db/db_archive.c, src/db/db_sla.c; tables of migrations/0012_archive_sla.sql).
 *
 * The functions may block on the database.  Return values as in db/db.h.
 */
#ifndef DB_ARCHIVE_H
#define DB_ARCHIVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/sla.h"
#include "core/tz.h"
#include "db/db.h"

/* ---- the archived record (db_archive.c) ---- */

/*
 * Renders the PDF of a service record (the label layer draws it; the http layer hands it in):
 * 0 with *pdf malloc'd (*len bytes, the caller frees it), or -1 with err.
 */
typedef int (*db_record_render_fn)(void *ctx, const json_t *record, unsigned char **pdf,
                                   size_t *len, struct err *err);

struct case_record_info {
    char archived_at[40];
    char record_sha256[65]; /* hex */
    char pdf_sha256[65];
    size_t record_len;
    size_t pdf_len;
};

/*
 * Archives closed case case_number in one transaction: locks the case, moves it closed ->
 * archived (db_case_move: one "case_archive" event), builds the service record as JSON (intake,
 * RMAs with their lines, legs, parcels, screening and events, the case's events, and the
 * sections of the other areas), renders its PDF with render, and stores both once in
 * case_record with their SHA-256; from then on the database refuses any change to the case.
 * DB_ONE with *out; DB_NONE (ERR_NOT_FOUND "case_number"); DB_FAIL with ERR_CONFLICT (field
 * "status": the case is not closed); DB_RETRY.  May block on the database.
 */
enum db_result db_case_archive(struct db *db, const char *case_number,
                               const struct principal *actor, db_record_render_fn render, void *ctx,
                               struct case_record_info *out, struct err *err);

/*
 * The stored record of case_number: the JSON (pdf false) or the PDF, exactly as archived, with
 * its SHA-256 in hex.  *data from the arena.  DB_NONE with ERR_NOT_FOUND naming "case_number"
 * (no such case) or "status" (the case is not archived).
 */
enum db_result db_case_record_get(struct db *db, const char *case_number, bool pdf, struct arena *a,
                                  unsigned char **data, size_t *len, char sha256_hex[65],
                                  struct err *err);

/* ---- SLA (db_sla.c) ---- */

/* What the SLA clocks of one case are computed from (times in seconds since the epoch). */
struct sla_case {
    int64_t case_id;
    const char *case_number;
    const char *status;
    const char *channel;
    const char *product_line;
    const char *zone;   /* the service address's IANA zone */
    const char *region; /* its holiday region */
    int64_t intake_at;  /* the case was created (intake) */
    bool registered, started, resolved;
    int64_t registered_at; /* the first case_register event */
    int64_t started_at;    /* the first case_start event (first engineer contact) */
    int64_t resolved_at;   /* the first move to resolved_remotely or work_complete */
    bool cancelled;
    int64_t cancelled_at;   /* the case_cancel event: every clock still going stops there */
    struct sla_mark *marks; /* case_hold and case_resume events in time order */
    size_t n_marks;
    struct tz_cal cal; /* the policy window Mon-Fri 09:00-21:00 in zone, minus the holidays */
};

#define SLA_WINDOW_OPEN_MIN (9 * 60)
#define SLA_WINDOW_CLOSE_MIN (21 * 60)
/* At most this many cases in one report. */
#define SLA_REPORT_MAX_CASES 50000

/*
 * The SLA data of case_number, with its calendar, and the database's now in *now.  Everything
 * from the arena.  DB_NONE with ERR_NOT_FOUND ("case_number").
 */
enum db_result db_sla_case(struct db *db, const char *case_number, struct arena *a,
                           struct sla_case *out, int64_t *now, struct err *err);

/*
 * The SLA data of every case first registered on a UTC day from `from` to `to` (dates
 * "YYYY-MM-DD", both included), ordered by case number, with their calendars (read once per
 * zone and region), and the database's now.  More than SLA_REPORT_MAX_CASES: DB_FAIL with
 * ERR_INVALID naming "to".
 */
enum db_result db_sla_cases(struct db *db, const char *from, const char *to, struct arena *a,
                            struct sla_case **out, size_t *n, int64_t *now, struct err *err);

#endif

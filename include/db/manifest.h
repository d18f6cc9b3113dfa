/*
 * db/manifest: carrier pickup manifests and the outbound documents of issue 5 (db_manifest.c).
 *
 *   close a pickup   in ONE transaction: every packed, labelled (SSCC) outbound parcel of the
 *                    carrier that is on no open manifest and whose RMA is open; each parcel's
 *                    outbound leg packed -> manifested through db_leg_move (one event each) and
 *                    the parcel state manifested; the XML written by the caller's render
 *                    function (validated there) stored with its SHA-256.  Closes of one carrier
 *                    take turns (a transaction-scoped advisory lock), so racing closes never put
 *                    a parcel on two manifests (and the partial unique index manifest_parcel_once
 *                    would refuse it anyway).
 *   void             while none of its parcels has left (all still manifested): each parcel back
 *                    to packed (one "unmanifest" event each); the manifest stays stored, voided.
 *
 * Every function is one transaction (or one read) and may block on the database.
 */
#ifndef DB_MANIFEST_H
#define DB_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/docs.h"
#include "core/err.h"
#include "core/manifest.h"
#include "db/db.h"

/* Writes m as XML and validates it: 0 and a malloc'd *xml (caller of the callback frees it),
 * or -1 with err (ERR_INTERNAL: our bug). */
typedef int (*manifest_render_fn)(void *ctx, const struct manifest *m, char **xml, size_t *len,
                                  struct err *err);

struct pickup_request {
    const char *carrier; /* carrier code */
    const char *account; /* NULL: the carrier's default account */
    const char *date;    /* YYYY-MM-DD, checked by the caller */
};

/*
 * Closes the pickup.  DB_ONE with *out the manifest as JSON (new reference) and *xml_len;
 * DB_FAIL with ERR_INVALID naming "carrier" (unknown) or "account" (not the carrier's),
 * ERR_CONFLICT naming "carrier" when no parcel is ready to manifest (the message counts the
 * packed parcels still without a label), ERR_INTERNAL when render fails; DB_RETRY.  Nothing is
 * written unless DB_ONE.
 */
enum db_result db_pickup_close(struct db *db, const struct pickup_request *rq,
                               const struct principal *actor, manifest_render_fn render, void *ctx,
                               json_t **out, struct err *err);

/*
 * The stored bytes of manifest id (from the arena) and their SHA-256 in hex.  A carrier
 * principal sees only its own carrier's manifests: another one is DB_NONE (ERR_NOT_FOUND
 * "manifest"), as is an unknown id.
 */
enum db_result db_manifest_xml(struct db *db, int64_t id, const struct principal *who,
                               struct arena *a, char **xml, size_t *len, char **sha256_hex,
                               struct err *err);

/* Manifests, newest first (at most 500), filtered by carrier code and pickup date when not NULL;
 * a carrier principal sees only its own.  DB_ONE with *out {"manifests": [...]}. */
enum db_result db_manifest_list(struct db *db, const char *carrier, const char *date,
                                const struct principal *who, json_t **out, struct err *err);

/*
 * Voids manifest id with reason.  DB_ONE with *out the manifest as JSON; DB_NONE (ERR_NOT_FOUND
 * "manifest"); DB_FAIL with ERR_CONFLICT naming "status" (voided already) or "parcels" (one has
 * shipped: the message names it); DB_RETRY.
 */
enum db_result db_manifest_void(struct db *db, int64_t id, const char *reason,
                                const struct principal *actor, json_t **out, struct err *err);

/*
 * What the DespatchAdvice of outbound parcel parcel_no of rma_number says (strings from the
 * arena).  DB_NONE with ERR_NOT_FOUND ("rma_number" or "parcel"; a carrier principal's view of
 * another carrier's parcel too); DB_FAIL with ERR_CONFLICT "parcel" when the parcel has no SSCC
 * yet (its label was never printed).
 */
enum db_result db_despatch_out(struct db *db, const char *rma_number, int parcel_no,
                               const struct principal *who, struct arena *a,
                               struct despatch_out *out, struct err *err);

/*
 * The ReceiptAdvice after inspection: like db_receipt_advice() (the dock receipt), with only
 * the inspected lines, each with its latest inspection: the grade and findings as a note, and
 * the damage findings as a rejection (see core/docs.h).  ID "<RMA>-RI<inspections>".  DB_FAIL
 * with ERR_CONFLICT "rma_number" when no line has been inspected yet.
 */
enum db_result db_receipt_advice_inspection(struct db *db, const char *rma_number, struct arena *a,
                                            struct receipt_advice *ra, struct err *err);

#endif

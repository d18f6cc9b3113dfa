/*
 * xml/manifest: the documents rmad writes for outbound parcels (issue 5): the carrier pickup
 * manifest (our format 1, src/xml/schemas/rmad-manifest-1.xsd) and the UBL 2.1 DespatchAdvice
 * sent with each shipment to a customer (our profile rmad-ubl-DespatchAdvice-2.1.xsd).
 *
 * Both are written with xmlTextWriter, so every text is escaped as data ("Smith & Sons <x>"
 * stays text).  The writers do not validate: the caller validates the bytes against the schema
 * (xml_schema_validate_memory) before storing or sending them.  No function here touches the
 * database; all are thread-safe.
 */
#ifndef XML_MANIFEST_H
#define XML_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/address.h"
#include "core/err.h"
#include "core/manifest.h"

/*
 * Writes m as <PickupManifest version="1.0"> in urn:rmad:xml:pickup-manifest:1, parcels in the
 * order given.  On success returns 0 and sets *out to a NUL-terminated UTF-8 buffer of *len
 * bytes (NUL not counted) that the caller frees with free().  Returns -1 with ERR_INTERNAL
 * naming the field when a required field is missing (manifest_no, carrier_code,
 * carrier_account, pickup_date, created, shipper, at least one parcel, a parcel's sscc,
 * rma_number or consignee) or libxml2 fails; *out is then left alone.
 */
int xml_write_manifest(const struct manifest *m, char **out, size_t *len, struct err *err);

/*
 * Writes d as a UBL 2.1 DespatchAdvice (the mapping above).  Same contract as
 * xml_write_manifest(): 0 and a malloc'd *out, or -1 with ERR_INTERNAL naming the missing field.
 */
int xml_write_despatch_advice(const struct despatch_out *d, char **out, size_t *len,
                              struct err *err);

#endif

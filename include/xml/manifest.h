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

/* One line of an outbound parcel. */
struct despatch_out_line {
    int line_no; /* the RMA line */
    int64_t quantity;
    const char *product_model;
    const char *product_name;  /* NULL: the model is the name */
    const char *serial_number; /* NULL for a part without serials */
};

/* One shipment to a customer: an outbound parcel. */
struct despatch_out {
    const char *id;                    /* unique per document, e.g. "R000000174-D1" */
    const char *issue_date;            /* YYYY-MM-DD */
    const char *issue_time;            /* HH:MM:SS+00:00, may be NULL */
    const char *rma_number;            /* -> OrderReference/ID */
    struct address depot;              /* DespatchSupplierParty */
    struct address customer;           /* DeliveryCustomerParty */
    const char *sscc;                  /* -> Shipment/ID and TransportHandlingUnit/ID */
    const char *tracking_number;       /* -> Shipment/Delivery/TrackingID, may be NULL */
    const char *const *handling_marks; /* -> Shipment/HandlingInstructions */
    size_t n_marks;
    const struct despatch_out_line *lines;
    size_t n_lines;
};

/*
 * Writes d as a UBL 2.1 DespatchAdvice (the mapping above).  Same contract as
 * xml_write_manifest(): 0 and a malloc'd *out, or -1 with ERR_INTERNAL naming the missing field.
 */
int xml_write_despatch_advice(const struct despatch_out *d, char **out, size_t *len,
                              struct err *err);

#endif

/*
 * manifest: the carrier pickup manifest as a plain model (issue 5), independent of XML, and the
 * rules about it that need no database: the pickup date, the service a parcel travels with, the
 * format version a reader accepts.
 *
 * A manifest is the day's pickup of one carrier account: every outbound parcel that was packed
 * (and labelled: it has an SSCC) and is on no other open manifest.  src/xml/manifest.c writes
 * it as urn:rmad:xml:pickup-manifest:1 (src/xml/schemas/rmad-manifest-1.xsd):
 *
 *   <PickupManifest xmlns="urn:rmad:xml:pickup-manifest:1" version="1.0">
 *     <ManifestID>M00000001</ManifestID>
 *     <CarrierCode>UPS</CarrierCode><CarrierAccount>A1B2C3</CarrierAccount>
 *     <PickupDate>2026-12-03</PickupDate><Created>2026-12-03T16:00:00Z</Created>
 *     <Shipper><Name>..</Name><Street>..</Street><City>..</City><Postcode>..</Postcode>
 *       <Country>DE</Country></Shipper>
 *     <ParcelCount>1</ParcelCount>
 *     <Parcel><SSCC>..</SSCC><RMANumber>R000000174</RMANumber><ParcelNumber>1</ParcelNumber>
 *       <ParcelsOfShipment>1</ParcelsOfShipment><Consignee>..</Consignee>
 *       <Service>standard</Service><HandlingMark>FRAGILE</HandlingMark></Parcel>
 *   </PickupManifest>
 *
 * Versioning: the major version is in the namespace, the minor in @version.  A minor version
 * only adds optional elements; readers accept any 1.x and refuse 2.x (another namespace).
 */
#ifndef CORE_MANIFEST_H
#define CORE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/address.h"
#include "core/err.h"
#include "core/rma.h"

/* The namespace of format 1 and the minor version rmad writes. */
#define MANIFEST_NAMESPACE "urn:rmad:xml:pickup-manifest:1"
#define MANIFEST_FORMAT_VERSION "1.0"

/* Most parcels one manifest carries (a large depot's day, with room). */
#define MANIFEST_PARCELS_MAX 100000

enum manifest_service { MANIFEST_SERVICE_STANDARD, MANIFEST_SERVICE_EXPRESS };

struct manifest_parcel {
    const char *sscc;            /* 18 digits */
    const char *tracking_number; /* NULL or "" when the carrier gave none yet */
    const char *rma_number;
    int parcel_no; /* n of m within the RMA's outbound parcels */
    int parcel_count;
    struct address consignee;
    enum manifest_service service;
    const char *const *handling_marks; /* n_marks strings */
    size_t n_marks;
    int64_t weight_g; /* 0 when not known */
};

struct manifest {
    const char *manifest_no;
    const char *carrier_code;
    const char *carrier_account;
    const char *pickup_date; /* YYYY-MM-DD */
    const char *created;     /* an instant with its offset: 2026-12-03T16:00:00Z */
    struct address shipper;  /* the depot */
    const struct manifest_parcel *parcels;
    size_t n_parcels;
};

/* The outbound UBL DespatchAdvice (src/xml/manifest.c): one line of an outbound parcel. */
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
 * A pickup date as a client sends it: YYYY-MM-DD, a real calendar date (leap years counted).
 * Returns 0, or -1 with ERR_INVALID naming field ("must be a date yyyy-mm-dd").
 */
int manifest_date_parse(const char *s, const char *field, struct err *err);

/*
 * The date of a pickup being closed: a date as manifest_date_parse takes it, and one a depot
 * really hands parcels over on: from MANIFEST_PICKUP_DAYS_BEFORE days before the UTC day of now
 * (seconds since the epoch; a late close of last week's pickup) to MANIFEST_PICKUP_DAYS_AHEAD
 * days after it.  Returns 0, or -1 with ERR_INVALID naming field.
 */
#define MANIFEST_PICKUP_DAYS_BEFORE 7
#define MANIFEST_PICKUP_DAYS_AHEAD 30
int manifest_pickup_date_check(const char *s, int64_t now, const char *field, struct err *err);

/* The service a parcel of this RMA type travels with: an advance replacement (the customer
 * waits for the spare before sending theirs) goes express, everything else standard. */
enum manifest_service manifest_service_for(enum rma_type t);
const char *manifest_service_name(enum manifest_service s);

/* Whether a reader of format 1 accepts a document of this @version: "1.<digits>" only. */
bool manifest_version_supported(const char *version);

/* The total weight in grams, 0 when any parcel's weight is unknown. */
int64_t manifest_total_weight(const struct manifest *m);

#endif

/*
 * docs: the plain models of the XML documents rmad exchanges, independent of XML.
 *
 * src/xml/ parses inbound documents into these structs and writes outbound ones from them, so
 * the rules about what a document may say are tested without libxml2.
 *
 *   DespatchAdvice (in, advance notice of returns):
 *     cbc:ID                                               -> despatch_advice.id
 *     cac:DespatchSupplierParty//cac:PartyName/cbc:Name     -> sender_name
 *     cac:DespatchLine/cac:OrderLineReference/cac:OrderReference/cbc:ID, else the document's
 *       cac:OrderReference/cbc:ID                          -> line.rma_number
 *     cac:DespatchLine/cac:Item/cac:ItemInstance/cbc:SerialID -> line.serial_number
 *     cac:DespatchLine/cbc:DeliveredQuantity               -> line.quantity
 *     cac:Shipment/cac:TransportHandlingUnit/cbc:ID (line's shipment, else the document's)
 *                                                          -> line.sscc
 *
 *   ReceiptAdvice (out, what the depot received).
 */
#ifndef CORE_DOCS_H
#define CORE_DOCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/address.h"

#define DOC_ID_MAX 64
#define DOC_TEXT_MAX 200

struct despatch_line {
    char line_id[DOC_ID_MAX];
    char rma_number[DOC_ID_MAX];
    char serial_number[DOC_ID_MAX];
    char sscc[DOC_ID_MAX];
    int64_t quantity; /* whole units; 1 when the document gives none */
    int source_line;  /* line in the XML where the DespatchLine starts */
    /* Shipment/Consignment of the line, else of the document: the carrier party (its
     * PartyIdentification/ID, else its PartyName/Name) and the carrier's tracking number
     * (CarrierAssignedID); "" when not given */
    char carrier[DOC_ID_MAX];
    char carrier_tracking[DOC_ID_MAX];
};

struct despatch_advice {
    char id[DOC_ID_MAX];
    char issue_date[16]; /* YYYY-MM-DD */
    char sender_name[DOC_TEXT_MAX];
    struct despatch_line *lines; /* owned by the caller's arena */
    size_t n_lines;
};

struct receipt_line {
    int line_no;
    const char *serial_number; /* NULL for non-serialised parts */
    const char *product_model;
    const char *product_name;
    int64_t received_quantity;
    int64_t short_quantity;
    const char *sscc; /* may be NULL */
    /* after inspection (issue 5, ?stage=inspection); NULL and 0 at the dock */
    const char *note;               /* -> cbc:Note: "inspection grade B; findings: ..." */
    int64_t rejected_quantity;      /* -> cbc:RejectedQuantity when above zero */
    const char *reject_reason_code; /* -> cbc:RejectReasonCode: the first damage finding */
    const char *reject_reason;      /* -> cbc:RejectReason: every damage finding */
};

struct receipt_advice {
    const char *id;         /* unique per document, e.g. "<RMA>-R1" */
    const char *issue_date; /* YYYY-MM-DD */
    const char *issue_time; /* HH:MM:SS+00:00 */
    const char *rma_number; /* -> OrderReference/ID */
    const char *depot_name; /* DeliveryCustomerParty (the depot receives) */
    struct address depot;
    const char *customer_name; /* DespatchSupplierParty (the customer sent it) */
    const struct receipt_line *lines;
    size_t n_lines;
};

/* ---- receipt after inspection (issue 5, src/core/docs.c) ---- */
/*
 * Whether an inspection finding (depot_finding_name: "physical_damage", "cosmetic", ...) is
 * damage the ReceiptAdvice after inspection reports as a rejection: physical_damage, liquid,
 * tampering, burn, missing_parts and wrong_item.  cosmetic, fault_confirmed, no_fault and none
 * are not: they appear in the line's note only.
 */
bool docs_finding_is_damage(const char *finding);

#endif

/*
 * manifest: writes the carrier pickup manifest (format 1) and the outbound UBL DespatchAdvice.
 *
 * Element order is the XSD sequence and must stay so (src/xml/schemas/rmad-manifest-1.xsd and
 * rmad-ubl-DespatchAdvice-2.1.xsd); the callers validate the bytes against those schemas before
 * storing or sending them, so a change here that breaks the order fails every test at once.
 *
 * The DespatchAdvice of one outbound parcel (namespaces abbreviated):
 *
 *   <DespatchAdvice xmlns="...:DespatchAdvice-2" xmlns:cac="..." xmlns:cbc="...">
 *     <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
 *     <cbc:ID>R000000174-D1</cbc:ID>
 *     <cbc:IssueDate>2026-12-03</cbc:IssueDate>
 *     <cac:OrderReference><cbc:ID>R000000174</cbc:ID></cac:OrderReference>
 *     <cac:DespatchSupplierParty>the depot, PostalAddress</cac:DespatchSupplierParty>
 *     <cac:DeliveryCustomerParty>the customer, PostalAddress</cac:DeliveryCustomerParty>
 *     <cac:Shipment><cbc:ID>SSCC</cbc:ID><cbc:HandlingInstructions>FRAGILE</...>
 *       <cac:Delivery><cbc:TrackingID>1Z..</cbc:TrackingID></cac:Delivery>
 *       <cac:TransportHandlingUnit><cbc:ID>SSCC</cbc:ID></cac:TransportHandlingUnit>
 *     </cac:Shipment>
 *     <cac:DespatchLine><cbc:ID>1</cbc:ID><cbc:DeliveredQuantity unitCode="C62">1</...>
 *       <cac:OrderLineReference><cbc:LineID>1</cbc:LineID></cac:OrderLineReference>
 *       <cac:Item><cbc:Name>..</cbc:Name><cbc:ModelName>..</cbc:ModelName>
 *         <cac:ItemInstance><cbc:SerialID>SN1</cbc:SerialID></cac:ItemInstance></cac:Item>
 *     </cac:DespatchLine>
 *   </DespatchAdvice>
 */
#include "xml/manifest.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "writer.h"
#include "xml/schemas.h"
#include "xml/xml.h"

static bool is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static void number(struct writer *wr, const char *name, int64_t v)
{
    char num[32];

    snprintf(num, sizeof num, "%" PRId64, v);
    writer_text(wr, name, num);
}

/* Grams as kilograms with three decimals: 1250 -> "1.250". */
static void weight(struct writer *wr, const char *name, int64_t grams)
{
    char num[40];

    if (grams <= 0)
        return;
    snprintf(num, sizeof num, "%" PRId64 ".%03" PRId64, grams / 1000, grams % 1000);
    writer_text(wr, name, num);
}

static int need(const char *s, const char *field, struct err *err)
{
    return is_set(s) ? 0 : err_set(err, ERR_INTERNAL, field, "is required");
}

static int need_address(const struct address *a, const char *field, struct err *err)
{
    if (!is_set(a->name) || !is_set(a->street) || !is_set(a->city) || !is_set(a->postcode) ||
        !is_set(a->country))
        return err_set(err, ERR_INTERNAL, field, "needs a name and a full address");
    return 0;
}

/* ---- the pickup manifest ------------------------------------------------------------------ */

static void manifest_address(struct writer *wr, const char *name, const struct address *a)
{
    writer_start(wr, name);
    writer_text(wr, "Name", a->name);
    writer_text(wr, "Street", a->street);
    writer_text(wr, "City", a->city);
    writer_text(wr, "Postcode", a->postcode);
    writer_text(wr, "Country", a->country);
    writer_end(wr);
}

static void manifest_parcel(struct writer *wr, const struct manifest_parcel *p)
{
    writer_start(wr, "Parcel");
    writer_text(wr, "SSCC", p->sscc);
    writer_text(wr, "TrackingNumber", p->tracking_number);
    writer_text(wr, "RMANumber", p->rma_number);
    number(wr, "ParcelNumber", p->parcel_no);
    number(wr, "ParcelsOfShipment", p->parcel_count);
    manifest_address(wr, "Consignee", &p->consignee);
    writer_text(wr, "Service", manifest_service_name(p->service));
    weight(wr, "WeightKg", p->weight_g);
    for (size_t i = 0; i < p->n_marks; i++)
        writer_text(wr, "HandlingMark", p->handling_marks[i]);
    writer_end(wr);
}

static int check_manifest(const struct manifest *m, struct err *err)
{
    if (need(m->manifest_no, "manifest_no", err) || need(m->carrier_code, "carrier", err) ||
        need(m->carrier_account, "account", err) || need(m->pickup_date, "date", err) ||
        need(m->created, "created", err) || need_address(&m->shipper, "shipper", err))
        return -1;
    if (m->n_parcels == 0 || m->parcels == NULL)
        return err_set(err, ERR_INTERNAL, "parcels", "a manifest needs at least one parcel");
    for (size_t i = 0; i < m->n_parcels; i++) {
        const struct manifest_parcel *p = &m->parcels[i];
        if (need(p->sscc, "parcels.sscc", err) || need(p->rma_number, "parcels.rma_number", err) ||
            need_address(&p->consignee, "parcels.consignee", err))
            return -1;
        if (p->parcel_no < 1 || p->parcel_count < p->parcel_no)
            return err_set(err, ERR_INTERNAL, "parcels.parcel_no", "must be n of m");
    }
    return 0;
}

int xml_write_manifest(const struct manifest *m, char **out, size_t *len, struct err *err)
{
    struct writer wr = {0};
    xmlBufferPtr buf;
    int64_t total;

    if (check_manifest(m, err) != 0 || writer_open(&wr, &buf, "manifest", err) != 0)
        return -1;
    writer_note(&wr, xmlTextWriterStartElementNS(wr.w, NULL, BAD_CAST "PickupManifest",
                                                 BAD_CAST XML_NS_MANIFEST));
    writer_note(
        &wr, xmlTextWriterWriteAttribute(wr.w, BAD_CAST "version", BAD_CAST XML_MANIFEST_VERSION));
    writer_text(&wr, "ManifestID", m->manifest_no);
    writer_text(&wr, "CarrierCode", m->carrier_code);
    writer_text(&wr, "CarrierAccount", m->carrier_account);
    writer_text(&wr, "PickupDate", m->pickup_date);
    writer_text(&wr, "Created", m->created);
    manifest_address(&wr, "Shipper", &m->shipper);
    number(&wr, "ParcelCount", (int64_t)m->n_parcels);
    total = manifest_total_weight(m);
    weight(&wr, "TotalWeightKg", total);
    for (size_t i = 0; i < m->n_parcels; i++)
        manifest_parcel(&wr, &m->parcels[i]);
    writer_end(&wr);
    return writer_close(&wr, buf, "manifest", out, len, err);
}

/* ---- the outbound DespatchAdvice ---------------------------------------------------------- */

static void ubl_party(struct writer *wr, const char *role, const struct address *a)
{
    writer_start(wr, role);
    writer_start(wr, "cac:Party");
    writer_start(wr, "cac:PartyName");
    writer_text(wr, "cbc:Name", a->name);
    writer_end(wr);
    writer_start(wr, "cac:PostalAddress");
    writer_text(wr, "cbc:StreetName", a->street);
    writer_text(wr, "cbc:CityName", a->city);
    writer_text(wr, "cbc:PostalZone", a->postcode);
    writer_start(wr, "cac:Country");
    writer_text(wr, "cbc:IdentificationCode", a->country);
    writer_end(wr);
    writer_end(wr);
    writer_end(wr);
    writer_end(wr);
}

static void despatch_line(struct writer *wr, const struct despatch_out_line *l)
{
    writer_start(wr, "cac:DespatchLine");
    number(wr, "cbc:ID", l->line_no);
    writer_quantity(wr, "cbc:DeliveredQuantity", l->quantity);
    writer_start(wr, "cac:OrderLineReference");
    number(wr, "cbc:LineID", l->line_no);
    writer_end(wr);
    writer_start(wr, "cac:Item");
    writer_text(wr, "cbc:Name", is_set(l->product_name) ? l->product_name : l->product_model);
    writer_text(wr, "cbc:ModelName", l->product_model);
    if (is_set(l->serial_number)) {
        writer_start(wr, "cac:ItemInstance");
        writer_text(wr, "cbc:SerialID", l->serial_number);
        writer_end(wr);
    }
    writer_end(wr);
    writer_end(wr);
}

static int check_despatch(const struct despatch_out *d, struct err *err)
{
    if (need(d->id, "id", err) || need(d->issue_date, "issue_date", err) ||
        need(d->rma_number, "rma_number", err) || need(d->sscc, "sscc", err) ||
        need_address(&d->depot, "depot", err) || need_address(&d->customer, "customer", err))
        return -1;
    if (d->n_lines == 0 || d->lines == NULL)
        return err_set(err, ERR_INTERNAL, "lines", "a despatch advice needs at least one line");
    for (size_t i = 0; i < d->n_lines; i++) {
        if (need(d->lines[i].product_model, "lines.product_model", err))
            return -1;
        if (d->lines[i].quantity < 1)
            return err_set(err, ERR_INTERNAL, "lines.quantity", "must be at least 1");
    }
    return 0;
}

int xml_write_despatch_advice(const struct despatch_out *d, char **out, size_t *len,
                              struct err *err)
{
    struct writer wr = {0};
    xmlBufferPtr buf;

    if (check_despatch(d, err) != 0 || writer_open(&wr, &buf, "despatch advice", err) != 0)
        return -1;
    writer_note(&wr, xmlTextWriterStartElementNS(wr.w, NULL, BAD_CAST "DespatchAdvice",
                                                 BAD_CAST XML_NS_DESPATCH_ADVICE));
    writer_note(&wr, xmlTextWriterWriteAttribute(wr.w, BAD_CAST "xmlns:cac", BAD_CAST XML_NS_CAC));
    writer_note(&wr, xmlTextWriterWriteAttribute(wr.w, BAD_CAST "xmlns:cbc", BAD_CAST XML_NS_CBC));
    writer_text(&wr, "cbc:UBLVersionID", "2.1");
    writer_text(&wr, "cbc:ID", d->id);
    writer_text(&wr, "cbc:IssueDate", d->issue_date);
    writer_text(&wr, "cbc:IssueTime", d->issue_time);
    writer_start(&wr, "cac:OrderReference");
    writer_text(&wr, "cbc:ID", d->rma_number);
    writer_end(&wr);
    ubl_party(&wr, "cac:DespatchSupplierParty", &d->depot);
    ubl_party(&wr, "cac:DeliveryCustomerParty", &d->customer);
    writer_start(&wr, "cac:Shipment");
    writer_text(&wr, "cbc:ID", d->sscc);
    for (size_t i = 0; i < d->n_marks; i++)
        writer_text(&wr, "cbc:HandlingInstructions", d->handling_marks[i]);
    if (is_set(d->tracking_number)) {
        writer_start(&wr, "cac:Delivery");
        writer_text(&wr, "cbc:TrackingID", d->tracking_number);
        writer_end(&wr);
    }
    writer_start(&wr, "cac:TransportHandlingUnit");
    writer_text(&wr, "cbc:ID", d->sscc);
    writer_end(&wr);
    writer_end(&wr);
    for (size_t i = 0; i < d->n_lines; i++)
        despatch_line(&wr, &d->lines[i]);
    writer_end(&wr);
    return writer_close(&wr, buf, "despatch advice", out, len, err);
}

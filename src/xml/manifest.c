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

#include <libxml/xmlwriter.h>

#include "core/xalloc.h"
#include "xml/schemas.h"
#include "xml/xml.h"

/* A writer that remembers whether any call failed, so the document is checked once. */
struct writer {
    xmlTextWriterPtr w;
    bool failed;
};

static void note(struct writer *wr, int rc)
{
    if (rc < 0)
        wr->failed = true;
}

static void start(struct writer *wr, const char *name)
{
    note(wr, xmlTextWriterStartElement(wr->w, BAD_CAST name));
}

static void end(struct writer *wr)
{
    note(wr, xmlTextWriterEndElement(wr->w));
}

static bool is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* <name>value</name>, value escaped as text; nothing when value is NULL or empty. */
static void text(struct writer *wr, const char *name, const char *value)
{
    if (is_set(value))
        note(wr, xmlTextWriterWriteElement(wr->w, BAD_CAST name, BAD_CAST value));
}

static void number(struct writer *wr, const char *name, int64_t v)
{
    char num[32];

    snprintf(num, sizeof num, "%" PRId64, v);
    text(wr, name, num);
}

static void quantity(struct writer *wr, const char *name, int64_t q)
{
    char num[32];

    snprintf(num, sizeof num, "%" PRId64, q);
    start(wr, name);
    note(wr, xmlTextWriterWriteAttribute(wr->w, BAD_CAST "unitCode", BAD_CAST "C62"));
    note(wr, xmlTextWriterWriteString(wr->w, BAD_CAST num));
    end(wr);
}

/* Grams as kilograms with three decimals: 1250 -> "1.250". */
static void weight(struct writer *wr, const char *name, int64_t grams)
{
    char num[40];

    if (grams <= 0)
        return;
    snprintf(num, sizeof num, "%" PRId64 ".%03" PRId64, grams / 1000, grams % 1000);
    text(wr, name, num);
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

/* Starts a document in memory; 0, or -1 with err. */
static int open_writer(struct writer *wr, xmlBufferPtr *buf, const char *what, struct err *err)
{
    *buf = xmlBufferCreate();
    if (*buf == NULL)
        return err_set(err, ERR_INTERNAL, NULL, "cannot write the %s", what);
    wr->w = xmlNewTextWriterMemory(*buf, 0);
    if (wr->w == NULL) {
        xmlBufferFree(*buf);
        return err_set(err, ERR_INTERNAL, NULL, "cannot write the %s", what);
    }
    note(wr, xmlTextWriterSetIndent(wr->w, 1));
    note(wr, xmlTextWriterSetIndentString(wr->w, BAD_CAST "  "));
    note(wr, xmlTextWriterStartDocument(wr->w, NULL, "UTF-8", NULL));
    return 0;
}

/* Ends the document and hands its bytes to *out. */
static int close_writer(struct writer *wr, xmlBufferPtr buf, const char *what, char **out,
                        size_t *len, struct err *err)
{
    size_t n;

    note(wr, xmlTextWriterEndDocument(wr->w));
    xmlFreeTextWriter(wr->w);
    if (wr->failed) {
        xmlBufferFree(buf);
        return err_set(err, ERR_INTERNAL, NULL, "cannot write the %s", what);
    }
    n = (size_t)xmlBufferLength(buf);
    *out = xmalloc(n + 1);
    memcpy(*out, xmlBufferContent(buf), n);
    (*out)[n] = '\0';
    *len = n;
    xmlBufferFree(buf);
    return 0;
}

/* ---- the pickup manifest ------------------------------------------------------------------ */

static void manifest_address(struct writer *wr, const char *name, const struct address *a)
{
    start(wr, name);
    text(wr, "Name", a->name);
    text(wr, "Street", a->street);
    text(wr, "City", a->city);
    text(wr, "Postcode", a->postcode);
    text(wr, "Country", a->country);
    end(wr);
}

static void manifest_parcel(struct writer *wr, const struct manifest_parcel *p)
{
    start(wr, "Parcel");
    text(wr, "SSCC", p->sscc);
    text(wr, "TrackingNumber", p->tracking_number);
    text(wr, "RMANumber", p->rma_number);
    number(wr, "ParcelNumber", p->parcel_no);
    number(wr, "ParcelsOfShipment", p->parcel_count);
    manifest_address(wr, "Consignee", &p->consignee);
    text(wr, "Service", manifest_service_name(p->service));
    weight(wr, "WeightKg", p->weight_g);
    for (size_t i = 0; i < p->n_marks; i++)
        text(wr, "HandlingMark", p->handling_marks[i]);
    end(wr);
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

    if (check_manifest(m, err) != 0 || open_writer(&wr, &buf, "manifest", err) != 0)
        return -1;
    note(&wr, xmlTextWriterStartElementNS(wr.w, NULL, BAD_CAST "PickupManifest",
                                          BAD_CAST XML_NS_MANIFEST));
    note(&wr, xmlTextWriterWriteAttribute(wr.w, BAD_CAST "version", BAD_CAST XML_MANIFEST_VERSION));
    text(&wr, "ManifestID", m->manifest_no);
    text(&wr, "CarrierCode", m->carrier_code);
    text(&wr, "CarrierAccount", m->carrier_account);
    text(&wr, "PickupDate", m->pickup_date);
    text(&wr, "Created", m->created);
    manifest_address(&wr, "Shipper", &m->shipper);
    number(&wr, "ParcelCount", (int64_t)m->n_parcels);
    total = manifest_total_weight(m);
    weight(&wr, "TotalWeightKg", total);
    for (size_t i = 0; i < m->n_parcels; i++)
        manifest_parcel(&wr, &m->parcels[i]);
    end(&wr);
    return close_writer(&wr, buf, "manifest", out, len, err);
}

/* ---- the outbound DespatchAdvice ---------------------------------------------------------- */

static void ubl_party(struct writer *wr, const char *role, const struct address *a)
{
    start(wr, role);
    start(wr, "cac:Party");
    start(wr, "cac:PartyName");
    text(wr, "cbc:Name", a->name);
    end(wr);
    start(wr, "cac:PostalAddress");
    text(wr, "cbc:StreetName", a->street);
    text(wr, "cbc:CityName", a->city);
    text(wr, "cbc:PostalZone", a->postcode);
    start(wr, "cac:Country");
    text(wr, "cbc:IdentificationCode", a->country);
    end(wr);
    end(wr);
    end(wr);
    end(wr);
}

static void despatch_line(struct writer *wr, const struct despatch_out_line *l)
{
    start(wr, "cac:DespatchLine");
    number(wr, "cbc:ID", l->line_no);
    quantity(wr, "cbc:DeliveredQuantity", l->quantity);
    start(wr, "cac:OrderLineReference");
    number(wr, "cbc:LineID", l->line_no);
    end(wr);
    start(wr, "cac:Item");
    text(wr, "cbc:Name", is_set(l->product_name) ? l->product_name : l->product_model);
    text(wr, "cbc:ModelName", l->product_model);
    if (is_set(l->serial_number)) {
        start(wr, "cac:ItemInstance");
        text(wr, "cbc:SerialID", l->serial_number);
        end(wr);
    }
    end(wr);
    end(wr);
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

    if (check_despatch(d, err) != 0 || open_writer(&wr, &buf, "despatch advice", err) != 0)
        return -1;
    note(&wr, xmlTextWriterStartElementNS(wr.w, NULL, BAD_CAST "DespatchAdvice",
                                          BAD_CAST XML_NS_DESPATCH_ADVICE));
    note(&wr, xmlTextWriterWriteAttribute(wr.w, BAD_CAST "xmlns:cac", BAD_CAST XML_NS_CAC));
    note(&wr, xmlTextWriterWriteAttribute(wr.w, BAD_CAST "xmlns:cbc", BAD_CAST XML_NS_CBC));
    text(&wr, "cbc:UBLVersionID", "2.1");
    text(&wr, "cbc:ID", d->id);
    text(&wr, "cbc:IssueDate", d->issue_date);
    text(&wr, "cbc:IssueTime", d->issue_time);
    start(&wr, "cac:OrderReference");
    text(&wr, "cbc:ID", d->rma_number);
    end(&wr);
    ubl_party(&wr, "cac:DespatchSupplierParty", &d->depot);
    ubl_party(&wr, "cac:DeliveryCustomerParty", &d->customer);
    start(&wr, "cac:Shipment");
    text(&wr, "cbc:ID", d->sscc);
    for (size_t i = 0; i < d->n_marks; i++)
        text(&wr, "cbc:HandlingInstructions", d->handling_marks[i]);
    if (is_set(d->tracking_number)) {
        start(&wr, "cac:Delivery");
        text(&wr, "cbc:TrackingID", d->tracking_number);
        end(&wr);
    }
    start(&wr, "cac:TransportHandlingUnit");
    text(&wr, "cbc:ID", d->sscc);
    end(&wr);
    end(&wr);
    for (size_t i = 0; i < d->n_lines; i++)
        despatch_line(&wr, &d->lines[i]);
    end(&wr);
    return close_writer(&wr, buf, "despatch advice", out, len, err);
}

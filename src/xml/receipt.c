/*
 * receipt: the outbound UBL 2.1 ReceiptAdvice, what the depot received against one RMA.
 *
 * Written with xmlTextWriter so every text is escaped as data ("Smith & Sons <x>" stays text).
 * The element order is the XSD sequence and must stay so: UBL-ReceiptAdvice-2.1.xsd puts
 * DeliveryCustomerParty (the depot) before DespatchSupplierParty (the customer), and
 * ReceiptLineType reads ID, Note, ReceivedQuantity, ShortQuantity, RejectedQuantity,
 * RejectReasonCode, RejectReason, Item, Shipment (Note and the rejection only after inspection,
 * issue 5).  A sample:
 *
 *   <ReceiptAdvice xmlns="...:ReceiptAdvice-2" xmlns:cac="..." xmlns:cbc="...">
 *     <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
 *     <cbc:ID>R000000174-R1</cbc:ID>
 *     <cbc:IssueDate>2024-03-20</cbc:IssueDate>
 *     <cbc:IssueTime>09:15:00+00:00</cbc:IssueTime>
 *     <cac:OrderReference><cbc:ID>R000000174</cbc:ID></cac:OrderReference>
 *     <cac:DeliveryCustomerParty><cac:Party>name, PostalAddress</cac:Party></...>
 *     <cac:DespatchSupplierParty><cac:Party>name</cac:Party></...>
 *     <cac:ReceiptLine>
 *       <cbc:ID>1</cbc:ID>
 *       <cbc:ReceivedQuantity unitCode="C62">1</cbc:ReceivedQuantity>
 *       <cac:Item>... <cac:ItemInstance><cbc:SerialID>SN1</cbc:SerialID></...></cac:Item>
 *       <cac:Shipment><cbc:ID>SSCC</cbc:ID><cac:TransportHandlingUnit>...</cac:Shipment>
 *     </cac:ReceiptLine>
 *   </ReceiptAdvice>
 *
 * The parcel SSCC goes in the line's own Shipment (ReceiptLineType allows one) so each line
 * keeps its parcel, the mirror of how a DespatchAdvice line names it.
 */
#include "xml/xml.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "writer.h"

static int check_text(const char *s, const char *field, bool required, struct err *err)
{
    if (s == NULL || s[0] == '\0')
        return required ? err_set(err, ERR_INTERNAL, field, "is required") : 0;
    return 0;
}

static bool is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool is_date(const char *s)
{
    return strlen(s) == 10 && is_digits(s, 4) && s[4] == '-' && is_digits(s + 5, 2) &&
           s[7] == '-' && is_digits(s + 8, 2);
}

/* HH:MM:SS, optionally .fff, optionally Z or +HH:MM / -HH:MM: what xsd:time accepts. */
static bool is_time(const char *s)
{
    if (strlen(s) < 8 || !is_digits(s, 2) || s[2] != ':' || !is_digits(s + 3, 2) || s[5] != ':' ||
        !is_digits(s + 6, 2))
        return false;
    s += 8;
    if (*s == '.') {
        if (!is_digits(s + 1, 1))
            return false;
        for (s++; *s >= '0' && *s <= '9'; s++)
            ;
    }
    if (*s == '\0' || strcmp(s, "Z") == 0)
        return true;
    return (s[0] == '+' || s[0] == '-') && strlen(s) == 6 && is_digits(s + 1, 2) && s[3] == ':' &&
           is_digits(s + 4, 2);
}

static int check_line(const struct receipt_line *l, struct err *err)
{
    if (l->received_quantity < 0)
        return err_set(err, ERR_INTERNAL, "received_quantity", "must not be negative");
    if (l->short_quantity < 0)
        return err_set(err, ERR_INTERNAL, "short_quantity", "must not be negative");
    if (l->rejected_quantity < 0)
        return err_set(err, ERR_INTERNAL, "rejected_quantity", "must not be negative");
    if (check_text(l->note, "note", false, err) ||
        check_text(l->reject_reason_code, "reject_reason_code", false, err) ||
        check_text(l->reject_reason, "reject_reason", false, err))
        return -1;
    if (check_text(l->serial_number, "serial_number", false, err) ||
        check_text(l->product_model, "product_model", false, err) ||
        check_text(l->product_name, "product_name", false, err) ||
        check_text(l->sscc, "sscc", false, err))
        return -1;
    return 0;
}

static int check_receipt(const struct receipt_advice *ra, struct err *err)
{
    const char *depot_name = ra->depot_name != NULL ? ra->depot_name : ra->depot.name;

    if (check_text(ra->id, "id", true, err) ||
        check_text(ra->issue_date, "issue_date", true, err) ||
        check_text(ra->issue_time, "issue_time", false, err) ||
        check_text(ra->rma_number, "rma_number", true, err) ||
        check_text(depot_name, "depot_name", true, err) ||
        check_text(ra->depot.street, "depot.street", false, err) ||
        check_text(ra->depot.city, "depot.city", false, err) ||
        check_text(ra->depot.postcode, "depot.postcode", false, err) ||
        check_text(ra->depot.country, "depot.country", false, err) ||
        check_text(ra->customer_name, "customer_name", false, err))
        return -1;
    if (!is_date(ra->issue_date))
        return err_set(err, ERR_INTERNAL, "issue_date", "must be yyyy-mm-dd");
    if (ra->issue_time != NULL && ra->issue_time[0] != '\0' && !is_time(ra->issue_time))
        return err_set(err, ERR_INTERNAL, "issue_time", "must be hh:mm:ss with a time zone");
    if (ra->n_lines == 0 || ra->lines == NULL)
        return err_set(err, ERR_INTERNAL, "lines", "a receipt advice needs at least one line");
    for (size_t i = 0; i < ra->n_lines; i++)
        if (check_line(&ra->lines[i], err) != 0)
            return -1;
    return 0;
}

static void party_name(struct writer *wr, const char *name)
{
    writer_start(wr, "cac:PartyName");
    writer_text(wr, "cbc:Name", name);
    writer_end(wr);
}

static void depot_party(struct writer *wr, const struct receipt_advice *ra)
{
    const struct address *a = &ra->depot;
    bool has_country = a->country != NULL && a->country[0] != '\0';

    writer_start(wr, "cac:DeliveryCustomerParty");
    writer_start(wr, "cac:Party");
    party_name(wr, ra->depot_name != NULL ? ra->depot_name : a->name);
    writer_start(wr, "cac:PostalAddress");
    writer_text(wr, "cbc:StreetName", a->street);
    writer_text(wr, "cbc:CityName", a->city);
    writer_text(wr, "cbc:PostalZone", a->postcode);
    if (has_country) {
        writer_start(wr, "cac:Country");
        writer_text(wr, "cbc:IdentificationCode", a->country);
        writer_end(wr);
    }
    writer_end(wr);
    writer_end(wr);
    writer_end(wr);
}

static void customer_party(struct writer *wr, const struct receipt_advice *ra)
{
    bool named = ra->customer_name != NULL && ra->customer_name[0] != '\0';

    writer_start(wr, "cac:DespatchSupplierParty");
    writer_start(wr, "cac:Party");
    party_name(wr, named ? ra->customer_name : "Customer");
    writer_end(wr);
    writer_end(wr);
}

static bool is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static void receipt_line(struct writer *wr, const struct receipt_line *l)
{
    char id[16];

    snprintf(id, sizeof id, "%d", l->line_no);
    writer_start(wr, "cac:ReceiptLine");
    writer_text(wr, "cbc:ID", id);
    writer_text(wr, "cbc:Note", l->note);
    writer_quantity(wr, "cbc:ReceivedQuantity", l->received_quantity);
    if (l->short_quantity > 0)
        writer_quantity(wr, "cbc:ShortQuantity", l->short_quantity);
    /* after inspection: the damage found, as a rejection (issue 5) */
    if (l->rejected_quantity > 0) {
        writer_quantity(wr, "cbc:RejectedQuantity", l->rejected_quantity);
        writer_text(wr, "cbc:RejectReasonCode", l->reject_reason_code);
        writer_text(wr, "cbc:RejectReason", l->reject_reason);
    }
    if (is_set(l->product_name) || is_set(l->product_model) || is_set(l->serial_number)) {
        writer_start(wr, "cac:Item");
        writer_text(wr, "cbc:Name", is_set(l->product_name) ? l->product_name : l->product_model);
        writer_text(wr, "cbc:ModelName", l->product_model);
        if (is_set(l->serial_number)) {
            writer_start(wr, "cac:ItemInstance");
            writer_text(wr, "cbc:SerialID", l->serial_number);
            writer_end(wr);
        }
        writer_end(wr);
    }
    if (is_set(l->sscc)) {
        writer_start(wr, "cac:Shipment");
        writer_text(wr, "cbc:ID", l->sscc);
        writer_start(wr, "cac:TransportHandlingUnit");
        writer_text(wr, "cbc:ID", l->sscc);
        writer_end(wr);
        writer_end(wr);
    }
    writer_end(wr);
}

static void receipt_advice(struct writer *wr, const struct receipt_advice *ra)
{
    writer_note(wr, xmlTextWriterStartElementNS(wr->w, NULL, BAD_CAST "ReceiptAdvice",
                                                BAD_CAST XML_NS_RECEIPT_ADVICE));
    writer_note(wr, xmlTextWriterWriteAttribute(wr->w, BAD_CAST "xmlns:cac", BAD_CAST XML_NS_CAC));
    writer_note(wr, xmlTextWriterWriteAttribute(wr->w, BAD_CAST "xmlns:cbc", BAD_CAST XML_NS_CBC));
    writer_text(wr, "cbc:UBLVersionID", "2.1");
    writer_text(wr, "cbc:ID", ra->id);
    writer_text(wr, "cbc:IssueDate", ra->issue_date);
    writer_text(wr, "cbc:IssueTime", ra->issue_time);
    writer_start(wr, "cac:OrderReference");
    writer_text(wr, "cbc:ID", ra->rma_number);
    writer_end(wr);
    depot_party(wr, ra);
    customer_party(wr, ra);
    for (size_t i = 0; i < ra->n_lines; i++)
        receipt_line(wr, &ra->lines[i]);
    writer_end(wr);
}

int xml_write_receipt_advice(const struct receipt_advice *ra, char **out, size_t *len,
                             struct err *err)
{
    struct writer wr = {0};
    xmlBufferPtr buf;

    if (check_receipt(ra, err) != 0 || writer_open(&wr, &buf, "receipt advice", err) != 0)
        return -1;
    receipt_advice(&wr, ra);
    return writer_close(&wr, buf, "receipt advice", out, len, err);
}

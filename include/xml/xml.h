/*
 * xml: the OASIS UBL 2.1 documents rmad exchanges, turned into and made from the plain models
 * of core/docs.h.
 *
 * Inbound documents are untrusted.  What must stay true:
 *   - the body is capped before parsing and parsed from memory with XML_PARSE_NONET only
 *     (never NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE, HUGE or RECOVER);
 *   - any document with a DOCTYPE is refused, which stops XXE, external DTDs and entity bombs;
 *   - after xml_init() a deny-all external entity loader is installed for the whole process;
 *   - parser and schema message text (it can quote the input or a local file) never reaches
 *     struct err: errors carry a line number, a fixed message and at most an element name.
 *
 * A minimal advance notice of returns (namespaces abbreviated):
 *
 *   <DespatchAdvice xmlns="...:DespatchAdvice-2" xmlns:cac="..." xmlns:cbc="...">
 *     <cbc:ID>ASN-42</cbc:ID>
 *     <cbc:IssueDate>2024-03-18</cbc:IssueDate>
 *     <cac:OrderReference><cbc:ID>R000000174</cbc:ID></cac:OrderReference>
 *     <cac:DespatchSupplierParty>...</cac:DespatchSupplierParty>
 *     <cac:DeliveryCustomerParty>...</cac:DeliveryCustomerParty>
 *     <cac:DespatchLine>
 *       <cbc:ID>1</cbc:ID>
 *       <cbc:DeliveredQuantity unitCode="C62">1</cbc:DeliveredQuantity>
 *       <cac:OrderLineReference><cbc:LineID>1</cbc:LineID></cac:OrderLineReference>
 *       <cac:Item><cac:ItemInstance><cbc:SerialID>SN1</cbc:SerialID></cac:ItemInstance></cac:Item>
 *     </cac:DespatchLine>
 *   </DespatchAdvice>
 *
 * Elements are matched by namespace and local name, never by prefix.  No function here touches
 * the database.
 */
#ifndef XML_XML_H
#define XML_XML_H

#include <stddef.h>

#include "core/address.h" /* core/docs.h uses struct address without including it */
#include "core/arena.h"
#include "core/docs.h"
#include "core/err.h"

/* Largest inbound document body in bytes; a larger one is ERR_TOO_LARGE before any parsing. */
#define XML_BODY_MAX (4u * 1024u * 1024u)
/* Most DespatchLine elements one document may carry. */
#define XML_DESPATCH_LINES_MAX 10000
/* Largest DeliveredQuantity accepted on one line. */
#define XML_QUANTITY_MAX 100000

/* Namespaces of UBL 2.1. */
#define XML_NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define XML_NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define XML_NS_DESPATCH_ADVICE "urn:oasis:names:specification:ubl:schema:xsd:DespatchAdvice-2"
#define XML_NS_RECEIPT_ADVICE "urn:oasis:names:specification:ubl:schema:xsd:ReceiptAdvice-2"

/*
 * Sets up libxml2 for the process.  Call once at start-up, before any thread starts.
 *
 * ubl_xsd_dir is the "xsd" directory of the OASIS UBL 2.1 distribution (the one holding
 * "maindoc/" and "common/"), or NULL to skip schema validation.  When given,
 * <ubl_xsd_dir>/maindoc/UBL-DespatchAdvice-2.1.xsd is compiled once (loading only local files)
 * and shared read-only by every later xml_parse_despatch_advice().  Only then is the deny-all
 * external entity loader installed, process-wide: from here on libxml2 loads no file and no URL
 * (xmlReadFile() fails too; parse from memory).
 *
 * Calling it again (tests) recompiles the schema.  Returns 0, or -1 with ERR_INTERNAL when the
 * schema cannot be compiled; the deny-all loader is installed in both cases.
 */
int xml_init(const char *ubl_xsd_dir, struct err *err);

/*
 * Bounds on the shape of an untrusted document, checked by xml_prescan() before libxml2 sees
 * it: libxml2's duplicate-attribute check is quadratic in the attributes of one start tag (a
 * 1 MB tag of 100,000 attributes costs minutes), and its namespace lookups grow with the
 * declarations in scope.  UBL and carrier documents carry a handful of each.
 */
#define XML_TAG_ATTRS_MAX 64    /* attributes (namespace declarations included) of one tag */
#define XML_TAG_BYTES_MAX 16384 /* bytes of one start tag, from '<' to '>' */
#define XML_NS_DECLS_MAX 256    /* namespace declarations in one document */
/* libxml2's own limits (10 MB of text, 256 levels) would fail as "not well-formed": these are
 * below them, so a document over one is refused as what it is */
#define XML_TEXT_BYTES_MAX 1048576 /* 1 MiB: one run of text, comment, CDATA or PI */
#define XML_DEPTH_MAX 32           /* element nesting (the tracking reader's too) */

/*
 * One linear pass over buf[len] before any parser runs: refuses (ERR_INVALID, err->line set)
 * a start tag with more than XML_TAG_ATTRS_MAX attributes or more than XML_TAG_BYTES_MAX bytes
 * (field "document"), more than XML_NS_DECLS_MAX namespace declarations (field "document"), a
 * run of text, comment, CDATA or processing instruction longer than XML_TEXT_BYTES_MAX bytes or
 * elements nested more than XML_DEPTH_MAX deep (field "document"), and any Unicode
 * noncharacter (core/utf8.h; field: the local name of the element it is in, else "document").
 * The pass reads markup as ASCII bytes, so only encodings where it is exactly that are let
 * through: UTF-8 (with or without its byte order mark), US-ASCII, ISO-8859-1/-15 and
 * windows-1252; any other encoding, declared or detected from the first bytes (UTF-16, UTF-32,
 * EBCDIC, UTF-7...), is ERR_BAD_REQUEST naming "document" on line 1.  Well-formedness is the
 * parser's to check.  Returns 0 or -1.  Thread-safe.
 */
int xml_prescan(const char *buf, size_t len, struct err *err);

/* The refusal of a noncharacter, by the pre-scan (raw bytes) and after parsing (a character
 * reference such as &#xFDD0; in any text the tracking adapters or the despatch advice take). */
#define XML_NONCHARACTER_MESSAGE "must not contain unicode noncharacters (such as U+FFFF)"

/* Frees the compiled schema and puts back libxml2's own entity loader.  No thread may be using
 * this module any more. */
void xml_shutdown(void);

/*
 * Parses an inbound UBL 2.1 DespatchAdvice (an advance notice of returns) from body[0..len) into
 * *out, following the mapping in core/docs.h.  Text is trimmed of surrounding white space.
 *
 * Fails with -1 and:
 *   ERR_TOO_LARGE    len over XML_BODY_MAX, or more than XML_DESPATCH_LINES_MAX lines
 *                    (field "DespatchLine");
 *   ERR_BAD_REQUEST  "is not well-formed xml" with err->line, or field "doctype" when the document
 * has a DOCTYPE; ERR_INVALID      field "document" when the root is not a UBL DespatchAdvice; the
 * element's local name and err->line when the compiled schema rejects it; "ID" when the document
 * has no cbc:ID; "DespatchLine" when it has no line; "OrderReference" when a line names no RMA,
 * neither itself nor through the document; "DeliveredQuantity" when it is not a whole number from 1
 * to XML_QUANTITY_MAX; the element's name when a text is longer than its field; ERR_INTERNAL
 * libxml2 could not run (out of memory, validation failed to start). Errors about one element carry
 * its input line in err->line.
 *
 * out->lines is allocated from arena and owned by it; nothing else outlives the call.
 * Thread-safe after xml_init(); each call uses its own parser and validation contexts.
 */
int xml_parse_despatch_advice(const char *body, size_t len, struct arena *arena,
                              struct despatch_advice *out, struct err *err);

/*
 * Writes ra as a UBL 2.1 ReceiptAdvice that validates against UBL-ReceiptAdvice-2.1.xsd:
 * OrderReference/ID is the RMA number, DeliveryCustomerParty the depot (with its postal
 * address), DespatchSupplierParty the customer ("Customer" when ra->customer_name is NULL or
 * empty).  Each line becomes a ReceiptLine with ReceivedQuantity, ShortQuantity when above zero,
 * an Item (Name = product_name, else product_model; ModelName = product_model;
 * ItemInstance/SerialID = serial_number) and, when the line has an SSCC, a line Shipment whose
 * ID and TransportHandlingUnit/ID are that SSCC.
 *
 * On success returns 0 and sets *out to a NUL-terminated UTF-8 buffer of *len bytes (the NUL
 * not counted) that the caller frees with free().  Returns -1 with ERR_INTERNAL naming the field
 * when a required field (id, issue_date, rma_number, depot name, at least one line) is missing,
 * a date or time is not YYYY-MM-DD / HH:MM:SS[zone], a quantity is negative, or a text is not
 * valid UTF-8 or holds characters XML cannot carry; *out is then left alone.  Thread-safe.
 */
int xml_write_receipt_advice(const struct receipt_advice *ra, char **out, size_t *len,
                             struct err *err);

#endif

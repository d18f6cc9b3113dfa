/*
 * xml: libxml2 set-up and the inbound UBL DespatchAdvice (advance notice of returns).
 *
 * The body is untrusted.  It is capped, parsed from memory with XML_PARSE_NONET and nothing
 * that loads or expands anything, refused outright when it has a DOCTYPE (the SAX callback stops
 * the parser at "<!DOCTYPE", before any entity is declared), checked against the compiled UBL
 * schema when there is one, and copied into struct despatch_advice; the xmlDoc is freed before
 * returning.  Parser and schema messages are never copied into struct err: they can quote the
 * input or a local file.  Only line numbers and element local names leave this file.
 *
 * The compiled schema and the saved entity loader are written by xml_init()/xml_shutdown()
 * only, before threads start and after they stop; everything else is per call.
 */
#include "xml/xml.h"
#include "xml/schemas.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "core/label.h"
#include "core/utf8.h"
#include "xml_int.h"

#define DESPATCH_XSD "/maindoc/UBL-DespatchAdvice-2.1.xsd"

/* Everything libxml2 needs to parse untrusted input and nothing that loads or expands. */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

static xmlSchemaPtr despatch_schema;
static xmlExternalEntityLoader default_loader;

/* What the parser callbacks saw; one per call, reached through the parser context. */
struct parse_state {
    bool doctype;
    int doctype_line;
    bool failed;
    int error_line;
};

/* The first error the schema validator reported. */
struct schema_state {
    bool failed;
    int line;
    char element[48];
};

/* Loads nothing: installed process-wide once the schemas are compiled. */
static xmlParserInputPtr deny_entity_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

/* Schema compilation messages quote only our own files; they are dropped, the caller logs. */
static void ignore_error(void *data, xmlErrorPtr e)
{
    (void)data;
    (void)e;
}

int xml_init(const char *ubl_xsd_dir, struct err *err)
{
    int rc = 0;

    xmlInitParser();
    if (default_loader == NULL)
        default_loader = xmlGetExternalEntityLoader();
    if (despatch_schema != NULL) {
        xmlSchemaFree(despatch_schema);
        despatch_schema = NULL;
    }
    if (ubl_xsd_dir != NULL) {
        xmlSchemaParserCtxtPtr pctxt;
        char path[4096];

        /* The schema imports its common parts from local files: allow those, not the network. */
        xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
        if ((size_t)snprintf(path, sizeof path, "%s%s", ubl_xsd_dir, DESPATCH_XSD) >= sizeof path)
            rc = err_set(err, ERR_INTERNAL, "ubl_xsd_dir", "path is too long");
        if (rc == 0 && access(path, R_OK) != 0)
            rc = err_set(err, ERR_INTERNAL, "ubl_xsd_dir",
                         "cannot read maindoc/UBL-DespatchAdvice-2.1.xsd");
        pctxt = rc == 0 ? xmlSchemaNewParserCtxt(path) : NULL;
        if (pctxt != NULL) {
            /* Reading the files reports through this thread's handler, not the context's. */
            xmlSetStructuredErrorFunc(NULL, ignore_error);
            xmlSchemaSetParserStructuredErrors(pctxt, ignore_error, NULL);
            despatch_schema = xmlSchemaParse(pctxt);
            xmlSchemaFreeParserCtxt(pctxt);
            xmlSetStructuredErrorFunc(NULL, NULL);
        }
        if (rc == 0 && despatch_schema == NULL)
            rc = err_set(err, ERR_INTERNAL, "ubl_xsd_dir",
                         "cannot compile the despatch advice schema");
    }
    /* our own XSDs (issue 5), from memory, before the deny-all loader goes in */
    if (xml_schemas_init(rc == 0 ? err : &(struct err){0}) != 0)
        rc = -1;
    xmlSetExternalEntityLoader(deny_entity_loader);
    return rc;
}

void xml_shutdown(void)
{
    xml_schemas_free();
    if (despatch_schema != NULL) {
        xmlSchemaFree(despatch_schema);
        despatch_schema = NULL;
    }
    if (default_loader != NULL)
        xmlSetExternalEntityLoader(default_loader);
}

static int line_of(const xmlNode *n)
{
    long line = n != NULL ? xmlGetLineNo(n) : 0;

    return line > 0 && line <= INT32_MAX ? (int)line : 0;
}

/* Sets err (when none is set yet) with the input line of n, and returns -1. */
static int fail_at(struct err *err, const xmlNode *n, enum err_kind kind, const char *field,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_at(struct err *err, const xmlNode *n, enum err_kind kind, const char *field,
                   const char *fmt, ...)
{
    char msg[sizeof err->message];
    va_list ap;

    if (err_is_set(err))
        return -1;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(err, kind, field, "%s", msg);
    err_set_line(err, line_of(n));
    return -1;
}

/* Records the line of the first error; the message text is not kept. */
static void parse_error(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = data;
    struct parse_state *st = ctxt != NULL ? ctxt->_private : NULL;

    if (st == NULL || e == NULL || e->level < XML_ERR_ERROR || st->failed)
        return;
    st->failed = true;
    st->error_line = e->line;
}

/* SAX: "<!DOCTYPE" was read.  Nothing after it is parsed, so no entity is ever declared. */
static void saw_doctype(void *data, const xmlChar *name, const xmlChar *external_id,
                        const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = data;
    struct parse_state *st = ctxt->_private;

    (void)name;
    (void)external_id;
    (void)system_id;
    if (st != NULL && !st->doctype) {
        st->doctype = true;
        st->doctype_line = ctxt->input != NULL ? ctxt->input->line : 0;
    }
    xmlStopParser(ctxt);
}

void xml_copy_name(char *dst, size_t n, const char *s)
{
    size_t len = strlen(s);

    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(dst, s, len);
    dst[len] = '\0';
}

static void schema_error(void *data, xmlErrorPtr e)
{
    struct schema_state *st = data;
    const xmlNode *n;

    if (e == NULL || e->level < XML_ERR_ERROR || st->failed)
        return;
    st->failed = true;
    st->line = e->line;
    n = e->node;
    if (n != NULL && n->type == XML_ELEMENT_NODE && n->name != NULL)
        xml_copy_name(st->element, sizeof st->element, (const char *)n->name);
    if (st->line <= 0)
        st->line = line_of(n);
}

static bool is_elem(const xmlNode *n, const char *ns, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns != NULL && n->ns->href != NULL &&
           xmlStrEqual(n->ns->href, BAD_CAST ns) && xmlStrEqual(n->name, BAD_CAST name);
}

/*
 * The first element below n along path, a '/'-separated list of "cac:Name" or "cbc:Name" steps.
 * The prefixes are ours and stand for the UBL namespaces; the document's prefixes do not matter.
 * Every matching child is tried at each step, so the first complete match wins.
 */
static xmlNode *find_path(const xmlNode *n, const char *path)
{
    const char *slash = strchr(path, '/');
    size_t step = slash != NULL ? (size_t)(slash - path) : strlen(path);
    char name[64];
    const char *ns;

    if (n == NULL || step <= 4 || step - 4 >= sizeof name)
        return NULL;
    ns = strncmp(path, "cac:", 4) == 0 ? XML_NS_CAC : XML_NS_CBC;
    memcpy(name, path + 4, step - 4);
    name[step - 4] = '\0';
    for (xmlNode *c = n->children; c != NULL; c = c->next) {
        if (!is_elem(c, ns, name))
            continue;
        if (slash == NULL)
            return c;
        xmlNode *found = find_path(c, slash + 1);
        if (found != NULL)
            return found;
    }
    return NULL;
}

static size_t count_children(const xmlNode *n, const char *ns, const char *name)
{
    size_t count = 0;

    for (const xmlNode *c = n->children; c != NULL; c = c->next)
        if (is_elem(c, ns, name))
            count++;
    return count;
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The text of n without surrounding white space: *start and *len point into the returned
 * buffer, which the caller frees with xmlFree().  NULL only when libxml2 runs out of memory. */
static xmlChar *trimmed_text(const xmlNode *n, const char **start, size_t *len)
{
    xmlChar *text = xmlNodeGetContent(n);
    const char *s;
    size_t l;

    if (text == NULL)
        return NULL;
    s = (const char *)text;
    while (is_space(*s))
        s++;
    l = strlen(s);
    while (l > 0 && is_space(s[l - 1]))
        l--;
    *start = s;
    *len = l;
    return text;
}

/* Copies the trimmed text of n (dst[0] = '\0' when n is NULL); too long names n in err. */
static int copy_text(const xmlNode *n, char *dst, size_t size, struct err *err)
{
    const char *s;
    size_t len;
    xmlChar *text;

    dst[0] = '\0';
    if (n == NULL)
        return 0;
    text = trimmed_text(n, &s, &len);
    if (text == NULL)
        return fail_at(err, n, ERR_INTERNAL, NULL, "out of memory reading xml");
    if (len >= size) {
        xmlFree(text);
        return fail_at(err, n, ERR_INVALID, (const char *)n->name, "must be at most %zu bytes",
                       size - 1);
    }
    /* a character reference (&#xFDD0;) brings what the byte pre-scan cannot see */
    if (utf8_has_noncharacter(s)) {
        xmlFree(text);
        return fail_at(err, n, ERR_INVALID, (const char *)n->name, "%s", XML_NONCHARACTER_MESSAGE);
    }
    memcpy(dst, s, len);
    dst[len] = '\0';
    xmlFree(text);
    return 0;
}

static bool is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* cbc:IssueDate: an xsd:date, of which YYYY-MM-DD is kept (a time zone after it is dropped). */
static int copy_date(const xmlNode *n, char *dst, size_t size, struct err *err)
{
    char text[40];
    size_t len;

    if (copy_text(n, text, sizeof text, err) != 0)
        return -1;
    len = strlen(text);
    dst[0] = '\0';
    if (n == NULL)
        return 0;
    if (len < 10 || !is_digits(text, 4) || text[4] != '-' || !is_digits(text + 5, 2) ||
        text[7] != '-' || !is_digits(text + 8, 2) ||
        (len > 10 && text[10] != 'Z' && text[10] != '+' && text[10] != '-'))
        return fail_at(err, n, ERR_INVALID, (const char *)n->name, "must be a date yyyy-mm-dd");
    snprintf(dst, size, "%.10s", text);
    return 0;
}

/* cbc:DeliveredQuantity: a whole number from 1 to XML_QUANTITY_MAX, written as an xsd:decimal
 * ("+3", "003" and "3.0" are 3); 1 when the line gives none. */
static int parse_quantity(const xmlNode *n, int64_t *q, struct err *err)
{
    const char *s;
    size_t len, i = 0;
    int64_t v = 0;
    bool digits = false;
    xmlChar *text;

    *q = 1;
    if (n == NULL)
        return 0;
    text = trimmed_text(n, &s, &len);
    if (text == NULL)
        return fail_at(err, n, ERR_INTERNAL, NULL, "out of memory reading xml");
    if (i < len && s[i] == '+')
        i++;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        digits = true;
        if (v <= XML_QUANTITY_MAX)
            v = v * 10 + (s[i] - '0');
    }
    if (i < len && s[i] == '.')
        for (i++; i < len && s[i] == '0'; i++)
            ;
    xmlFree(text);
    if (!digits || i != len || v < 1 || v > XML_QUANTITY_MAX)
        return fail_at(err, n, ERR_INVALID, "DeliveredQuantity",
                       "must be a whole number from 1 to %d", XML_QUANTITY_MAX);
    *q = v;
    return 0;
}

/* The ID of the one transport handling unit in the cac:Shipment children of n; NULL when there
 * is none or more than one, as a line cannot be in several parcels and we do not guess. */
static const xmlNode *sole_handling_unit_id(const xmlNode *n)
{
    const xmlNode *id = NULL;
    size_t units = 0;

    for (const xmlNode *sh = n->children; sh != NULL; sh = sh->next) {
        if (!is_elem(sh, XML_NS_CAC, "Shipment"))
            continue;
        for (const xmlNode *u = sh->children; u != NULL; u = u->next) {
            if (!is_elem(u, XML_NS_CAC, "TransportHandlingUnit"))
                continue;
            units++;
            id = find_path(u, "cbc:ID");
        }
    }
    return units == 1 ? id : NULL;
}

/* The carrier of the cac:Shipment/cac:Consignment under n: its party (PartyIdentification/ID,
 * else PartyName/Name) into carrier and its CarrierAssignedID into tracking; each left as it is
 * when n does not give it. */
static int consignment_carrier(const xmlNode *n, int line_no, char carrier[DOC_ID_MAX],
                               char tracking[DOC_ID_MAX], struct err *err)
{
    const xmlNode *party = find_path(
        n, "cac:Shipment/cac:Consignment/cac:CarrierParty/cac:PartyIdentification/cbc:ID");
    const xmlNode *name =
        find_path(n, "cac:Shipment/cac:Consignment/cac:CarrierParty/cac:PartyName/cbc:Name");
    const xmlNode *cai = find_path(n, "cac:Shipment/cac:Consignment/cbc:CarrierAssignedID");
    char buf[DOC_ID_MAX];

    if (party == NULL)
        party = name;
    if (party != NULL) {
        if (copy_text(party, buf, sizeof buf, err) != 0)
            return -1;
        if (buf[0] != '\0')
            memcpy(carrier, buf, sizeof buf);
    }
    if (cai != NULL) {
        if (copy_text(cai, buf, sizeof buf, err) != 0)
            return -1;
        /* what the label prints: stored otherwise, every label of the parcel failed */
        if (buf[0] != '\0' && !label_tracking_number_ok(buf)) {
            char field[48];

            if (line_no > 0)
                snprintf(field, sizeof field, "DespatchLine[%d].CarrierAssignedID", line_no);
            else
                snprintf(field, sizeof field, "Consignment.CarrierAssignedID");
            return fail_at(err, cai, ERR_INVALID, field, "must be 1 to 40 letters and digits");
        }
        if (buf[0] != '\0')
            memcpy(tracking, buf, sizeof buf);
    }
    return 0;
}

static int extract_line(const xmlNode *n, int line_no, const xmlNode *doc_rma,
                        const xmlNode *doc_sscc, const char *doc_carrier, const char *doc_tracking,
                        struct despatch_line *line, struct err *err)
{
    const xmlNode *id = find_path(n, "cbc:ID");
    const xmlNode *rma = find_path(n, "cac:OrderLineReference/cac:OrderReference/cbc:ID");
    const xmlNode *sscc = sole_handling_unit_id(n);

    memset(line, 0, sizeof *line);
    line->source_line = line_of(n);
    if (copy_text(id, line->line_id, sizeof line->line_id, err) != 0)
        return -1;
    if (line->line_id[0] == '\0')
        return fail_at(err, id != NULL ? id : n, ERR_INVALID, "ID",
                       "each despatch line needs an id");
    if (copy_text(rma, line->rma_number, sizeof line->rma_number, err) != 0)
        return -1;
    if (line->rma_number[0] == '\0' &&
        copy_text(doc_rma, line->rma_number, sizeof line->rma_number, err) != 0)
        return -1;
    if (line->rma_number[0] == '\0')
        return fail_at(err, n, ERR_INVALID, "OrderReference",
                       "each despatch line needs an rma number");
    if (copy_text(find_path(n, "cac:Item/cac:ItemInstance/cbc:SerialID"), line->serial_number,
                  sizeof line->serial_number, err) != 0 ||
        copy_text(sscc != NULL ? sscc : doc_sscc, line->sscc, sizeof line->sscc, err) != 0 ||
        parse_quantity(find_path(n, "cbc:DeliveredQuantity"), &line->quantity, err) != 0)
        return -1;
    snprintf(line->carrier, sizeof line->carrier, "%s", doc_carrier);
    snprintf(line->carrier_tracking, sizeof line->carrier_tracking, "%s", doc_tracking);
    return consignment_carrier(n, line_no, line->carrier, line->carrier_tracking, err);
}

static int extract(const xmlNode *root, struct arena *arena, struct despatch_advice *out,
                   struct err *err)
{
    const xmlNode *id = find_path(root, "cbc:ID");
    /* With several order references a line without its own names no single RMA. */
    const xmlNode *doc_rma = count_children(root, XML_NS_CAC, "OrderReference") == 1 ?
                                 find_path(root, "cac:OrderReference/cbc:ID") :
                                 NULL;
    const xmlNode *doc_sscc = sole_handling_unit_id(root);
    size_t n_lines = count_children(root, XML_NS_CAC, "DespatchLine");
    char carrier[DOC_ID_MAX] = "", tracking[DOC_ID_MAX] = "";

    if (copy_text(id, out->id, sizeof out->id, err) != 0)
        return -1;
    if (out->id[0] == '\0')
        return fail_at(err, id != NULL ? id : root, ERR_INVALID, "ID",
                       "the despatch advice needs an id");
    if (copy_date(find_path(root, "cbc:IssueDate"), out->issue_date, sizeof out->issue_date, err) !=
            0 ||
        copy_text(find_path(root, "cac:DespatchSupplierParty/cac:Party/cac:PartyName/cbc:Name"),
                  out->sender_name, sizeof out->sender_name, err) != 0)
        return -1;
    if (consignment_carrier(root, 0, carrier, tracking, err) != 0)
        return -1;
    if (n_lines == 0)
        return fail_at(err, root, ERR_INVALID, "DespatchLine",
                       "the despatch advice needs at least one line");
    if (n_lines > XML_DESPATCH_LINES_MAX)
        return fail_at(err, root, ERR_TOO_LARGE, "DespatchLine", "at most %d lines",
                       XML_DESPATCH_LINES_MAX);
    out->lines = arena_alloc(arena, n_lines * sizeof *out->lines);
    for (const xmlNode *c = root->children; c != NULL; c = c->next) {
        if (!is_elem(c, XML_NS_CAC, "DespatchLine"))
            continue;
        if (extract_line(c, (int)out->n_lines + 1, doc_rma, doc_sscc, carrier, tracking,
                         &out->lines[out->n_lines], err) != 0)
            return -1;
        out->n_lines++;
    }
    return 0;
}

static int validate(xmlDocPtr doc, struct err *err)
{
    struct schema_state st = {0};
    xmlSchemaValidCtxtPtr vctxt;
    int rc;

    if (despatch_schema == NULL)
        return 0;
    vctxt = xmlSchemaNewValidCtxt(despatch_schema);
    if (vctxt == NULL)
        return err_set(err, ERR_INTERNAL, NULL, "cannot start schema validation");
    xmlSchemaSetValidStructuredErrors(vctxt, schema_error, &st);
    rc = xmlSchemaValidateDoc(vctxt, doc);
    xmlSchemaFreeValidCtxt(vctxt);
    if (rc < 0)
        return err_set(err, ERR_INTERNAL, NULL, "schema validation failed to run");
    if (rc == 0)
        return 0;
    err_set(err, ERR_INVALID, st.element[0] != '\0' ? st.element : "document",
            "does not match the despatch advice schema");
    err_set_line(err, st.line > 0 ? st.line : 0);
    return -1;
}

int xml_parse_despatch_advice(const char *body, size_t len, struct arena *arena,
                              struct despatch_advice *out, struct err *err)
{
    struct parse_state st = {0};
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;
    const xmlNode *root;
    bool malformed;
    int rc;

    memset(out, 0, sizeof *out);
    if (len > XML_BODY_MAX)
        return err_set(err, ERR_TOO_LARGE, "body", "must be at most %u bytes", XML_BODY_MAX);
    if (body == NULL || len == 0) {
        err_set(err, ERR_BAD_REQUEST, "document", "is not well-formed xml");
        err_set_line(err, 1);
        return -1;
    }
    if (xml_prescan(body, len, err) != 0)
        return -1;
    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL)
        return err_set(err, ERR_INTERNAL, NULL, "cannot start the xml parser");
    ctxt->_private = &st;
    ctxt->sax->serror = parse_error;
    ctxt->sax->internalSubset = saw_doctype;
    doc = xmlCtxtReadMemory(ctxt, body, (int)len, NULL, NULL, PARSE_OPTIONS);
    malformed = doc == NULL || st.failed || !ctxt->wellFormed || !ctxt->nsWellFormed;
    if (malformed && st.error_line <= 0) {
        const xmlError *last = xmlCtxtGetLastError(ctxt);
        st.error_line = last != NULL ? last->line : 0;
    }
    xmlFreeParserCtxt(ctxt);

    if (st.doctype || (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL))) {
        err_set(err, ERR_BAD_REQUEST, "doctype", "documents with a doctype are refused");
        err_set_line(err, st.doctype_line);
        rc = -1;
    } else if (malformed) {
        err_set(err, ERR_BAD_REQUEST, "document", "is not well-formed xml");
        err_set_line(err, st.error_line);
        rc = -1;
    } else if ((root = xmlDocGetRootElement(doc)) == NULL ||
               !is_elem(root, XML_NS_DESPATCH_ADVICE, "DespatchAdvice")) {
        rc = fail_at(err, root, ERR_INVALID, "document", "must be a ubl despatch advice");
    } else {
        rc = validate(doc, err) != 0 || extract(root, arena, out, err) != 0 ? -1 : 0;
    }
    if (doc != NULL)
        xmlFreeDoc(doc);
    if (rc != 0) {
        out->lines = NULL;
        out->n_lines = 0;
    }
    return rc;
}

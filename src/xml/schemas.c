/*
 * schemas: our XSDs, embedded in the binary (src/xml/schemas/, embed_schemas.cmake) and compiled
 * once at start-up from memory with xmlSchemaNewMemParserCtxt().
 *
 * What must stay true:
 *   - while compiling, the only entity loader is serve_embedded(): an xs:import or xs:include
 *     gets the embedded file of the same name, anything else gets nothing (no file, no network);
 *     the loader that was installed before is put back afterwards, and xml_init() then installs
 *     the deny-all loader for the rest of the process;
 *   - the compiled schemas are written only here and in xml_schemas_free(), before threads start
 *     and after they stop; validation uses a context per call;
 *   - libxml2's message text never reaches struct err (it can quote the document).
 */
#include "xml/schemas.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "schemas_files.h"
#include "xml_int.h"

/* File names of the schemas, from XML_SCHEMA_TABLE (include/xml/schemas.h). */
#define XML_SCHEMA_FILE(name, file) [name] = file,
static const char *const schema_files[XML_SCHEMA__COUNT] = {XML_SCHEMA_TABLE(XML_SCHEMA_FILE)};
#undef XML_SCHEMA_FILE

static xmlSchemaPtr compiled[XML_SCHEMA__COUNT];

/* The first error a validation reported. */
struct first_error {
    bool failed;
    int line;
    char element[48];
};

static const struct xml_embedded_file *embedded(const char *url)
{
    const char *base;

    if (url == NULL)
        return NULL;
    base = strrchr(url, '/');
    base = base != NULL ? base + 1 : url;
    for (size_t i = 0; i < rmad_xsd_files_count; i++)
        if (strcmp(rmad_xsd_files[i].name, base) == 0)
            return &rmad_xsd_files[i];
    return NULL;
}

/* Serves the embedded schema files, and nothing else, while the schemas compile. */
static xmlParserInputPtr serve_embedded(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    const struct xml_embedded_file *f = embedded(url);
    xmlParserInputPtr in;

    (void)id;
    if (f == NULL)
        return NULL;
    in = xmlNewStringInputStream(ctxt, (const xmlChar *)f->data);
    if (in != NULL && in->filename == NULL)
        in->filename = (const char *)xmlCharStrdup(f->name);
    return in;
}

/* Compilation messages quote only our own files; they are dropped, the caller names the file. */
static void ignore_error(void *data, xmlErrorPtr e)
{
    (void)data;
    (void)e;
}

static xmlSchemaPtr compile(const struct xml_embedded_file *f)
{
    xmlSchemaParserCtxtPtr pctxt;
    xmlSchemaPtr s;

    if (f->len > INT32_MAX)
        return NULL;
    pctxt = xmlSchemaNewMemParserCtxt((const char *)f->data, (int)f->len);
    if (pctxt == NULL)
        return NULL;
    xmlSchemaSetParserStructuredErrors(pctxt, ignore_error, NULL);
    s = xmlSchemaParse(pctxt);
    xmlSchemaFreeParserCtxt(pctxt);
    return s;
}

void xml_schemas_free(void)
{
    for (size_t i = 0; i < XML_SCHEMA__COUNT; i++) {
        if (compiled[i] != NULL)
            xmlSchemaFree(compiled[i]);
        compiled[i] = NULL;
    }
}

int xml_schemas_init(struct err *err)
{
    xmlExternalEntityLoader before = xmlGetExternalEntityLoader();
    int rc = 0;

    xmlInitParser();
    xml_schemas_free();
    xmlSetExternalEntityLoader(serve_embedded);
    /* reading the imported files reports through this thread's handler, not the context's */
    xmlSetStructuredErrorFunc(NULL, ignore_error);
    for (size_t i = 0; i < XML_SCHEMA__COUNT; i++) {
        const struct xml_embedded_file *f = embedded(schema_files[i]);

        compiled[i] = f != NULL ? compile(f) : NULL;
        if (compiled[i] == NULL && rc == 0)
            rc = err_set(err, ERR_INTERNAL, "schema", "%s does not compile", schema_files[i]);
    }
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlSetExternalEntityLoader(before);
    return rc;
}

const xmlSchema *xml_schema_get(enum xml_schema which)
{
    return (size_t)which < XML_SCHEMA__COUNT ? compiled[which] : NULL;
}

const char *xml_schema_file(enum xml_schema which)
{
    return (size_t)which < XML_SCHEMA__COUNT ? schema_files[which] : "unknown";
}

static void first_error(void *data, xmlErrorPtr e)
{
    struct first_error *st = data;
    const xmlNode *n;

    if (e == NULL || e->level < XML_ERR_ERROR || st->failed)
        return;
    st->failed = true;
    st->line = e->line > 0 ? e->line : 0;
    n = e->node;
    if (n != NULL && n->type == XML_ELEMENT_NODE && n->name != NULL) {
        xml_copy_name(st->element, sizeof st->element, (const char *)n->name);
        if (st->line == 0) {
            long l = xmlGetLineNo(n);
            st->line = l > 0 && l <= INT32_MAX ? (int)l : 0;
        }
    }
}

int xml_schema_validate_doc(enum xml_schema which, xmlDocPtr doc, struct err *err)
{
    struct first_error st = {0};
    xmlSchemaValidCtxtPtr vctxt;
    xmlSchemaPtr s = (size_t)which < XML_SCHEMA__COUNT ? compiled[which] : NULL;
    int rc;

    if (s == NULL)
        return err_set(err, ERR_INTERNAL, "schema", "%s is not compiled", xml_schema_file(which));
    if (doc == NULL)
        return err_set(err, ERR_INTERNAL, "document", "no document to validate");
    vctxt = xmlSchemaNewValidCtxt(s);
    if (vctxt == NULL)
        return err_set(err, ERR_INTERNAL, "schema", "cannot start schema validation");
    xmlSchemaSetValidStructuredErrors(vctxt, first_error, &st);
    rc = xmlSchemaValidateDoc(vctxt, doc);
    xmlSchemaFreeValidCtxt(vctxt);
    if (rc < 0)
        return err_set(err, ERR_INTERNAL, "schema", "schema validation failed to run");
    if (rc == 0)
        return 0;
    err_set(err, ERR_INVALID, st.element[0] != '\0' ? st.element : "document", "does not match %s",
            xml_schema_file(which));
    err_set_line(err, st.line);
    return -1;
}

int xml_schema_validate_memory(enum xml_schema which, const char *buf, size_t len, struct err *err)
{
    xmlDocPtr doc;
    int rc;

    if (buf == NULL || len == 0 || len > INT32_MAX)
        return err_set(err, ERR_INTERNAL, "document", "malformed xml");
    doc = xmlReadMemory(buf, (int)len, NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL)
        return err_set(err, ERR_INTERNAL, "document", "malformed xml");
    if (doc->intSubset != NULL || doc->extSubset != NULL) {
        xmlFreeDoc(doc);
        return err_set(err, ERR_INTERNAL, "doctype", "documents with a doctype are refused");
    }
    rc = xml_schema_validate_doc(which, doc, err);
    xmlFreeDoc(doc);
    return rc;
}

int xml_schema_reader_attach(enum xml_schema which, xmlTextReaderPtr reader, struct err *err)
{
    xmlSchemaPtr s = (size_t)which < XML_SCHEMA__COUNT ? compiled[which] : NULL;

    if (s == NULL)
        return err_set(err, ERR_INTERNAL, "schema", "%s is not compiled", xml_schema_file(which));
    if (reader == NULL || xmlTextReaderSetSchema(reader, s) != 0)
        return err_set(err, ERR_INTERNAL, "schema", "cannot attach %s to the reader",
                       xml_schema_file(which));
    return 0;
}

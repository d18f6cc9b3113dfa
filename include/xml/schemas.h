/*
 * xml/schemas: OUR XSDs (src/xml/schemas/), compiled into the binary and compiled once at
 * start-up from memory; every document rmad emits is validated against its schema before it is
 * sent, and inbound readers may validate against them too (DOM or xmlTextReader).
 *
 *   rmad-manifest-1.xsd               our carrier pickup manifest, format 1 (namespace
 *                                     urn:rmad:xml:pickup-manifest:1, minor in @version)
 *   rmad-ubl-DespatchAdvice-2.1.xsd   our profiles of UBL 2.1 documents (UBL namespaces,
 *   rmad-ubl-ReceiptAdvice-2.1.xsd    stricter than UBL where rmad needs fields)
 *   rmad-ubl-cac-2.1.xsd              the cac and cbc elements the profiles use (shared; a new
 *   rmad-ubl-cbc-2.1.xsd              profile adds what it needs there)
 *
 * Adding a schema: put the file in src/xml/schemas/ (CMake embeds every *.xsd found there) and
 * add its row to XML_SCHEMA_TABLE below: one line.
 *
 * While the schemas compile, an entity loader serves xs:import / xs:include from the embedded
 * files only (matched by file name; anything else is refused); xml_init() installs the deny-all
 * loader right after.  The compiled schemas are read-only and shared by all threads; each call
 * below uses its own validation context.  libxml2's messages (they may quote the document) are
 * dropped: err carries the first offending element's local name and its line only.
 */
#ifndef XML_SCHEMAS_H
#define XML_SCHEMAS_H

#include <stddef.h>

#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#include "core/err.h"
#include "core/manifest.h"

/*
 * The table of our schemas: one row per schema, X(enum value, file in src/xml/schemas/).
 * Registering a schema is one more row here (CMake embeds every *.xsd of the directory).
 */
#define XML_SCHEMA_TABLE(X)                                                                        \
    X(XML_SCHEMA_MANIFEST, "rmad-manifest-1.xsd")                                                  \
    X(XML_SCHEMA_DESPATCH_ADVICE, "rmad-ubl-DespatchAdvice-2.1.xsd")                               \
    X(XML_SCHEMA_RECEIPT_ADVICE, "rmad-ubl-ReceiptAdvice-2.1.xsd")                                 \
    X(XML_SCHEMA_TRANSPORTATION_STATUS, "rmad-ubl-transportation-status.xsd") /* tracking */

#define XML_SCHEMA_ENUM(name, file) name,
enum xml_schema { XML_SCHEMA_TABLE(XML_SCHEMA_ENUM) XML_SCHEMA__COUNT };
#undef XML_SCHEMA_ENUM

/* Namespace of the pickup manifest, format 1, and the minor version rmad writes. */
#define XML_NS_MANIFEST MANIFEST_NAMESPACE
#define XML_MANIFEST_VERSION MANIFEST_FORMAT_VERSION

/*
 * Compiles every schema of the table from the embedded files.  Called by xml_init() before it
 * installs the deny-all entity loader (call it yourself only in tests, then install nothing:
 * xml_init() does both).  Calling it again recompiles.  Returns 0, or -1 with ERR_INTERNAL
 * naming the file that did not compile (the schemas compiled so far stay usable).
 */
int xml_schemas_init(struct err *err);

/* Frees the compiled schemas.  No thread may be using them. */
void xml_schemas_free(void);

/* The compiled schema, or NULL before xml_schemas_init() (or when it failed).  Read-only. */
const xmlSchema *xml_schema_get(enum xml_schema which);

/* The schema's file name in src/xml/schemas/ ("rmad-manifest-1.xsd"). */
const char *xml_schema_file(enum xml_schema which);

/*
 * Validates doc against schema `which`.  Returns 0 when valid; -1 with ERR_INVALID (field: the
 * local name of the first offending element, or "document"; err->line its input line, 0 for a
 * document built in memory) when not; -1 with ERR_INTERNAL when the schema is not compiled or
 * validation cannot run.  Thread-safe.
 */
int xml_schema_validate_doc(enum xml_schema which, xmlDocPtr doc, struct err *err);

/*
 * Parses buf[len] (our own output: no DOCTYPE, no entities, no network) and validates it as
 * above; ERR_INTERNAL "malformed xml" when it does not parse.  For emitted documents: a failure
 * is our bug (the caller answers 500 and logs it).  Thread-safe.
 */
int xml_schema_validate_memory(enum xml_schema which, const char *buf, size_t len, struct err *err);

/*
 * Streaming: attaches schema `which` to reader (xmlTextReaderSetSchema) before the first
 * xmlTextReaderRead(), so the reader validates as it goes; check xmlTextReaderIsValid() (or the
 * reader's structured errors) at the end.  Returns 0, or -1 with ERR_INTERNAL when the schema
 * is not compiled or the reader refuses it (already reading).  The schema stays owned here.
 */
int xml_schema_reader_attach(enum xml_schema which, xmlTextReaderPtr reader, struct err *err);

#endif

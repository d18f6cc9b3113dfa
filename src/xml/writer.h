/*
 * writer: what the documents rmad writes (manifest.c, receipt.c, tracking.c) share: a libxml2
 * text writer into memory that remembers whether any call failed, so a document is checked once
 * at the end.  Used inside src/xml only.
 */
#ifndef XML_WRITER_H
#define XML_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/xmlwriter.h>

#include "core/err.h"

struct writer {
    xmlTextWriterPtr w;
    bool failed;
};

/* Notes a libxml2 writer call's result (negative: failed). */
void writer_note(struct writer *wr, int rc);
void writer_start(struct writer *wr, const char *name);
void writer_end(struct writer *wr);
/* <name>value</name>, value escaped as text, with U+FFFD for what XML cannot carry (invalid
 * UTF-8, controls, noncharacters); nothing when value is NULL or empty. */
void writer_text(struct writer *wr, const char *name, const char *value);
/* <name unitCode="C62">q</name> */
void writer_quantity(struct writer *wr, const char *name, int64_t q);

/* Starts an indented UTF-8 document in memory (*buf); 0, or -1 with err ("cannot write the
 * <what>"). */
int writer_open(struct writer *wr, xmlBufferPtr *buf, const char *what, struct err *err);
/* Ends the document and frees the writer and buf; 0 with the bytes in *out (malloc'd,
 * NUL-terminated, *len without the NUL), or -1 with err when any call failed. */
int writer_close(struct writer *wr, xmlBufferPtr buf, const char *what, char **out, size_t *len,
                 struct err *err);

#endif

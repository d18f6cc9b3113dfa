/* writer: the in-memory XML writer the emitted documents share. */
#include "writer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/xalloc.h"

void writer_note(struct writer *wr, int rc)
{
    if (rc < 0)
        wr->failed = true;
}

void writer_start(struct writer *wr, const char *name)
{
    writer_note(wr, xmlTextWriterStartElement(wr->w, BAD_CAST name));
}

void writer_end(struct writer *wr)
{
    writer_note(wr, xmlTextWriterEndElement(wr->w));
}

void writer_text(struct writer *wr, const char *name, const char *value)
{
    if (value != NULL && value[0] != '\0') {
        /* stored text XML cannot carry (a noncharacter stored before intake refused it) becomes
         * U+FFFD: an output never fails on what was accepted once */
        char *v = utf8_scrub(value, true);
        writer_note(wr, xmlTextWriterWriteElement(wr->w, BAD_CAST name, BAD_CAST v));
        free(v);
    }
}

void writer_quantity(struct writer *wr, const char *name, int64_t q)
{
    char num[32];

    snprintf(num, sizeof num, "%" PRId64, q);
    writer_start(wr, name);
    writer_note(wr, xmlTextWriterWriteAttribute(wr->w, BAD_CAST "unitCode", BAD_CAST "C62"));
    writer_note(wr, xmlTextWriterWriteString(wr->w, BAD_CAST num));
    writer_end(wr);
}

int writer_open(struct writer *wr, xmlBufferPtr *buf, const char *what, struct err *err)
{
    *buf = xmlBufferCreate();
    if (*buf == NULL)
        return err_set(err, ERR_INTERNAL, NULL, "cannot write the %s", what);
    wr->w = xmlNewTextWriterMemory(*buf, 0);
    if (wr->w == NULL) {
        xmlBufferFree(*buf);
        return err_set(err, ERR_INTERNAL, NULL, "cannot write the %s", what);
    }
    writer_note(wr, xmlTextWriterSetIndent(wr->w, 1));
    writer_note(wr, xmlTextWriterSetIndentString(wr->w, BAD_CAST "  "));
    writer_note(wr, xmlTextWriterStartDocument(wr->w, NULL, "UTF-8", NULL));
    return 0;
}

int writer_close(struct writer *wr, xmlBufferPtr buf, const char *what, char **out, size_t *len,
                 struct err *err)
{
    size_t n;

    writer_note(wr, xmlTextWriterEndDocument(wr->w));
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

/*
 * template: the label templates of labels/<name>.label, parsed once, private to src/label/.
 *
 * A template is a list of elements, one a line (labels/return.label documents the format), with
 * every box in printer dots at 203 dpi.  The four templates are compiled into the binary
 * (CMake embeds labels/<name>.label), so a deployed rmad needs no template files.  The parser is
 * strict: an unknown kind, option or field, a missing number or a box outside the label is an
 * error naming the line.
 */
#ifndef LABEL_TEMPLATE_H
#define LABEL_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/label.h"

#define TPL_ELEMS_MAX 48
#define TPL_LITERAL_MAX 64

enum tpl_kind {
    TPL_TEXT,
    TPL_RULE,
    TPL_FRAME,
    TPL_QR,
    TPL_CODE128,
    TPL_GS1_128,
    TPL_MARKS,
    TPL_FLAGNOTE,
};

/* The content a text or barcode element shows (core/label.h fields, some formatted). */
enum tpl_field {
    TF_NONE, /* a literal */
    TF_FROM_NAME,
    TF_FROM_STREET,
    TF_FROM_CITY, /* postcode and city */
    TF_FROM_COUNTRY,
    TF_TO_NAME,
    TF_TO_STREET,
    TF_TO_CITY,
    TF_TO_COUNTRY,
    TF_RMA_NUMBER,
    TF_PARCEL, /* "PARCEL n OF m" */
    TF_CARRIER,
    TF_QR_PAYLOAD,
    TF_TOKEN,
    TF_TRACKING_NUMBER,
    TF_TRACKING_HRI, /* "TRACKING <carrier> <number>" */
    TF_SSCC,
    TF_SSCC_HRI, /* "SSCC (00) 0 0614141 123456789 0" */
    TF_CORE_DUE_DATE,
    TF_CORE_INSTRUCTIONS,
    TF_CORE_NOTE,
    TF_LINE, /* "LINE n" */
    TF_SERIAL_NUMBER,
    TF_PRODUCT_MODEL,
    TF_HEADING, /* unexpected arrival: "UNEXPECTED ARRIVAL" */
    TF_STATION, /* "STATION <name>" */
};

struct tpl_elem {
    enum tpl_kind kind;
    int line; /* in the template file */
    int x, y, w, h;
    int t;     /* frame thickness; marks: step */
    int size;  /* text: font height */
    int lines; /* text: lines (wrap); marks: most marks */
    bool bold, mono, fit;
    enum tpl_field field; /* what it shows */
    enum tpl_field when;  /* left out when this field is empty (TF_NONE: always) */
    char literal[TPL_LITERAL_MAX];
};

struct label_template {
    char name[16];
    char title[TPL_LITERAL_MAX];
    int width, height; /* dots at 203 dpi */
    int n;
    struct tpl_elem elems[TPL_ELEMS_MAX];
};

/* Parses text (len bytes) into t.  Returns 0, or -1 with ERR_INVALID and err->line set. */
int template_parse(const char *name, const char *text, size_t len, struct label_template *t,
                   struct err *err);

/*
 * The embedded template of kind, parsed at the first call (thread-safe).  Returns NULL with
 * ERR_INTERNAL when an embedded template does not parse (a build that tests/unit catches).
 */
const struct label_template *template_for(enum label_kind kind, struct err *err);

/* The embedded source text of a template by name ("return", "outbound", "spare", "tag"). */
const char *template_source(const char *name, size_t *len);

#endif

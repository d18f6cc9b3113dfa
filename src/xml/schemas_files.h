/* schemas_files: the XSDs of src/xml/schemas/ compiled into the binary (embed_schemas.cmake). */
#ifndef XML_SCHEMAS_FILES_H
#define XML_SCHEMAS_FILES_H

#include <stddef.h>

struct xml_embedded_file {
    const char *name;          /* file name, e.g. "rmad-manifest-1.xsd" */
    const unsigned char *data; /* the bytes, NUL-terminated */
    size_t len;                /* without the NUL */
};

extern const struct xml_embedded_file rmad_xsd_files[];
extern const size_t rmad_xsd_files_count;

#endif

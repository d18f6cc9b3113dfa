/* xml_int: what the files of src/xml share and nothing else uses. */
#ifndef XML_XML_INT_H
#define XML_XML_INT_H

#include <stddef.h>

/* Copies at most n - 1 bytes of s into dst without cutting a UTF-8 sequence (xml.c). */
void xml_copy_name(char *dst, size_t n, const char *s);

#endif

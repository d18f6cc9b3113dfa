/* json_in: typed reads of request JSON that name the field at fault. */
#ifndef HTTP_JSON_IN_H
#define HTTP_JSON_IN_H

#include <jansson.h>
#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"

/* The string at obj[name] (NULL when absent or null and not required).  path names the field in
 * errors ("contact.email").  Strings are trimmed; an empty one counts as absent. */
const char *json_in_string(struct arena *a, json_t *obj, const char *name, const char *path,
                           bool required, struct err *err);
/* The same string checked as free text (intake_check_text: valid UTF-8 without control
 * characters, at most max bytes); NULL with err when the check fails.  A text of invisible
 * characters only is missing: an error when required or refuse_blank, else kept. */
const char *json_in_text(struct arena *a, json_t *obj, const char *name, const char *path,
                         size_t max, bool required, bool refuse_blank, struct err *err);
/* The object at obj[name]; NULL with err when missing (if required) or not an object. */
json_t *json_in_object(json_t *obj, const char *name, const char *path, bool required,
                       struct err *err);

/* Upper-cases s in place (serial numbers, country codes are compared in upper case); NULL stays
 * NULL.  Returns s. */
char *json_in_upper(char *s);

#endif

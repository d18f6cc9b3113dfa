/* json_in: typed reads of request JSON. */
#include "json_in.h"

#include <ctype.h>
#include <string.h>

#include "core/intake.h"

const char *json_in_string(struct arena *a, json_t *obj, const char *name, const char *path,
                           bool required, struct err *err)
{
    json_t *v = json_object_get(obj, name);

    if (v == NULL || json_is_null(v)) {
        if (required)
            err_set(err, ERR_INVALID, path, "is required");
        return NULL;
    }
    if (!json_is_string(v)) {
        err_set(err, ERR_INVALID, path, "must be a string");
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (memchr(s, '\0', n) != NULL) {
        err_set(err, ERR_INVALID, path, "must not contain nul characters");
        return NULL;
    }
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0) {
        if (required)
            err_set(err, ERR_INVALID, path, "is required");
        return NULL;
    }
    return arena_strndup(a, s, n);
}

const char *json_in_text(struct arena *a, json_t *obj, const char *name, const char *path,
                         size_t max, bool required, bool refuse_blank, struct err *err)
{
    const char *s = json_in_string(a, obj, name, path, required, err);
    if (s != NULL && intake_check_text(s, max, required || refuse_blank, path, err) != 0)
        return NULL;
    return s;
}

json_t *json_in_object(json_t *obj, const char *name, const char *path, bool required,
                       struct err *err)
{
    json_t *v = json_object_get(obj, name);

    if (v == NULL || json_is_null(v)) {
        if (required)
            err_set(err, ERR_INVALID, path, "is required");
        return NULL;
    }
    if (!json_is_object(v)) {
        err_set(err, ERR_INVALID, path, "must be an object");
        return NULL;
    }
    return v;
}

char *json_in_upper(char *s)
{
    for (char *p = s; p != NULL && *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return s;
}

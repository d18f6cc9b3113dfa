/* routes_cases: intake of a service case (POST /api/v1/cases). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/intake.h"
#include "db/tzcache.h"
#include "json_in.h"
#include "request.h"

/* Every key and string inside a configuration object obeys the rules of customer text. */
static int check_config_value(json_t *v, const char *path, int depth, struct err *err)
{
    const char *key;
    json_t *item;
    size_t i;
    char sub[64];

    if (depth > 8)
        return err_set(err, ERR_INVALID, path, "is nested too deeply");
    if (json_is_string(v))
        return intake_check_text(json_string_value(v), INTAKE_TEXT_MAX, false, path, err);
    if (json_is_object(v)) {
        json_object_foreach(v, key, item)
        {
            snprintf(sub, sizeof sub, "%s.%.40s", path, key);
            if (intake_check_text(key, 200, true, path, err) ||
                check_config_value(item, sub, depth + 1, err))
                return -1;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item)
        {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (check_config_value(item, sub, depth + 1, err))
                return -1;
        }
    }
    return 0;
}

/* configuration: an object (hardware/software configuration) or free text; "" is none. */
static char *read_configuration(struct request *req, json_t *body, struct err *err)
{
    json_t *v = json_object_get(body, "configuration");

    if (v == NULL || json_is_null(v))
        return NULL;
    if (json_is_string(v)) {
        const char *text = json_string_value(v);
        if (intake_check_text(text, INTAKE_TEXT_MAX, false, "configuration", err))
            return NULL;
        bool empty = true;
        for (const char *c = text; *c; c++)
            if (!isspace((unsigned char)*c))
                empty = false;
        if (empty)
            return NULL;
    } else if (json_is_object(v)) {
        if (check_config_value(v, "configuration", 0, err))
            return NULL;
    } else {
        err_set(err, ERR_INVALID, "configuration", "must be an object or a string");
        return NULL;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text == NULL || strlen(text) > 16384) {
        free(text);
        err_set(err, ERR_INVALID, "configuration", "is too large");
        return NULL;
    }
    char *copy = arena_strdup(&req->arena, text);
    free(text);
    return copy;
}

/* error_messages: a list of strings (one string is taken as a list of one). */
static char *read_error_messages(struct request *req, json_t *body, struct err *err)
{
    json_t *v = json_object_get(body, "error_messages");
    json_t *list;
    size_t i;
    json_t *item;

    if (v == NULL || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        list = json_pack("[O]", v);
    else if (json_is_array(v))
        list = json_incref(v);
    else {
        err_set(err, ERR_INVALID, "error_messages", "must be a list of strings");
        return NULL;
    }
    if (json_array_size(list) > 50)
        err_set(err, ERR_INVALID, "error_messages", "must have at most 50 entries");
    json_array_foreach(list, i, item)
    {
        char field[48];
        snprintf(field, sizeof field, "error_messages[%zu]", i);
        if (!json_is_string(item))
            err_set(err, ERR_INVALID, field, "must be a string");
        else
            intake_check_text(json_string_value(item), 1000, true, field, err);
    }
    char *text = err_is_set(err) ? NULL : json_dumps(list, JSON_COMPACT);
    json_decref(list);
    char *copy = text ? arena_strdup(&req->arena, text) : NULL;
    free(text);
    return copy;
}

/* POST /api/v1/cases  body: the intake of ../shared/DESIGN.md; 201 {"case_number": ...} */
int route_cases_create(struct request *req)
{
    struct err err = {0};
    struct intake in = {0};
    struct arena *a = &req->arena;
    json_t *body = request_json(req, &err);

    if (body == NULL)
        return reply_error(req, &err);
    in.channel = json_in_string(a, body, "channel", "channel", true, &err);
    in.product_model = json_in_string(a, body, "product_model", "product_model", true, &err);
    in.serial_number = json_in_upper(
        (char *)json_in_string(a, body, "serial_number", "serial_number", true, &err));
    in.fault_description =
        json_in_string(a, body, "fault_description", "fault_description", true, &err);
    char *configuration = read_configuration(req, body, &err);
    char *error_messages = read_error_messages(req, body, &err);
    json_t *contact = json_in_object(body, "contact", "contact", true, &err);
    if (contact != NULL) {
        in.contact.name = json_in_string(a, contact, "name", "contact.name", true, &err);
        in.contact.phone = json_in_string(a, contact, "phone", "contact.phone", false, &err);
        in.contact.email = json_in_string(a, contact, "email", "contact.email", false, &err);
    }
    json_t *addr = json_in_object(body, "service_address", "service_address", true, &err);
    if (addr != NULL) {
        struct address *sa = &in.service_address;
        sa->name = json_in_string(a, addr, "name", "service_address.name", true, &err);
        sa->street = json_in_string(a, addr, "street", "service_address.street", true, &err);
        sa->city = json_in_string(a, addr, "city", "service_address.city", true, &err);
        sa->postcode = json_in_string(a, addr, "postcode", "service_address.postcode", true, &err);
        sa->country = json_in_upper(
            (char *)json_in_string(a, addr, "country", "service_address.country", true, &err));
        /* zones and holidays (issue 3): the zone must be one rmad can load */
        in.zone = json_in_string(a, addr, "zone", "service_address.zone", false, &err);
        in.region = json_in_upper(
            (char *)json_in_string(a, addr, "region", "service_address.region", false, &err));
    }
    json_decref(body);
    if (err_is_set(&err) || intake_validate(&in, &err) != 0 || intake_resolve_zone(&in, &err) != 0)
        return reply_error(req, &err);
    if (db_tz_get(in.zone, &err) == NULL) {
        err_clear(&err);
        err_set(&err, ERR_INVALID, "service_address.zone", "unknown time zone");
        return reply_error(req, &err);
    }
    if (db_tz_check_address(in.zone, in.service_address.country, in.region, &err) != 0)
        return reply_error(req, &err);

    char *case_number = NULL;
    enum db_result r = db_case_create(req->db, &in, configuration, error_messages, &req->who,
                                      &req->arena, &case_number, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    return reply_json(req, 201,
                      json_pack("{s:s, s:s, s:s}", "case_number", case_number, "status", "new",
                                "channel", in.channel));
}

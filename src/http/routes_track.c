/*
 * routes_track: public tracking by RMA number plus the postcode of the return address
 * (GET /api/v1/track/{rma}?postcode=...).  No token; no personal data in the answer.  An unknown
 * RMA, a malformed one and a wrong postcode give the same 404.  Rate limited per client.
 */
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "core/address.h"
#include "core/rmanum.h"
#include "request.h"

/* What happens next for status; type decides whose unit goes out (the customer's own, or a
 * replacement: advance_replacement, exchange, replacement_no_return). */
static const char *next_step(const char *type, const char *status)
{
    static const struct {
        const char *status;
        const char *next;
    } spare_steps[] = {
        {"ready_to_ship", "Your replacement is being packed for shipping."},
        {"shipped", "Your replacement is on its way to you."},
    };
    bool spare = type != NULL &&
                 (strcmp(type, "advance_replacement") == 0 || strcmp(type, "exchange") == 0 ||
                  strcmp(type, "replacement_no_return") == 0);
    for (size_t i = 0; spare && i < sizeof spare_steps / sizeof spare_steps[0]; i++)
        if (strcmp(spare_steps[i].status, status) == 0)
            return spare_steps[i].next;
    static const struct {
        const char *status;
        const char *next;
    } steps[] = {
        {"not_authorized", "Your request is being reviewed. We will contact you."},
        {"awaiting_return", "Pack the unit, attach the return label and hand it to the carrier."},
        {"in_transit", "Your unit is on its way to our depot."},
        {"partially_received", "Part of your return has arrived; we are waiting for the rest."},
        {"on_hold", "We received a unit that needs a check. We will contact you."},
        {"received", "We received your unit. It will be inspected next."},
        {"in_repair", "Your unit is being repaired."},
        {"ready_to_ship", "Your unit is being packed for shipping."},
        {"shipped", "Your unit is on its way back to you."},
        {"awaiting_settlement", "Your return is waiting for a payment to be settled."},
        {"awaiting_certificate",
         "We are waiting for the certificate that your drive was destroyed."},
        {"complete", "Your return is complete."},
        {"closed", "This return is closed."},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (strcmp(steps[i].status, status) == 0)
            return steps[i].next;
    return "";
}

/* GET /api/v1/track/{rma}?postcode= */
int route_track_get(struct request *req)
{
    struct err err = {0};
    struct timespec ts;
    char num[RMANUM_LEN + 1];
    char postcode[32];
    const struct sockaddr *addr =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS)->client_addr;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    if (!ratelimit_allow(addr, req->cfg->track_rate_per_min,
                         (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000)) {
        err_set(&err, ERR_RATE_LIMITED, NULL, "too many tracking requests: try again in a minute");
        reply_error(req, &err);
        req->extra_header = "Retry-After";
        req->extra_value = "60";
        return 0;
    }
    const char *pc = request_query(req, "postcode");
    if (pc == NULL || pc[0] == '\0' || strlen(pc) > 16)
        return err_set(&err, ERR_INVALID, "postcode",
                       "the postcode of the return address is required"),
               reply_error(req, &err);
    address_postcode_normalize(pc, postcode, sizeof postcode);
    struct err perr = {0};
    bool well_formed = rmanum_parse(req->params[0], "rma_number", num, &perr) == 0;
    if (request_db(req, &err) == NULL)
        return reply_error(req, &err);
    json_t *view = NULL;
    /* a malformed number runs the same query, so that timing does not tell the cases apart */
    enum db_result r =
        db_track_view(req->db, well_formed ? num : "R000000000", postcode, &view, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
        err_clear(&err);
        err_set(&err, ERR_NOT_FOUND, NULL, "no return matches this rma number and postcode");
        return reply_error(req, &err);
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    json_object_set_new(view, "next",
                        json_string(next_step(json_string_value(json_object_get(view, "type")),
                                              json_string_value(json_object_get(view, "status")))));
    return reply_json(req, 200, view);
}

/*
 * routes_repair: repair work orders and the outbound leg (issue 4, area C).
 *
 *   POST /api/v1/rmas/{rma}/lines/{line}/repair        a repair-leg event, parts, a swap, once
 *                                                      the disposition repair queued the leg
 *   GET  /api/v1/rmas/{rma}/lines/{line}/work-order    the repair leg, its events, parts, swap
 *   POST /api/v1/rmas/{rma}/lines/{line}/pack          the pack scan: the parcel for the carrier
 *   POST /api/v1/rmas/{rma}/shipments/{parcel}/events  ship, deliver, and the exceptions
 *
 * Each handler parses the body completely (every bad field is a 422 naming it), then makes one
 * database call that runs one transaction: a refused step writes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/intake.h"
#include "core/rmanum.h"
#include "json_in.h"
#include "request.h"

#define PARTS_MAX 50
#define PART_QUANTITY_MAX 10000
#define PACK_QUANTITY_MAX 100000

/* The optional "expected_state" of a move body. */
static const char *expected_state(struct request *req, json_t *body, enum leg_kind k,
                                  struct err *err)
{
    const char *s =
        json_in_string(&req->arena, body, "expected_state", "expected_state", false, err);
    if (s != NULL && !leg_state_is_known(k, s)) {
        err_set(err, ERR_INVALID, "expected_state", "is not a state of the %s leg",
                leg_kind_name(k));
        return NULL;
    }
    return s;
}

/* An integer field: *out, or 422 naming path. */
static void read_int(json_t *obj, const char *name, const char *path, int64_t min, int64_t max,
                     bool required, int64_t *out, struct err *err)
{
    json_t *v = json_object_get(obj, name);

    if (v == NULL || json_is_null(v)) {
        if (required)
            err_set(err, ERR_INVALID, path, "is required");
        return;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        err_set(err, ERR_INVALID, path, "must be a whole number from %lld to %lld", (long long)min,
                (long long)max);
        return;
    }
    *out = json_integer_value(v);
}

static void read_parts(struct request *req, json_t *body, struct repair_request *rq,
                       struct err *err)
{
    json_t *parts = json_object_get(body, "parts");

    if (parts == NULL || json_is_null(parts))
        return;
    if (!json_is_array(parts)) {
        err_set(err, ERR_INVALID, "parts", "must be a list");
        return;
    }
    size_t n = json_array_size(parts);
    if (n > PARTS_MAX) {
        err_set(err, ERR_INVALID, "parts", "must have at most %d parts", PARTS_MAX);
        return;
    }
    struct repair_part_in *out = arena_alloc(&req->arena, (n ? n : 1) * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(parts, i);
        char f[48];
        if (!json_is_object(p)) {
            snprintf(f, sizeof f, "parts[%zu]", i);
            err_set(err, ERR_INVALID, f, "must be an object");
            return;
        }
        snprintf(f, sizeof f, "parts[%zu].product_model", i);
        out[i].product_model = json_in_string(&req->arena, p, "product_model", f, true, err);
        if (out[i].product_model != NULL)
            intake_check_model(out[i].product_model, f, err);
        snprintf(f, sizeof f, "parts[%zu].serial_number", i);
        out[i].serial_number =
            json_in_upper((char *)json_in_string(&req->arena, p, "serial_number", f, false, err));
        if (out[i].serial_number != NULL)
            intake_check_serial(out[i].serial_number, f, err);
        snprintf(f, sizeof f, "parts[%zu].quantity", i);
        out[i].quantity = 0;
        read_int(p, "quantity", f, 1, PART_QUANTITY_MAX, true, &out[i].quantity, err);
        if (out[i].serial_number != NULL && out[i].quantity != 1)
            err_set(err, ERR_INVALID, f, "a part with a serial number has quantity 1");
        if (err_is_set(err))
            return;
    }
    rq->parts = out;
    rq->n_parts = n;
}

static bool is_repair_event(enum leg_event ev)
{
    const char *src[4];
    return leg_sources(LEG_REPAIR, ev, src, 4) > 0;
}

/* POST /api/v1/rmas/{rma}/lines/{line}/repair
 * body: {"event", "expected_state"?, "notes"?, "parts"?: [...], "swap"?: {"new_serial", "reason"}}
 */
int route_repair_event(struct request *req)
{
    struct err err = {0};
    struct repair_request rq = {0};
    struct repair_result res;

    rq.rma_number = request_rma_param(req, 0, &err);
    if (rq.rma_number != NULL)
        rq.line_no = (int)request_number_param(req, 1, "line", 9999, &err);
    if (err_is_set(&err))
        return reply_error(req, &err);
    json_t *body = request_json(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    const char *ev = json_in_string(&req->arena, body, "event", "event", true, &err);
    if (ev != NULL && leg_event_parse(ev, "event", &rq.ev, &err) == 0 && !is_repair_event(rq.ev))
        err_set(&err, ERR_INVALID, "event", "%s is not an event of the repair leg", ev);
    else if (ev != NULL && !err_is_set(&err) && rq.ev == LEG_EV_QUEUE)
        err_set(&err, ERR_INVALID, "event",
                "queue is not a work order event: the disposition repair queues the unit");
    rq.expected_state = expected_state(req, body, LEG_REPAIR, &err);
    rq.notes = json_in_string(&req->arena, body, "notes", "notes", false, &err);
    if (rq.notes != NULL)
        intake_check_text(rq.notes, 2000, false, "notes", &err);
    read_parts(req, body, &rq, &err);
    json_t *swap = json_in_object(body, "swap", "swap", false, &err);
    if (swap != NULL) {
        rq.swap_new_serial = json_in_upper(
            (char *)json_in_string(&req->arena, swap, "new_serial", "swap.new_serial", true, &err));
        if (rq.swap_new_serial != NULL)
            intake_check_serial(rq.swap_new_serial, "swap.new_serial", &err);
        rq.swap_reason = json_in_string(&req->arena, swap, "reason", "swap.reason", true, &err);
        if (rq.swap_reason != NULL)
            intake_check_text(rq.swap_reason, 2000, true, "swap.reason", &err);
        if (!err_is_set(&err) && rq.ev != LEG_EV_REPAIRED && rq.ev != LEG_EV_FACTORY_REPLACED)
            err_set(&err, ERR_INVALID, "swap",
                    "a swap is recorded with the repaired or factory_replaced event only");
    }
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);

    enum db_result r = db_repair_move(req->db, &rq, &req->who, &res, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    json_t *work = NULL;
    r = db_work_order(req->db, rq.rma_number, rq.line_no, &work, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    json_object_set_new(work, "moved",
                        json_pack("{s:s, s:s, s:s, s:b}", "from", res.from, "to", res.to, "event",
                                  leg_event_name(rq.ev), "outbound_unblocked",
                                  res.outbound_unblocked));
    return reply_json(req, 200, work);
}

/* GET /api/v1/rmas/{rma}/lines/{line}/work-order */
int route_repair_work_order(struct request *req)
{
    struct err err = {0};
    const char *rma = request_rma_param(req, 0, &err);
    int line = rma != NULL ? (int)request_number_param(req, 1, "line", 9999, &err) : 0;

    if (err_is_set(&err) || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    json_t *work = NULL;
    enum db_result r = db_work_order(req->db, rma, line, &work, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    return reply_json(req, 200, work);
}

/* Adds the outbound label links (built by the labels area) to a shipment. */
static void add_label_links(json_t *shipment)
{
    const char *rma = json_string_value(json_object_get(shipment, "rma_number"));
    json_int_t n = json_integer_value(json_object_get(shipment, "parcel_no"));
    json_t *links = json_object();
    static const char *const exts[] = {"png", "pdf", "zpl"};

    for (size_t k = 0; k < 3; k++) {
        char url[128];
        snprintf(url, sizeof url, "/api/v1/rmas/%s/shipments/%lld/label.%s", rma ? rma : "",
                 (long long)n, exts[k]);
        json_object_set_new(links, exts[k], json_string(url));
    }
    json_object_set_new(shipment, "labels", links);
}

/* POST /api/v1/rmas/{rma}/lines/{line}/pack
 * body: {"serial"?, "quantity"?, "station", "carrier"?, "expected_state"?} */
int route_repair_pack(struct request *req)
{
    struct err err = {0};
    struct pack_request pq = {0};
    bool duplicate = false;

    pq.rma_number = request_rma_param(req, 0, &err);
    if (pq.rma_number != NULL)
        pq.line_no = (int)request_number_param(req, 1, "line", 9999, &err);
    if (err_is_set(&err))
        return reply_error(req, &err);
    json_t *body = request_json(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    pq.serial =
        json_in_upper((char *)json_in_string(&req->arena, body, "serial", "serial", false, &err));
    if (pq.serial != NULL)
        intake_check_serial(pq.serial, "serial", &err);
    read_int(body, "quantity", "quantity", 1, PACK_QUANTITY_MAX, false, &pq.quantity, &err);
    pq.station = json_in_string(&req->arena, body, "station", "station", true, &err);
    if (pq.station != NULL)
        intake_check_text(pq.station, 64, true, "station", &err);
    pq.carrier =
        json_in_upper((char *)json_in_string(&req->arena, body, "carrier", "carrier", false, &err));
    if (pq.carrier != NULL && strlen(pq.carrier) > 32)
        err_set(&err, ERR_INVALID, "carrier", "unknown carrier");
    pq.expected_state = expected_state(req, body, LEG_OUTBOUND, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);

    json_t *shipment = NULL;
    enum db_result r = db_pack(req->db, &pq, &req->who, &shipment, &duplicate, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    add_label_links(shipment);
    json_object_set_new(shipment, "outcome", json_string(duplicate ? "duplicate" : "packed"));
    json_object_set_new(shipment, "next",
                        json_string(duplicate ? "none" :
                                                "put the label on: ready for the "
                                                "carrier's manifest"));
    if (!duplicate) {
        req->extra_header = "Location";
        req->extra_value =
            arena_printf(&req->arena, "/api/v1/rmas/%s/shipments/%lld", pq.rma_number,
                         (long long)json_integer_value(json_object_get(shipment, "parcel_no")));
    }
    return reply_json(req, duplicate ? 200 : 201, shipment);
}

/* POST /api/v1/rmas/{rma}/shipments/{parcel}/events
 * body: {"event": "ship" | "deliver" | "delivery_exception" | "return_to_sender",
 *        "tracking_number"?, "expected_state"?} */
int route_repair_shipment_event(struct request *req)
{
    struct err err = {0};
    struct shipment_event_request sq = {0};
    bool duplicate = false;

    sq.rma_number = request_rma_param(req, 0, &err);
    if (sq.rma_number != NULL)
        sq.parcel_no = (int)request_number_param(req, 1, "parcel", 9999, &err);
    if (err_is_set(&err))
        return reply_error(req, &err);
    json_t *body = request_json(req, &err);
    if (body == NULL)
        return reply_error(req, &err);
    const char *ev = json_in_string(&req->arena, body, "event", "event", true, &err);
    if (ev != NULL && leg_event_parse(ev, "event", &sq.ev, &err) == 0 && sq.ev != LEG_EV_SHIP &&
        sq.ev != LEG_EV_DELIVER && sq.ev != LEG_EV_DELIVERY_EXCEPTION &&
        sq.ev != LEG_EV_RETURN_TO_SENDER)
        err_set(&err, ERR_INVALID, "event",
                "must be one of ship, deliver, delivery_exception, return_to_sender");
    sq.tracking_number = json_in_upper((char *)json_in_string(&req->arena, body, "tracking_number",
                                                              "tracking_number", false, &err));
    if (sq.tracking_number != NULL) {
        size_t n = strlen(sq.tracking_number);
        bool ok = n >= 4 && n <= 40;
        for (const char *c = sq.tracking_number; ok && *c; c++)
            ok = (*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z');
        if (!ok)
            err_set(&err, ERR_INVALID, "tracking_number", "must be 4 to 40 letters and digits");
        else if (!err_is_set(&err) && sq.ev != LEG_EV_SHIP)
            err_set(&err, ERR_INVALID, "tracking_number", "is given with the ship event only");
    }
    sq.expected_state = expected_state(req, body, LEG_OUTBOUND, &err);
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);

    json_t *shipment = NULL;
    enum db_result r = db_shipment_event(req->db, &sq, &req->who, &shipment, &duplicate, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    add_label_links(shipment);
    json_object_set_new(shipment, "outcome", json_string(duplicate ? "duplicate" : "moved"));
    return reply_json(req, 200, shipment);
}

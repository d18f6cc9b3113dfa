/*
 * routes_labels: labels as PNG, PDF and ZPL, one parcel at a time or a pickup batch.
 *
 *     GET  /api/v1/rmas/{rma}/parcels/{parcel}/label.{png,pdf,zpl}    inbound: return to depot
 *     GET  /api/v1/rmas/{rma}/shipments/{parcel}/label.{png,pdf,zpl}  outbound (spare label for
 *                                                                      an advance replacement)
 *     GET  /api/v1/rmas/{rma}/parcels/{parcel}/tag.{png,pdf,zpl}      2x1 in part tag
 *     GET  /api/v1/rmas/{rma}/labels                                   parcels, SSCCs, flags
 *     GET  /api/v1/labels/batch.{pdf,zpl}?carrier=CODE&date=YYYY-MM-DD the day's pickup
 *     POST /api/v1/labels/batch.{pdf,zpl}  {"parcels": [{"rma_number", "direction", "parcel_no"}]}
 *
 * Query: dpi=203|300 (PNG and ZPL; the PDF is vector), ec=M|Q (QR error correction).  When
 * RMAD_GS1_COMPANY_PREFIX is set, a parcel gets its SSCC the first time its label is made
 * (numbers from migration 0006's counter, RMAD_SSCC_FIRST..RMAD_SSCC_LAST).  A label whose text
 * needs the thermal printer's visible fallback flags its parcel (label_flag "non_latin_text").
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/log.h"
#include "core/gs1.h"
#include "core/rmanum.h"
#include "json_in.h"
#include "label/qrtag.h"
#include "label/render.h"
#include "request.h"

#define PARCEL_NO_MAX 9999

/* ---- SSCC configuration, read once from the environment ------------------------------------ */

static pthread_once_t sscc_once = PTHREAD_ONCE_INIT;
static bool sscc_on;
static struct gs1_sscc_range sscc_range;
static char sscc_key[GS1_PREFIX_MAX + 2];
static struct err sscc_err;

static void sscc_config(void)
{
    const char *prefix = getenv("RMAD_GS1_COMPANY_PREFIX");

    if (prefix == NULL || prefix[0] == '\0')
        return;
    if (gs1_sscc_range_parse(prefix, getenv("RMAD_SSCC_FIRST"), getenv("RMAD_SSCC_LAST"),
                             getenv("RMAD_SSCC_EXTENSION"), &sscc_range, &sscc_err) != 0) {
        log_warnx("labels: %s %s: no SSCCs are assigned", sscc_err.field, sscc_err.message);
        return;
    }
    snprintf(sscc_key, sizeof sscc_key, "%c%s", sscc_range.extension, sscc_range.prefix);
    sscc_on = true;
}

struct label_opts {
    int dpi;
    enum label_ec ec;
};

static int read_opts(struct request *req, struct label_opts *o, struct err *err)
{
    const char *dpi = request_query(req, "dpi");
    const char *ec = request_query(req, "ec");

    o->dpi = 203;
    o->ec = LABEL_EC_M;
    if (dpi != NULL) {
        if (strcmp(dpi, "203") == 0)
            o->dpi = 203;
        else if (strcmp(dpi, "300") == 0)
            o->dpi = 300;
        else
            return err_set(err, ERR_INVALID, "dpi", "must be 203 or 300");
    }
    if (ec != NULL) {
        if (strcmp(ec, "M") == 0 || strcmp(ec, "m") == 0)
            o->ec = LABEL_EC_M;
        else if (strcmp(ec, "Q") == 0 || strcmp(ec, "q") == 0)
            o->ec = LABEL_EC_Q;
        else
            return err_set(err, ERR_INVALID, "ec", "must be M or Q");
    }
    return 0;
}

/* ---- one label's content ----------------------------------------------------------------------
 */

/* Gives the parcel an SSCC when the prefix is configured and it has none yet. */
static enum db_result assign_sscc(struct request *req, int64_t parcel_id, struct label_content *lc,
                                  struct err *err)
{
    char sscc[GS1_SSCC_LEN + 1];
    uint64_t ref;
    enum db_result r;

    pthread_once(&sscc_once, sscc_config);
    if (!sscc_on || (lc->sscc != NULL && lc->sscc[0] != '\0'))
        return DB_ONE;
    r = db_label_sscc_next(req->db, sscc_key, sscc_range.first, &ref, err);
    if (r != DB_ONE)
        return r;
    if (gs1_sscc_make(&sscc_range, ref, sscc, err) != 0) {
        log_warnx("labels: the SSCC range of %s is used up (RMAD_SSCC_LAST)", sscc_key);
        return DB_FAIL;
    }
    r = db_label_set_sscc(req->db, parcel_id, sscc, err);
    if (r == DB_NONE) /* another request gave it one first: read it again */
        return DB_RETRY;
    if (r == DB_ONE)
        lc->sscc = arena_strdup(&req->arena, sscc);
    return r;
}

/*
 * The content of parcel_no (direction "inbound"/"outbound") of rma, SSCC assigned, code set;
 * as_tag makes the 2x1 in part tag of an inbound parcel.  Returns 0 or -1 with err; *r the
 * database answer for reply_db_error().
 */
static int make_content(struct request *req, const char *rma, const char *direction, int parcel_no,
                        bool as_tag, const struct label_opts *o, struct label_content *lc,
                        enum db_result *r, struct err *err)
{
    char tag[QRTAG_LEN + 1];
    int64_t parcel_id = 0;
    bool flagged = false;

    for (int attempt = 0; attempt < 2; attempt++) {
        *r = db_label_parcel(req->db, rma, direction, parcel_no, &req->arena, lc, &parcel_id, err);
        if (*r != DB_ONE)
            return -1;
        if (as_tag)
            break;
        *r = assign_sscc(req, parcel_id, lc, err);
        if (*r == DB_ONE)
            break;
        if (*r != DB_RETRY || attempt == 1) {
            if (*r == DB_RETRY)
                *r = DB_FAIL;
            return -1;
        }
        err_clear(err);
    }
    *r = DB_ONE;
    if (as_tag) {
        lc->kind = LABEL_PART_TAG;
        lc->carrier = lc->tracking_number = lc->sscc = NULL;
    }
    lc->ec = o->ec;
    if (lc->kind == LABEL_SPARE) {
        char buf[256];

        lc->core_instructions =
            arena_strdup(&req->arena, label_core_instructions(lc->rma_number, lc->core_due_date,
                                                              buf, sizeof buf));
        lc->core_note = label_core_note();
    }
    if ((lc->kind == LABEL_OUTBOUND || lc->kind == LABEL_SPARE ?
             qrtag_compute_ship(req->cfg->label_key, sizeof req->cfg->label_key, lc->rma_number,
                                lc->parcel_no, tag) :
             qrtag_compute(req->cfg->label_key, sizeof req->cfg->label_key, lc->rma_number,
                           lc->parcel_no, tag)) != 0)
        return err_set(err, ERR_INTERNAL, NULL, "cannot sign the label");
    if (label_set_code(lc, req->cfg->public_url, tag, err) != 0 ||
        label_flagged(lc, &flagged, err) != 0)
        return -1;
    if (flagged) {
        struct err ferr = {0};

        /* the label is still made when the flag cannot be written; the log says so */
        if (db_label_flag(req->db, parcel_id, "non_latin_text", &req->who, &ferr) != DB_ONE)
            log_warnx("labels: cannot flag parcel %lld: %s", (long long)parcel_id, ferr.message);
    }
    return 0;
}

static int reply_label(struct request *req, enum label_format fmt, const struct label_content *lcs,
                       size_t n, int dpi, const char *filename)
{
    struct err err = {0};
    unsigned char *out = NULL;
    size_t len = 0;

    if (label_render(lcs, n, fmt, dpi, &out, &len, &err) != 0)
        return reply_error(req, &err);
    reply_bytes(req, 200, label_format_type(fmt), out, len);
    free(out);
    req->extra_header = "Content-Disposition";
    req->extra_value =
        arena_printf(&req->arena, "inline; filename=\"%s.%s\"", filename, label_format_ext(fmt));
    return 0;
}

static int label_one(struct request *req, const char *direction, bool as_tag, enum label_format fmt)
{
    struct err err = {0};
    struct label_content lc;
    struct label_opts o;
    enum db_result r = DB_ONE;
    const char *rma = request_rma_param(req, 0, &err);
    int parcel = rma == NULL ? 0 : (int)request_number_param(req, 1, "parcel", PARCEL_NO_MAX, &err);

    if (parcel < 1 || read_opts(req, &o, &err) != 0 || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    if (make_content(req, rma, direction, parcel, as_tag, &o, &lc, &r, &err) != 0)
        return r != DB_ONE ? reply_db_error(req, r, &err) : reply_error(req, &err);
    return reply_label(req, fmt, &lc, 1, o.dpi,
                       arena_printf(&req->arena, "%s-%s%d%s", rma,
                                    strcmp(direction, "outbound") == 0 ? "S" : "", parcel,
                                    as_tag ? "-tag" : ""));
}

int route_rmas_label_png(struct request *req)
{
    return label_one(req, "inbound", false, LABEL_PNG);
}

int route_rmas_label_pdf(struct request *req)
{
    return label_one(req, "inbound", false, LABEL_PDF);
}

int route_rmas_label_zpl(struct request *req)
{
    return label_one(req, "inbound", false, LABEL_ZPL);
}

int route_labels_shipment_png(struct request *req)
{
    return label_one(req, "outbound", false, LABEL_PNG);
}

int route_labels_shipment_pdf(struct request *req)
{
    return label_one(req, "outbound", false, LABEL_PDF);
}

int route_labels_shipment_zpl(struct request *req)
{
    return label_one(req, "outbound", false, LABEL_ZPL);
}

int route_labels_tag_png(struct request *req)
{
    return label_one(req, "inbound", true, LABEL_PNG);
}

int route_labels_tag_pdf(struct request *req)
{
    return label_one(req, "inbound", true, LABEL_PDF);
}

int route_labels_tag_zpl(struct request *req)
{
    return label_one(req, "inbound", true, LABEL_ZPL);
}

/* GET /api/v1/rmas/{rma}/labels: the parcels with their label links, SSCC and flag. */
int route_labels_list(struct request *req)
{
    struct err err = {0};
    json_t *list = NULL, *p;
    size_t i;
    const char *rma = request_rma_param(req, 0, &err);

    if (rma == NULL || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r = db_label_list(req->db, rma, &list, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    if (json_array_size(list) == 0) {
        json_decref(list);
        /* an unknown rma, or one with no parcels (not authorized): both have no labels */
        err_set(&err, ERR_NOT_FOUND, "rma_number", "no such rma with parcels");
        return reply_error(req, &err);
    }
    json_array_foreach(list, i, p)
    {
        bool out = strcmp(json_string_value(json_object_get(p, "direction")), "outbound") == 0;
        json_int_t n = json_integer_value(json_object_get(p, "parcel_no"));
        json_t *links = json_object();
        static const char *const exts[] = {"png", "pdf", "zpl"};

        for (size_t k = 0; k < 3; k++) {
            json_object_set_new(
                links, exts[k],
                json_string(arena_printf(&req->arena, "/api/v1/rmas/%s/%s/%lld/label.%s", rma,
                                         out ? "shipments" : "parcels", (long long)n, exts[k])));
            if (!out)
                json_object_set_new(
                    links, arena_printf(&req->arena, "tag_%s", exts[k]),
                    json_string(arena_printf(&req->arena, "/api/v1/rmas/%s/parcels/%lld/tag.%s",
                                             rma, (long long)n, exts[k])));
        }
        json_object_set_new(p, "kind",
                            json_string(!out ? "return" :
                                        strcmp(json_string_value(json_object_get(p, "rma_type")),
                                               "advance_replacement") == 0 ?
                                               "spare" :
                                               "outbound"));
        json_object_del(p, "rma_type");
        json_object_set_new(p, "labels", links);
    }
    return reply_json(req, 200, json_pack("{s:s, s:o}", "rma_number", rma, "parcels", list));
}

/* ---- batches ------------------------------------------------------------------------------------
 */

struct batch_item {
    const char *rma;
    const char *direction;
    int parcel_no;
};

static int batch_render(struct request *req, enum label_format fmt, const struct batch_item *items,
                        size_t n, const char *filename)
{
    struct err err = {0};
    struct label_opts o;
    struct label_content *lcs;

    if (read_opts(req, &o, &err) != 0)
        return reply_error(req, &err);
    lcs = arena_alloc(&req->arena, n * sizeof *lcs);
    for (size_t i = 0; i < n; i++) {
        enum db_result r = DB_ONE;

        if (make_content(req, items[i].rma, items[i].direction, items[i].parcel_no, false, &o,
                         &lcs[i], &r, &err) != 0) {
            struct err named = {0};

            /* the whole batch or nothing: name the parcel at fault */
            err_set(&named, err.kind, arena_printf(&req->arena, "parcels[%zu]", i), "%s %s %d: %s",
                    items[i].rma, items[i].direction, items[i].parcel_no, err.message);
            return r != DB_ONE ? reply_db_error(req, r, &named) : reply_error(req, &named);
        }
    }
    return reply_label(req, fmt, lcs, n, o.dpi, filename);
}

static bool date_ok(const char *s)
{
    int y, m, d;
    char tail;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        s[4] != '-' || s[7] != '-' || y < 2000 || y > 2999 || m < 1 || m > 12 || d < 1 ||
        d > mdays[m - 1])
        return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

static bool carrier_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
            return false;
    return true;
}

/* GET /api/v1/labels/batch.{pdf,zpl}?carrier=UPS&date=2026-12-03 */
static int batch_day(struct request *req, enum label_format fmt)
{
    struct err err = {0};
    const char *carrier = request_query(req, "carrier");
    const char *date = request_query(req, "date");
    const char **nums = NULL;
    int *nos = NULL;
    size_t n = 0;

    if (!carrier_ok(carrier))
        err_set(&err, ERR_INVALID, "carrier", "must be a carrier code");
    else if (!date_ok(date))
        err_set(&err, ERR_INVALID, "date", "must be a date YYYY-MM-DD");
    if (err_is_set(&err) || request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r =
        db_label_batch_day(req->db, carrier, date, &req->arena, &nums, &nos, &n, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    if (n == 0) {
        err_set(&err, ERR_NOT_FOUND, "carrier",
                "no outbound parcels of %s created on %s wait for the carrier", carrier, date);
        return reply_error(req, &err);
    }
    if (n > LABEL_BATCH_MAX) {
        err_set(&err, ERR_INVALID, "date", "more than %d parcels: use POST with a list",
                LABEL_BATCH_MAX);
        return reply_error(req, &err);
    }
    struct batch_item *items = arena_alloc(&req->arena, n * sizeof *items);
    for (size_t i = 0; i < n; i++)
        items[i] = (struct batch_item){nums[i], "outbound", nos[i]};
    return batch_render(req, fmt, items, n,
                        arena_printf(&req->arena, "pickup-%s-%s", carrier, date));
}

int route_labels_batch_day_pdf(struct request *req)
{
    return batch_day(req, LABEL_PDF);
}

int route_labels_batch_day_zpl(struct request *req)
{
    return batch_day(req, LABEL_ZPL);
}

/* POST /api/v1/labels/batch.{pdf,zpl}  {"parcels": [{"rma_number", "direction", "parcel_no"}]} */
static int batch_list(struct request *req, enum label_format fmt)
{
    struct err err = {0};
    json_t *body = request_json(req, &err);
    json_t *list;
    size_t n;

    if (body == NULL)
        return reply_error(req, &err);
    list = json_object_get(body, "parcels");
    if (!json_is_array(list) || json_array_size(list) == 0 ||
        json_array_size(list) > LABEL_BATCH_MAX) {
        json_decref(body);
        err_set(&err, ERR_INVALID, "parcels", "must be a list of 1 to %d parcels", LABEL_BATCH_MAX);
        return reply_error(req, &err);
    }
    n = json_array_size(list);
    struct batch_item *items = arena_alloc(&req->arena, n * sizeof *items);
    for (size_t i = 0; i < n && !err_is_set(&err); i++) {
        json_t *p = json_array_get(list, i);
        char f[64];
        json_t *no;

        snprintf(f, sizeof f, "parcels[%zu]", i);
        if (!json_is_object(p)) {
            err_set(&err, ERR_INVALID, f, "must be an object");
            break;
        }
        snprintf(f, sizeof f, "parcels[%zu].rma_number", i);
        const char *rma = json_in_string(&req->arena, p, "rma_number", f, true, &err);
        if (rma != NULL) {
            char num[RMANUM_LEN + 1];
            if (rmanum_parse(rma, f, num, &err) == 0)
                items[i].rma = arena_strdup(&req->arena, num);
        }
        snprintf(f, sizeof f, "parcels[%zu].direction", i);
        const char *dir = json_in_string(&req->arena, p, "direction", f, false, &err);
        if (dir == NULL || strcmp(dir, "outbound") == 0)
            items[i].direction = "outbound";
        else if (strcmp(dir, "inbound") == 0)
            items[i].direction = "inbound";
        else
            err_set(&err, ERR_INVALID, f, "must be inbound or outbound");
        snprintf(f, sizeof f, "parcels[%zu].parcel_no", i);
        no = json_object_get(p, "parcel_no");
        if (!json_is_integer(no) || json_integer_value(no) < 1 ||
            json_integer_value(no) > PARCEL_NO_MAX)
            err_set(&err, ERR_INVALID, f, "must be a whole number from 1 to %d", PARCEL_NO_MAX);
        else
            items[i].parcel_no = (int)json_integer_value(no);
    }
    json_decref(body);
    if (err_is_set(&err))
        return reply_error(req, &err);
    if (request_db(req, &err) == NULL)
        return reply_error(req, &err);
    return batch_render(req, fmt, items, n, "labels");
}

int route_labels_batch_pdf(struct request *req)
{
    return batch_list(req, LABEL_PDF);
}

int route_labels_batch_zpl(struct request *req)
{
    return batch_list(req, LABEL_ZPL);
}

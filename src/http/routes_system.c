/* routes_system: liveness, readiness and the OpenAPI document. */
#include <string.h>

#include "request.h"

/* openapi_data.c is generated at build time from src/http/openapi.json */
extern const unsigned char rmad_openapi_json[];
extern const size_t rmad_openapi_json_len;

/* GET /healthz: the process answers. */
int route_system_healthz(struct request *req)
{
    return reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

/* GET /readyz: the database is reachable and every migration is applied. */
int route_system_readyz(struct request *req)
{
    struct err err = {0};

    if (request_db(req, &err) == NULL)
        return reply_error(req, &err);
    enum db_result r = db_migrations_current(req->db, req->cfg->migrations_dir, &err);
    switch (r) {
    case DB_ONE:
        return reply_json(req, 200, json_pack("{s:s}", "status", "ready"));
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        break;
    }
    if (err.kind != ERR_UNAVAILABLE) {
        err_clear(&err);
        err_set(&err, ERR_UNAVAILABLE, "migrations", "the database schema is not current");
    }
    return reply_error(req, &err);
}

/* GET /api/v1/openapi.json */
int route_system_openapi(struct request *req)
{
    return reply_bytes(req, 200, "application/json", rmad_openapi_json, rmad_openapi_json_len);
}

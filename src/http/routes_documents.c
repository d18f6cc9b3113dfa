/*
 * routes_documents: XML documents from partners (POST /api/v1/documents).
 * Now: UBL 2.1 DespatchAdvice as an advance notice of returns.  Parsed as untrusted input
 * (src/xml), then imported all or nothing and exactly once per (sender, type, ID).
 */
#include <sodium.h>
#include <stdio.h>

#include "request.h"
#include "xml/xml.h"

/* The sender a document is keyed by: the carrier account, else the token's name. */
static const char *sender_of(struct request *req)
{
    if (req->who.role == ROLE_CARRIER)
        return arena_printf(&req->arena, "carrier:%lld", (long long)req->who.carrier_id);
    return arena_printf(&req->arena, "token:%s", req->who.name);
}

/* POST /api/v1/documents  (Content-Type: application/xml) */
int route_documents_create(struct request *req)
{
    struct err err = {0};
    struct despatch_advice da;
    unsigned char sha[crypto_hash_sha256_BYTES];

    if (req->body_len == 0)
        return err_set(&err, ERR_BAD_REQUEST, "body", "an xml document is required"),
               reply_error(req, &err);
    if (xml_parse_despatch_advice(req->body, req->body_len, &req->arena, &da, &err) != 0)
        return reply_error(req, &err);
    crypto_hash_sha256(sha, (const unsigned char *)req->body, req->body_len);

    int status = 0;
    json_t *response = NULL;
    enum db_result r =
        db_despatch_import(req->db, sender_of(req), sha, &da, &req->who, &status, &response, &err);
    switch (r) {
    case DB_ONE:
        break;
    case DB_NONE:
    case DB_RETRY:
    case DB_FAIL:
        return reply_db_error(req, r, &err);
    }
    return reply_json(req, status, response);
}

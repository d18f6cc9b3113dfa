/*
 * params: the path parameters every area reads the same way.  A malformed value is answered
 * like an unknown one (404 naming the parameter), so a client cannot tell "no such RMA" from
 * "not an RMA number" by probing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/rmanum.h"
#include "db/service.h"
#include "request.h"

const char *request_rma_param(struct request *req, size_t i, struct err *err)
{
    char num[RMANUM_LEN + 1];
    struct err perr = {0};

    if (i >= req->n_params || rmanum_parse(req->params[i], "rma_number", num, &perr) != 0) {
        err_set(err, ERR_NOT_FOUND, "rma_number", "no such rma (%s)",
                perr.message[0] ? perr.message : "missing");
        return NULL;
    }
    return arena_strdup(&req->arena, num);
}

/* cases (issue 3): the {case} parameter, "C" and 8 digits in any case */
const char *request_case_param(struct request *req, size_t i, struct err *err)
{
    const char *s = i < req->n_params ? req->params[i] : "";

    if (strlen(s) != 9 || (s[0] != 'C' && s[0] != 'c') || strspn(s + 1, "0123456789") != 8) {
        err_set(err, ERR_NOT_FOUND, "case_number", "no such case");
        return NULL;
    }
    char *num = arena_strdup(&req->arena, s);
    num[0] = 'C';
    return num;
}

int request_case_gate(struct request *req, const char *case_number, int session_no, struct err *err)
{
    if (req->who.role != ROLE_ENGINEER)
        return 0;
    if (request_db(req, err) == NULL)
        return -1;
    return db_case_engineer_gate(req->db, case_number, session_no, &req->who, err) == DB_ONE ? 0 :
                                                                                               -1;
}

json_t *request_case_body(struct request *req, const char **case_number, bool optional,
                          struct err *err)
{
    *case_number = request_case_param(req, 0, err);
    if (*case_number == NULL || request_case_gate(req, *case_number, 0, err) != 0)
        return NULL;
    return optional ? request_json_or_empty(req, err) : request_json(req, err);
}

long long request_number_param(struct request *req, size_t i, const char *field, long long max,
                               struct err *err)
{
    const char *s = i < req->n_params ? req->params[i] : "";
    char *end;

    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (s[0] < '1' || s[0] > '9' || *end != '\0' || errno != 0 || v < 1 || v > max) {
        err_set(err, ERR_NOT_FOUND, field, "no such %s", field);
        return 0;
    }
    return v;
}

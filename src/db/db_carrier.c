/*
 * db_carrier: the carriers an admin keeps (rmad carrier add): code, name, account, the zone its
 * pickup days are counted in (time_zone) and the zone its tracking times without an offset are
 * read in (zone).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

enum db_result db_carrier_upsert(struct db *db, const struct db_carrier_set *c, bool *created,
                                 struct err *err)
{
    enum db_result kind;
    PGresult *r;
    const char *ep[1] = {c->code};

    if ((r = db_run(db, Q_CARRIER_EXISTS, ep, &kind, err)) == NULL)
        return kind;
    bool exists = PQntuples(r) == 1;
    PQclear(r);
    if (!exists && (c->name == NULL || c->account == NULL))
        return err_set(err, ERR_INVALID, c->name == NULL ? "name" : "account",
                       "a new carrier needs --name and --account"),
               DB_FAIL;
    const char *p[5] = {c->code, c->name, c->account, c->time_zone, c->zone};
    if ((r = db_run(db, Q_CARRIER_UPSERT, p, &kind, err)) == NULL)
        return kind;
    *created = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    PQclear(r);
    return DB_ONE;
}

#!/usr/bin/env bash
# The database goes away while rmad runs: API requests and /readyz answer 503 with Retry-After
# and a JSON error, /healthz stays 200, the process stays up; once the database is back, requests
# succeed again without restarting rmad.
#
# The database tests run two at a time in one pg_virtualenv cluster (deploy/test.sh), so this
# script never stops that cluster: it makes a throw-away cluster of its own with initdb/pg_ctl,
# points the PG* variables at it, and always stops and removes it on exit.
source "$(dirname "$0")/../lib.sh"

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$PGBIN/pg_ctl" ] || { echo "pg_ctl not found (set PGBIN)"; exit 1; }
OWN_PG=$(mktemp -d /tmp/rmad-dbdown-pg.XXXXXX)
as_pg() { # runs a PostgreSQL tool as a user the server accepts (not root)
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" = 0 ] && chown postgres: "$OWN_PG"
pg_stop() { as_pg "$PGBIN/pg_ctl" -D "$OWN_PG/data" -m fast -w -t 30 stop >>"$OWN_PG/ctl.log" 2>&1; }
pg_start() { as_pg "$PGBIN/pg_ctl" -D "$OWN_PG/data" -l "$OWN_PG/server.log" -w -t 30 start >>"$OWN_PG/ctl.log" 2>&1; }
own_cleanup() {
    cleanup # lib.sh: stops rmad, drops the test database, removes T_TMP
    if [ -f "$OWN_PG/data/postmaster.pid" ]; then pg_stop || true; fi
    rm -rf "$OWN_PG"
}
trap own_cleanup EXIT

OWN_PORT=$((20000 + (RANDOM * 7 + $$) % 40000))
as_pg "$PGBIN/initdb" -D "$OWN_PG/data" -U postgres --auth=trust -E UTF8 --no-sync \
    >"$OWN_PG/initdb.log" 2>&1 || { cat "$OWN_PG/initdb.log"; exit 1; }
cat >>"$OWN_PG/data/postgresql.conf" <<EOF
port = $OWN_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$OWN_PG'
fsync = on
synchronous_commit = on
EOF
pg_start || { cat "$OWN_PG/ctl.log" "$OWN_PG/server.log"; exit 1; }
unset PGDATABASE PGPASSWORD PGSERVICE PGSSLMODE PGSERVICEFILE PGPASSFILE
export PGHOST=127.0.0.1 PGPORT=$OWN_PORT PGUSER=postgres
rmad_setup

retry_after() { printf '%s' "$HEADERS" | tr -d '\r' | grep -qiE '^retry-after: [0-9]+$'; }
json_ctype() { printf '%s' "$HEADERS" | tr -d '\r' | grep -qi '^content-type: application/json'; }
# expect_503 DESCRIPTION: the last answer is a 503 with Retry-After and a JSON error.
expect_503() {
    expect_status 503 "$1"
    check "$1: Retry-After" retry_after
    check "$1: JSON error" eval 'json_ctype && [ "$(jqb .error.code)" = unavailable ] && [ -n "$(jqb .error.message)" ]'
}
# timed CMD...: runs CMD, sets ELAPSED (seconds, 1 decimal).
timed() {
    local t0 t1
    t0=$(date +%s%N)
    "$@"
    t1=$(date +%s%N)
    ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
}
quick() { awk -v e="$ELAPSED" 'BEGIN { exit !(e < 10) }'; }

# --- all is well ------------------------------------------------------------------------------
api GET /readyz ""
expect_status 200 "readyz with the database up"
new_case DBDOWN-0001 SRV-R740
expect_status 201 "case created with the database up"
new_rma "$CASE" DBDOWN-0001 SRV-R740
expect_status 201 "rma created with the database up"
RMA1=$RMA
PID0=$RMAD_PID
# Warm up several pool threads' connections, so that dead connections are met, not only new ones.
pids=()
for i in $(seq 1 16); do
    curl -s -o /dev/null -H "Authorization: Bearer $ADMIN" "$BASE/api/v1/rmas/$RMA1" &
    pids+=($!)
done
wait "${pids[@]}" # not a bare wait: rmad is a child too
cases_before=$(psql_t -c "SELECT count(*) FROM service_case")

# --- the database goes away ----------------------------------------------------------------------
check "the database stops" pg_stop
check "pg_isready says it is down" eval '! "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$OWN_PORT"'

for i in 1 2 3; do # several times: other pool threads, dead connections and back-off
    timed api GET "/api/v1/rmas/$RMA1" "$ADMIN"
    expect_503 "GET rma with the database down (try $i)"
    check "... answered within 10 s (${ELAPSED} s)" quick
done
timed api POST /api/v1/cases "$AGENT" "$(jq -nc '{channel: "hotline", product_model: "SRV-R740",
    serial_number: "DBDOWN-0002", fault_description: "x", contact: {name: "A", email: "a@example.com"},
    service_address: {name: "A", street: "S 1", city: "C", postcode: "60329", country: "DE"}}')"
expect_503 "POST case with the database down"
check "... answered within 10 s (${ELAPSED} s)" quick
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$RMA1" '{code: $c, station: "dock-1"}')"
expect_503 "POST scan with the database down"
api GET "/api/v1/track/$RMA1?postcode=60329" ""
expect_503 "public tracking with the database down"
api POST /api/v1/cases "$AGENT" '{"channel": "hotline"}' application/json -H "Idempotency-Key: down-$$"
expect_503 "POST with an Idempotency-Key with the database down"
for i in 1 2; do
    timed api GET /readyz ""
    expect_503 "readyz with the database down (try $i)"
    check "... answered within 10 s (${ELAPSED} s)" quick
done
api GET /healthz ""
expect_status 200 "healthz with the database down"
expect_jq '.status == "ok"' "healthz says ok"
check "rmad is still running" kill -0 "$RMAD_PID"

# --- the database comes back ---------------------------------------------------------------------
check "the database starts again" pg_start
check "pg_isready says it is up" "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$OWN_PORT"
# Every pool thread must find its way back; ask until 16 answers in a row are 200.
ok=0
for i in $(seq 1 80); do
    api GET "/api/v1/rmas/$RMA1" "$ADMIN"
    if [ "$STATUS" = 200 ]; then ok=$((ok + 1)); else ok=0; fi
    [ "$ok" -ge 16 ] && break
    sleep 0.1
done
check "staff reads succeed again without restarting rmad (16 in a row, took $i requests)" \
    test "$ok" -ge 16
api GET /readyz ""
expect_status 200 "readyz is 200 again without restarting rmad"
api GET "/api/v1/rmas/$RMA1" "$ADMIN"
expect_status 200 "GET rma after the database is back"
new_case DBDOWN-0003 SRV-R740
expect_status 201 "case created after the database is back"
check "the cases refused while down were not stored" \
    test "$(psql_t -c "SELECT count(*) FROM service_case WHERE serial_number = 'DBDOWN-0002'")" = 0
check "exactly one case more than before the outage" \
    test "$(psql_t -c "SELECT count(*) FROM service_case")" = "$((cases_before + 1))"
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$RMA1" '{code: $c, station: "dock-1"}')"
expect_jq '.outcome == "received"' "the scan refused while down is received now (not duplicate)"
check "the same rmad process served it all" test "$RMAD_PID" = "$PID0"

# --- a database restart between two requests ---------------------------------------------------
# With one pool thread whose connection was working, the database restarts while nobody asks.
# Well after it is back, the next request must succeed: a connection found dead is re-opened
# and the request goes on, rather than that one request being answered 503.
rmad_stop
export RMAD_THREADS=1
rmad_start
unset RMAD_THREADS
api GET "/api/v1/rmas/$RMA1" "$ADMIN"
expect_status 200 "one-thread rmad: a read with the database up"
check "the database stops (quietly)" pg_stop
check "and starts again" pg_start
sleep 5 # longer than any reconnect back-off
api GET "/api/v1/rmas/$RMA1" "$ADMIN"
expect_status 200 "first read after a quiet database restart"
api GET /readyz ""
expect_status 200 "readyz after the quiet restart"

finish

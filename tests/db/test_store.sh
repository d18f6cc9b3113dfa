#!/usr/bin/env bash
# The store: migrations (idempotent, all-or-nothing, readiness), append-only tables, the open
# serial index, the dock-scan function under concurrency, unique RMA numbers, hashed tokens,
# token creation errors and the label key kept in server_secret.
source "$(dirname "$0")/../lib.sh"
unset RMAD_LABEL_KEY RMAD_MIGRATIONS_DIR
rmad_setup
# The migrations of the repository, and the number a test migration takes after them.
ALL_VERSIONS=$(ls "$RMAD_SRC/migrations" | sed -n 's/^0*\([0-9][0-9]*\)_.*\.sql$/\1/p' | sort -n | paste -sd,)
NEXT=$(( $(ls "$RMAD_SRC/migrations" | sed -n 's/^\([0-9]\{4\}\)_.*/\1/p' | sort | tail -1 | sed 's/^0*//') + 1 ))
NEXT4=$(printf '%04d' "$NEXT")

# sql_fails DESCRIPTION PATTERN SQL: the statement must fail with an error matching PATTERN.
sql_fails() {
    local out
    if out=$(psql_t -c "$3" 2>&1); then
        fail "$1: the statement succeeded" "$3"
    elif printf '%s' "$out" | grep -Eq "$2"; then
        pass "$1"
    else
        fail "$1: error does not match /$2/" "$out"
    fi
}
# expect_eq DESCRIPTION WANT GOT
expect_eq() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: want '$2', got '$3'"; fi
}

readyz_status() {
    curl -s -o "$T_TMP/readyz" -w '%{http_code}' --max-time 10 "$BASE/readyz" || echo 000
}

# ---- migrations --------------------------------------------------------------------------------

expect_eq "schema_migrations holds every repository migration after setup" "$ALL_VERSIONS" \
    "$(psql_t -c "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations")"
tables_before=$(psql_t -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if out=$("$RMAD_BIN" migrate 2>&1); then
    pass "rmad migrate again exits 0"
    if printf '%s' "$out" | grep -q "0 applied"; then
        pass "rmad migrate again applies nothing"
    else
        fail "rmad migrate again: output does not say '0 applied'" "$out"
    fi
else
    fail "rmad migrate again exits 0" "$out"
fi
expect_eq "schema_migrations still holds the same versions" "$ALL_VERSIONS" \
    "$(psql_t -c "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations")"
expect_eq "migrate again creates no table" "$tables_before" \
    "$(psql_t -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"

# A migration that fails midway leaves no trace: written like 0001 (its own BEGIN/COMMIT) and
# without a transaction of its own (the runner must still apply it as one unit).
broken_migration() { # broken_migration NAME BODY
    local dir=$T_TMP/mig_broken out rc
    rm -rf "$dir"
    cp -r "$RMAD_SRC/migrations" "$dir"
    printf '%s\n' "$2" >"$dir/${NEXT4}_broken.sql"
    out=$(RMAD_MIGRATIONS_DIR=$dir "$RMAD_BIN" migrate 2>&1)
    rc=$?
    if [ "$rc" -ne 0 ]; then pass "$1: rmad migrate exits non-zero ($rc)"; else fail "$1: rmad migrate exits 0" "$out"; fi
    if printf '%s' "$out" | grep -q "${NEXT4}_broken.sql" && printf '%s' "$out" | grep -q "division by zero"; then
        pass "$1: the message names the file and the error"
    else
        fail "$1: the message names neither the file nor the error" "$out"
    fi
    expect_eq "$1: the table it created does not exist" "" \
        "$(psql_t -c "SELECT to_regclass('public.broken_probe')")"
    expect_eq "$1: version $NEXT is not recorded" "0" \
        "$(psql_t -c "SELECT count(*) FROM schema_migrations WHERE version = $NEXT")"
    expect_eq "$1: no advisory lock is left behind" "0" \
        "$(psql_t -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 7316001")"
}
broken_migration "failing migration with BEGIN/COMMIT" \
"BEGIN;
CREATE TABLE broken_probe (id integer);
INSERT INTO broken_probe VALUES (1);
INSERT INTO schema_migrations (version) VALUES ($NEXT);
SELECT 1 / 0;
COMMIT;"
broken_migration "failing migration without BEGIN/COMMIT" \
"CREATE TABLE broken_probe (id integer);
INSERT INTO schema_migrations (version) VALUES ($NEXT);
SELECT 1 / 0;"

# A migration that forgets to record itself is an error; it must not leave its changes behind
# either (else every later start fails on "already exists" and the schema is half-known).
dir=$T_TMP/mig_unrecorded
cp -r "$RMAD_SRC/migrations" "$dir"
printf 'CREATE TABLE broken_probe (id integer);\n' >"$dir/${NEXT4}_unrecorded.sql"
out=$(RMAD_MIGRATIONS_DIR=$dir "$RMAD_BIN" migrate 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -q "did not record itself"; then
    pass "unrecorded migration: rmad migrate fails and says so"
else
    fail "unrecorded migration: want a failure saying 'did not record itself' (rc $rc)" "$out"
fi
expect_eq "unrecorded migration: the table it created does not exist" "" \
    "$(psql_t -c "SELECT to_regclass('public.broken_probe')")"
out=$(RMAD_MIGRATIONS_DIR=$dir "$RMAD_BIN" migrate 2>&1)
if printf '%s' "$out" | grep -q "did not record itself"; then
    pass "unrecorded migration: a second run fails the same way (nothing was left half-applied)"
else
    fail "unrecorded migration: a second run fails differently (left half-applied)" "$out"
fi
psql_t -c "DROP TABLE IF EXISTS broken_probe" # so that the checks below start clean

# /readyz: 200 while every migration in RMAD_MIGRATIONS_DIR is applied; 503 once a file appears
# that is not (the directory is read on each request); `rmad serve` applies it at start.
mig_ready=$T_TMP/mig_ready
cp -r "$RMAD_SRC/migrations" "$mig_ready"
rmad_stop
export RMAD_MIGRATIONS_DIR=$mig_ready
rmad_start
expect_eq "readyz is 200 with every migration applied" "200" "$(readyz_status)"
printf '%s\n' "BEGIN;
CREATE TABLE ready_probe (id integer);
INSERT INTO schema_migrations (version) VALUES ($NEXT);
COMMIT;" >"$mig_ready/${NEXT4}_ready_probe.sql"
expect_eq "readyz is 503 while $NEXT4 is not applied" "503" "$(readyz_status)"
if grep -q "${NEXT4}_ready_probe" "$T_TMP/readyz"; then
    pass "readyz names the pending migration"
else
    fail "readyz does not name the pending migration" "$(cat "$T_TMP/readyz")"
fi
expect_eq "healthz stays 200 meanwhile" "200" \
    "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BASE/healthz")"
rmad_stop
rmad_start
expect_eq "rmad serve applied $NEXT4 at start" "$ALL_VERSIONS,$NEXT" \
    "$(psql_t -c "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations")"
expect_eq "the table of $NEXT4 exists" "ready_probe" "$(psql_t -c "SELECT to_regclass('public.ready_probe')")"
expect_eq "readyz is 200 after serve applied it" "200" "$(readyz_status)"
rmad_stop
unset RMAD_MIGRATIONS_DIR
rmad_start

# ---- rows to work on: a case and an RMA through the API, one scan -----------------------------

new_case SRV7400001 SRV-R740 60329
expect_status 201 "case created"
new_rma "$CASE" SRV7400001 SRV-R740
expect_status 201 "rma created"
RMA1=$RMA
RMA1_ID=$(psql_t -c "SELECT id FROM rma WHERE rma_number = '$RMA1'")
api POST /api/v1/scans "$DEPOT" '{"code": "NOT-A-PARCEL-42", "station": "dock-1"}'
expect_status 200 "an unknown code is logged as a scan"

# ---- append-only tables ----------------------------------------------------------------------

for t in event screening scan; do
    n=$(psql_t -c "SELECT count(*) FROM $t")
    if [ "$n" -gt 0 ]; then pass "$t has rows to test on ($n)"; else fail "$t has no rows to test on"; fi
    sql_fails "UPDATE on $t is refused" "append-only" "UPDATE $t SET id = id"
    sql_fails "DELETE on $t is refused" "append-only" "DELETE FROM $t"
    expect_eq "$t keeps its $n rows" "$n" "$(psql_t -c "SELECT count(*) FROM $t")"
done

# ---- rule 2: one open line per serial --------------------------------------------------------

sql_fails "a second open line for an open serial is refused" "rma_line_open_serial" \
    "INSERT INTO rma_line (rma_id, line_no, product_model, serial_number, quantity)
     VALUES ($RMA1_ID, 2, 'SRV-R740', 'SRV7400001', 1)"
new_case SRV7400001 SRV-R740 60329
new_rma "$CASE" SRV7400001 SRV-R740
expect_status 409 "the API refuses a second rma for an open serial"
psql_t -c "UPDATE rma_line SET open = false WHERE rma_id = $RMA1_ID AND serial_number = 'SRV7400001'"
if psql_t -c "INSERT INTO rma_line (rma_id, line_no, product_model, serial_number, quantity)
              VALUES ($RMA1_ID, 2, 'SRV-R740', 'SRV7400001', 1)" 2>"$T_TMP/err"; then
    pass "a new open line is allowed once the first is closed"
else
    fail "a new open line is refused although the first is closed" "$(cat "$T_TMP/err")"
fi
sql_fails "and then a third open line is refused again" "rma_line_open_serial" \
    "INSERT INTO rma_line (rma_id, line_no, product_model, serial_number, quantity)
     VALUES ($RMA1_ID, 3, 'SRV-R740', 'SRV7400001', 1)"
sql_fails "a serialised line has quantity 1" "rma_line_check" \
    "INSERT INTO rma_line (rma_id, line_no, product_model, serial_number, quantity)
     VALUES ($RMA1_ID, 4, 'SRV-R740', 'SRV7400002', 2)"
expect_eq "lines without a serial are not limited by the index" "2" \
    "$(psql_t -c "WITH i AS (INSERT INTO rma_line (rma_id, line_no, product_model, quantity)
                  VALUES ($RMA1_ID, 5, 'KB-US', 3), ($RMA1_ID, 6, 'KB-US', 3) RETURNING 1)
                  SELECT count(*) FROM i")"

# ---- rule 5: 8 concurrent receives of one parcel ---------------------------------------------

new_case SRV7400002 SRV-R740 60329
new_rma "$CASE" SRV7400002 SRV-R740
expect_status 201 "rma for the concurrent scan created"
RMA2=$RMA
PARCEL=$(psql_t -c "SELECT p.id FROM parcel p JOIN rma r ON r.id = p.rma_id
                    WHERE r.rma_number = '$RMA2' AND p.direction = 'inbound'")
DEPOT_ID=$(psql_t -c "SELECT id FROM api_token WHERE name = 'test depot'")
if [ -n "$PARCEL" ]; then pass "the rma has one inbound parcel ($PARCEL)"; else fail "no inbound parcel for $RMA2"; fi
# A ninth session holds the parcel row, so the eight all queue on it and are released at once.
psql -X -q -At -d "$DB" -c "BEGIN; SELECT 1 FROM parcel WHERE id = $PARCEL FOR UPDATE;
    SELECT pg_sleep(3); COMMIT;" >/dev/null 2>&1 &
holder=$!
sleep 0.5
pids=()
for i in 1 2 3 4 5 6 7 8; do
    psql -X -q -At -d "$DB" -c "SELECT outcome FROM rmad_receive_parcel($PARCEL,
        ARRAY['label_issued', 'in_transit', 'overdue', 'lost'], 'received', 'dock-$i',
        'test depot', $DEPOT_ID, '$RMA2')" >"$T_TMP/recv.$i" 2>&1 &
    pids+=($!)
done
waiting=0
for _ in $(seq 1 20); do
    waiting=$(psql_t -c "SELECT count(*) FROM pg_stat_activity
                         WHERE query LIKE '%rmad_receive_parcel($PARCEL,%' AND wait_event_type = 'Lock'
                           AND pid <> pg_backend_pid()")
    [ "$waiting" -eq 8 ] && break
    sleep 0.1
done
expect_eq "all eight sessions wait on the parcel at the same time" "8" "$waiting"
wait "$holder"
for p in "${pids[@]}"; do wait "$p"; done
outcomes=$(cat "$T_TMP"/recv.* | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')
expect_eq "one 'received' and seven 'duplicate'" "duplicate=7 received=1 " "$outcomes"
expect_eq "one receive event for the parcel" "1" \
    "$(psql_t -c "SELECT count(*) FROM event WHERE parcel_id = $PARCEL AND kind = 'receive'")"
expect_eq "eight scan rows for the parcel" "8" \
    "$(psql_t -c "SELECT count(*) FROM scan WHERE parcel_id = $PARCEL")"
expect_eq "scan outcomes: 1 received, 7 duplicate" "duplicate=7,received=1" \
    "$(psql_t -c "SELECT string_agg(outcome || '=' || n, ',' ORDER BY outcome)
                  FROM (SELECT outcome, count(*) n FROM scan WHERE parcel_id = $PARCEL GROUP BY 1) s")"
expect_eq "the inbound leg is received, the line's quantity received" "received|1" \
    "$(psql_t -c "SELECT g.state || '|' || l.received_quantity FROM parcel p
                  JOIN rma_line l ON l.id = p.line_id JOIN leg g ON g.line_id = l.id
                  AND g.kind = 'inbound' WHERE p.id = $PARCEL")"
api POST /api/v1/scans "$DEPOT" "{\"code\": \"$RMA2\", \"station\": \"dock-1\"}"
expect_jq '.outcome == "duplicate"' "a later API scan of the parcel is a duplicate"

# ---- rule 1: RMA numbers are unique ----------------------------------------------------------

sql_fails "a second rma with the same number is refused" "rma_rma_number_key" \
    "INSERT INTO rma (rma_number, case_id, type, depot_id, authorized, created_by)
     SELECT rma_number, case_id, type, depot_id, authorized, created_by FROM rma WHERE id = $RMA1_ID"
expect_eq "rma numbers in the table are distinct" "t" \
    "$(psql_t -c "SELECT count(*) = count(DISTINCT rma_number) FROM rma")"

# ---- tokens ----------------------------------------------------------------------------------

TOKEN=$("$RMAD_BIN" token create --role agent --name "store probe" 2>>"$T_TMP/rmad.log")
if [[ "$TOKEN" =~ ^rmad_[A-Za-z0-9_-]{43}$ ]]; then pass "token create prints one token"; else fail "token create printed '$TOKEN'"; fi
expect_eq "the token row exists" "1" "$(psql_t -c "SELECT count(*) FROM api_token WHERE name = 'store probe'")"
expect_eq "token_hash is 32 bytes" "32" \
    "$(psql_t -c "SELECT octet_length(token_hash) FROM api_token WHERE name = 'store probe'")"
expect_eq "no column of api_token holds the token (text or bytes)" "0" \
    "$(psql_t -v tok="$TOKEN" <<<"SELECT count(*) FROM api_token t
        WHERE position(:'tok' in t::text) > 0
           OR position(convert_to(:'tok', 'UTF8') in t.token_hash) > 0
           OR position(convert_to(substr(:'tok', 6), 'UTF8') in t.token_hash) > 0")"
expect_eq "token_hash is the SHA-256 of the token" "t" \
    "$(psql_t -v tok="$TOKEN" <<<"SELECT token_hash = sha256(convert_to(:'tok', 'UTF8'))
                                  FROM api_token WHERE name = 'store probe'")"
if pg_dump "$DB" 2>/dev/null | grep -qF "${TOKEN#rmad_}"; then
    fail "the token appears in a dump of the database"
else
    pass "the token appears nowhere in a dump of the database"
fi
api GET "/api/v1/rmas/$RMA1" "$TOKEN"
expect_status 200 "the new token authenticates"

token_fails() { # token_fails DESCRIPTION PATTERN ARGS...
    local what=$1 pattern=$2 out rc n0 n1
    shift 2
    n0=$(psql_t -c "SELECT count(*) FROM api_token")
    out=$("$RMAD_BIN" token create "$@" 2>&1)
    rc=$?
    n1=$(psql_t -c "SELECT count(*) FROM api_token")
    if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -Eq -e "$pattern" && [ "$n0" = "$n1" ] &&
        ! printf '%s' "$out" | grep -q '^rmad_'; then
        pass "$what (exit $rc)"
    else
        fail "$what: exit $rc, rows $n0 -> $n1, want a message matching /$pattern/" "$out"
    fi
}
token_fails "a carrier token without --carrier is refused" "--carrier" --role carrier --name x
token_fails "an unknown role is refused" "role.*admin, agent, engineer, depot, carrier" \
    --role wizard --name x
token_fails "a carrier token for an unknown carrier is refused" "unknown carrier" \
    --role carrier --name x --carrier NOPE
token_fails "only a carrier token has a carrier" "--carrier" --role depot --name x --carrier UPS
token_fails "a token needs a name" "--name" --role admin

# ---- the label key -----------------------------------------------------------------------------

KEY1=$(psql_t -c "SELECT encode(value, 'hex') FROM server_secret WHERE name = 'label_key'")
if [[ "$KEY1" =~ ^[0-9a-f]{64}$ ]]; then pass "the label key row exists (32 bytes)"; else fail "label key row: '$KEY1'"; fi
api GET "/api/v1/rmas/$RMA1/parcels/1/label.zpl" "$AGENT"
QR=$(printf '%s' "$BODY" | grep -oE 'HTTP[S]?://[^/^ ]+/P/[A-Z0-9]+/[0-9]+/[0-9A-Z]+' | head -n 1)
rmad_stop
rmad_start
KEY2=$(psql_t -c "SELECT encode(value, 'hex') FROM server_secret WHERE name = 'label_key'")
expect_eq "the label key is the same after a restart" "$KEY1" "$KEY2"
expect_eq "there is one label key row" "1" \
    "$(psql_t -c "SELECT count(*) FROM server_secret WHERE name = 'label_key'")"
if [ -n "$QR" ]; then
    api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$QR" '{code: $c, station: "dock-1"}')"
    expect_jq '.outcome != "forged"' "a label printed before the restart still verifies"
else
    fail "no QR payload found in the ZPL label" "$(printf '%s' "$BODY" | head -c 300)"
fi

finish

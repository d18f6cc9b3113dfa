#!/usr/bin/env bash
# Pickup manifest benchmark (issue 5): how long POST /api/v1/pickups takes to close a pickup of
# BENCH_PARCELS packed, labelled outbound parcels (default 10000) in one transaction (a line lock,
# a leg move with its event and a parcel update per parcel; the XML written, validated against
# rmad-manifest-1.xsd and stored), then the fetch of the stored XML and a void of the whole
# manifest.  Prints figures, never fails on a timing; not a ctest.
#
#   RMAD_BIN=build/release/rmad tests/bench/bench_manifest.sh
#
# Without PG* variables it re-runs itself under pg_virtualenv -t (a throw-away cluster).  The
# parcels are made with SQL (cases, RMAs, lines, outbound legs "packed", parcels with SSCCs),
# not through the API: the close is what is measured.
set -euo pipefail
if [ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}${RMAD_DATABASE_URL:-}" ]; then
    export PGPORT=$((20000 + RANDOM % 20000))
    exec pg_virtualenv -t -- bash "$0" "$@"
fi
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${RMAD_BIN:-$SRC/build/release/rmad}
N=${BENCH_PARCELS:-10000}
TMP=$(mktemp -d /tmp/rmad-bench-manifest.XXXXXX)
DB=rmad_bench_manifest_$$
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
createdb "$DB"
export PGDATABASE=$DB RMAD_JOBS_INTERVAL=0
"$BIN" migrate >"$TMP/log" 2>&1
"$BIN" demo-data >>"$TMP/log" 2>&1
DEPOT=$("$BIN" token create --role depot --name "bench depot")
AGENT=$("$BIN" token create --role agent --name "bench agent")
port=$((20000 + RANDOM % 20000))
RMAD_LISTEN=127.0.0.1:$port "$BIN" serve >>"$TMP/log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
API=http://127.0.0.1:$port/api/v1
# one case through the API, the template of the N cases cloned in SQL (whatever columns it has)
TEMPLATE=$(curl -s -X POST "$API/cases" -H "Authorization: Bearer $AGENT" \
    -H 'Content-Type: application/json' -d '{"channel": "hotline", "product_model": "PSU-750",
    "serial_number": "BENCHSN0", "fault_description": "bench", "error_messages": [],
    "contact": {"name": "Bench", "phone": "+49 69 1234567"}, "service_address": {"name": "Bench",
    "street": "Mainzer Landstr. 1", "city": "Frankfurt", "postcode": "60329", "country": "DE"}}' |
    jq -r .case_number)
psql -X -q -v ON_ERROR_STOP=1 -v n="$N" -v tpl="$TEMPLATE" <<'SQL'
BEGIN;
CREATE TEMP TABLE b AS SELECT g AS i FROM generate_series(1, :n) g;
INSERT INTO service_case
SELECT (jsonb_populate_record(NULL::service_case, to_jsonb(t) || jsonb_build_object(
        'id', nextval(pg_get_serial_sequence('service_case', 'id')), 'case_number', 'CB' || b.i,
        'serial_number', 'BENCHSN' || b.i, 'addr_name', 'Customer ' || b.i || ' & Sons',
        'addr_street', 'Street ' || b.i))).*
  FROM service_case t, b WHERE t.case_number = :'tpl';
INSERT INTO rma (rma_number, case_id, type, depot_id, authorized, created_by)
SELECT 'RB' || lpad(c.id::text, 8, '0'), c.id, 'repair', (SELECT id FROM depot WHERE is_default),
       true, c.created_by FROM service_case c WHERE c.serial_number LIKE 'BENCHSN%';
INSERT INTO rma_line (rma_id, line_no, product_model, serial_number, quantity)
SELECT r.id, 1, 'PSU-750', c.serial_number, 1 FROM rma r JOIN service_case c ON c.id = r.case_id
 WHERE c.serial_number LIKE 'BENCHSN%';
INSERT INTO leg (line_id, kind, state)
SELECT l.id, 'outbound', 'packed' FROM rma_line l WHERE l.serial_number LIKE 'BENCHSN%';
INSERT INTO parcel (rma_id, line_id, direction, parcel_no, parcel_count, state, sscc, carrier_id,
                    packed_serial, packed_at)
SELECT l.rma_id, l.id, 'outbound', 1, 1, 'packed', lpad((990000000000000000 + l.id)::text, 18, '0'),
       (SELECT id FROM carrier WHERE code = 'UPS'), l.serial_number, now()
  FROM rma_line l WHERE l.serial_number LIKE 'BENCHSN%';
COMMIT;
ANALYZE;
SQL
t0=$(date +%s.%N)
code=$(curl -s -o "$TMP/close.json" -w '%{http_code}' --max-time 600 -X POST "$API/pickups" \
    -H "Authorization: Bearer $DEPOT" -H 'Content-Type: application/json' \
    -d "{\"carrier\":\"UPS\",\"date\":\"$(date -u +%F)\"}")
t1=$(date +%s.%N)
id=$(jq -r .id "$TMP/close.json")
count=$(jq -r .parcel_count "$TMP/close.json")
curl -s -o "$TMP/m.xml" -H "Authorization: Bearer $DEPOT" "$API/manifests/$id.xml"
t2=$(date +%s.%N)
vcode=$(curl -s -o /dev/null -w '%{http_code}' --max-time 600 -X POST "$API/manifests/$id/void" \
    -H "Authorization: Bearer $DEPOT" -H 'Content-Type: application/json' -d '{"reason":"bench"}')
t3=$(date +%s.%N)
valid=no
xmllint --nonet --noout --schema "$SRC/src/xml/schemas/rmad-manifest-1.xsd" "$TMP/m.xml" 2>/dev/null && valid=yes
rss=$(ps -o rss= -p "$PID" | tr -d ' ')
printf 'close:  HTTP %s, %s parcels in %.2f s (%.0f parcels/s)\n' "$code" "$count" \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$count / ($t1 - $t0)" | bc -l)"
printf 'fetch:  %s bytes in %.3f s, valid against rmad-manifest-1.xsd: %s\n' \
    "$(stat -c %s "$TMP/m.xml")" "$(echo "$t2 - $t1" | bc)" "$valid"
printf 'void:   HTTP %s in %.2f s\n' "$vcode" "$(echo "$t3 - $t2" | bc)"
printf 'rmad:   %s kB resident after the runs\n' "$rss"

#!/usr/bin/env bash
# Benchmark of the tracking import (issue 5): a 100,000-parcel carrier batch.
#
#   PGPORT=... pg_virtualenv -t -- tests/bench/bench_import.sh [N] [FORMAT]
#
# Creates N parcels (set-based SQL: RMAs, lines, inbound legs label_issued, parcels with UPS
# tracking numbers), generates one tracking document of N pickup events (tests/bench/
# gen_tracking.py, FORMAT ups by default) and the same rows as CSV, then measures
#   baseline  xmllint --stream --noout on the document + a COPY of the CSV into a table like
#             tracking_event (same unique key)
#   rmad      POST /api/v1/tracking through HTTP, the release build (build/release/rmad, or
#             RMAD_BIN), and rmad's peak RSS (VmHWM of /proc/<pid>/status)
# and prints seconds, the ratio to the baseline (target <= 3) and the peak (target < 100 MB).
# It checks the import did its work: N legs in transit, N tracking events, N pickup events.
set -u
RMAD_SRC=${RMAD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
export RMAD_BIN=${RMAD_BIN:-$RMAD_SRC/build/release/rmad}
N=${1:-100000}
FMT=${2:-ups}
[ -x "$RMAD_BIN" ] || { echo "no release build at $RMAD_BIN (cmake --preset release -B build/release && cmake --build build/release --target rmad)"; exit 1; }
command -v xmllint >/dev/null || { echo "xmllint is required"; exit 1; }
source "$RMAD_SRC/tests/lib.sh"
export RMAD_REQUEST_DEADLINE=600
rmad_setup
[ -n "${BENCH_SQL:-}" ] && psql_t -c "$BENCH_SQL" >/dev/null

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# ---- N parcels, set-based -----------------------------------------------------------------
new_case BENCH-SEED SRV-R740
new_rma "$CASE" BENCH-SEED SRV-R740
[ "$STATUS" = 201 ] || { echo "seed rma: $STATUS $BODY"; exit 1; }
t0=$(now)
psql_t -v n="$N" -v seed="$RMA" <<'SQL' >/dev/null
WITH c AS (SELECT case_id, depot_id, created_by FROM rma WHERE rma_number = :'seed'),
r AS (INSERT INTO rma (rma_number, case_id, type, depot_id, authorized, created_by)
      SELECT 'B' || lpad(g::text, 9, '0'), c.case_id, 'repair', c.depot_id, true, c.created_by
      FROM generate_series(1, :n) g, c RETURNING id, rma_number),
l AS (INSERT INTO rma_line (rma_id, line_no, product_model, serial_number, quantity)
      SELECT r.id, 1, 'SRV-R740', 'BS' || substr(r.rma_number, 2), 1 FROM r
      RETURNING id, rma_id),
g AS (INSERT INTO leg (line_id, kind, state) SELECT l.id, 'inbound', 'label_issued' FROM l)
INSERT INTO parcel (rma_id, line_id, direction, parcel_no, parcel_count, state, carrier_id,
                    tracking_number)
SELECT l.rma_id, l.id, 'inbound', 1, 1, 'label_issued', (SELECT id FROM carrier WHERE code = 'UPS'),
       'BENCH' || substr(r.rma_number, 2)
FROM l JOIN r ON r.id = l.rma_id;
ANALYZE rma; ANALYZE rma_line; ANALYZE leg; ANALYZE parcel;
SQL
echo "setup: $N parcels in $(secs "$t0" "$(now)") s"

# ---- the document and its rows --------------------------------------------------------------
python3 "$RMAD_SRC/tests/bench/gen_tracking.py" bench "$N" BENCH "$FMT" "$T_TMP/batch.xml" "$T_TMP/batch.csv"
echo "document: $FMT, $N events, $(($(stat -c %s "$T_TMP/batch.xml") / 1024 / 1024)) MB"

# ---- baseline: xmllint --stream + COPY of the same rows --------------------------------------
psql_t -c "CREATE TABLE bench_copy (id bigserial PRIMARY KEY, tracking_number text NOT NULL,
           code text NOT NULL, text text NOT NULL, location text NOT NULL, at timestamptz NOT NULL,
           UNIQUE (tracking_number, at, code))" >/dev/null
t0=$(now)
xmllint --stream --noout "$T_TMP/batch.xml" || { echo "xmllint failed"; exit 1; }
t1=$(now)
psql_t -c "\\copy bench_copy (tracking_number, code, text, location, at) FROM '$T_TMP/batch.csv' CSV" >/dev/null
t2=$(now)
BASE_XML=$(secs "$t0" "$t1")
BASE_COPY=$(secs "$t1" "$t2")
BASELINE=$(secs "$t0" "$t2")
echo "baseline: xmllint --stream ${BASE_XML} s + COPY ${BASE_COPY} s = ${BASELINE} s"

# ---- rmad --------------------------------------------------------------------------------
HWM0=$(awk '/VmHWM/ {print $2}' "/proc/$RMAD_PID/status")
t0=$(now)
code=$(curl -s -S -o "$T_TMP/answer" -w '%{http_code}' --max-time 600 -H "Authorization: Bearer $CARRIER" \
    -H "Content-Type: application/xml" --data-binary "@$T_TMP/batch.xml" "$BASE/api/v1/tracking")
t1=$(now)
HWM=$(awk '/VmHWM/ {print $2}' "/proc/$RMAD_PID/status")
RMAD_S=$(secs "$t0" "$t1")
echo "rmad: HTTP $code in ${RMAD_S} s: $(jq -c .events "$T_TMP/answer" 2>/dev/null || head -c 300 "$T_TMP/answer")"
grep -o 'tracking import: .*' "$T_TMP/rmad.log" | tail -n 1
RATIO=$(awk -v a="$RMAD_S" -v b="$BASELINE" 'BEGIN { printf "%.2f", a / b }')
echo "ratio to the baseline: ${RATIO}x (target <= 3x)"
echo "rmad peak RSS (VmHWM): $((HWM / 1024)) MB (before the import: $((HWM0 / 1024)) MB; target < 100 MB)"

check "the import answered 201" test "$code" = 201
check "$N inbound legs in transit" test "$(psql_t -c "SELECT count(*) FROM leg WHERE kind = 'inbound' AND state = 'in_transit'")" = "$N"
check "$N tracking events" test "$(psql_t -c "SELECT count(*) FROM tracking_event")" = "$N"
check "$N pickup events (one per leg move)" test "$(psql_t -c "SELECT count(*) FROM event WHERE kind = 'pickup'")" = "$N"
check "ratio <= 3" awk -v r="$RATIO" 'BEGIN { exit !(r <= 3) }'
check "peak RSS < 100 MB" test "$HWM" -lt $((100 * 1024))
finish

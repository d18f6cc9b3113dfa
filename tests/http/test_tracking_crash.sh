#!/usr/bin/env bash
# Crash safety of the tracking import (issue 5): rmad killed with SIGKILL in the middle of a
# large import, restarted, and the same document posted again: every parcel's event is stored
# exactly once and every leg moves once.  A killed import leaves nothing behind (one
# transaction; the staging tables are the transaction's own).
source "$(dirname "$0")/../lib.sh"
GEN="$RMAD_SRC/tests/bench/gen_tracking.py"
N=${TRACKING_CRASH_PARCELS:-20000}
export RMAD_REQUEST_DEADLINE=600
rmad_setup
q() { psql_t -c "$1"; }

# ---- N inbound parcels of UPS, set-based --------------------------------------------------
new_case CRASH-SEED SRV-R740
new_rma "$CASE" CRASH-SEED SRV-R740
expect_status 201 "seed rma"
psql_t -v n="$N" -v seed="$RMA" <<'SQL' >/dev/null
WITH c AS (SELECT case_id, depot_id, created_by FROM rma WHERE rma_number = :'seed'),
r AS (INSERT INTO rma (rma_number, case_id, type, depot_id, authorized, created_by)
      SELECT 'K' || lpad(g::text, 9, '0'), c.case_id, 'repair', c.depot_id, true, c.created_by
      FROM generate_series(1, :n) g, c RETURNING id, rma_number),
l AS (INSERT INTO rma_line (rma_id, line_no, product_model, serial_number, quantity)
      SELECT r.id, 1, 'SRV-R740', 'KS' || substr(r.rma_number, 2), 1 FROM r
      RETURNING id, rma_id),
g AS (INSERT INTO leg (line_id, kind, state) SELECT l.id, 'inbound', 'label_issued' FROM l)
INSERT INTO parcel (rma_id, line_id, direction, parcel_no, parcel_count, state, carrier_id,
                    tracking_number)
SELECT l.rma_id, l.id, 'inbound', 1, 1, 'label_issued', (SELECT id FROM carrier WHERE code = 'UPS'),
       'CRASH' || substr(r.rma_number, 2)
FROM l JOIN r ON r.id = l.rma_id;
ANALYZE rma; ANALYZE rma_line; ANALYZE leg; ANALYZE parcel;
SQL
python3 "$GEN" bench "$N" CRASH ups "$T_TMP/batch.xml" "$T_TMP/batch.csv"
counts() { q "SELECT (SELECT count(*) FROM document WHERE doc_type = 'UPSTrackResponse') || '/' ||
    (SELECT count(*) FROM tracking_event) || '/' ||
    (SELECT count(*) FROM leg WHERE kind = 'inbound' AND state = 'in_transit') || '/' ||
    (SELECT count(*) FROM event WHERE kind = 'pickup')"; }
check "nothing imported yet" test "$(counts)" = "0/0/0/0"

# ---- post, and kill rmad while the import runs ----------------------------------------------
post() {
    curl -s -S -o "$T_TMP/answer" -w '%{http_code}' --max-time 600 -H "Authorization: Bearer $CARRIER" \
        -H "Content-Type: application/xml" --data-binary "@$T_TMP/batch.xml" "$BASE/api/v1/tracking"
}
post >"$T_TMP/code1" 2>/dev/null &
CURL_PID=$!
seen=""
for _ in $(seq 1 400); do
    seen=$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
              AND pid <> pg_backend_pid() AND state <> 'idle' AND query ~ 'tracking_stage'")
    [ "$seen" != 0 ] && break
    sleep 0.05
done
sleep 0.2
kill -9 "$RMAD_PID"
wait "$RMAD_PID" 2>/dev/null
RMAD_PID=""
wait "$CURL_PID" 2>/dev/null
check "the import was running when rmad was killed (pg_stat_activity)" test "$seen" != 0
check "the client got no answer (no 2xx before COMMIT)" grep -qvE '^2' "$T_TMP/code1"
# the server ends the orphaned transaction once it notices the client is gone
for _ in $(seq 1 200); do
    [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
            AND pid <> pg_backend_pid() AND backend_type = 'client backend'")" = 0 ] && break
    sleep 0.1
done
check "the killed import left nothing: no document, no event, no leg moved" test "$(counts)" = "0/0/0/0"
check "and no staging rows" test "$(q "SELECT count(*) FROM tracking_stage") $(q "SELECT count(*) FROM tracking_stage_decision")" = "0 0"

# ---- restart, the same document again: every parcel exactly once ----------------------------
rmad_start
STATUS=$(post)
BODY=$(cat "$T_TMP/answer")
expect_status 201 "the same document after the restart"
expect_jq "(.replayed // false) == false and .events.new == $N and .events.leg_moves == $N" "imported in full, not a replay"
check "every parcel once: 1 document, $N events, $N legs in transit, $N pickup events" test "$(counts)" = "1/$N/$N/$N"
check "no parcel has two events" test "$(q "SELECT count(*) FROM (SELECT parcel_id FROM tracking_event
    GROUP BY parcel_id HAVING count(*) > 1) x")" = 0
STATUS=$(post)
BODY=$(cat "$T_TMP/answer")
expect_status 201 "and once more"
expect_jq '.replayed == true' "a replay"
check "the replay changed nothing" test "$(counts)" = "1/$N/$N/$N"
finish

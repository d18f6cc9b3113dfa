#!/usr/bin/env bash
# Depot receiving and inspection (issue 4, area B): the serial check at the dock scan (scenarios
# 4 and 6), task decisions, unexpected arrivals (scenario 8), counted receipts of non-serialised
# parts (scenarios 5 and 10), inspection with and without misuse, disposition; rules 3, 4, 5
# (8 concurrent scans with a serial) and 8 (one event with an actor per step); roles and bad
# input for every endpoint.
source "$(dirname "$0")/../lib.sh"
command -v zbarimg >/dev/null || { echo "zbarimg is required (deploy/install-deps.sh)"; exit 1; }
rmad_setup

q1() { psql_t -c "$1"; }
# scan CODE [SERIAL [STATION]]
scan() {
    api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$1" --arg s "${2:-}" --arg st "${3:-dock-1}" \
        '{code: $c, station: $st} + (if $s == "" then {} else {serial: $s} end)')"
}
# rma TYPE LINES_JSON SERIAL_FOR_CASE MODEL_FOR_CASE: sets RMA
rma() {
    new_case "$3" "$4"
    api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" --arg t "$1" --argjson l "$2" '{
        case_number: $c, type: $t, lines: $l,
        screening: {outcome: "eligible", reason: "in warranty, no misuse", evidence: {notes: "ok"}}}')"
    RMA=$(jqb .rma_number)
    [ "$STATUS" = 201 ] || fail "rma $1 $2: HTTP $STATUS" "$BODY"
}
serial_rma() { rma "${3:-repair}" "[{\"serial_number\":\"$1\",\"product_model\":\"$2\"}]" "$1" "$2"; }
events() { q1 "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$1'${2:+ AND e.kind = '$2'}"; }
inbound() { q1 "SELECT g.state FROM leg g JOIN rma_line l ON l.id = g.line_id JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$1' AND l.line_no = ${2:-1} AND g.kind = '${3:-inbound}'"; }
post() { api POST "$1" "${3:-$DEPOT}" "$2"; }

# ---- scenario 4: the core of an advance replacement scanned at the dock -------------------------
serial_rma PSU7500001 PSU-750 advance_replacement
AR=$RMA
check "advance replacement authorized: outbound ready, inbound label_issued" test "$(inbound "$AR" 1 outbound)|$(inbound "$AR")" = "ready|label_issued"
scan "$AR" psu7500001
expect_status 200 "scan of the core with its serial (lower case)"
expect_jq '.outcome == "received" and .next == "inspect"' "the core is received"
check "scenario 4: exactly one 'receive' event" test "$(events "$AR" receive)" = 1
check "the receipt row keeps the serial read" test "$(q1 "SELECT quantity || '|' || serial_scanned || '|' || station FROM receipt rc JOIN rma r ON r.id = rc.rma_id WHERE r.rma_number = '$AR'")" = "1|PSU7500001|dock-1"
check "bug 6: a serial read at the dock that matches is the line's received serial" test "$(q1 "SELECT received_serial FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$AR'")" = PSU7500001
check "the core is recorded as returned (area A's core policy)" test "$(q1 "SELECT count(*) FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$AR' AND l.core_returned_at IS NOT NULL")" = 1
N=$(events "$AR")
scan "$AR" PSU7500001
expect_jq '.outcome == "duplicate"' "a re-scan is a duplicate"
check "scenario 4: a re-scan makes no event" test "$(events "$AR")" = "$N"
check "a re-scan makes no receipt" test "$(q1 "SELECT count(*) FROM receipt rc JOIN rma r ON r.id = rc.rma_id WHERE r.rma_number = '$AR'")" = 1

# ---- scenario 6: expected S1, the dock scans S2 -------------------------------------------------
serial_rma SRV7400002 SRV-R740
R6=$RMA
scan "$R6" SRV7400099
expect_status 200 "scan of another serial"
expect_jq '.outcome == "serial_mismatch" and .next == "hold" and (.task_id | type) == "number"' "scenario 6: serial_mismatch, next hold, a task"
T6=$(jqb .task_id)
check "scenario 6: the inbound leg is on hold" test "$(inbound "$R6")" = hold
check "scenario 6: two events, receive then hold" test "$(q1 "SELECT string_agg(e.kind || ':' || e.from_state || '>' || e.to_state, ',' ORDER BY e.id) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R6' AND e.kind IN ('receive', 'hold')")" = "receive:label_issued>received,hold:received>hold"
check "scenario 6: the task holds expected and scanned" test "$(q1 "SELECT kind || '|' || status || '|' || (details->>'expected') || '|' || (details->>'scanned') FROM task WHERE id = $T6")" = "serial_mismatch|open|SRV7400002|SRV7400099"
check "scenario 6: a mismatched serial is not the received serial before it is accepted" test "$(q1 "SELECT coalesce(received_serial, '-') FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$R6'")" = -
check "scenario 6: no credit (no charge, core not returned)" test "$(q1 "SELECT count(*) FROM charge ch JOIN rma r ON r.id = ch.rma_id WHERE r.rma_number = '$R6'")|$(q1 "SELECT count(*) FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$R6' AND l.core_returned_at IS NOT NULL")" = "0|0"
check "the receipt records the serial scanned" test "$(q1 "SELECT serial_scanned FROM receipt rc JOIN rma r ON r.id = rc.rma_id WHERE r.rma_number = '$R6'")" = SRV7400099
serial_rma PSU7500002 PSU-750 advance_replacement
scan "$RMA" PSU7500077
expect_jq '.outcome == "serial_mismatch"' "an advance-replacement core with another serial"
check "scenario 6: no credit for a mismatched core (not returned, no charge)" test "$(q1 "SELECT count(*) FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RMA' AND l.core_returned_at IS NOT NULL")|$(q1 "SELECT count(*) FROM charge ch JOIN rma r ON r.id = ch.rma_id WHERE r.rma_number = '$RMA' AND ch.kind = 'late_core_credit'")" = "0|0"
api GET "/api/v1/rmas/$R6" "$AGENT"
expect_jq '.status == "on_hold" and (.tasks | length) == 1 and .tasks[0].kind == "serial_mismatch"' "the staff view: on_hold with the task"
N=$(events "$R6")
scan "$R6" SRV7400099
expect_jq '.outcome == "duplicate"' "a re-scan of the mismatched parcel is a duplicate"
check "no second task, no event" test "$(q1 "SELECT count(*) FROM task t JOIN rma r ON r.id = t.rma_id WHERE r.rma_number = '$R6'")|$(events "$R6")" = "1|$N"

# ---- task decisions ------------------------------------------------------------------------------
api GET "/api/v1/tasks?kind=serial_mismatch&status=open" "$ENGINEER"
expect_status 200 "open serial mismatch tasks"
expect_jq "[.tasks[] | select(.id == $T6 and .rma_number == \"$R6\" and .line_no == 1)] | length == 1" "the list has the task with its rma and line"
api GET "/api/v1/tasks?kind=nonsense" "$DEPOT"
expect_error 422 kind "an unknown task kind"
api GET "/api/v1/tasks?status=closed" "$DEPOT"
expect_error 422 status "an unknown task status"
api GET "/api/v1/tasks" "$CARRIER"
expect_status 403 "a carrier cannot list tasks"
post "/api/v1/tasks/$T6/decide" '{"decision": "maybe"}'
expect_error 422 decision "decision maybe"
post "/api/v1/tasks/$T6/decide" '{"decision": "reject"}'
expect_error 422 reason "reject without a reason"
post "/api/v1/tasks/$T6/decide" '{}'
expect_error 422 decision "no decision"
post "/api/v1/tasks/999999/decide" '{"decision": "accept"}'
expect_error 404 task "an unknown task"
post "/api/v1/tasks/abc/decide" '{"decision": "accept"}'
expect_status 404 "a malformed task id"
post "/api/v1/tasks/$T6/decide" '{"decision": "accept"}' "$CARRIER"
expect_status 403 "a carrier cannot decide"
N=$(events "$R6")
post "/api/v1/tasks/$T6/decide" '{"decision": "accept", "reason": "label swapped at the customer, same unit"}'
expect_status 200 "accept the scanned serial"
expect_jq '.status == "decided" and .decision == "accept" and .details.accepted_serial == "SRV7400099"' "the task is decided, the accepted serial kept"
check "accept: hold -> received with one release event" test "$(inbound "$R6")|$(($(events "$R6") - N))|$(events "$R6" release)" = "received|1|1"
check "rule 7: the line keeps the serial it was authorized for" test "$(q1 "SELECT serial_number FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$R6'")" = SRV7400002
check "bug 6: the accepted serial is the unit that came in (received_serial)" test "$(q1 "SELECT received_serial FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$R6'")" = SRV7400099
post "/api/v1/tasks/$T6/decide" '{"decision": "reject", "reason": "again"}'
expect_error 409 decision "a decided task cannot be decided again"
check "nothing changed by the refused decision" test "$(events "$R6")" = $((N + 1))

serial_rma NBX130001 NB-X13
RJ=$RMA
scan "$RJ" NBX130099
TJ=$(jqb .task_id)
N=$(events "$RJ")
post "/api/v1/tasks/$TJ/decide" '{"decision": "reject", "reason": "not our unit: return to sender"}'
expect_status 200 "reject the unit"
check "reject: the leg stays on hold, one mismatch_rejected event" test "$(inbound "$RJ")|$(($(events "$RJ") - N))|$(events "$RJ" mismatch_rejected)" = "hold|1|1"
post "/api/v1/tasks/$TJ/decide" '{"decision": "accept"}'
expect_error 409 decision "a rejected task cannot be accepted"

# ---- rule 5 under concurrency: 8 parallel scans with a serial ------------------------------------
# race RMA SERIAL: 8 concurrent scans of the RMA's parcel reading SERIAL; prints the outcomes
race() {
    local i pids=()
    jq -nc --arg c "$1" --arg s "$2" '{code: $c, station: "dock-race", serial: $s}' >"$T_TMP/race.json"
    rm -f "$T_TMP"/race.out.*
    for i in 1 2 3 4 5 6 7 8; do
        curl -s --max-time 30 -X POST -H "Authorization: Bearer $DEPOT" \
            -H "Content-Type: application/json" --data-binary "@$T_TMP/race.json" \
            -o "$T_TMP/race.out.$i" "$BASE/api/v1/scans" &
        pids+=($!)
    done
    wait "${pids[@]}"
    for i in 1 2 3 4 5 6 7 8; do jq -r '.outcome // "error"' "$T_TMP/race.out.$i"; done | sort | uniq -c | awk '{printf "%s×%s ", $2, $1}'
}
serial_rma SRVRACE0001 SRV-R740
OUT=$(race "$RMA" SRVRACE0001)
check "rule 5: 8 racing scans: one received, seven duplicates ($OUT)" test "$OUT" = "duplicate×7 received×1 "
check "rule 5: exactly one receive event and one receipt" test "$(events "$RMA" receive)|$(q1 "SELECT count(*) FROM receipt rc JOIN rma r ON r.id = rc.rma_id WHERE r.rma_number = '$RMA'")" = "1|1"
serial_rma SRVRACE0002 SRV-R740
OUT=$(race "$RMA" SRVRACE0777)
check "rule 5: 8 racing mismatched scans: one serial_mismatch ($OUT)" test "$OUT" = "duplicate×7 serial_mismatch×1 "
check "rule 5: one receive, one hold, one task" test "$(events "$RMA" receive)|$(events "$RMA" hold)|$(q1 "SELECT count(*) FROM task t JOIN rma r ON r.id = t.rma_id WHERE r.rma_number = '$RMA'")" = "1|1|1"

# ---- scan input -----------------------------------------------------------------------------------
scan "$AR" "BAD SERIAL!"
expect_error 422 serial "a malformed serial at the dock"

# ---- scenario 5: a non-serialised line of 5 --------------------------------------------------------
rma repair '[{"product_model":"KB-US","quantity":5}]' SRV7400001 SRV-R740
R5=$RMA
scan "$R5"
expect_jq '.outcome == "arrived" and .next == "count"' "the box of keyboards arrived: count them"
check "the box arrival is one event, no leg move" test "$(events "$R5" parcel_arrived)|$(inbound "$R5")" = "1|label_issued"
RC="/api/v1/rmas/$R5/lines/1/receipts"
N=$(events "$R5")
post "$RC" '{"quantity": 2, "station": "dock-1"}'
expect_status 201 "receive 2 of 5"
expect_jq '.received_quantity == 2 and .still_expected == 3 and .inbound == "partially_received"' "scenario 5: 3 still expected, partially received"
check "one event for the receipt" test "$(($(events "$R5") - N))" = 1
post "$RC" '{"quantity": 4, "station": "dock-1"}'
expect_error 409 reason "scenario 5: receiving 4 more is an over-receipt that needs a reason"
check "the refused over-receipt changed nothing" test "$(q1 "SELECT received_quantity FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$R5'")|$(($(events "$R5") - N))" = "2|1"
post "$RC" '{"quantity": 4, "station": "dock-1", "reason": "customer sent a spare keyboard too", "expected_state": "partially_received"}'
expect_status 201 "the over-receipt with a reason"
expect_jq '.received_quantity == 6 and .over == 1 and .still_expected == 0 and .inbound == "received"' "received with one over"
check "rule 3: the over-receipt reason is on the receipt and the event" test "$(q1 "SELECT over_receipt_reason FROM receipt rc JOIN rma r ON r.id = rc.rma_id WHERE r.rma_number = '$R5' ORDER BY rc.id DESC LIMIT 1")|$(q1 "SELECT reason FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R5' AND e.kind = 'receive'")" = "customer sent a spare keyboard too|customer sent a spare keyboard too"
check "rule 3: no line anywhere received more than authorized without a recorded exception" test "$(q1 "SELECT count(*) FROM rma_line l WHERE l.received_quantity > l.quantity AND NOT EXISTS (SELECT 1 FROM receipt rc WHERE rc.line_id = l.id AND rc.over_receipt_reason IS NOT NULL)")" = 0
post "$RC" '{"quantity": 1, "station": "dock-1"}'
expect_error 409 reason "more after complete needs a reason"
post "$RC" '{"quantity": 1, "station": "dock-1", "reason": "one more found", "expected_state": "in_transit"}'
expect_error 409 expected_state "rule 4: a wrong expected state"
# bad input
for b in '{"station": "dock-1"}|quantity' '{"quantity": 0, "station": "d"}|quantity' '{"quantity": 2.5, "station": "d"}|quantity' \
    '{"quantity": "2", "station": "d"}|quantity' '{"quantity": 1}|station' '{"quantity": 1, "station": "d", "expected_state": "nope"}|expected_state' \
    '{"quantity": 1, "station": "d", "reason": 5}|reason'; do
    post "$RC" "${b%|*}"
    expect_error 422 "${b#*|}" "receipt body ${b%|*}"
done
post "/api/v1/rmas/$R5/lines/9/receipts" '{"quantity": 1, "station": "d"}'
expect_error 404 line "no line 9"
post "/api/v1/rmas/R000000000/lines/1/receipts" '{"quantity": 1, "station": "d"}'
expect_status 404 "a malformed rma number"
post "/api/v1/rmas/$R6/lines/1/receipts" '{"quantity": 1, "station": "d"}'
expect_error 422 line "a serialised line is not counted (7 analogue: use the dock scan)"
post "$RC" '{"quantity": 1, "station": "d", "reason": "x"}' "$ENGINEER"
expect_status 403 "an engineer cannot count receipts"
api POST "$RC" "" '{"quantity": 1, "station": "d"}'
expect_status 401 "no token"
post "$RC" '{"quantity": 1' 
expect_status 400 "malformed json"

# ---- scenario 10: 10 cables received as 6 ----------------------------------------------------------
rma repair '[{"product_model":"CBL-PWR","quantity":10}]' SRV7400001 SRV-R740
R10=$RMA
post "/api/v1/rmas/$R10/lines/1/receipts" '{"quantity": 4, "station": "dock-2"}'
post "/api/v1/rmas/$R10/lines/1/receipts" '{"quantity": 2, "station": "dock-2"}'
expect_jq '.received_quantity == 6 and .still_expected == 4' "scenario 10: 6 received, 4 still expected"
check "scenario 10: two receipt events and two receipt rows" test "$(events "$R10" partial_receive)|$(q1 "SELECT count(*) FROM receipt rc JOIN rma r ON r.id = rc.rma_id WHERE r.rma_number = '$R10'")" = "2|2"
api GET "/api/v1/rmas/$R10" "$AGENT"
expect_jq '.status == "partially_received" and .lines[0].received_quantity == 6 and (.lines[0].receipts | length) == 2' "the staff view: partially_received, two receipts"
post "/api/v1/rmas/$R10/lines/1/receipts" '{"quantity": 4, "station": "dock-2"}'
expect_jq '.inbound == "received" and .still_expected == 0 and .over == 0' "the last 4: received"
check "bug 7: the count that completes the line marks its parcel received" test "$(q1 "SELECT p.state || '|' || (p.received_at IS NOT NULL) || '|' || p.received_station FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.rma_number = '$R10' AND p.direction = 'inbound'")" = "received|true|dock-2"
N=$(events "$R10")
scan "$R10"
expect_jq '.outcome == "duplicate" and .next == "none"' "bug 7: a later scan of the counted parcel is a duplicate, not 'count the parts'"
check "bug 7: that scan changes nothing" test "$(events "$R10")|$(inbound "$R10")" = "$N|received"

# ---- scenario 8: a box with no RMA and no readable serial ------------------------------------------
UA=/api/v1/unexpected-arrivals
post "$UA" '{"station": "dock-3", "description": "brown box, no label, a power supply inside"}'
expect_status 201 "an unexpected arrival"
expect_jq '(.internal_id | test("^U[0-9]{8}$")) and .status == "queued" and (.task_id | type) == "number" and .labels.png != null' "scenario 8: internal id, queued, a task, a label"
U1=$(jqb .internal_id)
check "the task is an open unexpected_arrival task" test "$(q1 "SELECT kind || '|' || status || '|' || (details->>'internal_id') FROM task WHERE id = $(jqb .task_id)")" = "unexpected_arrival|open|$U1"
api GET "$UA?status=queued" "$AGENT"
expect_jq "[.arrivals[] | select(.internal_id == \"$U1\")] | length == 1" "scenario 8: in the unmatched queue"
curl -s -H "Authorization: Bearer $DEPOT" -o "$T_TMP/ua.png" "$BASE$UA/$U1/label.png"
P=$(zbarimg --raw -q -Sdisable -Sqrcode.enable "$T_TMP/ua.png" 2>/dev/null)
check "the label's QR decodes to the internal id ($P)" grep -qxE "HTTP://[0-9.:]+/U/$U1" <<<"$P"
S=$(curl -s -H "Authorization: Bearer $DEPOT" -o "$T_TMP/ua.pdf" -w '%{http_code}' "$BASE$UA/$U1/label.pdf")
check "the PDF label" test "$S|$(head -c 4 "$T_TMP/ua.pdf")" = "200|%PDF"
api GET "$UA/$U1/label.zpl" "$DEPOT"
check "the ZPL label" test "$STATUS|$(grep -c '\^XA' "$T_TMP/body")" = "200|1"
# bug 2: the 2x1 in part tag saying what it is, not a return label of an rma
check "bug 2: the tag is 2x1 in (406 dots wide at 203 dpi)" grep -q '\^PW406' "$T_TMP/body"
ZT=$(grep -o '\^FD[^^]*' "$T_TMP/body" | sed 's/^^FD//')
check "bug 2: the tag says UNEXPECTED ARRIVAL" grep -qx "UNEXPECTED ARRIVAL" <<<"$ZT"
check "bug 2: the tag shows the internal id" grep -qx "$U1" <<<"$ZT"
check "bug 2: the tag shows the station" grep -qx "STATION dock-3" <<<"$ZT"
for w in "RMA" "PARCEL 1 OF 1" "FROM" "Station dock-3" "unexpected arrivals"; do
    check "bug 2: the tag does not say '$w'" test "$(grep -cxF -- "$w" <<<"$ZT")" = 0
done
check "bug 2: the PNG is 406x203" test "$(file "$T_TMP/ua.png" | grep -o '[0-9]* x [0-9]*')" = "406 x 203"
# bug 2: the dock scan knows the tag: its QR and its bare id are the arrival, nothing is received
N=$(q1 "SELECT count(*) FROM event")
scan "$P"
expect_status 200 "bug 2: scan of the arrival's QR"
expect_jq ".outcome == \"unexpected\" and .next == \"quarantine\" and .internal_id == \"$U1\" and .status == \"queued\" and .code_kind == \"unexpected_arrival\"" "bug 2: the QR .../U/<id> is that arrival: unexpected, quarantine"
scan "$(tr '[:upper:]' '[:lower:]' <<<"$U1")"
expect_jq ".outcome == \"unexpected\" and .next == \"quarantine\" and .internal_id == \"$U1\"" "bug 2: the bare internal id (any case) is that arrival"
scan U99999999
expect_jq '.outcome == "unknown" and .next == "unexpected_arrival"' "bug 2: an internal id no arrival has is unknown"
check "bug 2: those scans received nothing (no event)" test "$(q1 "SELECT count(*) FROM event")" = "$N"
check "bug 2: the scans are logged as unexpected" test "$(q1 "SELECT count(*) FROM scan WHERE outcome = 'unexpected'")" = 2
S=$(curl -s -o "$T_TMP/u.html" -w '%{http_code}' "$BASE/U/$U1")
check "bug 2: the QR's URL opens a neutral page, not a 404 ($S)" test "$S" = 200
check "bug 2: that page says it is a depot label for internal use" grep -q "depot label, for internal use" "$T_TMP/u.html"
api GET "$UA/U99999999/label.png" "$DEPOT"
expect_status 404 "label of an unknown arrival"
api GET "$UA/$U1" "$DEPOT"
expect_jq ".internal_id == \"$U1\" and .station == \"dock-3\"" "one arrival"
api GET "$UA/X1" "$DEPOT"
expect_status 404 "a malformed internal id"
api GET "$UA?status=lost" "$DEPOT"
expect_error 422 status "an unknown queue status"
for b in '{"description": "x"}|station' '{"station": "d"}|description' '{"station": "d", "description": "x", "serial": "no good!"}|serial' \
    '{"station": 3, "description": "x"}|station'; do
    post "$UA" "${b%|*}"
    expect_error 422 "${b#*|}" "arrival body ${b%|*}"
done
post "$UA" '{"station": "d", "description": "x"}' "$ENGINEER"
expect_status 403 "an engineer cannot book an arrival"
post "$UA" '{"station": "d", "description": "x"}' "$CARRIER"
expect_status 403 "a carrier cannot book an arrival"

# match to an RMA line: received through the dock receive
serial_rma SRV7400003 SRV-R740
RM=$RMA
post "$UA/$U1/match" "{\"rma_number\": \"$RM\", \"line\": 2}"
expect_error 422 line "match to a line the rma does not have"
post "$UA/$U1/match" '{"rma_number": "R12", "line": 1}'
expect_error 422 rma_number "match to a malformed rma number"
post "$UA/$U1/match" "{\"rma_number\": \"$RM\"}"
expect_error 422 line "match without a line"
post "$UA/$U1/match" "{\"rma_number\": \"$RM\", \"line\": 1}"
expect_status 200 "match the arrival"
expect_jq '.status == "matched" and .receive == "received" and .matched_rma_number == "'"$RM"'" and .matched_line_no == 1' "matched and received"
check "the line is received with one receive event" test "$(inbound "$RM")|$(events "$RM" receive)" = "received|1"
check "the arrival's task is decided" test "$(q1 "SELECT t.status FROM task t JOIN unexpected_arrival u ON u.task_id = t.id WHERE u.internal_id = '$U1'")" = decided
post "$UA/$U1/match" "{\"rma_number\": \"$RM\", \"line\": 1}"
expect_error 409 status "a matched arrival cannot be matched again"
post "$UA" '{"station": "dock-3", "description": "second box", "code": "1Z999AA10123456784"}'
U2=$(jqb .internal_id)
post "$UA/$U2/match" "{\"rma_number\": \"$RM\", \"line\": 1}"
expect_error 409 line "match to a line already received"
post "$UA/$U2/close" '{"status": "scrapped"}'
expect_error 422 reason "close without a reason"
post "$UA/$U2/close" '{"status": "lost", "reason": "x"}'
expect_error 422 status "close as lost"
post "$UA/$U2/close" '{"status": "scrapped", "reason": "empty box"}'
expect_jq '.status == "scrapped" and .closed_reason == "empty box"' "closed as scrapped"
post "$UA/$U2/close" '{"status": "returned", "reason": "again"}'
expect_error 409 status "a closed arrival cannot be closed again"
post "$UA/U99999999/close" '{"status": "returned", "reason": "x"}'
expect_error 404 internal_id "close an unknown arrival"
api GET "$UA?status=queued" "$AGENT"
expect_jq "[.arrivals[] | select(.internal_id == \"$U1\" or .internal_id == \"$U2\")] | length == 0" "matched and closed arrivals left the queue"

# ---- inspection and disposition ------------------------------------------------------------------
IN="/api/v1/rmas/$R6/lines/1/inspection"
for b in '{"findings": ["none"]}|grade' '{"grade": "E", "findings": ["none"]}|grade' '{"grade": "A"}|findings' \
    '{"grade": "A", "findings": []}|findings' '{"grade": "A", "findings": ["smoke"]}|findings[0]' \
    '{"grade": "A", "findings": ["none"], "evidence": "photo"}|evidence' \
    '{"grade": "A", "findings": ["none"], "expected_state": "nowhere"}|expected_state' \
    '{"grade": "A", "findings": ["none"], "serial": "bad serial!"}|serial'; do
    post "$IN" "${b%|*}"
    expect_error 422 "${b#*|}" "inspection body ${b%|*}"
done
post "$IN" '{"grade": "A", "findings": ["none"]}' "$AGENT"
expect_status 403 "an agent cannot inspect"
post "$IN" '{"grade": "B", "findings": ["none"], "expected_state": "inspected"}' "$ENGINEER"
expect_error 409 expected_state "rule 4: inspection expecting another state"
N=$(events "$R6")
post "$IN" '{"grade": "B", "findings": ["fault_confirmed", "cosmetic"], "evidence": {"photos": 3}, "notes": "PSU 1 dead", "serial": "srv7400099"}' "$ENGINEER"
expect_status 200 "bug 6: inspection reading the accepted serial (not the authorized one)"
expect_jq '.outcome == "inspected" and .misuse == false and .inbound == "inspected" and .chargeable == false' "inspected, no misuse"
check "bug 6: the accepted serial at inspection is no mismatch: no hold, no second task" test "$(q1 "SELECT count(*) FROM task t JOIN rma r ON r.id = t.rma_id WHERE r.rma_number = '$R6'")|$(events "$R6" hold)" = "1|1"
check "rule 8: one inspect event with its actor" test "$(($(events "$R6") - N))|$(q1 "SELECT actor FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R6' AND e.kind = 'inspect'")" = "1|test engineer"
check "the inspection row and the line's grade" test "$(q1 "SELECT i.grade || '|' || array_to_string(i.findings, ',') || '|' || i.misuse || '|' || l.grade FROM inspection i JOIN rma_line l ON l.id = i.line_id JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$R6'")" = "B|fault_confirmed,cosmetic|false|B"
post "$IN" '{"grade": "B", "findings": ["none"]}' "$ENGINEER"
expect_status 409 "a second inspection of an inspected unit"
DI="/api/v1/rmas/$R6/lines/1/disposition"
post "$DI" '{"disposition": "fix"}'
expect_error 422 disposition "an unknown disposition"
post "$DI" '{}'
expect_error 422 disposition "no disposition"
post "$DI" '{"disposition": "repair"}' "$CARRIER"
expect_status 403 "a carrier cannot disposition"
N=$(events "$R6")
post "$DI" '{"disposition": "repair", "expected_state": "inspected"}' "$ENGINEER"
expect_status 200 "disposition repair"
expect_jq '.inbound == "dispositioned" and .repair == "queued" and .repair_queued == true and .outbound == "blocked"' "dispositioned, the repair leg queued, outbound still blocked"
check "rule 8: two events (disposition, queue)" test "$(($(events "$R6") - N))|$(events "$R6" disposition)|$(events "$R6" queue)" = "2|1|1"
post "$DI" '{"disposition": "repair"}' "$ENGINEER"
expect_status 409 "a second disposition"

# bug 6: a serial read at inspection (none read at the dock) is the received serial
serial_rma NBX130003 NB-X13
scan "$RMA"
check "no serial read at the dock: no received serial" test "$(q1 "SELECT coalesce(received_serial, '-') FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RMA'")" = -
post "/api/v1/rmas/$RMA/lines/1/inspection" '{"grade": "B", "findings": ["fault_confirmed"], "serial": "nbx130003"}' "$ENGINEER"
expect_jq '.outcome == "inspected"' "inspection reading the expected serial"
check "bug 6: the serial read at inspection is the received serial" test "$(q1 "SELECT received_serial FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RMA'")" = NBX130003

# serial read at inspection is not the one expected: hold and a task
serial_rma NBX130002 NB-X13
RI=$RMA
scan "$RI"
post "/api/v1/rmas/$RI/lines/1/inspection" '{"grade": "C", "findings": ["none"], "serial": "NBX13ZZZ9"}' "$ENGINEER"
expect_jq '.outcome == "serial_mismatch" and .inbound == "hold" and (.task_id | type) == "number"' "a serial mismatch at inspection: hold and a task"
TI=$(jqb .task_id)
check "no inspection row for the unit on hold" test "$(q1 "SELECT count(*) FROM inspection i JOIN rma_line l ON l.id = i.line_id JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RI'")" = 0
post "/api/v1/tasks/$TI/decide" '{"decision": "accept", "reason": "the customer sent this unit"}' "$ENGINEER"
expect_status 200 "accept the serial read at inspection"
check "bug 6: accepted at inspection: received serial" test "$(q1 "SELECT received_serial FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RI'")" = NBX13ZZZ9
post "/api/v1/rmas/$RI/lines/1/inspection" '{"grade": "C", "findings": ["none"], "serial": "NBX13ZZZ9"}' "$ENGINEER"
expect_jq '.outcome == "inspected" and .inbound == "inspected"' "bug 6: inspecting the accepted serial again does not hold it again"
check "bug 6: still one task" test "$(q1 "SELECT count(*) FROM task t JOIN rma r ON r.id = t.rma_id WHERE r.rma_number = '$RI'")" = 1

# misuse without a spare out: the RMA is chargeable, a quote, the repair does not start
N=$(events "$RM")
post "/api/v1/rmas/$RM/lines/1/inspection" '{"grade": "D", "findings": ["liquid", "fault_confirmed", "burn"], "evidence": {"photos": ["a.jpg"]}}' "$ENGINEER"
expect_jq '.misuse == true and .chargeable == true and (.quote_id | type) == "number" and .charge == null' "misuse found: a quote, no charge"
check "the quote's reason lists only the misuse findings" test "$(q1 "SELECT q.reason FROM quote q JOIN rma r ON r.id = q.rma_id WHERE r.rma_number = '$RM'")" = "misuse found at inspection (liquid,burn)"
api GET "/api/v1/rmas/$RM" "$AGENT"
expect_jq '.chargeable == true and (.quotes | length) == 1 and .quotes[0].status == "offered" and .quotes[0].total_cents == 45000 and .quotes[0].lines[0].coverage == "customer" and .lines[0].misuse == true' "the staff view: chargeable, an offered quote of the repair price"
check "the inspection wrote one event" test "$(($(events "$RM") - N))" = 1
post "/api/v1/rmas/$RM/lines/1/disposition" '{"disposition": "repair"}' "$ENGINEER"
expect_error 409 disposition "no repair before the quote is accepted"
check "the refused disposition changed nothing" test "$(inbound "$RM")|$(inbound "$RM" 1 repair)" = "inspected|pending"
# bug 1: the customer accepts the misuse quote (area A's endpoint): the repair may start
api POST "/api/v1/rmas/$RM/quote/accept" "$AGENT" '{"note": "customer agreed by phone"}'
expect_status 200 "bug 1: the misuse quote of an authorized rma is accepted"
N=$(events "$RM")
post "/api/v1/rmas/$RM/lines/1/disposition" '{"disposition": "repair", "expected_state": "inspected"}' "$ENGINEER"
expect_status 200 "bug 1: disposition repair after the accepted misuse quote"
expect_jq '.inbound == "dispositioned" and .repair == "queued" and .repair_queued == true' "bug 1: the accepted quote lets the repair start: repair leg queued"
check "bug 1: disposition and queue events" test "$(($(events "$RM") - N))|$(inbound "$RM" 1 repair)" = "2|queued"

# misuse after the spare went out (advance replacement): a charge
N=$(events "$AR")
post "/api/v1/rmas/$AR/lines/1/inspection" '{"grade": "D", "findings": ["physical_damage"]}' "$DEPOT"
expect_jq '.misuse == true and .charge.kind == "misuse" and .charge.amount_cents == 21000' "misuse on an advance-replacement core: a charge"
api GET "/api/v1/rmas/$AR" "$AGENT"
expect_jq '.chargeable == true and .open_charges == 1 and .charges[0].kind == "misuse" and .charges[0].amount_cents == 21000 and .charges[0].status == "open" and .status != "complete"' "the staff view: an open misuse charge of the part price, not complete"
post "/api/v1/rmas/$AR/lines/1/disposition" '{"disposition": "scrap"}' "$DEPOT"
expect_jq '.inbound == "dispositioned" and .repair == null' "the core is scrapped"
check "inspection, its charge (area A: charge_raised) and disposition: one event each" test "$(($(events "$AR") - N))|$(events "$AR" inspect)|$(events "$AR" charge_raised)|$(events "$AR" disposition)" = "3|1|1|1"

# exchange: inspected without misuse unblocks the outbound leg
serial_rma MEM32G0001 MEM-32G exchange
RX=$RMA
scan "$RX" MEM32G0001
post "/api/v1/rmas/$RX/lines/1/inspection" '{"grade": "B", "findings": ["fault_confirmed"]}' "$ENGINEER"
expect_jq '.outbound_unblocked == true and .outbound == "ready"' "exchange: inspected without misuse, outbound ready"
serial_rma SSD9600001 SSD-960 exchange
RY=$RMA
scan "$RY"
post "/api/v1/rmas/$RY/lines/1/inspection" '{"grade": "D", "findings": ["tampering"]}' "$ENGINEER"
expect_jq '.outbound_unblocked == false and .outbound == "blocked" and (.quote_id | type) == "number"' "exchange with misuse: outbound stays blocked, a quote"

# ---- bug 9: over-receipts are capped (100 times the quantity, 1,000,000 in all) -------------------
rma repair '[{"product_model":"KB-US","quantity":3}]' SRV7400001 SRV-R740
RC="/api/v1/rmas/$RMA/lines/1/receipts"
post "$RC" '{"quantity": 300, "station": "dock-1", "reason": "a pallet of keyboards"}'
expect_jq '.received_quantity == 300 and .over == 297' "an over-receipt up to 100 times the quantity"
post "$RC" '{"quantity": 1, "station": "dock-1", "reason": "one more"}'
expect_error 422 quantity "bug 9: more than 100 times the quantity authorized"
check "bug 9: the refused receipt changed nothing" test "$(q1 "SELECT received_quantity FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RMA'")" = 300
rma repair '[{"product_model":"CBL-PWR","quantity":20000}]' SRV7400001 SRV-R740
RC="/api/v1/rmas/$RMA/lines/1/receipts"
post "$RC" '{"quantity": 20000, "station": "dock-1"}'
for i in 1 2 3 4 5 6 7 8 9; do post "$RC" '{"quantity": 100000, "station": "dock-1", "reason": "bulk"}'; done
post "$RC" '{"quantity": 80000, "station": "dock-1", "reason": "bulk"}'
expect_jq '.received_quantity == 1000000' "received 1,000,000 in all"
post "$RC" '{"quantity": 1, "station": "dock-1", "reason": "bulk"}'
expect_error 422 quantity "bug 9: more than 1,000,000 received in all"
for i in $(seq 1 25); do post "$RC" '{"quantity": 100000, "station": "dock-1", "reason": "bulk"}'; done
expect_error 422 quantity "bug 9: no overflow however often it is tried"
check "bug 9: the total stayed at the cap" test "$(q1 "SELECT received_quantity FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RMA'")" = 1000000

# ---- bug 3: a receive and a cancel/close serialize on the rma row (rule 6) -----------------------
# closing RMA SECONDS: in the background, locks the rma FOR UPDATE as a cancel does, closes it and
# commits after SECONDS; the caller's request runs meanwhile
closing() {
    psql_t -c "BEGIN; SELECT id FROM rma WHERE rma_number = '$1' FOR UPDATE;
        UPDATE rma SET closed_at = now(), close_reason = 'test' WHERE rma_number = '$1';
        SELECT pg_sleep($2); COMMIT;" >/dev/null &
    CLOSER=$!
    sleep 0.5
}
serial_rma SRVCLOSE001 SRV-R740
closing "$RMA" 2
scan "$RMA" SRVCLOSE001
wait "$CLOSER"
expect_jq '.outcome == "not_expected" and .next == "quarantine"' "bug 3: a scan that waited for a close: not_expected"
check "bug 3: nothing received (parcel, leg, events, receipts)" test "$(q1 "SELECT count(*) FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.rma_number = '$RMA' AND p.received_at IS NOT NULL")|$(inbound "$RMA")|$(events "$RMA" receive)|$(q1 "SELECT count(*) FROM receipt rc JOIN rma r ON r.id = rc.rma_id WHERE r.rma_number = '$RMA'")" = "0|label_issued|0|0"
check "bug 3: the scan is logged as not_expected" test "$(q1 "SELECT count(*) FROM scan s JOIN rma r ON r.id = s.rma_id WHERE r.rma_number = '$RMA' AND s.outcome = 'not_expected'")" = 1
rma repair '[{"product_model":"KB-US","quantity":2}]' SRV7400001 SRV-R740
closing "$RMA" 2
post "/api/v1/rmas/$RMA/lines/1/receipts" '{"quantity": 2, "station": "dock-1"}'
wait "$CLOSER"
expect_error 409 rma_number "bug 3: a counted receipt that waited for a close is refused"
check "bug 3: nothing counted" test "$(q1 "SELECT received_quantity FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RMA'")|$(inbound "$RMA")" = "0|label_issued"
serial_rma SRVCLOSE002 SRV-R740
post "$UA" '{"station": "dock-3", "description": "a server, no label", "serial": "SRVCLOSE002"}'
U3=$(jqb .internal_id)
closing "$RMA" 2
post "$UA/$U3/match" "{\"rma_number\": \"$RMA\", \"line\": 1}"
wait "$CLOSER"
expect_error 409 rma_number "bug 3: a match that waited for a close is refused"
check "bug 3: the arrival stays queued, nothing received" test "$(q1 "SELECT status FROM unexpected_arrival WHERE internal_id = '$U3'")|$(inbound "$RMA")" = "queued|label_issued"
# cancel (area A) racing a dock scan: never both (rule 6)
BOTH=0
for i in 1 2 3 4 5 6; do
    serial_rma "SRVCRACE00$i" SRV-R740
    jq -nc --arg c "$RMA" --arg s "SRVCRACE00$i" '{code: $c, station: "dock-race", serial: $s}' >"$T_TMP/cr.scan"
    curl -s --max-time 30 -X POST -H "Authorization: Bearer $DEPOT" -H "Content-Type: application/json" --data-binary "@$T_TMP/cr.scan" -o "$T_TMP/cr.scan.out" "$BASE/api/v1/scans" &
    P1=$!
    curl -s --max-time 30 -X POST -H "Authorization: Bearer $AGENT" -H "Content-Type: application/json" -d '{"reason": "customer changed mind"}' -o "$T_TMP/cr.cancel.out" -w '%{http_code}' "$BASE/api/v1/rmas/$RMA/cancel" >"$T_TMP/cr.cancel.code" &
    P2=$!
    wait "$P1" "$P2"
    if [ "$(jq -r .outcome "$T_TMP/cr.scan.out")" = received ] && [ "$(cat "$T_TMP/cr.cancel.code")" = 200 ]; then BOTH=$((BOTH + 1)); fi
done
check "bug 3: a cancel racing a dock scan: never both ($BOTH of 6)" test "$BOTH" = 0
check "bug 3: no raced rma is both cancelled and received" test "$(q1 "SELECT count(*) FROM rma r JOIN rma_line l ON l.rma_id = r.id WHERE l.serial_number LIKE 'SRVCRACE%' AND r.closed_at IS NOT NULL AND EXISTS (SELECT 1 FROM parcel p WHERE p.rma_id = r.id AND p.received_at IS NOT NULL)")" = 0

# ---- rule 8: every event has an actor and a channel ----------------------------------------------
check "rule 8: no event without an actor" test "$(q1 "SELECT count(*) FROM event WHERE actor = '' OR actor IS NULL OR channel = ''")" = 0

finish

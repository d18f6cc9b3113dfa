#!/usr/bin/env bash
# Repair work orders and the outbound leg (issue 4, area C):
#   POST /api/v1/rmas/{rma}/lines/{line}/repair        every repair event allowed and refused,
#                                                      parts, swap lineage (rule 7), unblock
#   GET  /api/v1/rmas/{rma}/lines/{line}/work-order
#   POST /api/v1/rmas/{rma}/lines/{line}/pack          rule 7 at the pack scan, parcel n of m
#   POST /api/v1/rmas/{rma}/shipments/{parcel}/events  ship, deliver, exceptions, carrier tokens
# with the expected state (rule 4), one event per step (rule 8), duplicates (rule 5), racing
# requests, roles and bad input.
source "$(dirname "$0")/../lib.sh"
rmad_setup
DHL=$("$RMAD_BIN" token create --role carrier --name "test dhl" --carrier DHL)

# ---- helpers ------------------------------------------------------------------------------------
# mk_rma TYPE SERIAL MODEL: a case and an authorized RMA of TYPE for one serialised unit; sets RMA.
mk_rma() {
    new_case "$2" "$3"
    api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" --arg t "$1" --arg s "$2" --arg m "$3" '{
        case_number: $c, type: $t, lines: [{serial_number: $s, product_model: $m}],
        screening: {outcome: "eligible", reason: "in warranty, no misuse", evidence: {notes: "ok"}}}')"
    RMA=$(jqb .rma_number)
}
line_id() { psql_t -c "SELECT l.id FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$1' AND l.line_no = ${2:-1}"; }
leg() { psql_t -c "SELECT g.state FROM leg g WHERE g.line_id = $(line_id "$1" "${3:-1}") AND g.kind = '$2'"; }
events() { psql_t -c "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$1'"; }
leg_events() { psql_t -c "SELECT count(*) FROM event WHERE line_id = $(line_id "$1") AND leg = '$2'"; }
rows() { psql_t -c "SELECT (SELECT count(*) FROM event) || '/' || (SELECT count(*) FROM repair_part) || '/' ||
    (SELECT count(*) FROM serial_swap) || '/' || (SELECT count(*) FROM parcel) || '/' ||
    (SELECT count(*) FROM install_base) || '/' || (SELECT string_agg(state, ',' ORDER BY id) FROM leg) || '/' ||
    (SELECT string_agg(coalesce(outbound_serial, '-'), ',' ORDER BY id) FROM rma_line) || '/' ||
    (SELECT string_agg(status, ',' ORDER BY serial_number) FROM spare_unit) || '/' ||
    (SELECT string_agg(on_hand || ':' || reserved, ',' ORDER BY product_model) FROM spare_bin)"; }
unchanged() { # unchanged BEFORE WHAT
    local now
    now=$(rows)
    if [ "$now" = "$1" ]; then pass "$2: nothing written"; else fail "$2: rows written" "$1 -> $now"; fi
}
repair() { # repair RMA BODY [TOKEN]
    api POST "/api/v1/rmas/$1/lines/1/repair" "${3:-$ENGINEER}" "$2"
}
ev() { jq -nc --arg e "$1" '{event: $e}'; }

# receive_and_queue RMA: the unit arrives (dock scan), is inspected and dispositioned for repair
# (area B's endpoints), which queues the repair leg.
receive_and_queue() {
    api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$1" '{code: $c, station: "dock-1"}')"
    expect_jq '.outcome == "received"' "dock scan of $1"
    api POST "/api/v1/rmas/$1/lines/1/inspection" "$DEPOT" \
        '{"grade": "B", "findings": ["fault_confirmed"], "evidence": {"photos": 2}}'
    expect_status 200 "inspection of $1"
    api POST "/api/v1/rmas/$1/lines/1/disposition" "$DEPOT" '{"disposition": "repair"}'
    expect_status 200 "disposition repair of $1"
}

# ---- roles and bad input before anything moves --------------------------------------------------
mk_rma repair SRV7400001 SRV-R740
expect_status 201 "repair rma for SRV7400001"
R1=$RMA
B0=$(rows)
repair "$R1" "$(ev diagnose)"
expect_error 409 repair "diagnose before the unit arrived is refused"
unchanged "$B0" "repair before the unit arrived"
repair "$R1" "$(ev queue)"
expect_error 422 event "bug 2: queue is not a work order event (the disposition queues)"
repair "$R1" "$(ev diagnose)" "$AGENT"
expect_status 403 "an agent may not move the repair leg"
repair "$R1" "$(ev diagnose)" "$CARRIER"
expect_status 403 "a carrier may not move the repair leg"
api POST "/api/v1/rmas/$R1/lines/1/repair" "" "$(ev diagnose)"
expect_status 401 "no token"
repair "$R1" '{}'
expect_error 422 event "event is required"
repair "$R1" '{"event": 5}'
expect_error 422 event "event must be a string"
repair "$R1" "$(ev fix_it)"
expect_error 422 event "an unknown event"
repair "$R1" "$(ev ship)"
expect_error 422 event "an outbound event is not a repair event"
repair "$R1" "$(ev receive)"
expect_error 422 event "an inbound event is not a repair event"
repair "$R1" '{"event": "diagnose", "expected_state": "flying"}'
expect_error 422 expected_state "an unknown expected state"
repair "$R1" '{"event": "start_repair", "parts": "a disk"}'
expect_error 422 parts "parts must be a list"
repair "$R1" '{"event": "start_repair", "parts": [{"quantity": 1}]}'
expect_error 422 'parts[0].product_model' "a part needs its model"
repair "$R1" '{"event": "start_repair", "parts": [{"product_model": "PSU-750", "quantity": 0}]}'
expect_error 422 'parts[0].quantity' "a part quantity of 0"
repair "$R1" '{"event": "start_repair", "parts": [{"product_model": "PSU-750", "quantity": 1.5}]}'
expect_error 422 'parts[0].quantity' "a fractional part quantity"
repair "$R1" '{"event": "start_repair", "parts": [{"product_model": "PSU-750", "serial_number": "P1", "quantity": 2}]}'
expect_error 422 'parts[0].quantity' "a serialised part has quantity 1"
repair "$R1" '{"event": "diagnose", "swap": {"new_serial": "X1", "reason": "r"}}'
expect_error 422 swap "a swap with diagnose"
repair "$R1" '{"event": "repaired", "swap": {"new_serial": "X1"}}'
expect_error 422 swap.reason "a swap needs a reason"
repair "$R1" '{"event": "repaired", "swap": "X1"}'
expect_error 422 swap "swap must be an object"
repair "$R1" 'not json'
expect_status 400 "malformed json"
api POST "/api/v1/rmas/R000000000/lines/1/repair" "$ENGINEER" "$(ev diagnose)"
expect_status 404 "unknown rma"
api POST "/api/v1/rmas/$R1/lines/7/repair" "$ENGINEER" "$(ev diagnose)"
expect_error 404 line "unknown line"
api POST "/api/v1/rmas/$R1/lines/x/repair" "$ENGINEER" "$(ev diagnose)"
expect_error 404 line "a line that is not a number"
unchanged "$B0" "refused requests"

# ---- bug 2: no work order before the disposition repair ------------------------------------------
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$R1" '{code: $c, station: "dock-1"}')"
expect_jq '.outcome == "received"' "dock scan of $R1"
repair "$R1" "$(ev diagnose)"
expect_error 409 repair "bug 2: diagnose of a unit received, not inspected, is refused"
api POST "/api/v1/rmas/$R1/lines/1/inspection" "$DEPOT" \
    '{"grade": "B", "findings": ["fault_confirmed"], "evidence": {"photos": 2}}'
expect_status 200 "inspection of $R1"
B0=$(rows)
for e in diagnose escalate; do
    repair "$R1" "$(ev $e)"
    expect_error 409 repair "bug 2: $e of a unit inspected, not dispositioned, is refused"
done
unchanged "$B0" "repair events before the disposition"
api POST "/api/v1/rmas/$R1/lines/1/disposition" "$DEPOT" '{"disposition": "repair"}'
expect_status 200 "disposition repair of $R1"
repair "$R1" "$(ev queue)"
expect_error 422 event "bug 2: queue after the disposition is still not a work order event"
for d in scrap return_unrepaired; do
    psql_t -c "INSERT INTO install_base VALUES ('SRVNOREP${#d}', 'SRV-R740', '2025-01-01', '2028-01-01', NULL)" >/dev/null
    mk_rma repair "SRVNOREP${#d}" SRV-R740
    RN=$RMA
    api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$RN" '{code: $c, station: "dock-1"}')"
    api POST "/api/v1/rmas/$RN/lines/1/inspection" "$DEPOT" '{"grade": "C", "findings": ["fault_confirmed"]}'
    api POST "/api/v1/rmas/$RN/lines/1/disposition" "$DEPOT" "$(jq -nc --arg d "$d" '{disposition: $d}')"
    expect_status 200 "disposition $d"
    BN=$(rows)
    for e in diagnose escalate; do
        api POST "/api/v1/rmas/$RN/lines/1/repair" "$ENGINEER" "$(ev $e)"
        expect_error 409 repair "bug 2: a line dispositioned $d cannot be repaired ($e)"
    done
    api POST "/api/v1/rmas/$RN/lines/1/repair" "$ENGINEER" "$(ev queue)"
    expect_error 422 event "bug 2: queue after $d is refused"
    unchanged "$BN" "repair events after $d"
done

# ---- the work order of a repair, step by step ----------------------------------------------------
check "after disposition the repair leg is queued" test "$(leg "$R1" repair)" = queued
B1=$(rows)
repair "$R1" "$(ev repaired)"
expect_error 409 repair "repaired straight from queued is refused"
repair "$R1" "$(ev test)"
expect_error 409 repair "test from queued is refused"
repair "$R1" "$(ev factory_repaired)"
expect_error 409 repair "a factory result without escalation is refused"
repair "$R1" '{"event": "diagnose", "expected_state": "diagnosing"}'
expect_error 409 expected_state "an expected state that does not hold (rule 4)"
repair "$R1" '{"event": "diagnose", "parts": [{"product_model": "NOPE-1", "quantity": 1}]}'
expect_error 422 'parts[0].product_model' "an unknown part model"
unchanged "$B1" "refused moves"

step() { # step EVENT TO [BODY]: one move, one event on the repair leg
    local before after body=${3:-$(ev "$1")}
    before=$(leg_events "$R1" repair)
    repair "$R1" "$body"
    expect_status 200 "$1"
    expect_jq ".repair == \"$2\" and .moved.to == \"$2\" and .moved.event == \"$1\"" "$1 -> $2"
    after=$(leg_events "$R1" repair)
    check "$1 wrote exactly one repair event (rule 8)" test "$after" = $((before + 1))
}
step diagnose diagnosing '{"event": "diagnose", "expected_state": "queued", "notes": "PSU 1 dead"}'
expect_jq '.events[-1].reason == "PSU 1 dead" and .events[-1].actor == "test engineer"' "the event has the notes and the actor"
step start_repair in_repair '{"event": "start_repair", "parts": [{"product_model": "PSU-750", "serial_number": "psu-new-1", "quantity": 1}, {"product_model": "CBL-PWR", "quantity": 2}]}'
expect_jq '(.parts | length) == 2 and .parts[0].serial_number == "PSU-NEW-1" and .parts[1].quantity == 2' "the parts consumed are recorded"
step wait_parts awaiting_parts
repair "$R1" "$(ev test)"
expect_error 409 repair "test while awaiting parts is refused"
step parts_arrived in_repair
step test testing
step start_repair in_repair
step test testing
check "outbound stays blocked while the repair runs" test "$(leg "$R1" outbound)" = blocked
api GET "/api/v1/rmas/$R1" "$ADMIN"
expect_jq '.status == "in_repair"' "the rma is in repair"
step repaired repaired
expect_jq '.moved.outbound_unblocked == true and .outbound == "ready"' "repaired unblocks the outbound leg"
expect_jq '.outbound_serial == "SRV7400001" and .swap == null' "without a swap the same serial goes back"
check "one outbound unblock event" test "$(leg_events "$R1" outbound)" = 2
repair "$R1" "$(ev test)"
expect_error 409 repair "nothing leaves repaired"
api GET "/api/v1/rmas/$R1/lines/1/work-order" "$DEPOT"
expect_status 200 "the work order"
expect_jq '.repair == "repaired" and (.events | map(.kind) | .[-8:]) == ["diagnose","start_repair","wait_parts","parts_arrived","test","start_repair","test","repaired"]' "the work order lists the repair events"
api GET "/api/v1/rmas/$R1/lines/1/work-order" "$CARRIER"
expect_status 403 "a carrier may not read work orders"
api GET "/api/v1/rmas/$R1/lines/9/work-order" "$DEPOT"
expect_status 404 "work order of an unknown line"
api GET "/api/v1/rmas/$R1" "$ADMIN"
expect_jq '.status == "ready_to_ship"' "the rma is ready to ship"

# ---- pack scan (rule 7) ---------------------------------------------------------------------------
pack() { api POST "/api/v1/rmas/$1/lines/${3:-1}/pack" "${4:-$DEPOT}" "$2"; }
B2=$(rows)
pack "$R1" '{"serial": "SRV7400001"}'
expect_error 422 station "station is required"
pack "$R1" '{"serial": "SRV7400001", "station": "pack-1", "carrier": "ACME"}'
expect_error 422 carrier "an unknown carrier"
pack "$R1" '{"serial": "SRV7400001", "station": "pack-1", "expected_state": "moon"}'
expect_error 422 expected_state "an unknown expected state"
pack "$R1" '{"serial": "SRV7400001", "station": "pack-1", "quantity": 0}'
expect_error 422 quantity "quantity 0"
pack "$R1" '{"station": "pack-1"}'
expect_error 422 serial "a serialised unit needs its serial scanned"
pack "$R1" '{"serial": "SRV7400001", "station": "pack-1", "quantity": 2}'
expect_error 422 quantity "a serialised unit has quantity 1"
pack "$R1" '{"serial": "SRV7400002", "station": "pack-1"}'
expect_error 409 serial "another serial is refused at the pack scan (rule 7)"
pack "$R1" '{"serial": "SRV7400001", "station": "pack-1", "expected_state": "packed"}'
expect_error 409 expected_state "pack with a wrong expected state"
pack "$R1" '{"serial": "SRV7400001", "station": "pack-1"}' 1 "$ENGINEER"
expect_status 403 "an engineer does not pack"
pack "$R1" '{"serial": "SRV7400001", "station": "pack-1"}' 1 "$CARRIER"
expect_status 403 "a carrier does not pack"
unchanged "$B2" "refused pack scans"
E0=$(events "$R1")
pack "$R1" '{"serial": "srv7400001", "station": "pack-1", "expected_state": "ready"}'
expect_status 201 "the unit that came in is packed"
expect_jq '.direction == "outbound" and .parcel_no == 1 and .parcel_count == 1 and .state == "packed" and .carrier == "UPS" and .serial == "SRV7400001" and .outcome == "packed"' "an outbound parcel 1 of 1 for the default carrier"
expect_jq '.labels.png == "/api/v1/rmas/'"$R1"'/shipments/1/label.png" and .labels.zpl == "/api/v1/rmas/'"$R1"'/shipments/1/label.zpl" and .labels.pdf == "/api/v1/rmas/'"$R1"'/shipments/1/label.pdf"' "the answer links the outbound labels"
check "Location names the shipment" grep -qi "^Location: /api/v1/rmas/$R1/shipments/1" <<<"$HEADERS"
check "pack wrote exactly one event" test "$(events "$R1")" = $((E0 + 1))
check "outbound leg is packed" test "$(leg "$R1" outbound)" = packed
pack "$R1" '{"serial": "SRV7400001", "station": "pack-1"}'
expect_status 200 "the same unit scanned again"
expect_jq '.outcome == "duplicate" and .parcel_no == 1' "a duplicate pack scan answers the parcel"
check "a duplicate pack scan writes no event (rule 5)" test "$(events "$R1")" = $((E0 + 1))
pack "$R1" '{"serial": "SRV7400002", "station": "pack-1"}'
expect_error 409 outbound "another serial after packing: the leg is not ready"
api GET "/api/v1/rmas/$R1" "$ADMIN"
expect_jq '.parcels | map(select(.direction == "outbound")) | length == 1' "one outbound parcel in the staff view"

# ---- shipment events -----------------------------------------------------------------------------
ship() { api POST "/api/v1/rmas/$1/shipments/${3:-1}/events" "${4:-$DEPOT}" "$2"; }
B3=$(rows)
ship "$R1" '{}'
expect_error 422 event "event is required"
ship "$R1" "$(ev diagnose)"
expect_error 422 event "a repair event on a shipment"
ship "$R1" "$(ev pack)"
expect_error 422 event "pack is not a carrier event"
ship "$R1" '{"event": "deliver", "tracking_number": "1Z999"}'
expect_error 422 tracking_number "a tracking number with deliver"
ship "$R1" '{"event": "ship", "tracking_number": "1Z 99<"}'
expect_error 422 tracking_number "a malformed tracking number"
ship "$R1" "$(ev deliver)"
expect_error 409 outbound "deliver before ship"
ship "$R1" '{"event": "ship", "expected_state": "ready"}'
expect_error 409 expected_state "ship with a wrong expected state"
ship "$R1" "$(ev ship)" 2
expect_error 404 parcel "an unknown shipment"
ship "$R1" "$(ev ship)" 1 "$DHL"
expect_error 404 parcel "a carrier token on another carrier's parcel (not there for it, as on reads)"
ship "$R1" "$(ev ship)" 1 "$ENGINEER"
expect_status 403 "an engineer does not ship"
unchanged "$B3" "refused shipment events"
E1=$(events "$R1")
ship "$R1" '{"event": "ship", "tracking_number": "1z999aa10123456784", "expected_state": "packed"}'
expect_status 200 "shipped"
expect_jq '.state == "shipped" and .outbound_leg == "shipped" and .tracking_number == "1Z999AA10123456784" and .shipped_at != null' "parcel shipped with its tracking number"
ship "$R1" "$(ev ship)" 1 "$CARRIER"
expect_jq '.outcome == "duplicate"' "the same ship event again is a duplicate"
B4=$(rows)
T4=$(psql_t -c "SELECT tracking_number FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.rma_number = '$R1' AND p.direction = 'outbound'")
ship "$R1" '{"event": "ship", "tracking_number": "1Z999AA10000000001"}' 1 "$CARRIER"
expect_error 409 tracking_number "bug 9: ship again with another tracking number is refused"
unchanged "$B4" "another tracking number"
check "bug 9: the stored tracking number stays" test "$(psql_t -c "SELECT tracking_number FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.rma_number = '$R1' AND p.direction = 'outbound'")" = "$T4"
ship "$R1" '{"event": "ship", "tracking_number": "1Z999AA10123456784"}' 1 "$CARRIER"
expect_status 200 "ship again with the same tracking number"
expect_jq '.outcome == "duplicate" and .tracking_number == "1Z999AA10123456784"' "the same tracking number again is a duplicate"
check "ship wrote one event, its duplicates none (rule 5)" test "$(events "$R1")" = $((E1 + 1))
ship "$R1" "$(ev deliver)" 1 "$CARRIER"
expect_status 200 "the parcel's own carrier delivers"
expect_jq '.state == "delivered" and .delivered_at != null' "delivered"
ship "$R1" "$(ev ship)"
expect_error 409 outbound "a delivered parcel never moves back"
ship "$R1" "$(ev delivery_exception)" 1 "$CARRIER"
expect_error 409 outbound "no exception after delivery"
ship "$R1" "$(ev return_to_sender)"
expect_error 409 outbound "no return to sender after delivery"
check "deliver wrote one event" test "$(events "$R1")" = $((E1 + 2))
api GET "/api/v1/rmas/$R1" "$ADMIN"
expect_jq '.status == "complete"' "repaired, shipped and delivered: the rma is complete"
expect_jq '.lines[0].open == false' "bug 7: the delivered line is done (open = false)"
expect_jq '[.events[] | select(.leg == "outbound") | .kind] == ["leg_opened","unblock","pack","ship","deliver"]' "outbound events: opened, unblock, pack, ship, deliver"
expect_jq '[.events[] | select(.actor == null or .actor == "")] | length == 0' "every event has an actor (rule 8)"
R0=$R1
mk_rma repair SRV7400001 SRV-R740
expect_status 201 "bug 7: after the repair was delivered, a new rma for the same serial (rule 2)"
ship "$R0" "$(ev deliver)" 1 "$CARRIER"
expect_jq '.outcome == "duplicate"' "a delivery after the line is done is still a duplicate"

# ---- swap: lineage and warranty carried over (rule 7) ---------------------------------------------
psql_t -c "DELETE FROM install_base WHERE serial_number = 'SRVNEW0001'" >/dev/null
mk_rma repair SRV7400002 SRV-R740
R2=$RMA
R1=$R2
receive_and_queue "$R2"
step diagnose diagnosing
step start_repair in_repair
step test testing
repair "$R2" '{"event": "repaired", "swap": {"new_serial": "SRV7400002", "reason": "same"}}'
expect_error 422 swap.new_serial "a swap to the same serial"
step repaired repaired '{"event": "repaired", "swap": {"new_serial": "srvnew0001", "reason": "main board replaced by a refurbished unit"}}'
expect_jq '.swap.old_serial == "SRV7400002" and .swap.new_serial == "SRVNEW0001" and .swap.warranty_end == "2028-03-13"' "the swap records old -> new with the warranty end"
expect_jq '.outbound_serial == "SRVNEW0001"' "the new serial goes back"
check "install base of the new serial has the old warranty end" test "$(psql_t -c "SELECT warranty_end || '/' || product_model || '/' || coalesce(contract, '') FROM install_base WHERE serial_number = 'SRVNEW0001'")" = "2028-03-13/SRV-R740/ProSupport 3Y NBD"
pack "$R2" '{"serial": "SRV7400002", "station": "pack-1"}'
expect_error 409 serial "after a swap the old serial is refused at the pack scan"
pack "$R2" '{"serial": "SRVNEW0001", "station": "pack-1", "carrier": "dhl"}'
expect_status 201 "the swapped serial is packed"
expect_jq '.serial == "SRVNEW0001" and .carrier == "DHL"' "packed for DHL"
ship "$R2" "$(ev ship)" 1 "$CARRIER"
expect_error 404 parcel "UPS may not ship DHL's parcel (it does not exist for UPS)"
ship "$R2" "$(ev ship)" 1 "$DHL"
expect_status 200 "DHL ships its own parcel"
ship "$R2" "$(ev delivery_exception)" 1 "$DHL"
expect_jq '.state == "delivery_exception"' "delivery exception"
ship "$R2" "$(ev deliver)" 1 "$DHL"
expect_jq '.state == "delivered"' "delivered after the exception"
api GET "/api/v1/rmas/$R2" "$ADMIN"
expect_jq '.status == "complete" and .lines[0].swap.new_serial == "SRVNEW0001"' "complete, the staff view shows the swap"

# bug 6: a serial mismatch accepted at the dock: the unit that came in is the one that goes back
mk_rma repair NBX130002 NB-X13
RM=$RMA
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$RM" '{code: $c, station: "dock-1", serial: "nbx13rcv01"}')"
expect_jq '.outcome == "serial_mismatch" and (.task_id | type) == "number"' "another serial at the dock: a task"
api POST "/api/v1/tasks/$(jqb .task_id)/decide" "$ENGINEER" '{"decision": "accept", "reason": "the customer sent this unit"}'
expect_status 200 "the mismatch is accepted"
api POST "/api/v1/rmas/$RM/lines/1/inspection" "$DEPOT" '{"grade": "B", "findings": ["fault_confirmed"]}'
expect_status 200 "inspection of the unit that came in"
api POST "/api/v1/rmas/$RM/lines/1/disposition" "$DEPOT" '{"disposition": "repair"}'
expect_status 200 "disposition repair"
R1=$RM
repair "$R1" '{"event": "repaired", "swap": {"new_serial": "NBX13RCV01", "reason": "r"}}'
expect_error 422 swap.new_serial "a swap to the serial that came in"
step diagnose diagnosing
step no_fault_found no_fault_found
expect_jq '.outbound == "ready" and .outbound_serial == "NBX13RCV01"' "bug 6: no fault found: the unit that came in goes back"

# bug 4: the new serial of a swap must be one the depot may hand out
mk_rma repair NBX130001 NB-X13
R1=$RMA
receive_and_queue "$R1"
step diagnose diagnosing
step start_repair in_repair
step test testing
B5=$(rows)
swap() { jq -nc --arg s "$1" '{event: "repaired", swap: {new_serial: $s, reason: "unit exchanged"}}'; }
repair "$R1" "$(swap NBX13RCV01)"
expect_error 409 swap.new_serial "bug 4: the unit that came in on another open line"
repair "$R1" "$(swap SRV7400001)"
expect_error 409 swap.new_serial "bug 4: a serial with an open rma line (rule 2)"
repair "$R1" "$(swap NBX130003)"
expect_error 409 swap.new_serial "bug 4: a customer's unit in the install base"
repair "$R1" "$(swap SSRV7400901)"
expect_error 422 swap.new_serial "bug 4: a depot spare of another model"
unchanged "$B5" "refused swaps"
check "bug 4: another customer's install base row is not overwritten" test "$(psql_t -c "SELECT warranty_end FROM install_base WHERE serial_number = 'NBX130003'")" = 2024-09-08
step repaired repaired "$(swap snbx130901)"
expect_jq '.swap.new_serial == "SNBX130901" and .swap.source == "spare" and .swap.warranty_end == "2027-01-19" and .outbound_serial == "SNBX130901"' "bug 4: an available spare of the line's model is swapped in"
check "bug 4: the spare is consumed by the line" test "$(psql_t -c "SELECT status || '/' || (consumed_line_id = $(line_id "$R1")) || '/' || (line_id IS NULL) FROM spare_unit WHERE serial_number = 'SNBX130901'")" = consumed/true/true
check "bug 4: the spare's install base row gets the old warranty end (rule 7)" test "$(psql_t -c "SELECT warranty_end || '/' || product_model FROM install_base WHERE serial_number = 'SNBX130901'")" = 2027-01-19/NB-X13
check "the old serial's warranty is unchanged" test "$(psql_t -c "SELECT warranty_end FROM install_base WHERE serial_number = 'NBX130001'")" = 2027-01-19

# bug 6: the pack scan takes the unit that came in, not the line's own serial
pack "$RM" '{"serial": "NBX130002", "station": "pack-1"}'
expect_error 409 serial "bug 6: the line's serial is not the unit that came in"
pack "$RM" '{"serial": "nbx13rcv01", "station": "pack-1"}'
expect_status 201 "bug 6: the accepted serial is packed"
expect_jq '.serial == "NBX13RCV01"' "the parcel holds the unit that came in"

mk_rma repair SRV7400003 SRV-R740
R1=$RMA
receive_and_queue "$R1"
step diagnose diagnosing
step quote quote_pending
repair "$R1" "$(ev test)"
expect_error 409 repair "no test while a quote is pending"
step quote_declined unrepairable
expect_jq '.outbound == "ready" and .outbound_serial == "SRV7400003"' "declined quote: unrepairable, the unit goes back"

# ---- factory escalation -----------------------------------------------------------------------------
mk_rma factory PSU7500001 PSU-750
expect_status 201 "factory rma"
R1=$RMA
receive_and_queue "$R1"
step escalate at_factory '{"event": "escalate", "notes": "sent to the plant"}'
repair "$R1" "$(ev repaired)"
expect_error 409 repair "repaired (depot) while at the factory is refused"
repair "$R1" '{"event": "factory_unrepairable", "swap": {"new_serial": "X2", "reason": "r"}}'
expect_error 422 swap "a swap with factory_unrepairable"
repair "$R1" '{"event": "factory_replaced", "swap": {"new_serial": "SNBX130901", "reason": "r"}}'
expect_error 409 swap.new_serial "bug 4: a spare already swapped into another open line"
step factory_replaced factory_replaced '{"event": "factory_replaced", "swap": {"new_serial": "PSUFAC0001", "reason": "factory unit"}}'
expect_jq '.outbound == "ready" and .outbound_serial == "PSUFAC0001" and .swap.warranty_end == "2028-03-13"' "factory replacement: the factory unit goes back with the warranty"
pack "$R1" '{"serial": "PSU7500001", "station": "pack-2"}'
expect_error 409 serial "the original serial after a factory replacement is refused"
pack "$R1" '{"serial": "PSUFAC0001", "station": "pack-2"}'
expect_status 201 "the factory unit is packed"

mk_rma factory PSU7500002 PSU-750
R1=$RMA
receive_and_queue "$R1"
step diagnose diagnosing
step escalate at_factory
step factory_repaired repaired
expect_jq '.outbound == "ready" and .outbound_serial == "PSU7500002"' "factory repaired: the same unit goes back"

mk_rma factory MEM32G0001 MEM-32G
R1=$RMA
receive_and_queue "$R1"
step escalate at_factory
step factory_unrepairable unrepairable
expect_jq '.outbound == "ready"' "factory unrepairable: the unit goes back"

# ---- concurrency: racing moves, packs and carrier events --------------------------------------------
psql_t -c "INSERT INTO install_base VALUES ('SRVRACE001', 'SRV-R740', '2025-01-01', '2028-01-01', NULL)" >/dev/null
mk_rma repair SRVRACE001 SRV-R740
R1=$RMA
receive_and_queue "$R1"
E2=$(leg_events "$R1" repair)
pids=()
for i in 1 2 3 4 5 6 7 8; do
    curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $ENGINEER" \
        -H 'Content-Type: application/json' -d '{"event": "diagnose", "expected_state": "queued"}' \
        "$BASE/api/v1/rmas/$R1/lines/1/repair" >"$T_TMP/race.$i" &
    pids+=($!)
done
wait "${pids[@]}"
codes=$(cat "$T_TMP"/race.* | sort | uniq -c | tr -s ' ' | tr '\n' ';')
check "8 racing diagnose: one 200, seven 409 ($codes)" test "$codes" = " 1 200; 7 409;"
check "8 racing diagnose: one event (rule 4, 8)" test "$(leg_events "$R1" repair)" = $((E2 + 1))
step start_repair in_repair
step test testing
step repaired repaired
E3=$(events "$R1")
rm -f "$T_TMP"/race.*
pids=()
for i in 1 2 3 4 5 6 7 8; do
    curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $DEPOT" \
        -H 'Content-Type: application/json' -d '{"serial": "SRVRACE001", "station": "pack-1"}' \
        "$BASE/api/v1/rmas/$R1/lines/1/pack" >"$T_TMP/race.$i" &
    pids+=($!)
done
wait "${pids[@]}"
codes=$(cat "$T_TMP"/race.* | sort | uniq -c | tr -s ' ' | tr '\n' ';')
check "8 racing pack scans: one 201, seven duplicates ($codes)" test "$codes" = " 7 200; 1 201;"
check "8 racing pack scans: one event, one parcel (rule 5)" test "$(events "$R1")/$(psql_t -c "SELECT count(*) FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.rma_number = '$R1' AND p.direction = 'outbound'")" = "$((E3 + 1))/1"
rm -f "$T_TMP"/race.*
pids=()
for i in 1 2 3 4 5 6 7 8; do
    curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $DEPOT" \
        -H 'Content-Type: application/json' -d "{\"event\": \"ship\", \"tracking_number\": \"1ZRACE$i\"}" \
        "$BASE/api/v1/rmas/$R1/shipments/1/events" >"$T_TMP/race.$i" &
    pids+=($!)
done
wait "${pids[@]}"
codes=$(cat "$T_TMP"/race.* | sort | uniq -c | tr -s ' ' | tr '\n' ';')
check "bug 9: 8 racing ships with different tracking numbers: one 200, seven 409 ($codes)" test "$codes" = " 1 200; 7 409;"
check "8 racing ships: one ship event" test "$(psql_t -c "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R1' AND e.kind = 'ship'")" = 1
rm -f "$T_TMP"/race.*
pids=()
for i in 1 2 3 4 5 6 7 8; do
    curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $CARRIER" \
        -H 'Content-Type: application/json' -d '{"event": "deliver"}' \
        "$BASE/api/v1/rmas/$R1/shipments/1/events" >"$T_TMP/race.$i" &
    pids+=($!)
done
wait "${pids[@]}"
codes=$(cat "$T_TMP"/race.* | sort | uniq -c | tr -s ' ' | tr '\n' ';')
check "8 racing deliver events: all 200 ($codes)" test "$codes" = " 8 200;"
check "8 racing deliver events: one event (rule 5)" test "$(psql_t -c "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R1' AND e.kind = 'deliver'")" = 1

finish

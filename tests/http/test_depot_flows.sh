#!/usr/bin/env bash
# Every row of DESIGN.md's repair-types table end to end through the HTTP API: authorization
# (area A), the dock scan, inspection and disposition (area B), the repair work order, the pack
# scan to a parcel ready for the carrier, ship and deliver (area C), and the derived status.
#   repair and return   receive, inspect, repair, pack the same serial; with a swap the new one
#   factory escalation  escalate, factory_replaced (the factory unit) or factory_repaired
#   advance replacement the spare is packed at once; the RMA completes when the core is back
#   exchange            the spare is packed after an inspection without misuse
#   replacement, no return  the spare (or a bin part) is packed at once; no inbound leg
source "$(dirname "$0")/../lib.sh"
rmad_setup

# mk_rma TYPE LINES_JSON [CASE_SERIAL CASE_MODEL]: case + RMA; sets RMA
mk_rma() {
    new_case "${3:-$(jq -r '.[0].serial_number' <<<"$2")}" "${4:-$(jq -r '.[0].product_model' <<<"$2")}"
    api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" --arg t "$1" --argjson l "$2" '{
        case_number: $c, type: $t, lines: $l,
        screening: {outcome: "eligible", reason: "in warranty, no misuse", evidence: {notes: "ok"}}}')"
    expect_status 201 "$1 rma authorized"
    RMA=$(jqb .rma_number)
}
view() { api GET "/api/v1/rmas/$1" "$ADMIN"; }
status_is() { view "$1"; expect_jq ".status == \"$2\"" "$3: status $2"; }
repair() { api POST "/api/v1/rmas/$1/lines/1/repair" "$ENGINEER" "$2"; expect_status 200 "$3"; }
scan() {
    api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$1" '{code: $c, station: "dock-1"}')"
    expect_jq '.outcome == "received"' "the dock scan receives $1"
}
inspect() { # inspect RMA FINDING
    api POST "/api/v1/rmas/$1/lines/1/inspection" "$DEPOT" \
        "$(jq -nc --arg f "${2:-fault_confirmed}" '{grade: "B", findings: [$f], evidence: {photos: 2}}')"
    expect_status 200 "inspection of $1"
}
dispose() {
    api POST "/api/v1/rmas/$1/lines/1/disposition" "$DEPOT" "$(jq -nc --arg d "$2" '{disposition: $d}')"
    expect_status 200 "disposition $2 of $1"
}
pack() { api POST "/api/v1/rmas/$1/lines/1/pack" "$DEPOT" "$2"; }
carrier() { api POST "/api/v1/rmas/$1/shipments/1/events" "$CARRIER" "$(jq -nc --arg e "$2" '{event: $e}')"; expect_status 200 "$2 ($1)"; }
ship_deliver() {
    api POST "/api/v1/rmas/$1/shipments/1/events" "$DEPOT" '{"event": "ship", "tracking_number": "1Z999AA10123456784"}'
    expect_status 200 "shipped ($1)"
    carrier "$1" deliver
}
ready_for_carrier() { # ready_for_carrier WHAT: the answer of a pack scan
    expect_status 201 "$1: packed"
    expect_jq '.state == "packed" and .direction == "outbound" and .carrier == "UPS" and (.labels.zpl | endswith("/shipments/1/label.zpl"))' "$1: a parcel ready for the carrier's manifest"
}
one_event_each() { # rule 8 over a whole flow: every event has an actor
    view "$1"
    expect_jq '[.events[] | select(.actor == null or .actor == "")] | length == 0' "$2: every event has an actor (rule 8)"
}

# ---- repair and return ---------------------------------------------------------------------------
mk_rma repair '[{"serial_number":"SRV7400001","product_model":"SRV-R740"}]'
R=$RMA
status_is "$R" awaiting_return "repair"
scan "$R"
inspect "$R"
dispose "$R" repair
status_is "$R" in_repair "repair after disposition"
repair "$R" '{"event": "diagnose", "expected_state": "queued"}' "diagnose"
repair "$R" '{"event": "start_repair", "parts": [{"product_model": "PSU-750", "serial_number": "PSU7509001", "quantity": 1}]}' "start repair with a part"
repair "$R" '{"event": "test"}' "test"
repair "$R" '{"event": "repaired"}' "repaired"
status_is "$R" ready_to_ship "repaired"
pack "$R" '{"serial": "SRV7400002", "station": "pack-1"}'
expect_error 409 serial "repair: another serial is refused (rule 7)"
pack "$R" '{"serial": "SRV7400001", "station": "pack-1"}'
ready_for_carrier "repair and return"
api GET "/api/v1/rmas/$R/shipments/1/label.zpl" "$DEPOT"
expect_status 200 "the outbound label of the packed parcel prints"
ship_deliver "$R"
status_is "$R" complete "repair and return delivered"
one_event_each "$R" "repair and return"
check "bug 7: the delivered line is done" test "$(psql_t -c "SELECT l.open FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$R'")" = f
mk_rma repair '[{"serial_number":"SRV7400001","product_model":"SRV-R740"}]'
status_is "$RMA" awaiting_return "bug 7: the serial of a completed repair gets a new rma"

# ---- repair with a swap ---------------------------------------------------------------------------
mk_rma repair '[{"serial_number":"SRV7400002","product_model":"SRV-R740"}]'
R=$RMA
scan "$R"; inspect "$R"; dispose "$R" repair
repair "$R" '{"event": "diagnose"}' "diagnose"
repair "$R" '{"event": "start_repair"}' "start repair"
repair "$R" '{"event": "test"}' "test"
repair "$R" '{"event": "repaired", "swap": {"new_serial": "SRV7409001", "reason": "chassis exchanged"}}' "repaired with a swap"
check "the new serial has the old warranty end" test "$(psql_t -c "SELECT warranty_end FROM install_base WHERE serial_number = 'SRV7409001'")" = 2028-03-13
pack "$R" '{"serial": "SRV7400002", "station": "pack-1"}'
expect_error 409 serial "swap: the original serial is refused"
pack "$R" '{"serial": "SRV7409001", "station": "pack-1"}'
ready_for_carrier "repair with a swap"
ship_deliver "$R"
status_is "$R" complete "swap delivered"

# ---- factory escalation ---------------------------------------------------------------------------
mk_rma factory '[{"serial_number":"NBX130001","product_model":"NB-X13"}]'
R=$RMA
scan "$R"; inspect "$R"; dispose "$R" repair
repair "$R" '{"event": "diagnose"}' "diagnose"
repair "$R" '{"event": "escalate", "notes": "board level fault"}' "escalate to the factory"
status_is "$R" in_repair "at the factory"
repair "$R" '{"event": "factory_replaced", "swap": {"new_serial": "NBX139001", "reason": "factory replacement unit"}}' "factory replaced"
pack "$R" '{"serial": "NBX139001", "station": "pack-1"}'
ready_for_carrier "factory replacement"
ship_deliver "$R"
status_is "$R" complete "factory replacement delivered"

mk_rma factory '[{"serial_number":"NBX130002","product_model":"NB-X13"}]'
R=$RMA
scan "$R"; inspect "$R"; dispose "$R" repair
repair "$R" '{"event": "escalate"}' "escalate from queued"
repair "$R" '{"event": "factory_repaired"}' "factory repaired"
pack "$R" '{"serial": "NBX130002", "station": "pack-1"}'
ready_for_carrier "factory repair"
ship_deliver "$R"
status_is "$R" complete "factory repair delivered"

# ---- advance replacement (scenarios 2, 3, 4) ------------------------------------------------------
mk_rma advance_replacement '[{"serial_number":"PSU7500001","product_model":"PSU-750"}]'
R=$RMA
expect_jq '.lines[0].legs.outbound.state == "ready" and .lines[0].legs.inbound.state == "label_issued" and .lines[0].core_due_date != null and .lines[0].spare_serial != null' "advance replacement: outbound ready, core awaited with a due date, spare reserved"
SPARE=$(jqb '.lines[0].spare_serial')
pack "$R" '{"serial": "PSU7500001", "station": "pack-1"}'
expect_error 409 serial "advance replacement: the customer's serial is not the spare"
pack "$R" "$(jq -nc --arg s "$SPARE" '{serial: $s, station: "pack-1"}')"
ready_for_carrier "advance replacement"
expect_jq '.install_guide | test("latches")' "installation guidance goes with the spare"
ship_deliver "$R"
check "the spare left the stock" test "$(psql_t -c "SELECT status FROM spare_unit WHERE serial_number = '$SPARE'")" = shipped
view "$R"
expect_jq '.lines[0].legs.outbound.state == "delivered" and .lines[0].legs.inbound.state == "label_issued" and .status == "awaiting_return"' "scenario 3: spare delivered, core awaited, the rma open"
E0=$(psql_t -c "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R' AND e.kind = 'receive'")
scan "$R"
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$R" '{code: $c, station: "dock-1"}')"
expect_jq '.outcome == "duplicate"' "scenario 4: a re-scan of the core is a duplicate"
check "scenario 4: exactly one receive event" test "$(psql_t -c "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R' AND e.kind = 'receive'")" = $((E0 + 1))
inspect "$R"
status_is "$R" received "advance replacement: the inspected core has no repair leg, so it is not in_repair"
dispose "$R" scrap
status_is "$R" complete "advance replacement with the core back"
expect_jq '.lines[0].open == false' "advance replacement: the core dispositioned after the delivery closes the line (open false)"

# ---- exchange ---------------------------------------------------------------------------------------
mk_rma exchange '[{"serial_number":"MEM32G0001","product_model":"MEM-32G"}]'
R=$RMA
SPARE=$(jqb '.lines[0].spare_serial')
pack "$R" "$(jq -nc --arg s "$SPARE" '{serial: $s, station: "pack-1"}')"
expect_error 409 outbound "exchange: nothing goes out before the inspection"
scan "$R"
inspect "$R"
view "$R"
expect_jq '.lines[0].legs.outbound.state == "ready"' "exchange: an inspection without misuse unblocks the outbound leg"
pack "$R" "$(jq -nc --arg s "$SPARE" '{serial: $s, station: "pack-1"}')"
ready_for_carrier "exchange"
dispose "$R" scrap
ship_deliver "$R"
status_is "$R" complete "exchange delivered"
expect_jq '.lines[0].open == false' "exchange: delivered after the disposition, the line is done (open false)"

# exchange whose spare is delivered before the core is dispositioned: the disposition finishes it
mk_rma exchange '[{"serial_number":"MEM32G0001","product_model":"MEM-32G"}]'
R=$RMA
SPARE=$(jqb '.lines[0].spare_serial')
scan "$R"
inspect "$R"
pack "$R" "$(jq -nc --arg s "$SPARE" '{serial: $s, station: "pack-1"}')"
ready_for_carrier "exchange, disposition last"
ship_deliver "$R"
status_is "$R" received "exchange: spare delivered, core inspected, no repair leg"
expect_jq '.lines[0].open == true' "exchange: the line stays open until the core is dispositioned"
dispose "$R" scrap
status_is "$R" complete "exchange: the disposition after the delivery completes it"
expect_jq '.lines[0].open == false' "exchange: the disposition after the delivery closes the line (open false)"

# ---- replacement without return (scenario 1, and a kept data-bearing drive) --------------------------
mk_rma replacement_no_return '[{"product_model":"KB-US","quantity":1}]' KBNOSERIAL KB-US
R=$RMA
expect_jq '.lines[0].legs.outbound.state == "ready" and .lines[0].legs.inbound == null' "keyboard: outbound ready at once, no inbound leg"
BIN0=$(psql_t -c "SELECT on_hand || ':' || reserved FROM spare_bin WHERE product_model = 'KB-US'")
pack "$R" '{"quantity": 2, "station": "pack-1"}'
expect_error 409 quantity "keyboard: the quantity must be the line's"
pack "$R" '{"serial": "KB1", "station": "pack-1"}'
expect_error 422 serial "bug 9: keyboard: a part without serials is counted, not scanned"
expect_jq '.error.message | test("without serial numbers")' "bug 9: the message says the part has no serial numbers"
pack "$R" '{"serial": "KB1", "quantity": 2, "station": "pack-1"}'
expect_error 422 serial "bug 9: a serial with a quantity on a part without serials"
pack "$R" '{"quantity": 1, "station": "pack-1"}'
ready_for_carrier "keyboard"
ship_deliver "$R"
check "the keyboard left the bin: on hand and reserved one less" test "$(psql_t -c "SELECT (on_hand + 1) || ':' || (reserved + 1) FROM spare_bin WHERE product_model = 'KB-US'")" = "$BIN0"
status_is "$R" complete "scenario 1: the keyboard delivered completes the rma"

mk_rma replacement_no_return '[{"serial_number":"SSD9600001","product_model":"SSD-960"}]'
R=$RMA
SPARE=$(jqb '.lines[0].spare_serial')
api POST "/api/v1/rmas/$R/lines/1/destruction-certificate" "$AGENT" '{"certificate_id": "DC-2026-0001", "destroyed_at": "2026-01-10T10:00:00+01:00", "method": "shredded", "witness": "customer IT"}'
if [ "$STATUS" = 200 ] || [ "$STATUS" = 201 ]; then pass "destruction certificate recorded ($STATUS)"; else fail "destruction certificate: $STATUS" "$BODY"; fi
pack "$R" "$(jq -nc --arg s "$SPARE" '{serial: $s, station: "pack-1"}')"
ready_for_carrier "kept data-bearing drive"
ship_deliver "$R"
status_is "$R" complete "replacement without return delivered"

finish

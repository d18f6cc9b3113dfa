#!/usr/bin/env bash
# POST /api/v1/tracking: carrier tracking documents (issue 5) in the five formats, driving the
# legs (inbound label_issued -> in_transit, outbound packed -> shipped -> delivered), the
# carrier's delivered that is not our received, exactly once (replay, 409, one bad line stores
# nothing), times (no zone, DST gap, repeated hour), unknown codes and tracking numbers, carrier
# scoping of posts and reads, hostile XML, the body cap; and the TransportationStatus out.
export RMAD_GS1_COMPANY_PREFIX=0614141 RMAD_SSCC_FIRST=8000 RMAD_SSCC_LAST=8999 # labels, manifests
source "$(dirname "$0")/../lib.sh"
GEN="$RMAD_SRC/tests/bench/gen_tracking.py"
FIX="$RMAD_SRC/tests/fixtures/xml/tracking"
XSD_TS="$RMAD_SHARED/standards/oasis-ubl-2.1/xsd/maindoc/UBL-TransportationStatus-2.1.xsd"
command -v xmllint >/dev/null || { echo "xmllint is required"; exit 1; }
rmad_setup
DHL_TOKEN=$("$RMAD_BIN" token create --role carrier --name "test dhl" --carrier DHL)
psql_t -c "INSERT INTO carrier (code, name, account) VALUES ('NOZ', 'No Zone Express', 'N1')" >/dev/null
NOZ_TOKEN=$("$RMAD_BIN" token create --role carrier --name "test noz" --carrier NOZ)
U=$$ # tracking numbers unique to this run
pids=()

# gen FORMAT [DOC_ID] <<<JSON > FILE: a tracking document of the events
gen() { python3 "$GEN" events "$@"; }
# post FILE TOKEN [QUERY]: POST the file to /api/v1/tracking; sets STATUS, BODY
post() {
    local args=(-s -S -o "$T_TMP/body" -w '%{http_code}' --max-time 60
        -H "Content-Type: application/xml" --data-binary "@$1")
    [ -n "$2" ] && args+=(-H "Authorization: Bearer $2")
    STATUS=$(curl "${args[@]}" "$BASE/api/v1/tracking${3:-}") || STATUS=000
    BODY=$(cat "$T_TMP/body" 2>/dev/null)
}
q() { psql_t -c "$1"; }
# tracked SERIAL TN [CARRIER] [MODEL]: an RMA whose inbound parcel the carrier carries as TN; sets RMA
tracked() {
    new_case "$1" "${4:-SRV-R740}"
    new_rma "$CASE" "$1" "${4:-SRV-R740}"
    q "UPDATE parcel SET tracking_number = '$2', carrier_id = (SELECT id FROM carrier WHERE code =
       '${3:-UPS}') WHERE direction = 'inbound' AND rma_id = (SELECT id FROM rma WHERE rma_number = '$RMA')" >/dev/null
}
leg() { q "SELECT g.state FROM leg g JOIN rma_line l ON l.id = g.line_id JOIN rma r ON r.id = l.rma_id
           WHERE r.rma_number = '$1' AND g.kind = '$2'"; }
pcol() { q "SELECT $3 FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.rma_number = '$1'
            AND p.direction = '$2'"; }
nevents() { q "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$1'
               AND e.kind = '$2'"; }
snapshot() { q "SELECT (SELECT count(*) FROM document) || '/' || (SELECT count(*) FROM tracking_event)
                || '/' || (SELECT count(*) FROM tracking_unmatched) || '/' || (SELECT count(*) FROM event)
                || '/' || (SELECT count(*) FROM tracking_stage) || '/' || (SELECT count(*) FROM tracking_stage_decision)"; }

# ---- UPS, inbound: picked up and in transit move the leg, delivered only marks the parcel -----
TN1="1ZTEST${U}0001"
tracked "TRK-$U-1" "$TN1"
R1=$RMA
gen ups >"$T_TMP/ups1.xml" <<EOF
[{"tn": "$TN1", "code": "P", "date": "2026-05-19", "time": "09:00:00", "text": "PICKUP SCAN", "city": "LOUISVILLE"},
 {"tn": "$TN1", "code": "I", "date": "2026-05-20", "time": "23:15:00", "text": "ARRIVAL SCAN", "city": "MASPETH"},
 {"tn": "$TN1", "code": "D", "date": "2026-05-21", "time": "14:54:00", "text": "DELIVERED", "city": "FRANKFURT"}]
EOF
post "$T_TMP/ups1.xml" "$CARRIER"
expect_status 201 "ups document recorded"
expect_jq '.document == "UPSTrackResponse" and .carrier == "UPS" and .outcome == "recorded" and (.id | test("^[0-9a-f]{64}$"))' "ups: keyed by the body's sha256 (no document id)"
expect_jq '.events.total == 3 and .events.new == 3 and .events.moved == 1 and .events.carrier_delivered == 1 and .events.history == 1 and .events.leg_moves == 1 and .events.unmatched == 0' "ups: 3 events, one moved the leg, one marked delivered, one history"
FIRST=$BODY
DOC1=$(jqb .document_id)
check "ups: inbound leg label_issued -> in_transit" test "$(leg "$R1" inbound)" = in_transit
check "ups: one pickup event row for the move (rule 8)" test "$(nevents "$R1" pickup)" = 1
check "ups: the event names the carrier channel and the token" test "$(q "SELECT channel || '/' || actor FROM event e
    JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R1' AND e.kind = 'pickup'")" = "carrier/test carrier"
check "ups: carrier delivered is recorded at its instant (New York 14:54 EDT)" test \
    "$(pcol "$R1" inbound "to_char(carrier_delivered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')")" = "2026-05-21 18:54"
check "ups: the carrier's delivered is not our received" test "$(pcol "$R1" inbound "received_at IS NULL")" = t
check "ups: three tracking events with raw code, text and canon" test "$(q "SELECT string_agg(canon || ':' || code || ':' || outcome, ',' ORDER BY at)
    FROM tracking_event WHERE tracking_number = '$TN1'")" = "picked_up:P:moved,in_transit:I:history,delivered:D:recorded"
check "ups: the staging rows are gone" test "$(q "SELECT count(*) FROM tracking_stage") $(q "SELECT count(*) FROM tracking_stage_decision")" = "0 0"
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$TN1" '{code: $c, station: "dock-1"}')"
expect_jq '.outcome == "received"' "ups: the dock scan of the carrier-delivered parcel still receives it"
check "ups: received at the dock" test "$(leg "$R1" inbound)" = received

# ---- the same document again: the first answer, nothing changes ------------------------------
before=$(snapshot)
post "$T_TMP/ups1.xml" "$CARRIER"
expect_status 201 "ups again"
expect_jq '.replayed == true' "replay is marked replayed"
check "replay answers the first answer" test "$(jqb 'del(.replayed)' | jq -S -c .)" = "$(printf '%s' "$FIRST" | jq -S -c .)"
check "replay changes nothing" test "$(snapshot)" = "$before"

# ---- a later document repeating an event: one row (rule 5); an older event is history --------
gen ups >"$T_TMP/ups1b.xml" <<EOF
[{"tn": "$TN1", "code": "P", "date": "2026-05-19", "time": "09:00:00", "text": "PICKUP SCAN", "city": "LOUISVILLE"},
 {"tn": "$TN1", "code": "I", "date": "2026-05-20", "time": "08:00:00", "text": "DEPARTURE SCAN", "city": "LOUISVILLE"}]
EOF
post "$T_TMP/ups1b.xml" "$CARRIER"
expect_status 201 "a second document about the same parcel"
expect_jq '.events.total == 2 and .events.duplicates == 1 and .events.new == 1 and .events.history == 1 and .events.leg_moves == 0' "the repeated event is a duplicate, the older one history"
check "the repeated event is one row" test "$(q "SELECT count(*) FROM tracking_event WHERE tracking_number = '$TN1' AND code = 'P'")" = 1
check "still one pickup event" test "$(nevents "$R1" pickup)" = 1

# ---- the same ID with another body: 409 --------------------------------------------------------
TN2="1ZTEST${U}0002"
tracked "TRK-$U-2" "$TN2"
R2=$RMA
gen ups "UPS-DOC-$U" >"$T_TMP/ups2.xml" <<EOF
[{"tn": "$TN2", "code": "P", "date": "2026-05-19", "time": "10:00:00", "text": "PICKUP SCAN"}]
EOF
post "$T_TMP/ups2.xml" "$CARRIER"
expect_status 201 "ups document with an id"
expect_jq ".id == \"UPS-DOC-$U\"" "keyed by the document's id"
sed 's/PICKUP SCAN/PICKUP SCAN AT COUNTER/' "$T_TMP/ups2.xml" >"$T_TMP/ups2b.xml"
before=$(snapshot)
post "$T_TMP/ups2b.xml" "$CARRIER"
expect_error 409 ID "same id, another body"
check "the conflict stores nothing" test "$(snapshot)" = "$before"

# ---- one bad event: 422 with its line, nothing stored ---------------------------------------
TN3="1ZTEST${U}0003"
tracked "TRK-$U-3" "$TN3"
R3=$RMA
gen ups >"$T_TMP/bad.xml" <<EOF
[{"tn": "$TN3", "code": "P", "date": "2026-05-19", "time": "10:00:00", "text": "PICKUP SCAN"},
 {"tn": "$TN3", "code": "I", "date": "2026-02-30", "time": "10:00:00", "text": "NO SUCH DAY"}]
EOF
before=$(snapshot)
post "$T_TMP/bad.xml" "$CARRIER"
expect_error 422 event.time "a bad date in the second event"
expect_jq '.error.line > 0' "the error names the line"
check "the bad document stores nothing" test "$(snapshot)" = "$before"
check "the first event of the bad document moved nothing" test "$(leg "$R3" inbound)" = label_issued
# a time far in the future or before 2000 would stand as the parcel's last event for good
for bad in "2099-12-31 in the future" "1970-01-01 before 2000"; do
    gen ups >"$T_TMP/bad.xml" <<EOF
[{"tn": "$TN3", "code": "P", "date": "2026-05-19", "time": "10:00:00", "text": "PICKUP SCAN"},
 {"tn": "$TN3", "code": "D", "date": "${bad%% *}", "time": "10:00:00", "text": "DELIVERED"}]
EOF
    post "$T_TMP/bad.xml" "$CARRIER"
    expect_error 422 event.time "an event dated ${bad#* }"
    expect_jq '.error.line > 0' "...names its line"
    check "...and stores nothing" test "$(snapshot)" = "$before"
done

# ---- times: no zone, DST gap, repeated hour --------------------------------------------------
post "$T_TMP/ups1.xml" "$NOZ_TOKEN"
expect_error 422 event.time "a local time from a carrier without a zone"
check "nothing stored for the carrier without a zone" test "$(q "SELECT count(*) FROM document WHERE sender = 'carrier:' || (SELECT id FROM carrier WHERE code = 'NOZ')")" = 0
gen ups >"$T_TMP/gap.xml" <<EOF
[{"tn": "$TN3", "code": "I", "date": "2026-03-08", "time": "02:30:00", "text": "DEPARTURE SCAN"}]
EOF
post "$T_TMP/gap.xml" "$CARRIER"
expect_error 422 event.time "a local time in the DST gap (New York, 8 March 2026)"
gen ups >"$T_TMP/amb.xml" <<EOF
[{"tn": "$TN3", "code": "X", "date": "2026-11-01", "time": "01:30:00", "text": "WEATHER DELAY"}]
EOF
post "$T_TMP/amb.xml" "$CARRIER"
expect_status 201 "a local time in the repeated hour is accepted"
expect_jq '.events.ambiguous_time == 1' "and counted as ambiguous"
check "the repeated hour takes the earlier instant (EDT)" test "$(q "SELECT to_char(at AT TIME ZONE 'UTC', 'HH24:MI') FROM tracking_event
    WHERE tracking_number = '$TN3' AND code = 'X'")" = "05:30"
check "the ambiguous time is logged" grep -q "1 ambiguous local time" "$T_TMP/rmad.log"

# ---- unknown code kept, unknown tracking number kept -----------------------------------------
gen ups >"$T_TMP/unk.xml" <<EOF
[{"tn": "$TN3", "code": "ZQ", "date": "2026-11-02", "time": "10:00:00", "text": "SOMETHING NEW"},
 {"tn": "1ZNOSUCH${U}", "code": "I", "date": "2026-11-02", "time": "11:00:00", "text": "ORIGIN SCAN"}]
EOF
post "$T_TMP/unk.xml" "$CARRIER"
expect_status 201 "unknown code and unknown tracking number"
expect_jq '.events.unknown_code == 1 and .events.unmatched == 1 and .events.new == 1' "counted"
check "the unknown code is kept with its text" test "$(q "SELECT canon || ':' || outcome || ':' || text FROM tracking_event
    WHERE tracking_number = '$TN3' AND code = 'ZQ'")" = "unknown:unknown:SOMETHING NEW"
check "the unknown tracking number is kept" test "$(q "SELECT count(*) FROM tracking_unmatched WHERE tracking_number = '1ZNOSUCH${U}'")" = 1
check "the import is logged with its counts" grep -q "1 unknown code" "$T_TMP/rmad.log"

# ---- USPS, inbound ---------------------------------------------------------------------------
TN4="9400${U}00004"
tracked "TRK-$U-4" "$TN4"
R4=$RMA
gen usps >"$T_TMP/usps.xml" <<EOF
[{"tn": "$TN4", "code": "03", "date": "2026-05-19", "time": "14:10:00", "text": "USPS in possession of item", "city": "LOUISVILLE"}]
EOF
post "$T_TMP/usps.xml" "$CARRIER"
expect_status 201 "usps document"
expect_jq '.document == "USPSTrackResponse" and .events.leg_moves == 1' "usps: one leg move"
check "usps: inbound leg in_transit" test "$(leg "$R4" inbound)" = in_transit

# ---- DHL, inbound with offsets; carrier scoping ----------------------------------------------
TN5="55${U}0005"
tracked "TRK-$U-5" "$TN5" DHL
R5=$RMA
gen dhl >"$T_TMP/dhl.xml" <<EOF
[{"tn": "$TN5", "code": "PU", "date": "2026-05-19", "time": "17:30:00", "offset": "+02:00", "text": "Shipment picked up", "city": "COLOGNE - GERMANY"},
 {"tn": "$TN5", "code": "OK", "date": "2026-05-21", "time": "10:25:00", "offset": "+02:00", "text": "Delivered", "city": "FRANKFURT - GERMANY"}]
EOF
post "$T_TMP/dhl.xml" "$CARRIER"
expect_error 403 event.tracking_number "the UPS token posting DHL's tracking numbers"
check "the other carrier's parcel did not move" test "$(leg "$R5" inbound)" = label_issued
before=$(snapshot)
gen ups >"$T_TMP/foreign.xml" <<EOF
[{"tn": "$TN3", "code": "I", "date": "2026-11-03", "time": "10:00:00", "text": "OK"},
 {"tn": "$TN4", "code": "I", "date": "2026-11-03", "time": "11:00:00", "text": "NOT YOURS"}]
EOF
post "$T_TMP/foreign.xml" "$DHL_TOKEN"
expect_error 403 event.tracking_number "a DHL token naming UPS's parcels"
expect_jq '.error.line > 0' "the refusal names the line"
check "the refused document stores nothing" test "$(snapshot)" = "$before"
post "$T_TMP/dhl.xml" "$DHL_TOKEN"
expect_status 201 "dhl document"
expect_jq '.document == "DHLTrackingResponse" and .carrier == "DHL" and .events.leg_moves == 1 and .events.carrier_delivered == 1' "dhl: pickup moved, delivered marked"
DOC_DHL=$(jqb .document_id)
check "dhl: inbound leg in_transit" test "$(leg "$R5" inbound)" = in_transit
check "dhl: carrier delivered at 08:25 UTC" test "$(pcol "$R5" inbound "to_char(carrier_delivered_at AT TIME ZONE 'UTC', 'HH24:MI')")" = "08:25"
gen dhl >"$T_TMP/dhl2.xml" <<EOF
[{"tn": "$TN5", "code": "AF", "date": "2026-05-22", "time": "09:00:00", "offset": "+02:00", "text": "Arrived at facility"}]
EOF
post "$T_TMP/dhl2.xml" "$DHL_TOKEN"
expect_status 201 "dhl: in transit after delivered"
expect_jq '.events.history == 1 and .events.leg_moves == 0' "a delivered parcel never moves back: history"
check "dhl: still in transit, delivered mark kept" test "$(leg "$R5" inbound) $(pcol "$R5" inbound "to_char(carrier_delivered_at AT TIME ZONE 'UTC', 'HH24:MI')")" = "in_transit 08:25"
post "$T_TMP/dhl.xml" "$ADMIN" "?carrier=DHL"
expect_status 201 "admin posting the same document for DHL"
expect_jq '.replayed == true' "is the same document (keyed by the carrier)"
post "$T_TMP/dhl.xml" "$ADMIN" "?carrier=dhl"
expect_status 201 "carrier codes are not case-sensitive (?carrier=dhl)"
expect_jq '.replayed == true' "...it is the same document of DHL"
post "$T_TMP/dhl.xml" "$ADMIN"
expect_error 422 carrier "admin must name the carrier"
post "$T_TMP/dhl.xml" "$DEPOT"
expect_status 403 "the depot may not post tracking"

# documents: a carrier reads its own only
api GET "/api/v1/documents/$DOC1" "$CARRIER"
expect_status 200 "UPS reads its document"
expect_jq ".type == \"UPSTrackResponse\" and .response.document_id == $DOC1" "with its stored answer"
api GET "/api/v1/documents/$DOC1" "$DHL_TOKEN"
expect_error 404 document "DHL cannot read UPS's document"
api GET "/api/v1/documents/$DOC_DHL" "$CARRIER"
expect_error 404 document "UPS cannot read DHL's document"
api GET "/api/v1/documents/$DOC1" "$ADMIN"
expect_status 200 "admin reads any document"
api GET "/api/v1/documents?type=DHLTrackingResponse" "$DHL_TOKEN"
expect_jq "[.documents[].id] | length == 2 and index($DOC_DHL) != null" "DHL lists its own DHL documents"
api GET "/api/v1/documents?type=DHLTrackingResponse" "$CARRIER"
expect_jq '.documents | length == 0' "UPS lists none of DHL's"
api GET "/api/v1/documents" "$ADMIN"
expect_jq "[.documents[].id] | index($DOC_DHL) != null and index($DOC1) != null" "admin lists all"

# ---- FedEx, outbound: packed -> shipped -> delivered, never back --------------------------------
new_case PSU7500002 PSU-750
api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" '{case_number: $c, type: "advance_replacement",
    lines: [{serial_number: "PSU7500002", product_model: "PSU-750"}],
    screening: {outcome: "eligible", reason: "in warranty, no misuse", evidence: {notes: "ok"}}}')"
expect_status 201 "advance replacement for the outbound parcel"
R6=$(jqb .rma_number)
SPARE=$(jqb '.lines[0].spare_serial')
api POST "/api/v1/rmas/$R6/lines/1/pack" "$DEPOT" "$(jq -nc --arg s "$SPARE" '{serial: $s, station: "pack-1"}')"
expect_status 201 "the spare packed"
api GET "/api/v1/rmas/$R6/shipments/1/label.zpl" "$DEPOT"
expect_status 200 "its label printed (an SSCC)"
api POST /api/v1/pickups "$DEPOT" "$(jq -nc --arg d "$(date -u +%F)" '{carrier: "UPS", date: $d}')"
expect_status 201 "the pickup closed into a manifest"
check "fedex: outbound manifested" test "$(leg "$R6" outbound)" = manifested
TN6="7946${U}006"
q "UPDATE parcel SET tracking_number = '$TN6' WHERE direction = 'outbound' AND rma_id = (SELECT id FROM rma WHERE rma_number = '$R6')" >/dev/null
gen fedex >"$T_TMP/fedex1.xml" <<EOF
[{"tn": "$TN6", "code": "PU", "date": "2026-05-19", "time": "16:00:00", "offset": "+02:00", "text": "Picked up"}]
EOF
post "$T_TMP/fedex1.xml" "$CARRIER"
expect_status 201 "fedex pickup"
expect_jq '.document == "FedExTrackReply" and .events.leg_moves == 1' "fedex: one move"
check "fedex: outbound manifested -> shipped" test "$(leg "$R6" outbound)" = shipped
check "fedex: the parcel is shipped at the carrier's time" test "$(pcol "$R6" outbound "state || ' ' || to_char(shipped_at AT TIME ZONE 'UTC', 'HH24:MI')")" = "shipped 14:00"
check "fedex: the spare left the stock" test "$(q "SELECT status FROM spare_unit WHERE serial_number = '$SPARE'")" = shipped
gen fedex >"$T_TMP/fedex2.xml" <<EOF
[{"tn": "$TN6", "code": "DL", "date": "2026-05-21", "time": "14:54:00", "offset": "-04:00", "text": "Delivered"},
 {"tn": "$TN6", "code": "IT", "date": "2026-05-22", "time": "09:00:00", "offset": "-04:00", "text": "In transit"}]
EOF
post "$T_TMP/fedex2.xml" "$CARRIER"
expect_status 201 "fedex delivered, then a late in transit"
expect_jq '.events.leg_moves == 1 and .events.history == 1' "delivered moves, the later in transit is history"
check "fedex: outbound delivered and stays delivered" test "$(leg "$R6" outbound)" = delivered
check "fedex: ship and deliver events, one each" test "$(nevents "$R6" ship)/$(nevents "$R6" deliver)" = 1/1

# ---- UBL TransportationStatus, by SSCC ---------------------------------------------------------
SSCC7=$(sscc "0040123459$(printf '%07d' $((U % 10000000)))")
tracked "TRK-$U-7" "UNUSED$U" UPS
R7=$RMA
q "UPDATE parcel SET tracking_number = NULL, sscc = '$SSCC7' WHERE direction = 'inbound' AND rma_id = (SELECT id FROM rma WHERE rma_number = '$R7')" >/dev/null
gen ubl "TS-$U-1" >"$T_TMP/ubl.xml" <<EOF
[{"tn": "$SSCC7", "code": "picked_up", "date": "2026-05-19", "time": "15:30:00", "offset": "Z", "text": "Collected"},
 {"tn": "$SSCC7", "code": "in_transit", "date": "2026-05-20", "time": "06:12:00", "offset": "+02:00", "text": "Hub & sort"}]
EOF
post "$T_TMP/ubl.xml" "$CARRIER"
expect_status 201 "ubl transportation status"
expect_jq ".document == \"TransportationStatus\" and .id == \"TS-$U-1\" and .events.leg_moves == 1" "ubl: keyed by its cbc:ID, one move"
check "ubl: inbound leg in_transit" test "$(leg "$R7" inbound)" = in_transit

# ---- the same new document posted 6 times at once: imported once (rule 5) ----------------------
TN8="1ZTEST${U}0008"
tracked "TRK-$U-8" "$TN8"
R8=$RMA
gen ups >"$T_TMP/race.xml" <<EOF
[{"tn": "$TN8", "code": "P", "date": "2026-05-19", "time": "09:00:00", "text": "PICKUP SCAN"},
 {"tn": "$TN8", "code": "D", "date": "2026-05-20", "time": "12:00:00", "text": "DELIVERED"}]
EOF
for i in 1 2 3 4 5 6; do
    curl -s -o "$T_TMP/race$i.json" -w '%{http_code}' -H "Authorization: Bearer $CARRIER" \
        -H "Content-Type: application/xml" --data-binary "@$T_TMP/race.xml" \
        "$BASE/api/v1/tracking" >"$T_TMP/race$i.code" &
    pids+=($!)
done
wait "${pids[@]}"
check "all six answered 201" test "$(cat "$T_TMP"/race?.code)" = 201201201201201201
check "exactly one was not a replay" test "$(cat "$T_TMP"/race?.json | jq -s '[.[] | select((.replayed // false) == false)] | length')" = 1
check "racing posts: one pickup event, two tracking events, the leg in transit" test \
    "$(nevents "$R8" pickup)/$(q "SELECT count(*) FROM tracking_event WHERE tracking_number = '$TN8'")/$(leg "$R8" inbound)" = "1/2/in_transit"

# ---- TransportationStatus out ------------------------------------------------------------------
curl -s -o "$T_TMP/ts1.xml" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" \
    "$BASE/api/v1/rmas/$R1/parcels/1/transportation-status.xml" >"$T_TMP/code"
check "transportation status of the UPS parcel (200)" test "$(cat "$T_TMP/code")" = 200
if xmllint --nonet --noout --schema "$XSD_TS" "$T_TMP/ts1.xml" >"$T_TMP/xmllint.out" 2>&1; then
    pass "it validates against the OASIS UBL 2.1 schema"
else
    fail "it does not validate" "$(head -5 "$T_TMP/xmllint.out")"
fi
check "it carries the parcel's four events" test "$(grep -c '<cac:TransportEvent>' "$T_TMP/ts1.xml")" = 4
curl -s -o "$T_TMP/ts2.xml" -H "Authorization: Bearer $CARRIER" "$BASE/api/v1/rmas/$R1/parcels/1/transportation-status.xml"
check "fetching again (as the carrier) returns the same bytes" cmp -s "$T_TMP/ts1.xml" "$T_TMP/ts2.xml"
api GET "/api/v1/rmas/$R1/parcels/1/transportation-status.xml" "$DHL_TOKEN"
expect_error 404 parcel "another carrier's parcel is not found"
curl -s -o "$T_TMP/ts3.xml" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" \
    "$BASE/api/v1/rmas/$R6/parcels/1/transportation-status.xml?direction=outbound" >"$T_TMP/code"
check "transportation status of the outbound parcel (200)" test "$(cat "$T_TMP/code")" = 200
check "the outbound one validates too" xmllint --nonet --noout --schema "$XSD_TS" "$T_TMP/ts3.xml"
api GET "/api/v1/rmas/$R6/parcels/1/transportation-status.xml?direction=sideways" "$ADMIN"
expect_error 422 direction "a bad direction"

# ---- a document without events: recorded, nothing moves -----------------------------------------
printf '<?xml version="1.0"?>\n<TrackResponse><Response><TransactionReference><CustomerContext>EMPTY-%s</CustomerContext></TransactionReference></Response></TrackResponse>\n' "$U" >"$T_TMP/empty.xml"
post "$T_TMP/empty.xml" "$CARRIER"
expect_status 201 "a document without events"
expect_jq ".id == \"EMPTY-$U\" and .events.total == 0 and .events.leg_moves == 0" "recorded with no events"

# ---- hostile XML, media type, cap ----------------------------------------------------------
before=$(snapshot)
post "$FIX/doctype-xxe.xml" "$CARRIER"
expect_error 400 doctype "DOCTYPE with an external entity"
expect_jq '.error.line > 0 and (.error.message | test("passwd|ENTITY|SYSTEM") | not)' "a line number, no parser text"
post "$FIX/billion-laughs.xml" "$CARRIER"
expect_error 400 doctype "billion laughs"
printf '<TrackResponse><Shipment>' >"$T_TMP/broken.xml"
post "$T_TMP/broken.xml" "$CARRIER"
expect_error 400 document "not well-formed"
check "hostile documents store nothing" test "$(snapshot)" = "$before"
api POST /api/v1/tracking "$CARRIER" "$(cat "$T_TMP/ups1.xml")" application/json
expect_status 415 "json is not a tracking document"
head -c $((64 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$T_TMP/huge.xml"
post "$T_TMP/huge.xml" "$CARRIER"
expect_status 413 "a body over 64 MB"
rm -f "$T_TMP/huge.xml"
check "the staging tables are empty after all" test "$(q "SELECT count(*) FROM tracking_stage") $(q "SELECT count(*) FROM tracking_stage_decision")" = "0 0"

finish

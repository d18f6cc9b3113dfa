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
FEDEX_TOKEN=$("$RMAD_BIN" token create --role carrier --name "test fedex" --carrier FEDEX)
USPS_TOKEN=$("$RMAD_BIN" token create --role carrier --name "test usps" --carrier USPS)
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
expect_jq '.events.total == 3 and .events.new == 3 and .events.moved == 1 and .events.carrier_delivered == 1 and .events.no_move == 1 and .events.history == 0 and .events.leg_moves == 1 and .events.unmatched == 0' "ups: 3 events, one moved the leg, one marked delivered, one moved nothing (newer: not history)"
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
    FROM tracking_event WHERE tracking_number = '$TN1'")" = "picked_up:P:moved,in_transit:I:no_move,delivered:D:recorded"
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
# two hours ahead (UPS's local time in its zone, America/New_York): past the 15 minutes of skew
gen ups >"$T_TMP/bad.xml" <<EOF
[{"tn": "$TN3", "code": "P", "date": "$(TZ=America/New_York date -d '+2 hours' +%F)", "time": "$(TZ=America/New_York date -d '+2 hours' +%T)", "text": "PICKUP SCAN"}]
EOF
post "$T_TMP/bad.xml" "$CARRIER"
expect_error 422 event.time "an event two hours in the future"
check "...stores nothing" test "$(snapshot)" = "$before"

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

# ---- a late event about a parcel of an archived case: kept as history, the rest applies ----------
TNA="1ZTEST${U}00A1"
tracked "TRK-$U-A1" "$TNA"
RA=$RMA
CA=$(q "SELECT case_id FROM rma WHERE rma_number = '$RA'")
# archived as POST /cases/{case}/archive leaves it (the record's content does not matter here)
q "UPDATE service_case SET status = 'archived' WHERE id = $CA;
   INSERT INTO case_record (case_id, record, record_sha256, pdf, pdf_sha256, archived_by)
   VALUES ($CA, '{}', sha256(textsend('{}'::text)), '%PDF-1.4'::bytea, sha256('%PDF-1.4'::bytea),
           (SELECT min(id) FROM api_token))" >/dev/null
TNB="1ZTEST${U}00B1"
tracked "TRK-$U-B1" "$TNB"
RB=$RMA
gen ups >"$T_TMP/arch.xml" <<EOF
[{"tn": "$TNA", "code": "P", "date": "2026-11-03", "time": "09:00:00", "text": "PICKUP SCAN"},
 {"tn": "$TNB", "code": "P", "date": "2026-11-03", "time": "09:30:00", "text": "PICKUP SCAN"}]
EOF
post "$T_TMP/arch.xml" "$CARRIER"
expect_status 201 "a document naming a parcel of an archived case is imported"
expect_jq '.events.new == 2 and .events.moved == 1 and .events.history == 1' "...its event counted as history, the other moved"
check "...the live parcel's leg moved" test "$(leg "$RB" inbound)" = in_transit
check "...the archived parcel's leg did not" test "$(leg "$RA" inbound)" = label_issued
check "...and its event is kept as history" test "$(q "SELECT outcome FROM tracking_event WHERE tracking_number = '$TNA'")" = history

# ---- USPS, inbound ---------------------------------------------------------------------------
TN4="9400${U}00004"
tracked "TRK-$U-4" "$TN4" USPS
R4=$RMA
gen usps >"$T_TMP/usps.xml" <<EOF
[{"tn": "$TN4", "code": "03", "date": "2026-05-19", "time": "14:10:00", "text": "USPS in possession of item", "city": "LOUISVILLE"}]
EOF
post "$T_TMP/usps.xml" "$CARRIER"
expect_error 422 document "a USPS TrackResponse posted by the UPS token"
expect_jq '.error.message | test("USPSTrackResponse") and test("USPS")' "the refusal names the document and its carrier"
check "the UPS token's USPS document moved nothing" test "$(leg "$R4" inbound)" = label_issued
post "$T_TMP/usps.xml" "$USPS_TOKEN"
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
expect_error 422 document "the UPS token posting a DHL TrackingResponse"
gen ups >"$T_TMP/ups-dhl.xml" <<EOF
[{"tn": "$TN5", "code": "P", "date": "2026-05-19", "time": "09:00:00", "text": "PICKUP SCAN"}]
EOF
post "$T_TMP/ups-dhl.xml" "$CARRIER"
expect_status 201 "the UPS token posting DHL's tracking numbers: as numbers it does not know"
expect_jq '.events.unmatched == 1 and .events.new == 0 and .events.leg_moves == 0' "...counted as unmatched"
check "...nothing said about the other carrier" eval '! grep -qi "carrier\"*: *\"DHL\|another carrier\|forbidden" "$T_TMP/body"'
check "the other carrier's parcel did not move" test "$(leg "$R5" inbound)" = label_issued
check "...kept unmatched for UPS" test "$(q "SELECT count(*) FROM tracking_unmatched u JOIN carrier c ON c.id = u.carrier_id WHERE c.code = 'UPS' AND u.tracking_number = '$TN5'")" = 1
before=$(snapshot)
gen dhl >"$T_TMP/foreign.xml" <<EOF
[{"tn": "$TN3", "code": "AF", "date": "2026-11-03", "time": "10:00:00", "offset": "+01:00", "text": "OK"},
 {"tn": "$TN4", "code": "AF", "date": "2026-11-03", "time": "11:00:00", "offset": "+01:00", "text": "NOT YOURS"}]
EOF
post "$T_TMP/foreign.xml" "$DHL_TOKEN"
expect_status 201 "a DHL token naming UPS's parcels: answered as for unknown numbers (SSCCs and numbers are sequential: no probing)"
expect_jq '.events.unmatched == 2 and .events.new == 0 and .events.leg_moves == 0' "...both counted unmatched"
check "...UPS's parcels have no DHL event" test "$(q "SELECT count(*) FROM tracking_event e JOIN parcel p ON p.id = e.parcel_id WHERE p.tracking_number IN ('$TN3', '$TN4') AND e.text IN ('OK', 'NOT YOURS')")" = 0
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
expect_jq '.events.no_move == 1 and .events.history == 0 and .events.leg_moves == 0' "a delivered parcel never moves back: no_move"
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
expect_jq "[.documents[].id] | length == 3 and index($DOC_DHL) != null" "DHL lists its own DHL documents (the one naming UPS parcels, unmatched, too)"
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
q "UPDATE parcel SET tracking_number = '$TN6', carrier_id = (SELECT id FROM carrier WHERE code = 'FEDEX')
   WHERE direction = 'outbound' AND rma_id = (SELECT id FROM rma WHERE rma_number = '$R6')" >/dev/null
gen fedex >"$T_TMP/fedex1.xml" <<EOF
[{"tn": "$TN6", "code": "PU", "date": "2026-05-19", "time": "16:00:00", "offset": "+02:00", "text": "Picked up"}]
EOF
post "$T_TMP/fedex1.xml" "$CARRIER"
expect_error 422 document "a FedEx TrackReply posted by the UPS token"
post "$T_TMP/fedex1.xml" "$ADMIN" "?carrier=UPS"
expect_error 422 document "...or by an admin for UPS"
check "the refused FedEx documents moved nothing" test "$(leg "$R6" outbound)" = manifested
post "$T_TMP/fedex1.xml" "$FEDEX_TOKEN"
expect_status 201 "fedex pickup"
expect_jq '.document == "FedExTrackReply" and .events.leg_moves == 1' "fedex: one move"
check "fedex: outbound manifested -> shipped" test "$(leg "$R6" outbound)" = shipped
check "fedex: the parcel is shipped at the carrier's time" test "$(pcol "$R6" outbound "state || ' ' || to_char(shipped_at AT TIME ZONE 'UTC', 'HH24:MI')")" = "shipped 14:00"
check "fedex: the spare left the stock" test "$(q "SELECT status FROM spare_unit WHERE serial_number = '$SPARE'")" = shipped
gen fedex >"$T_TMP/fedex2.xml" <<EOF
[{"tn": "$TN6", "code": "DL", "date": "2026-05-21", "time": "14:54:00", "offset": "-04:00", "text": "Delivered"},
 {"tn": "$TN6", "code": "IT", "date": "2026-05-22", "time": "09:00:00", "offset": "-04:00", "text": "In transit"}]
EOF
post "$T_TMP/fedex2.xml" "$FEDEX_TOKEN"
expect_status 201 "fedex delivered, then a late in transit"
expect_jq '.events.leg_moves == 1 and .events.no_move == 1 and .events.history == 0' "delivered moves, the later in transit moves nothing (no_move)"
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

# ---- our own TransportationStatus imports as the same events (unknown codes too) ----------------
curl -s -o "$T_TMP/ts-r3.xml" -H "Authorization: Bearer $ADMIN" "$BASE/api/v1/rmas/$R3/parcels/1/transportation-status.xml"
check "the status of the parcel with an unknown code carries the raw code" grep -q '<cbc:StatusReasonCode>ZQ</cbc:StatusReasonCode>' "$T_TMP/ts-r3.xml"
N3=$(q "SELECT count(*) FROM tracking_event WHERE tracking_number = '$TN3'")
post "$T_TMP/ts-r3.xml" "$CARRIER"
expect_status 201 "rmad's own TransportationStatus posted back"
expect_jq ".events.total == $N3 and .events.new == 0 and .events.duplicates == $N3" "every event is a duplicate"
check "no event was stored twice" test "$(q "SELECT count(*) FROM tracking_event WHERE tracking_number = '$TN3'")" = "$N3"
post "$T_TMP/ts1.xml" "$CARRIER"
expect_jq '.events.new == 0' "the UPS parcel's status posted back: nothing new"

# ---- outbound: the carrier's exception, in one document and in several --------------------------
# outbound SERIAL MODEL TN: an advance replacement whose spare is packed, carried by UPS as TN; sets RO
outbound() {
    new_case "$1" "$2"
    api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" --arg s "$1" --arg m "$2" '{case_number: $c,
        type: "advance_replacement", lines: [{serial_number: $s, product_model: $m}],
        screening: {outcome: "eligible", reason: "in warranty, no misuse", evidence: {notes: "ok"}}}')"
    RO=$(jqb .rma_number)
    api POST "/api/v1/rmas/$RO/lines/1/pack" "$DEPOT" "$(jq -nc --arg s "$(jqb '.lines[0].spare_serial')" '{serial: $s, station: "pack-1"}')"
    check "$RO: the spare packed" test "$STATUS" = 201
    q "UPDATE parcel SET tracking_number = '$3', carrier_id = (SELECT id FROM carrier WHERE code = 'UPS')
       WHERE direction = 'outbound' AND rma_id = (SELECT id FROM rma WHERE rma_number = '$RO')" >/dev/null
}
TN9="1ZEXC${U}0009"
outbound SSD9600001 SSD-960 "$TN9"
R9=$RO
gen ubl "TS-$U-EXC1" >"$T_TMP/exc1.xml" <<EOF
[{"tn": "$TN9", "code": "picked_up", "date": "2026-05-19", "time": "16:25:00", "offset": "Z"},
 {"tn": "$TN9", "code": "exception", "date": "2026-05-19", "time": "16:30:00", "offset": "Z", "text": "Address not found"},
 {"tn": "$TN9", "code": "delivered", "date": "2026-05-19", "time": "16:40:00", "offset": "Z"}]
EOF
post "$T_TMP/exc1.xml" "$CARRIER"
expect_status 201 "picked up, exception, delivered in one document"
expect_jq '.events.moved == 3 and .events.leg_moves == 3 and .events.history == 0 and .events.no_move == 0' "each of the three moves the leg"
check "one document: shipped, delivery_exception, delivered (one event row each)" test \
    "$(nevents "$R9" ship)/$(nevents "$R9" delivery_exception)/$(nevents "$R9" deliver)/$(leg "$R9" outbound)" = "1/1/1/delivered"
TN10="1ZEXC${U}0010"
outbound SSD9600002 SSD-960 "$TN10"
R10=$RO
exc_doc() { # exc_doc N CODE TIME: one event for TN10 in document TS-$U-EXC2-N
    gen ubl "TS-$U-EXC2-$1" >"$T_TMP/exc2-$1.xml" <<EOF
[{"tn": "$TN10", "code": "$2", "date": "2026-05-19", "time": "$3", "offset": "Z"}]
EOF
    post "$T_TMP/exc2-$1.xml" "$CARRIER"
}
exc_doc 1 picked_up 16:25:00
expect_jq '.events.moved == 1' "separate documents: picked up moves"
exc_doc 2 exception 16:30:00
expect_jq '.events.moved == 1 and .events.leg_moves == 1' "separate documents: the exception moves"
check "separate documents: shipped -> delivery_exception" test "$(leg "$R10" outbound)" = delivery_exception
exc_doc 3 in_transit 16:35:00
expect_jq '.events.no_move == 1 and .events.history == 0' "separate documents: in transit after the exception moves nothing (no_move)"
exc_doc 4 delivered 16:40:00
expect_jq '.events.moved == 1' "separate documents: delivered moves"
exc_doc 5 exception 16:20:00
expect_jq '.events.history == 1 and .events.moved == 0' "separate documents: an exception older than the last event is history"
check "separate documents: delivered, one event row per move" test \
    "$(nevents "$R10" ship)/$(nevents "$R10" delivery_exception)/$(nevents "$R10" deliver)/$(leg "$R10" outbound)" = "1/1/1/delivered"
check "tracking_event outcomes say what each did" test "$(q "SELECT string_agg(canon || ':' || outcome, ',' ORDER BY at)
    FROM tracking_event WHERE tracking_number = '$TN10'")" = \
    "exception:history,picked_up:moved,exception:moved,in_transit:no_move,delivered:moved"

# ---- a return's carrier: POST /rmas return_carrier, the DespatchAdvice's carrier, SSCC feeds ----
XSD_DA="$RMAD_SHARED/standards/oasis-ubl-2.1/xsd/maindoc/UBL-DespatchAdvice-2.1.xsd"
post_da() { # post_da FILE TOKEN: POST /api/v1/documents
    STATUS=$(curl -s -S -o "$T_TMP/body" -w '%{http_code}' -H "Authorization: Bearer $2" \
        -H "Content-Type: application/xml" --data-binary "@$1" "$BASE/api/v1/documents") || STATUS=000
    BODY=$(cat "$T_TMP/body")
}
rma_body() { jq -nc --arg c "$1" --arg s "$2" --arg rc "$3" '{case_number: $c, type: "repair",
    lines: [{serial_number: $s, product_model: "SRV-R740"}],
    return_carrier: (if $rc == "" then null elif $rc == "42" then 42 else $rc end),
    screening: {outcome: "eligible", reason: "in warranty, no misuse", evidence: {notes: "ok"}}}'; }
new_case "RET-$U-1" SRV-R740
api GET "/api/v1/cases/$CASE" "$AGENT"
[ "$(jqb .status)" = new ] && case_isolated "$CASE"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE" "RET-$U-1" NOPE)"
expect_error 422 return_carrier "an unknown return carrier"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE" "RET-$U-1" 42)"
expect_error 422 return_carrier "a return carrier that is not a code"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE" "RET-$U-1" ups)"
expect_status 201 "an RMA whose return goes with UPS"
RR=$(jqb .rma_number)
expect_jq '.parcels[0].carrier == "UPS" and .parcels[0].tracking_number == null' "its inbound parcel has the carrier UPS"
SSCC_R=$(sscc "0040123458$(printf '%07d' $((U % 10000000)))")
TN_R="1ZRET${U}0001"
fill "$RMAD_SRC/tests/fixtures/http/despatch-advice-carrier.xml.in" "$T_TMP/da-r.xml" DOC_ID="ASN-$U-R" RMA="$RR" \
    SERIAL="RET-$U-1" SSCC="$SSCC_R" CARRIER="UPS" TN="$TN_R"
check "the despatch advice with a carrier validates against the UBL 2.1 XSD" \
    xmllint --nonet --noout --schema "$XSD_DA" "$T_TMP/da-r.xml"
sed -e "s|ASN-$U-R|ASN-$U-R-DHL|" -e "s|<cbc:Name>UPS</cbc:Name>|<cbc:Name>DHL Express</cbc:Name>|" "$T_TMP/da-r.xml" >"$T_TMP/da-r-dhl.xml"
post_da "$T_TMP/da-r-dhl.xml" "$AGENT"
expect_error 409 "DespatchLine[1].CarrierParty" "a notice naming another carrier than the parcel's"
expect_jq '.error.message | test("UPS") and test("DHL")' "the refusal names both carriers"
sed -e "s|ASN-$U-R|ASN-$U-R-X|" -e "s|<cbc:Name>UPS</cbc:Name>|<cbc:Name>Pony Express</cbc:Name>|" "$T_TMP/da-r.xml" >"$T_TMP/da-r-x.xml"
post_da "$T_TMP/da-r-x.xml" "$AGENT"
expect_error 422 "DespatchLine[1].CarrierParty" "a notice naming a carrier we do not know"
sed -e "s|ASN-$U-R|ASN-$U-R-BAD|" -e "s|$TN_R|1Z-999 AA1|" "$T_TMP/da-r.xml" >"$T_TMP/da-r-bad.xml"
post_da "$T_TMP/da-r-bad.xml" "$AGENT"
expect_error 422 "DespatchLine[1].CarrierAssignedID" "a tracking number no label can print (the label's rule: 1 to 40 letters and digits)"
check "the refused notices changed nothing" test "$(pcol "$RR" inbound "coalesce(tracking_number, '-') || coalesce(sscc, '-')")" = "--"
post_da "$T_TMP/da-r.xml" "$AGENT"
expect_status 201 "the notice with the carrier party and its tracking number"
expect_jq ".parcels[0].carrier == \"UPS\" and .parcels[0].tracking_number == \"$TN_R\"" "the answer names the parcel's carrier and tracking number"
check "the parcel has the carrier's tracking number and the SSCC" test "$(pcol "$RR" inbound "tracking_number || ' ' || sscc")" = "$TN_R $SSCC_R"
sed -e "s|ASN-$U-R|ASN-$U-R-TN|" -e "s|$TN_R|1ZOTHER$U|" "$T_TMP/da-r.xml" >"$T_TMP/da-r-tn.xml"
post_da "$T_TMP/da-r-tn.xml" "$AGENT"
expect_error 409 "DespatchLine[1].CarrierAssignedID" "another tracking number for the parcel"
gen ups >"$T_TMP/ret1.xml" <<EOF
[{"tn": "$SSCC_R", "code": "P", "date": "2026-05-19", "time": "09:00:00", "text": "PICKUP SCAN"}]
EOF
post "$T_TMP/ret1.xml" "$CARRIER"
expect_status 201 "a UPS feed naming the return parcel's SSCC"
expect_jq '.events.moved == 1 and .events.unmatched == 0' "matched by the SSCC, and moved"
check "the return's inbound leg label_issued -> in_transit" test "$(leg "$RR" inbound)" = in_transit
gen ups >"$T_TMP/ret2.xml" <<EOF
[{"tn": "$TN_R", "code": "D", "date": "2026-05-20", "time": "11:00:00", "text": "DELIVERED"}]
EOF
post "$T_TMP/ret2.xml" "$CARRIER"
expect_jq '.events.carrier_delivered == 1 and .events.leg_moves == 0' "the carrier's delivered, by its tracking number"
check "carrier_delivered_at is set, the parcel is not received" test \
    "$(pcol "$RR" inbound "(carrier_delivered_at IS NOT NULL) || ' ' || (received_at IS NULL)") $(leg "$RR" inbound)" = "true true in_transit"
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$SSCC_R" '{code: $c, station: "dock-1"}')"
expect_jq '.outcome == "received"' "the dock scan receives the return"
check "the return is received" test "$(leg "$RR" inbound)" = received
# no return carrier on the RMA: the carrier's own notice names it
new_case "RET-$U-2" SRV-R740
new_rma "$CASE" "RET-$U-2" SRV-R740
RD=$RMA
TN_D="77${U}0002"
fill "$RMAD_SRC/tests/fixtures/http/despatch-advice-carrier.xml.in" "$T_TMP/da-d.xml" DOC_ID="ASN-$U-D" RMA="$RD" \
    SERIAL="RET-$U-2" SSCC="$(sscc "0040123457$(printf '%07d' $((U % 10000000)))")" CARRIER="DHL" TN="$TN_D"
post_da "$T_TMP/da-d.xml" "$CARRIER"
expect_error 403 "DespatchLine[1].CarrierParty" "UPS announcing a DHL parcel"
post_da "$T_TMP/da-d.xml" "$DHL_TOKEN"
expect_status 201 "DHL announces the return it carries"
check "the parcel goes with DHL as TN_D" test "$(pcol "$RD" inbound "(SELECT code FROM carrier c WHERE c.id = p.carrier_id) || ' ' || tracking_number")" = "DHL $TN_D"
gen dhl >"$T_TMP/ret-d.xml" <<EOF
[{"tn": "$TN_D", "code": "PU", "date": "2026-05-19", "time": "17:30:00", "offset": "+02:00", "text": "Shipment picked up"}]
EOF
post "$T_TMP/ret-d.xml" "$DHL_TOKEN"
expect_jq '.events.moved == 1' "DHL's feed moves it"
check "the DHL return is in transit" test "$(leg "$RD" inbound)" = in_transit

# ---- carriers an admin adds (rmad carrier add) ---------------------------------------------------
if "$RMAD_BIN" carrier add --code gls --name "GLS" >"$T_TMP/cli.out" 2>&1; then
    fail "a new carrier without an account must be refused" "$(cat "$T_TMP/cli.out")"
else
    check "a new carrier without --account is refused, naming it" grep -q account "$T_TMP/cli.out"
fi
if "$RMAD_BIN" carrier add --code GLS --name GLS --account G1 --zone Mars/Olympus >"$T_TMP/cli.out" 2>&1; then
    fail "an unknown zone must be refused" "$(cat "$T_TMP/cli.out")"
else
    check "an unknown zone is refused" grep -q 'zone' "$T_TMP/cli.out"
fi
check "rmad carrier add: a new carrier" "$RMAD_BIN" carrier add --code gls --name "GLS Germany" --account 276000 --zone Europe/Berlin
check "rmad carrier add again: updates it" "$RMAD_BIN" carrier add --code GLS --account 276001
check "the carrier is there, updated" test "$(q "SELECT name || '/' || account || '/' || zone || '/' || time_zone FROM carrier WHERE code = 'GLS'")" = "GLS Germany/276001/Europe/Berlin/UTC"
GLS_TOKEN=$("$RMAD_BIN" token create --role carrier --name "test gls" --carrier GLS)
check "a token for the new carrier" test -n "$GLS_TOKEN"
post "$T_TMP/ups1.xml" "$GLS_TOKEN"
expect_error 422 document "GLS posting a UPS TrackResponse"
post "$T_TMP/exc1.xml" "$GLS_TOKEN"
expect_status 201 "GLS may post a UBL TransportationStatus, of its own parcels only: another's are unmatched"
expect_jq '.events.unmatched == .events.total and .events.leg_moves == 0' "...all its events unmatched"

# ---- the README's sample command: the fixture as is ---------------------------------------------
post "$FIX/ups.xml" "$CARRIER"
expect_status 201 "README: the sample UPS document"
expect_jq '.id == "rmad-ups-2026-05-21" and .events.total == 6 and .events.unmatched == 6 and .events.new == 0' "README: keyed by its CustomerContext, its events unmatched while no parcel carries 1Z999AA10123456784"

# ---- a document without events: recorded, nothing moves -----------------------------------------
printf '<?xml version="1.0"?>\n<TrackResponse><Response><TransactionReference><CustomerContext>EMPTY-%s</CustomerContext></TransactionReference></Response></TrackResponse>\n' "$U" >"$T_TMP/empty.xml"
post "$T_TMP/empty.xml" "$CARRIER"
expect_status 201 "a document without events"
expect_jq ".id == \"EMPTY-$U\" and .events.total == 0 and .events.leg_moves == 0" "recorded with no events"

# ---- ambiguous documents and what a refusal says ------------------------------------------
before=$(snapshot)
printf '<TrackingResponse><AWBInfo><AWBNumber>%s</AWBNumber><ShipmentInfo><ShipmentEvent>\n<Date>2026-05-19</Date><Time>17:30:00</Time><GMTOffset>+01:00</GMTOffset>\n<GMTOffset>+05:00</GMTOffset><ServiceEvent><EventCode>PU</EventCode></ServiceEvent></ShipmentEvent></ShipmentInfo></AWBInfo></TrackingResponse>\n' "$TN_D" >"$T_TMP/amb-dhl.xml"
post "$T_TMP/amb-dhl.xml" "$DHL_TOKEN"
expect_error 422 GMTOffset "two GMTOffset in one DHL event"
expect_jq '.error.line == 3' "...with the line of the second"
printf '<TrackResponse><Shipment><Package><TrackingNumber>%s</TrackingNumber>\n<TrackingNumber>1ZOTHER%s</TrackingNumber>\n<Activity><Status><StatusType><Code>I</Code></StatusType></Status><Date>20260519</Date><Time>090000</Time></Activity></Package></Shipment></TrackResponse>\n' "$TN_R" "$U" >"$T_TMP/amb-ups.xml"
post "$T_TMP/amb-ups.xml" "$CARRIER"
expect_error 422 TrackingNumber "two TrackingNumber in one UPS Package"
expect_jq '.error.line == 2' "...with the line of the second"
printf '<TrackingResponse><AWBInfo><AWBNumber>%s</AWBNumber><ShipmentInfo><ShipmentEvent>\n<Date>2026-05-19</Date><Time>10</Time><ServiceEvent><EventCode>PU</EventCode></ServiceEvent></ShipmentEvent></ShipmentInfo></AWBInfo></TrackingResponse>\n' "$TN_D" >"$T_TMP/dhl-time.xml"
post "$T_TMP/dhl-time.xml" "$DHL_TOKEN"
expect_error 422 event.time "a DHL time that is no time"
expect_jq '.error.message | test("HH:MM:SS or HH:MM")' "...the message lists what is accepted"
sed 's|<cbc:OccurrenceTime>[^<]*</cbc:OccurrenceTime>|<cbc:OccurrenceTime>10:00:00+25:00</cbc:OccurrenceTime>|' "$T_TMP/exc1.xml" | sed "s|TS-$U-EXC1|TS-$U-OFF|" >"$T_TMP/ubl-off.xml"
check "the UBL document has the offset +25:00" grep -q '+25:00' "$T_TMP/ubl-off.xml"
post "$T_TMP/ubl-off.xml" "$CARRIER"
expect_error 422 event.time "a UBL OccurrenceTime with the offset +25:00"
expect_jq '.error.message | test("offset out of range")' "...says the offset is out of range"
printf '<?xml version="1.0"?>\n<TrackResponse/>\n' >"$T_TMP/empty-root.xml"
post "$T_TMP/empty-root.xml" "$CARRIER"
expect_error 422 document "an empty TrackResponse"
expect_jq '.error.line == 2' "...with the root element's line"
check "the refused documents store nothing" test "$(snapshot)" = "$before"

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

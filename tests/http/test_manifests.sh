#!/usr/bin/env bash
# Carrier pickup manifests (issue 5):
#   POST /api/v1/pickups                 close: one manifest of the packed, labelled parcels of a
#                                        carrier on no open manifest; legs packed -> manifested
#   GET  /api/v1/manifests[?carrier=&date=], GET /api/v1/manifests/{id}.xml (same bytes, ETag)
#   POST /api/v1/manifests/{id}/void     parcels back to packed; refused once one has shipped
# with racing closes (each parcel on one manifest), carrier tokens, roles and bad input, and the
# manifest validated with xmllint against src/xml/schemas/rmad-manifest-1.xsd.
export RMAD_GS1_COMPANY_PREFIX=0614141 RMAD_SSCC_FIRST=7000 RMAD_SSCC_LAST=7999
source "$(dirname "$0")/../lib.sh"
rmad_setup
DHL=$("$RMAD_BIN" token create --role carrier --name "test dhl" --carrier DHL)
XSD=$RMAD_SRC/src/xml/schemas/rmad-manifest-1.xsd
command -v xmllint >/dev/null || { echo "xmllint is required (libxml2-utils)"; exit 1; }

line_id() { psql_t -c "SELECT l.id FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$1' AND l.line_no = 1"; }
outbound() { psql_t -c "SELECT g.state FROM leg g WHERE g.line_id = $(line_id "$1") AND g.kind = 'outbound'"; }
pstate() { psql_t -c "SELECT p.state FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.rma_number = '$1' AND p.direction = 'outbound'"; }
mevents() { psql_t -c "SELECT count(*) FROM event WHERE line_id = $(line_id "$1") AND leg = 'outbound' AND kind = '$2'"; }
rows() { psql_t -c "SELECT (SELECT count(*) FROM event) || '/' || (SELECT count(*) FROM manifest) || '/' ||
    (SELECT count(*) FROM manifest_parcel WHERE active) || '/' || (SELECT string_agg(state, ',' ORDER BY id) FROM parcel)"; }
unchanged() {
    local now
    now=$(rows)
    if [ "$now" = "$1" ]; then pass "$2: nothing written"; else fail "$2: rows written" "$1 -> $now"; fi
}

# pack_spare SERIAL: an advance replacement for a PSU-750, its reserved spare packed for UPS
# (the default carrier) and its label printed (which gives the parcel its SSCC); sets RMA.
pack_spare() {
    psql_t -c "INSERT INTO install_base VALUES ('$1', 'PSU-750', '2025-03-14', '2028-03-13', NULL)
               ON CONFLICT DO NOTHING" >/dev/null
    new_case "$1" PSU-750
    api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" --arg s "$1" '{
        case_number: $c, type: "advance_replacement", lines: [{serial_number: $s, product_model: "PSU-750"}],
        screening: {outcome: "eligible", reason: "in warranty", evidence: {notes: "ok"}}}')"
    expect_status 201 "advance replacement for $1"
    RMA=$(jqb .rma_number)
    local spare
    spare=$(jqb '.lines[0].spare_serial')
    api POST "/api/v1/rmas/$RMA/lines/1/pack" "$DEPOT" "$(jq -nc --arg s "$spare" '{serial: $s, station: "pack-1"}')"
    expect_status 201 "spare of $RMA packed"
    api GET "/api/v1/rmas/$RMA/shipments/1/label.zpl" "$DEPOT"
    expect_status 200 "label of $RMA printed"
}

pack_spare PSU7500001
R1=$RMA
pack_spare PSU7500002
R2=$RMA
pack_spare PSU7500077
R3=$RMA
TODAY=$(date -u +%F)

# ---- bad input, roles: nothing written -----------------------------------------------------------
B0=$(rows)
close() { api POST /api/v1/pickups "${2:-$DEPOT}" "$1"; }
close "$(jq -nc --arg d "$TODAY" '{carrier: "NOPE", date: $d}')"
expect_error 422 carrier "an unknown carrier"
close "$(jq -nc --arg d "$TODAY" '{carrier: "U P S", date: $d}')"
expect_error 422 carrier "a carrier code with spaces"
close "$(jq -nc --arg d "$TODAY" '{date: $d}')"
expect_error 422 carrier "carrier is required"
close '{"carrier": "UPS", "date": "2026-02-30"}'
expect_error 422 date "a date that does not exist"
close '{"carrier": "UPS", "date": "03.12.2026"}'
expect_error 422 date "a date in another format"
close "$(jq -nc --arg d "$(date -u -d '+31 days' +%F)" '{carrier: "UPS", date: $d}')"
expect_error 422 date "a pickup more than 30 days ahead"
close "$(jq -nc --arg d "$(date -u -d '-8 days' +%F)" '{carrier: "UPS", date: $d}')"
expect_error 422 date "a pickup more than a week ago"
close '{"carrier": "UPS", "date": "9999-12-31"}'
expect_error 422 date "a pickup in the year 9999"
close '{"carrier": "UPS"}'
expect_error 422 date "date is required"
close '{"carrier": "UPS", "date": 20261203}'
expect_error 422 date "date must be a string"
close "$(jq -nc --arg d "$TODAY" '{carrier: "UPS", account: "999999", date: $d}')"
expect_error 422 account "an account that is not the carrier's"
close "$(jq -nc --arg d "$TODAY" '{carrier: "UPS", date: $d}')" "$CARRIER"
expect_status 403 "a carrier cannot close a pickup"
close "$(jq -nc --arg d "$TODAY" '{carrier: "UPS", date: $d}')" "$ENGINEER"
expect_status 403 "an engineer cannot close a pickup"
close 'not json'
expect_status 400 "malformed json"
unchanged "$B0" "refused closes"

# ---- close: one manifest with the three parcels ------------------------------------------------------
E1=$(mevents "$R1" manifest)
close "$(jq -nc --arg d "$TODAY" '{carrier: "ups", account: "A1B2C3", date: $d}')"
expect_status 201 "pickup closed"
expect_jq '.manifest_no | test("^M[0-9]{8}$")' "manifest number"
expect_jq '.carrier == "UPS" and .account == "A1B2C3" and .status == "open" and .parcel_count == 3 and .unlabelled == 0' "a manifest of three parcels"
expect_jq "[.parcels[].rma_number] == [\"$R1\", \"$R2\", \"$R3\"] and all(.parcels[]; .state == \"manifested\" and (.sscc | test(\"^[0-9]{18}\$\")))" "the parcels in packing order, manifested, with SSCCs"
M1=$(jqb .id)
SHA=$(jqb .sha256)
check "Location names the manifest" grep -qi "^Location: /api/v1/manifests/$M1" <<<"$HEADERS"
for r in "$R1" "$R2" "$R3"; do
    check "$r: outbound leg manifested" test "$(outbound "$r")" = manifested
    check "$r: parcel manifested" test "$(pstate "$r")" = manifested
    check "$r: one manifest event" test "$(mevents "$r" manifest)" = 1
done
check "the event names the manifest" test "$(psql_t -c "SELECT evidence->>'manifest_no' FROM event WHERE line_id = $(line_id "$R1") AND kind = 'manifest'")" = "$(jqb .manifest_no)"

curl -s -o "$T_TMP/m1.xml" -D "$T_TMP/m1.h" -H "Authorization: Bearer $DEPOT" "$BASE/api/v1/manifests/$M1.xml"
curl -s -o "$T_TMP/m1b.xml" -H "Authorization: Bearer $ADMIN" "$BASE/api/v1/manifests/$M1.xml"
check "fetching again gives the same bytes" cmp -s "$T_TMP/m1.xml" "$T_TMP/m1b.xml"
check "the bytes are the stored sha256" test "$(sha256sum <"$T_TMP/m1.xml" | cut -d' ' -f1)" = "$SHA"
check "ETag is the sha256" grep -qi "^ETag: \"$SHA\"" "$T_TMP/m1.h"
check "served as application/xml" grep -qi "^Content-Type: application/xml" "$T_TMP/m1.h"
if xmllint --nonet --noout --schema "$XSD" "$T_TMP/m1.xml" 2>"$T_TMP/lint"; then
    pass "the manifest validates against rmad-manifest-1.xsd (xmllint)"
else
    fail "the manifest does not validate" "$(head -5 "$T_TMP/lint")"
fi
x() { xmllint --nonet --xpath "$1" "$T_TMP/m1.xml" 2>/dev/null; }
check "version 1.0 in the namespace of format 1" test "$(x 'string(/*[local-name()="PickupManifest" and namespace-uri()="urn:rmad:xml:pickup-manifest:1"]/@version)')" = 1.0
check "three Parcel elements" test "$(x 'count(//*[local-name()="Parcel"])')" = 3
check "the consignee of a parcel" test "$(x 'string((//*[local-name()="Consignee"])[1]/*[local-name()="Name"])')" = "ACME GmbH"
check "an advance replacement goes express" test "$(x 'string((//*[local-name()="Service"])[1])')" = express
check "handling marks of the model" test "$(x 'string((//*[local-name()="HandlingMark"])[1])')" = ESD
check "the pickup date" test "$(x 'string(//*[local-name()="PickupDate"])')" = "$TODAY"
api GET "/api/v1/manifests/$M1.xml" "$DEPOT" "" "" -H "If-None-Match: \"$SHA\""
expect_status 304 "If-None-Match with the ETag"

# an rma whose parcel waits on the open manifest stays open: the parcel leaves with the carrier
api POST "/api/v1/rmas/$R1/close" "$ADMIN" '{"reason": "customer changed their mind"}'
expect_error 409 parcels "closing an rma whose parcel is on an open manifest"
expect_jq ".error.message | contains(\"$(psql_t -c "SELECT manifest_no FROM manifest WHERE id = $M1")\")" "...names the manifest"
check "...and the rma stays open" test "$(psql_t -c "SELECT closed_at IS NULL FROM rma WHERE rma_number = '$R1'")" = t

# ---- a second close: nothing left -------------------------------------------------------------------
B1=$(rows)
close "$(jq -nc --arg d "$TODAY" '{carrier: "UPS", date: $d}')"
expect_error 409 carrier "a second close has nothing to manifest"
unchanged "$B1" "the empty close"

# ---- list, carrier tokens ----------------------------------------------------------------------------
api GET "/api/v1/manifests?carrier=UPS&date=$TODAY" "$DEPOT"
expect_jq "(.manifests | length) == 1 and .manifests[0].id == $M1 and .manifests[0].parcel_count == 3" "list by carrier and date"
api GET "/api/v1/manifests?carrier=DHL" "$DEPOT"
expect_jq '(.manifests | length) == 0' "no DHL manifest"
api GET "/api/v1/manifests?date=2026-02-30" "$DEPOT"
expect_error 422 date "list with a bad date"
api GET "/api/v1/manifests" "$CARRIER"
expect_jq "(.manifests | length) == 1" "the UPS carrier lists its manifest"
api GET "/api/v1/manifests" "$DHL"
expect_jq "(.manifests | length) == 0" "the DHL carrier sees no UPS manifest"
api GET "/api/v1/manifests/$M1.xml" "$CARRIER"
expect_status 200 "the UPS carrier fetches its manifest"
api GET "/api/v1/manifests/$M1.xml" "$DHL"
expect_error 404 manifest "another carrier's manifest is not found"
api GET "/api/v1/manifests/999999.xml" "$DEPOT"
expect_error 404 manifest "an unknown manifest"
api POST "/api/v1/manifests/$M1/void" "$CARRIER" '{"reason": "x"}'
expect_status 403 "a carrier cannot void"

# ---- void, then close again ----------------------------------------------------------------------------
B2=$(rows)
api POST "/api/v1/manifests/$M1/void" "$DEPOT" '{}'
expect_error 422 reason "void needs a reason"
api POST "/api/v1/manifests/$M1/void" "$DEPOT" '{"reason": "r\u0003"}'
expect_error 422 reason "a reason with a control character"
unchanged "$B2" "void without a reason"
api POST "/api/v1/manifests/$M1/void" "$DEPOT" '{"reason": "truck did not come"}'
expect_status 200 "manifest voided"
expect_jq '.status == "voided" and .void_reason == "truck did not come" and .voided_at != null' "the manifest is voided, with its reason"
for r in "$R1" "$R2" "$R3"; do
    check "$r: back to packed" test "$(outbound "$r"),$(pstate "$r")" = packed,packed
    check "$r: one unmanifest event" test "$(mevents "$r" unmanifest)" = 1
done
curl -s -o "$T_TMP/m1c.xml" -H "Authorization: Bearer $DEPOT" "$BASE/api/v1/manifests/$M1.xml"
check "a voided manifest stays stored, unchanged" cmp -s "$T_TMP/m1.xml" "$T_TMP/m1c.xml"
api POST "/api/v1/manifests/$M1/void" "$DEPOT" '{"reason": "again"}'
expect_error 409 status "voiding twice"
check "no manifest update can change the stored bytes" bash -c "! psql -X -q -d '$DB' -c \"UPDATE manifest SET xml = 'x' WHERE id = $M1\" 2>/dev/null"

# ---- racing closes: every parcel on exactly one manifest ------------------------------------------------
for i in 1 2 3 4; do
    curl -s -o "$T_TMP/race$i" -w '%{http_code}' -X POST -H "Authorization: Bearer $DEPOT" \
        -H 'Content-Type: application/json' --data "{\"carrier\":\"UPS\",\"date\":\"$TODAY\"}" \
        "$BASE/api/v1/pickups" >"$T_TMP/race$i.status" &
    PIDS[$i]=$!
done
for i in 1 2 3 4; do wait "${PIDS[$i]}"; done
won=0
for i in 1 2 3 4; do [ "$(cat "$T_TMP/race$i.status")" = 201 ] && won=$((won + 1)); done
check "one racing close wins, the others find nothing ($won won)" test "$won" = 1
check "each parcel is on one open manifest" test "$(psql_t -c "SELECT count(*) || '/' || count(DISTINCT parcel_id) FROM manifest_parcel WHERE active")" = 3/3
for r in "$R1" "$R2" "$R3"; do
    check "$r: manifested once more (two manifest events in all)" test "$(mevents "$r" manifest),$(outbound "$r")" = 2,manifested
done
M2=$(psql_t -c "SELECT id FROM manifest WHERE status = 'open'")

# ---- a shipped parcel: void refused -----------------------------------------------------------------
api POST "/api/v1/rmas/$R2/shipments/1/events" "$CARRIER" '{"event": "ship", "tracking_number": "1Z999AA10123456784"}'
expect_status 200 "the carrier picks one parcel up"
B3=$(rows)
api POST "/api/v1/manifests/$M2/void" "$DEPOT" '{"reason": "too late"}'
expect_error 409 parcels "void after a parcel shipped"
unchanged "$B3" "the refused void"
check "the other parcels stay manifested" test "$(outbound "$R1"),$(outbound "$R3")" = manifested,manifested

# ---- a packed parcel without a label is not handed over ----------------------------------------------
psql_t -c "INSERT INTO install_base VALUES ('SSD9600078', 'SSD-960', '2025-03-14', '2028-03-13', NULL)" >/dev/null
new_case SSD9600078 SSD-960
api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" '{case_number: $c, type: "advance_replacement",
    lines: [{serial_number: "SSD9600078", product_model: "SSD-960"}],
    screening: {outcome: "eligible", reason: "in warranty", evidence: {notes: "ok"}}}')"
R4=$(jqb .rma_number)
SP=$(jqb '.lines[0].spare_serial')
check "a spare is reserved for R4" test "$SP" != null
if [ "$SP" != null ]; then
    api POST "/api/v1/rmas/$R4/lines/1/pack" "$DEPOT" "$(jq -nc --arg s "$SP" '{serial: $s, station: "pack-1"}')"
    close "$(jq -nc --arg d "$TODAY" '{carrier: "UPS", date: $d}')"
    expect_error 409 carrier "a packed parcel without a label is not manifested"
    expect_jq '.error.message | test("no label")' "the answer says the label is missing"
    check "it stays packed" test "$(outbound "$R4")" = packed
fi

finish

#!/usr/bin/env bash
# The UBL documents rmad sends (issue 5), each validated with xmllint against the OFFICIAL OASIS
# UBL 2.1 schema and against OUR profile (src/xml/schemas/rmad-ubl-*-2.1.xsd):
#   GET /api/v1/rmas/{rma}/shipments/{parcel}/despatch-advice.xml   one per shipment to a customer
#   GET /api/v1/rmas/{rma}/receipt-advice.xml                       at the dock (default)
#   GET /api/v1/rmas/{rma}/receipt-advice.xml?stage=inspection      after inspection: notes,
#                                                                   damage as a rejection
# A customer name with &, < and non-Latin characters round-trips as text.
export RMAD_GS1_COMPANY_PREFIX=0614141 RMAD_SSCC_FIRST=8000 RMAD_SSCC_LAST=8999
source "$(dirname "$0")/../lib.sh"
command -v xmllint >/dev/null || { echo "xmllint is required (libxml2-utils)"; exit 1; }
rmad_setup
DHL=$("$RMAD_BIN" token create --role carrier --name "test dhl" --carrier DHL)
OASIS=$RMAD_SHARED/standards/oasis-ubl-2.1/xsd/maindoc
OURS=$RMAD_SRC/src/xml/schemas
NAME='Smith & Sons <GmbH> "Ωμέγα" 株式会社'
L='local-name()'

# validates DOC: the last body against the OASIS schema and our profile of DOC
validates() {
    if xmllint --nonet --noout --schema "$OASIS/UBL-$1-2.1.xsd" "$T_TMP/body" 2>"$T_TMP/lint"; then
        pass "$2: valid against the OASIS UBL-$1-2.1.xsd"
    else
        fail "$2: not valid against the OASIS schema" "$(head -5 "$T_TMP/lint")"
    fi
    if xmllint --nonet --noout --schema "$OURS/rmad-ubl-$1-2.1.xsd" "$T_TMP/body" 2>"$T_TMP/lint"; then
        pass "$2: valid against our profile rmad-ubl-$1-2.1.xsd"
    else
        fail "$2: not valid against our profile" "$(head -5 "$T_TMP/lint")"
    fi
}
xp() { xmllint --nonet --xpath "$1" "$T_TMP/body" 2>/dev/null; }
xp_is() { # xp_is XPATH WANT DESCRIPTION
    local got
    got=$(xp "$1")
    if [ "$got" = "$2" ]; then pass "$3"; else fail "$3: want '$2', got '$got'"; fi
}
# a case whose customer is $NAME; sets CASE
hostile_case() {
    api POST /api/v1/cases "$AGENT" "$(jq -nc --arg s "$1" --arg m "$2" --arg n "$NAME" '{
        channel: "hotline", product_model: $m, serial_number: $s, fault_description: "dead",
        error_messages: [], contact: {name: "Anna", phone: "+49 69 1234567"},
        service_address: {name: $n, street: "Mainzer Landstr. 1 & 2", city: "Frankfurt",
                          postcode: "60329", country: "DE"}}')"
    expect_status 201 "case for $1"
    CASE=$(jqb .case_number)
    case_isolated "$CASE" # an RMA needs an isolated case (issue 3)
}

# ---- DespatchAdvice of an outbound parcel ----------------------------------------------------------
hostile_case PSU7500001 PSU-750
api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" '{case_number: $c, type: "advance_replacement",
    lines: [{serial_number: "PSU7500001", product_model: "PSU-750"}],
    screening: {outcome: "eligible", reason: "in warranty", evidence: {notes: "ok"}}}')"
expect_status 201 "advance replacement"
R1=$(jqb .rma_number)
SPARE=$(jqb '.lines[0].spare_serial')
api GET "/api/v1/rmas/$R1/shipments/1/despatch-advice.xml" "$AGENT"
expect_error 404 parcel "no shipment before the pack"
api POST "/api/v1/rmas/$R1/lines/1/pack" "$DEPOT" "$(jq -nc --arg s "$SPARE" '{serial: $s, station: "pack-1"}')"
expect_status 201 "the spare is packed"
api GET "/api/v1/rmas/$R1/shipments/1/despatch-advice.xml" "$AGENT"
expect_error 409 parcel "no despatch advice before the label gives the parcel its SSCC"
api GET "/api/v1/rmas/$R1/shipments/1/label.zpl" "$DEPOT"
expect_status 200 "label printed"
SSCC=$(psql_t -c "SELECT p.sscc FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.rma_number = '$R1' AND p.direction = 'outbound'")
api POST "/api/v1/rmas/$R1/shipments/1/events" "$CARRIER" '{"event": "ship", "tracking_number": "1Z999AA10123456784"}'
expect_status 200 "shipped"
api GET "/api/v1/rmas/$R1/shipments/1/despatch-advice.xml" "$AGENT"
expect_status 200 "despatch advice"
check "served as application/xml" grep -qi "^Content-Type: application/xml" <<<"$HEADERS"
validates DespatchAdvice "despatch advice"
DA="/*[$L='DespatchAdvice']"
xp_is "string($DA/*[$L='ID'])" "$R1-D1" "ID is <rma>-D<parcel>"
xp_is "string($DA/*[$L='OrderReference']/*[$L='ID'])" "$R1" "RMA number -> OrderReference/ID"
xp_is "string($DA/*[$L='DeliveryCustomerParty']//*[$L='PartyName']/*[$L='Name'])" "$NAME" "the customer's name round-trips (&, <, non-Latin)"
xp_is "string($DA/*[$L='DeliveryCustomerParty']//*[$L='StreetName'])" "Mainzer Landstr. 1 & 2" "the delivery street round-trips"
xp_is "string($DA/*[$L='DespatchSupplierParty']//*[$L='PartyName']/*[$L='Name'])" "$(psql_t -c "SELECT name FROM depot WHERE is_default")" "the depot despatches"
xp_is "string($DA/*[$L='Shipment']/*[$L='TransportHandlingUnit']/*[$L='ID'])" "$SSCC" "SSCC -> TransportHandlingUnit/ID"
xp_is "string($DA/*[$L='Shipment']/*[$L='Delivery']/*[$L='TrackingID'])" "1Z999AA10123456784" "the tracking number"
xp_is "string($DA/*[$L='DespatchLine']/*[$L='Item']/*[$L='ItemInstance']/*[$L='SerialID'])" "$SPARE" "the spare's serial -> ItemInstance/SerialID"
xp_is "string($DA/*[$L='DespatchLine']/*[$L='DeliveredQuantity'])" "1" "one unit delivered"
grep -q '&amp; Sons &lt;GmbH&gt;' "$T_TMP/body" && pass "the name is escaped as text" || fail "the name is not escaped as text"
api GET "/api/v1/rmas/$R1/shipments/1/despatch-advice.xml" "$CARRIER"
expect_status 200 "the parcel's carrier reads the despatch advice"
api GET "/api/v1/rmas/$R1/shipments/1/despatch-advice.xml" "$DHL"
expect_error 404 parcel "another carrier does not"
api GET "/api/v1/rmas/$R1/shipments/2/despatch-advice.xml" "$AGENT"
expect_error 404 parcel "an unknown shipment"

# ---- ReceiptAdvice at the dock and after inspection ------------------------------------------------
hostile_case SRV7400001 SRV-R740
api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" '{case_number: $c, type: "repair",
    lines: [{serial_number: "SRV7400001", product_model: "SRV-R740"}],
    screening: {outcome: "eligible", reason: "in warranty", evidence: {notes: "ok"}}}')"
R2=$(jqb .rma_number)
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$R2" '{code: $c, station: "dock-1"}')"
expect_jq '.outcome == "received"' "dock scan"
api GET "/api/v1/rmas/$R2/receipt-advice.xml?stage=inspection" "$AGENT"
expect_error 409 stage "no receipt after inspection before the inspection"
api GET "/api/v1/rmas/$R2/receipt-advice.xml?stage=moon" "$AGENT"
expect_error 422 stage "an unknown stage"
api GET "/api/v1/rmas/$R2/receipt-advice.xml" "$AGENT"
expect_status 200 "receipt advice at the dock"
validates ReceiptAdvice "dock receipt"
RA="/*[$L='ReceiptAdvice']"
xp_is "string($RA/*[$L='DespatchSupplierParty']//*[$L='Name'])" "$NAME" "dock receipt: the customer's name round-trips"
xp_is "string($RA/*[$L='ReceiptLine']/*[$L='ReceivedQuantity'])" "1" "dock receipt: one received"
xp_is "count($RA/*[$L='ReceiptLine']/*[$L='RejectedQuantity'])" "0" "dock receipt: no rejection"
api GET "/api/v1/rmas/$R2/receipt-advice.xml?stage=dock" "$AGENT"
expect_status 200 "stage=dock is the default"

api POST "/api/v1/rmas/$R2/lines/1/inspection" "$DEPOT" \
    '{"grade": "C", "findings": ["cosmetic", "physical_damage", "liquid"], "evidence": {"photos": 3}}'
expect_status 200 "inspection with damage"
api GET "/api/v1/rmas/$R2/receipt-advice.xml?stage=inspection" "$AGENT"
expect_status 200 "receipt advice after inspection"
validates ReceiptAdvice "receipt after inspection"
LINE="$RA/*[$L='ReceiptLine']"
xp_is "string($RA/*[$L='ID'])" "$R2-RI1" "ID is <rma>-RI<inspections>"
xp_is "string($RA/*[$L='DespatchSupplierParty']//*[$L='Name'])" "$NAME" "after inspection: the customer's name round-trips"
xp_is "string($LINE/*[$L='Note'])" "inspection grade C; findings: cosmetic, physical_damage, liquid" "the grade and findings in the line's note"
xp_is "string($LINE/*[$L='ReceivedQuantity'])" "1" "received quantity"
xp_is "string($LINE/*[$L='RejectedQuantity'])" "1" "damage: the unit is reported rejected"
xp_is "string($LINE/*[$L='RejectReasonCode'])" "physical_damage" "the first damage finding is the reason code"
xp_is "string($LINE/*[$L='RejectReason'])" "damage found at inspection: physical_damage, liquid" "the damage findings are the reason (cosmetic is not)"
xp_is "string($LINE/*[$L='Item']/*[$L='ItemInstance']/*[$L='SerialID'])" "SRV7400001" "serial -> ItemInstance/SerialID"

# a clean inspection: a note, no rejection
psql_t -c "INSERT INTO install_base VALUES ('SRV7400088', 'SRV-R740', '2025-03-14', '2028-03-13', NULL)" >/dev/null
hostile_case SRV7400088 SRV-R740
api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" '{case_number: $c, type: "repair",
    lines: [{serial_number: "SRV7400088", product_model: "SRV-R740"}],
    screening: {outcome: "eligible", reason: "in warranty", evidence: {notes: "ok"}}}')"
R3=$(jqb .rma_number)
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$R3" '{code: $c, station: "dock-1"}')"
api POST "/api/v1/rmas/$R3/lines/1/inspection" "$DEPOT" '{"grade": "A", "findings": ["fault_confirmed"]}'
expect_status 200 "a clean inspection"
api GET "/api/v1/rmas/$R3/receipt-advice.xml?stage=inspection" "$AGENT"
expect_status 200 "receipt advice after a clean inspection"
validates ReceiptAdvice "clean inspection"
xp_is "string($LINE/*[$L='Note'])" "inspection grade A; findings: fault_confirmed" "the note of a clean inspection"
xp_is "count($LINE/*[$L='RejectedQuantity'])" "0" "no rejection without damage"

finish

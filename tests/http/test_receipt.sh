#!/usr/bin/env bash
# GET /api/v1/rmas/<RMA>/receipt-advice.xml: the UBL 2.1 ReceiptAdvice of what the depot
# received.  Refused before any dock scan; afterwards valid against the OASIS XSD with the RMA,
# serial and quantity in the right places, whatever the customer's name holds.
source "$(dirname "$0")/../lib.sh"
FIX="$RMAD_SRC/tests/fixtures/http"
XSD_RA="$RMAD_SHARED/standards/oasis-ubl-2.1/xsd/maindoc/UBL-ReceiptAdvice-2.1.xsd"
command -v xmllint >/dev/null || { echo "xmllint is required"; exit 1; }
rmad_setup

# xp XPATH: string value of XPATH (written with local-name()) in the last body.
xp() { xmllint --nonet --xpath "$1" "$T_TMP/body" 2>/dev/null; }
valid_ra() { xmllint --nonet --noout --schema "$XSD_RA" "$T_TMP/body" >"$T_TMP/xmllint.out" 2>&1; }
receipt() { api GET "/api/v1/rmas/$1/receipt-advice.xml" "${2-$AGENT}"; }
scan() { api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$1" '{code: $c, station: "dock-1"}')"; }
ctype_is() { printf '%s' "$HEADERS" | tr -d '\r' | grep -qi "^content-type: $1"; }
L='local-name()'
RA="/*[$L='ReceiptAdvice']"
SEL_LINE="$RA/*[$L='ReceiptLine']"

# --- before any scan: 409 ------------------------------------------------------------------
new_case RCPT-0001 SRV-R740
new_rma "$CASE" RCPT-0001 SRV-R740
expect_status 201 "rma created"
RMA1=$RMA
receipt "$RMA1"
expect_status 409 "receipt advice before anything was received"
expect_jq '.error.code | type == "string"' "409 is a JSON error"
check "409 answer is application/json" ctype_is application/json

# --- after the dock scan -----------------------------------------------------------------------
scan "$RMA1"
expect_jq ".outcome == \"received\" and .rma_number == \"$RMA1\"" "dock scan of the bare RMA number received it"
receipt "$RMA1"
expect_status 200 "receipt advice after the dock scan"
check "answer is application/xml" ctype_is application/xml
check "receipt advice validates against UBL-ReceiptAdvice-2.1.xsd" valid_ra
[ -s "$T_TMP/xmllint.out" ] && grep -v 'validates$' "$T_TMP/xmllint.out" | head -5
check "OrderReference/ID is the RMA number" \
    test "$(xp "string($RA/*[$L='OrderReference']/*[$L='ID'])")" = "$RMA1"
check "exactly one ReceiptLine" test "$(xp "count($SEL_LINE)")" = 1
check "ReceiptLine ItemInstance/SerialID is the serial" \
    test "$(xp "string($SEL_LINE/*[$L='Item']/*[$L='ItemInstance']/*[$L='SerialID'])")" = RCPT-0001
check "ReceivedQuantity is 1" \
    test "$(xp "number($SEL_LINE/*[$L='ReceivedQuantity'])")" = 1
check "ReceivedQuantity has a unit code" \
    test -n "$(xp "string($SEL_LINE/*[$L='ReceivedQuantity']/@unitCode)")"
check "the document ID names the RMA" \
    eval '[[ "$(xp "string($RA/*[$L='"'ID'"'])")" == "$RMA1"* ]]'
receipt "$RMA1" "$DEPOT"
expect_status 200 "depot token may read the receipt advice"
receipt "$RMA1" "$CARRIER"
expect_status 403 "carrier token may not read the receipt advice"
receipt "$RMA1" ""
expect_status 401 "no token"

# --- a customer name with markup characters and non-Latin text, SSCC announced ---------------
NAME='Smith & <Sons> "Ltd" Мюллер 東京 Ωmega'
api POST /api/v1/cases "$AGENT" "$(jq -nc --arg n "$NAME" '{
    channel: "hotline", product_model: "SRV-R740", serial_number: "RCPT-0002",
    configuration: {firmware: "2.1"}, error_messages: ["E1410 PSU fault"],
    fault_description: "does not power on & beeps <3 times>",
    contact: {name: $n, phone: "+49 69 1234567", email: "anna@example.com"},
    service_address: {name: $n, street: "Hauptstraße 5 & Hof", city: "Köln",
                      postcode: "50667", country: "DE"}}')"
expect_status 201 "case with a hostile customer name"
CASE2=$(jqb .case_number)
new_rma "$CASE2" RCPT-0002 SRV-R740
expect_status 201 "rma for it"
RMA2=$RMA
SSCC=106141411234567897
sed -e "s|@DOC_ID@|ASN-RCPT-$$|g" -e "s|@RMA@|$RMA2|g" -e "s|@SERIAL@|RCPT-0002|g" \
    -e "s|@SSCC@|$SSCC|g" "$FIX/despatch-advice-one-line.xml.in" >"$T_TMP/notice.xml"
api POST /api/v1/documents "$AGENT" "$(cat "$T_TMP/notice.xml")" application/xml
expect_status 201 "advance notice with the parcel's sscc"
scan "(00)$SSCC"
expect_jq ".outcome == \"received\" and .rma_number == \"$RMA2\"" "dock scan of the sscc received it"
receipt "$RMA2"
expect_status 200 "receipt advice for the hostile name"
check "receipt advice with &, <, quotes and non-Latin text validates" valid_ra
check "the customer name is kept as text, exactly" \
    test "$(xp "string($RA/*[$L='DespatchSupplierParty']/*[$L='Party']/*[$L='PartyName']/*[$L='Name'])")" = "$NAME"
check "no raw '<Sons>' element leaked into the document" test "$(xp "count(//*[$L='Sons'])")" = 0
check "serial of the hostile-name RMA" \
    test "$(xp "string($SEL_LINE/*[$L='Item']/*[$L='ItemInstance']/*[$L='SerialID'])")" = RCPT-0002
check "the line names the parcel's sscc" test "$(xp "count($SEL_LINE//*[$L='ID'][.='$SSCC'])")" -ge 1

# --- unknown RMA: 404 --------------------------------------------------------------------------
# damm DIGITS: the Damm check digit (the table of src/core/rmanum.c).
damm() {
    python3 -c 'import sys
t=["0317598642","7092154863","4206871359","1750983426","6123045978","3674209581",
   "5869720134","8945362017","9438617205","2581436790"]
i=0
for c in sys.argv[1]: i=int(t[i][int(c)])
print(i)' "$1"
}
check "damm helper agrees with the server's RMA numbers" \
    test "${RMA1:0:9}$(damm "${RMA1:1:8}")" = "$RMA1"
UNKNOWN="R99999999$(damm 99999999)"
receipt "$UNKNOWN"
expect_status 404 "receipt advice of an unknown (well-formed) rma"
expect_jq '.error.code | type == "string"' "404 is a JSON error"
receipt "R99999999$((($(damm 99999999) + 1) % 10))"
expect_status 404 "receipt advice of an rma number with a wrong check digit"

finish

#!/usr/bin/env bash
# POST /api/v1/documents: UBL 2.1 DespatchAdvice as an advance notice of returns.
# Recording, replay, conflicts, all-or-nothing imports, hostile XML, media types, size, roles,
# and the dock scan of the announced SSCC.
source "$(dirname "$0")/../lib.sh"
FIX="$RMAD_SRC/tests/fixtures/http"
XSD_DA="$RMAD_SHARED/standards/oasis-ubl-2.1/xsd/maindoc/UBL-DespatchAdvice-2.1.xsd"
OASIS_DA="$RMAD_SHARED/standards/oasis-ubl-2.1/xml/UBL-DespatchAdvice-2.0-Example.xml"
command -v xmllint >/dev/null || { echo "xmllint is required"; exit 1; }
rmad_setup

check "sscc helper matches the GS1 example (00)106141411234567897" \
    test "$(sscc 10614141123456789)" = 106141411234567897

valid_xml() { xmllint --nonet --noout --schema "$XSD_DA" "$1" >"$T_TMP/xmllint.out" 2>&1; }

# post_doc FILE TOKEN [CONTENT-TYPE]: POST the file as is; sets STATUS, BODY, HEADERS.
post_doc() {
    local args=(-s -S -o "$T_TMP/body" -D "$T_TMP/headers" -w '%{http_code}' --max-time 30
        -H "Content-Type: ${3:-application/xml}" --data-binary "@$1")
    [ -n "$2" ] && args+=(-H "Authorization: Bearer $2")
    STATUS=$(curl "${args[@]}" "$BASE/api/v1/documents") || STATUS=000
    BODY=$(cat "$T_TMP/body" 2>/dev/null)
    HEADERS=$(cat "$T_TMP/headers" 2>/dev/null)
}
count() { psql_t -c "SELECT count(*) FROM $1"; }
snapshot() { printf '%s/%s/%s/%s' "$(count document)" "$(count advance_notice)" \
    "$(count "event WHERE kind = 'advance_notice'")" "$(psql_t -c 'SELECT count(*) FROM parcel WHERE announced_at IS NOT NULL')"; }

# snapshot: documents / advance notices / advance_notice events / announced parcels.
# --- one RMA, one announced parcel ----------------------------------------------------------
new_case DOCT-0001 SRV-R740
new_rma "$CASE" DOCT-0001 SRV-R740
expect_status 201 "rma for the notice"
RMA1=$RMA
SSCC1=$(sscc "0040123450000$((1000 + $$ % 9000))")
DOC1="ASN-$RMA1-$$"
fill "$FIX/despatch-advice-one-line.xml.in" "$T_TMP/doc1.xml" DOC_ID="$DOC1" RMA="$RMA1" \
    SERIAL=DOCT-0001 SSCC="$SSCC1"
check "generated despatch advice validates against the UBL 2.1 XSD" valid_xml "$T_TMP/doc1.xml"
before=$(snapshot)
post_doc "$T_TMP/doc1.xml" "$AGENT"
expect_status 201 "advance notice recorded"
expect_jq '.outcome == "recorded" and .document == "DespatchAdvice"' "answer says recorded"
expect_jq ".id == \"$DOC1\" and (.replayed // false) == false" "answer names the document id, not replayed"
expect_jq ".parcels | length == 1 and .[0].rma_number == \"$RMA1\" and .[0].sscc == \"$SSCC1\"
    and .[0].serial_number == \"DOCT-0001\" and .[0].parcel_no == 1" "answer lists the parcel"
first_body=$BODY
api GET "/api/v1/rmas/$RMA1" "$ADMIN"
expect_jq "[.parcels[] | select(.direction == \"inbound\")][0] | .announced_at != null
    and .sscc == \"$SSCC1\"" "staff view: parcel announced with its sscc"
check "one advance_notice row for the parcel" test "$(psql_t -c "SELECT count(*) FROM advance_notice n
    JOIN rma r ON r.id = n.rma_id WHERE r.rma_number = '$RMA1' AND n.sscc = '$SSCC1'
    AND n.serial_number = 'DOCT-0001' AND n.quantity = 1")" = 1
check "one advance_notice event for the parcel" test "$(psql_t -c "SELECT count(*) FROM event e
    JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$RMA1' AND e.kind = 'advance_notice'
    AND e.parcel_id IS NOT NULL AND e.channel = 'xml'")" = 1
check "one document row keyed by the ID" test "$(psql_t -c "SELECT count(*) FROM document
    WHERE doc_type = 'DespatchAdvice' AND doc_id = '$DOC1' AND status = 201")" = 1
after1=$(snapshot)
check "the import added 1 document, 1 notice, 1 event, 1 announced parcel" \
    test "$(echo "$before" | awk -F/ '{print $1+1"/"$2+1"/"$3+1"/"$4+1}')" = "$after1"

# --- the same document again: the same answer, marked replayed, nothing new -------------------
post_doc "$T_TMP/doc1.xml" "$AGENT"
expect_status 201 "same document again"
expect_jq '.replayed == true' "replay is marked replayed"
check "replay answers the same as the first time (but for replayed)" test \
    "$(jqb 'del(.replayed)' | jq -S -c .)" = "$(printf '%s' "$first_body" | jq -S -c 'del(.replayed)')"
check "replay stores nothing new" test "$(snapshot)" = "$after1"

# --- the same ID with another body: 409 -------------------------------------------------------
sed 's|<cbc:IssueDate>2024-03-18|<cbc:IssueDate>2024-03-19|' "$T_TMP/doc1.xml" >"$T_TMP/doc1b.xml"
check "changed document still validates" valid_xml "$T_TMP/doc1b.xml"
post_doc "$T_TMP/doc1b.xml" "$AGENT"
expect_error 409 ID "same ID, different body"
check "conflict stores nothing" test "$(snapshot)" = "$after1"

# --- the OASIS example names an order we do not know: 422, nothing stored ---------------------
check "OASIS example validates against the UBL 2.1 XSD" valid_xml "$OASIS_DA"
post_doc "$OASIS_DA" "$AGENT"
expect_status 422 "OASIS example refused"
expect_jq '.error.field | test("^DespatchLine\\[1\\]\\.OrderReference$")' \
    "error names the line's OrderReference"
expect_jq '.error.line | type == "number" and . > 0' "error gives the line in the document"
check "OASIS example stores nothing (document table unchanged)" test "$(snapshot)" = "$after1"
check "no document row with the OASIS ID" \
    test "$(psql_t -c "SELECT count(*) FROM document WHERE doc_id = '565899'")" = 0

# --- all or nothing: line 2 names an unknown serial ------------------------------------------
new_case DOCT-0002 SRV-R740
new_rma "$CASE" DOCT-0002 SRV-R740
RMA2=$RMA
SSCC2=$(sscc "0040123450001$((1000 + $$ % 9000))")
SSCC3=$(sscc "0040123450002$((1000 + $$ % 9000))")
fill "$FIX/despatch-advice-two-lines.xml.in" "$T_TMP/doc2.xml" DOC_ID="ASN-2L-$$" \
    RMA1="$RMA2" SERIAL1=DOCT-0002 SSCC1="$SSCC2" RMA2="$RMA2" SERIAL2=NO-SUCH-SERIAL SSCC2="$SSCC3"
check "two-line document validates against the UBL 2.1 XSD" valid_xml "$T_TMP/doc2.xml"
post_doc "$T_TMP/doc2.xml" "$AGENT"
expect_status 422 "document with an unknown serial on line 2"
expect_jq '.error.field | test("^DespatchLine\\[2\\]")' "error names DespatchLine[2]"
expect_jq '.error.line | type == "number" and . > 0' "error gives a line number"
api GET "/api/v1/rmas/$RMA2" "$ADMIN"
expect_jq '[.parcels[] | select(.direction == "inbound")][0] | .announced_at == null and .sscc == null' \
    "line 1's parcel is not announced (all or nothing)"
check "the failed two-line document stores nothing" test "$(snapshot)" = "$after1"
check "no document row for the failed import" \
    test "$(psql_t -c "SELECT count(*) FROM document WHERE doc_id = 'ASN-2L-$$'")" = 0

# --- hostile and broken XML ------------------------------------------------------------------
post_doc "$FIX/billion-laughs.xml" "$AGENT"
expect_error 400 doctype "DOCTYPE with entity expansion (billion laughs)"
post_doc "$FIX/xxe-file.xml" "$AGENT"
expect_status 400 "XXE with SYSTEM file:///etc/passwd"
check "XXE answer does not quote /etc/passwd" eval '! grep -q "root:" "$T_TMP/body"'
expect_jq '.error.field == "doctype"' "XXE refused for its doctype"
post_doc "$FIX/malformed.xml" "$AGENT"
expect_error 400 document "malformed xml"
check "...in the words of POST /tracking" test "$(jqb .error.message)" = "is not well-formed xml"
expect_jq '.error.line | type == "number" and . > 0' "malformed xml error has a line"
check "hostile documents store nothing" test "$(snapshot)" = "$after1"

# --- media type and size -----------------------------------------------------------------------
post_doc "$T_TMP/doc1.xml" "$AGENT" application/json
expect_status 415 "application/json body refused"
expect_jq '.error.field == "Content-Type"' "415 names Content-Type"
post_doc "$T_TMP/doc1.xml" "$AGENT" multipart/form-data
expect_status 415 "multipart body refused"
head -c $((4 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$T_TMP/huge.xml"
post_doc "$T_TMP/huge.xml" "$AGENT"
expect_status 413 "body over 4 MiB"
api GET /healthz ""
expect_status 200 "still up after the hostile documents"

# --- roles ------------------------------------------------------------------------------------
new_case DOCT-0003 SRV-R740
new_rma "$CASE" DOCT-0003 SRV-R740
RMA3=$RMA
SSCC4=$(sscc "0040123450003$((1000 + $$ % 9000))")
fill "$FIX/despatch-advice-one-line.xml.in" "$T_TMP/doc3.xml" DOC_ID="ASN-C-$$" RMA="$RMA3" \
    SERIAL=DOCT-0003 SSCC="$SSCC4"
check "carrier document validates" valid_xml "$T_TMP/doc3.xml"
post_doc "$T_TMP/doc3.xml" "$DEPOT"
expect_error 403 authorization "depot token may not post documents"
post_doc "$T_TMP/doc3.xml" ""
expect_status 401 "no token"
check "refused posts store nothing" test "$(snapshot)" = "$after1"
post_doc "$T_TMP/doc3.xml" "$CARRIER"
expect_status 201 "carrier token may post documents"
expect_jq ".parcels[0].sscc == \"$SSCC4\"" "carrier notice records the sscc"

# --- carriers see their own returns only: another carrier's RMA answers as one that does not exist
DHL_TOKEN=$("$RMAD_BIN" token create --role carrier --name "test dhl" --carrier DHL)
check "the UPS notice claimed the parcel that had no carrier" test "$(psql_t -c "SELECT c.code FROM parcel p
    JOIN carrier c ON c.id = p.carrier_id JOIN rma r ON r.id = p.rma_id
    WHERE r.rma_number = '$RMA3' AND p.direction = 'inbound'")" = UPS
# not_ours FILE TOKEN DESCRIPTION: the answer of an RMA that does not exist, nothing written
not_ours() {
    local before
    before=$(snapshot)
    post_doc "$1" "$2"
    expect_error 422 "DespatchLine[1].OrderReference" "$3"
    expect_jq '.error.message == "names no rma of ours" and (.error.line | type == "number")' \
        "$3: the message and line of an rma that does not exist"
    check "$3: nothing written" test "$(snapshot)" = "$before"
}
fill "$FIX/despatch-advice-one-line.xml.in" "$T_TMP/none.xml" DOC_ID="ASN-NONE-$$" \
    RMA=R000000022 SERIAL=DOCT-0001 SSCC="$(sscc "0040123450009$((1000 + $$ % 9000))")"
not_ours "$T_TMP/none.xml" "$AGENT" "an rma that does not exist names the OrderReference, not the SerialID"
sed 's|R000000022|SECRETVALUE|g' "$T_TMP/none.xml" >"$T_TMP/secret.xml"
not_ours "$T_TMP/secret.xml" "$AGENT" "an order reference that is no rma number"
not_ours "$T_TMP/none.xml" "$CARRIER" "a carrier naming an rma that does not exist"
fill "$FIX/despatch-advice-one-line.xml.in" "$T_TMP/serial.xml" DOC_ID="ASN-SER-$$" \
    RMA="$RMA3" SERIAL=NO-SUCH-SERIAL SSCC="$SSCC4"
post_doc "$T_TMP/serial.xml" "$AGENT"
expect_error 422 "DespatchLine[1].SerialID" "an rma of ours without the serial names the SerialID"
post_doc "$T_TMP/serial.xml" "$CARRIER"
expect_error 422 "DespatchLine[1].SerialID" "...also to the carrier of its parcel"
# a DHL parcel: the UPS token sees no such rma, whatever the document says
new_case DOCT-0005 SRV-R740
new_rma "$CASE" DOCT-0005 SRV-R740
RMA5=$RMA
psql_t -c "UPDATE parcel SET carrier_id = (SELECT id FROM carrier WHERE code = 'DHL')
    WHERE direction = 'inbound' AND rma_id = (SELECT id FROM rma WHERE rma_number = '$RMA5')" >/dev/null
SSCC5=$(sscc "0040123450005$((1000 + $$ % 9000))")
fill "$FIX/despatch-advice-one-line.xml.in" "$T_TMP/dhl.xml" DOC_ID="ASN-DHL-$$" RMA="$RMA5" \
    SERIAL=DOCT-0005 SSCC="$SSCC5"
not_ours "$T_TMP/dhl.xml" "$CARRIER" "UPS announcing DHL's return"
check "no advance_notice event on the DHL parcel" test "$(psql_t -c "SELECT count(*) FROM event e
    JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$RMA5' AND e.kind = 'advance_notice'")" = 0
sed "s|DOCT-0005|NO-SUCH-SERIAL|" "$T_TMP/dhl.xml" >"$T_TMP/dhl-serial.xml"
not_ours "$T_TMP/dhl-serial.xml" "$CARRIER" "UPS naming a serial DHL's return does not have"
sed "s|ASN-DHL-$$|ASN-DHL3-$$|; s|$RMA5|$RMA3|g; s|DOCT-0005|DOCT-0003|; s|$SSCC5|$SSCC4|" \
    "$T_TMP/dhl.xml" >"$T_TMP/ups-by-dhl.xml"
not_ours "$T_TMP/ups-by-dhl.xml" "$DHL_TOKEN" "DHL announcing the return UPS claimed"
post_doc "$T_TMP/dhl.xml" "$DHL_TOKEN"
expect_status 201 "DHL announces its own return"
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$SSCC5" '{code: $c, station: "dock-1"}')"
expect_jq '.outcome == "received"' "the DHL return is received at the dock"
sed "s|ASN-DHL-$$|ASN-DHL2-$$|" "$T_TMP/dhl.xml" >"$T_TMP/dhl2.xml"
not_ours "$T_TMP/dhl2.xml" "$CARRIER" "UPS naming DHL's received return (no 'already received')"
post_doc "$T_TMP/dhl2.xml" "$DHL_TOKEN"
expect_error 409 "DespatchLine[1].OrderReference" "DHL is told its return was already received"

# --- an SSCC whose check digit is wrong could never be scanned: refuse it, store nothing -----
new_case DOCT-0004 SRV-R740
new_rma "$CASE" DOCT-0004 SRV-R740
RMA4=$RMA
good=$(sscc "0040123450004$((1000 + $$ % 9000))")
bad=${good:0:17}$(((${good:17:1} + 1) % 10))
fill "$FIX/despatch-advice-one-line.xml.in" "$T_TMP/doc4.xml" DOC_ID="ASN-BAD-$$" RMA="$RMA4" \
    SERIAL=DOCT-0004 SSCC="$bad"
check "document with a bad sscc check digit still validates (the XSD does not check it)" \
    valid_xml "$T_TMP/doc4.xml"
before4=$(snapshot)
post_doc "$T_TMP/doc4.xml" "$AGENT"
expect_status 422 "sscc with a wrong GS1 check digit refused"
expect_jq '.error.field // "" | test("TransportHandlingUnit")' "error names the TransportHandlingUnit"
check "bad-sscc document stores nothing" test "$(snapshot)" = "$before4"

# --- the dock scan of an announced SSCC --------------------------------------------------------
scan() {
    api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$1" '{code: $c, station: "dock-1"}')"
}
scan "(00)$SSCC1"
expect_status 200 "scan (00)sscc"
expect_jq ".outcome == \"received\" and .rma_number == \"$RMA1\" and .parcel_no == 1 and .code_kind == \"sscc\"" \
    "GS1-128 (00) form resolves to the announced parcel"
scan "https://id.example.com/00/$SSCC4"
expect_status 200 "scan digital link"
expect_jq ".outcome == \"received\" and .rma_number == \"$RMA3\" and .parcel_no == 1" \
    "Digital Link form resolves to the announced parcel"
scan "https://id.example.com/00/$SSCC1"
expect_jq ".outcome == \"duplicate\" and .rma_number == \"$RMA1\"" \
    "Digital Link of the first sscc is the same parcel, already received"

finish

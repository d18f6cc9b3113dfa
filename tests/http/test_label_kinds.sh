#!/usr/bin/env bash
# Labels of every kind over HTTP: outbound (shipments), advance-replacement spare, 2x1 in part
# tag, dpi and ec, SSCC assignment (GS1 check digit, never reused), the fallback flag of
# non-Latin text, the label list, and pickup batches (GET by carrier and day, POST by list).
# Every barcode is decoded with zbarimg (PDF through pdftoppm).
source "$(dirname "$0")/../lib.sh"
for tool in zbarimg pdftoppm pdfinfo python3; do
    command -v "$tool" >/dev/null || { echo "$tool is required (deploy/install-deps.sh)"; exit 1; }
done
export RMAD_GS1_COMPANY_PREFIX=0614141 RMAD_SSCC_FIRST=5000 RMAD_SSCC_LAST=5999
rmad_setup

decode() { zbarimg --raw -q "$1" 2>/dev/null | sort; }
fetch() {
    local args=(-s -S -o "$3" -w '%{http_code}' --max-time 60)
    [ -n "$2" ] && args+=(-H "Authorization: Bearer $2")
    STATUS=$(curl "${args[@]}" "${@:4}" "$BASE$1") || STATUS=000
    BODY=$(head -c 400 "$3" | tr -d '\0')
}
png_size() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1"; }
HOSTPORT=${BASE#http://}

# An advance replacement and a repair, each with an outbound parcel of UPS created today.
new_case PSU7500001 PSU-750
api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" '{case_number: $c, type: "advance_replacement",
    lines: [{serial_number: "PSU7500001", product_model: "PSU-750"}],
    screening: {outcome: "eligible", reason: "in warranty", evidence: {}}}')"
expect_status 201 "advance replacement rma"
RA=$(jqb .rma_number)
new_case NBX130001 NB-X13
new_rma "$CASE" NBX130001 NB-X13
expect_status 201 "repair rma"
RB=$RMA
for r in "$RA" "$RB"; do
    psql_t -c "INSERT INTO parcel (rma_id, line_id, direction, parcel_no, parcel_count, state, carrier_id, tracking_number)
        SELECT r.id, (SELECT min(id) FROM rma_line WHERE rma_id = r.id), 'outbound', 1, 1, 'packed',
               (SELECT id FROM carrier WHERE code = 'UPS'), '1Z680RA4DL0872000' || right('$r', 1)
        FROM rma r WHERE rma_number = '$r'"
done
psql_t -c "UPDATE rma_line SET core_due_date = DATE '2026-12-31' FROM rma r WHERE r.id = rma_line.rma_id AND r.rma_number = '$RA'" 2>/dev/null ||
    echo "note: rma_line.core_due_date not there: the spare label shows no date"

# ---- spare label (advance replacement), every output ----------------------------------------------
fetch "/api/v1/rmas/$RA/shipments/1/label.png" "$DEPOT" "$T_TMP/spare.png"
expect_status 200 "spare label png"
SP=$(decode "$T_TMP/spare.png")
SSCC_A=$(grep -E '^00[0-9]{18}$' <<<"$SP" | cut -c3-)
check "spare png: QR is HTTP://$HOSTPORT/S/$RA/1/<TAG>" grep -qxE "HTTP://$HOSTPORT/S/$RA/1/[0-9A-Z]{8}" <<<"$SP"
check "spare png: Code 128 is the tracking number" grep -qx "1Z680RA4DL0872000${RA: -1}" <<<"$SP"
check "spare png: GS1-128 SSCC from prefix 0614141 and range 5000.. ($SSCC_A)" grep -qxE '0061414100000500[0-9]{2}' <<<"$SSCC_A"
check "spare png: the SSCC check digit is right" test "$(sscc "${SSCC_A:0:17}")" = "$SSCC_A"
check "spare png is 812x1218" test "$(png_size "$T_TMP/spare.png")" = 812x1218
fetch "/api/v1/rmas/$RA/shipments/1/label.pdf" "$DEPOT" "$T_TMP/spare.pdf"
expect_status 200 "spare label pdf"
pdftoppm -r 203 -png -singlefile "$T_TMP/spare.pdf" "$T_TMP/sparepdf" 2>/dev/null
check "spare pdf decodes to the same symbols" test "$(decode "$T_TMP/sparepdf.png")" = "$SP"
check "spare pdf says CORE RETURN DUE" bash -c 'pdftotext -q "$1" - | grep -q "CORE RETURN DUE"' _ "$T_TMP/spare.pdf"
fetch "/api/v1/rmas/$RA/shipments/1/label.zpl?dpi=300" "$DEPOT" "$T_TMP/spare.zpl"
expect_status 200 "spare label zpl at 300 dpi"
check "300 dpi zpl is 1200x1800 dots" bash -c 'grep -qxF "^PW1200" "$1" && grep -qxF "^LL1800" "$1"' _ "$T_TMP/spare.zpl"
check "zpl carries the same SSCC as GS1-128 (^BC mode D)" grep -qE "\^BCN,[0-9]+,N,N,N,D\^FD00$SSCC_A\^FS" "$T_TMP/spare.zpl"
fetch "/api/v1/rmas/$RA/shipments/1/label.png?dpi=300&ec=Q" "$DEPOT" "$T_TMP/spare300.png"
expect_status 200 "png at 300 dpi, ec Q"
check "300 dpi png is 1200x1800" test "$(png_size "$T_TMP/spare300.png")" = 1200x1800
check "300 dpi png decodes to the same symbols (SSCC kept)" test "$(decode "$T_TMP/spare300.png")" = "$SP"

# ---- outbound label of a repair, part tag -----------------------------------------------------------
fetch "/api/v1/rmas/$RB/shipments/1/label.png" "$AGENT" "$T_TMP/out.png"
expect_status 200 "outbound label png"
OB=$(decode "$T_TMP/out.png")
SSCC_B=$(grep -E '^00[0-9]{18}$' <<<"$OB" | cut -c3-)
check "outbound: another SSCC than the spare's ($SSCC_B)" bash -c '[ -n "$1" ] && [ "$1" != "$2" ]' _ "$SSCC_B" "$SSCC_A"
fetch "/api/v1/rmas/$RB/parcels/1/tag.png" "$DEPOT" "$T_TMP/tag.png"
expect_status 200 "part tag png"
check "part tag is 406x203 (2x1 in)" test "$(png_size "$T_TMP/tag.png")" = 406x203
check "part tag QR is the inbound parcel's URL" grep -qxE "HTTP://$HOSTPORT/P/$RB/1/[0-9A-Z]{8}" <<<"$(decode "$T_TMP/tag.png")"
fetch "/api/v1/rmas/$RB/parcels/1/tag.pdf" "$DEPOT" "$T_TMP/tag.pdf"
check "part tag pdf is 144 x 72 pt" grep -qE "^Page size: +144 x 72 pts" <<<"$(pdfinfo "$T_TMP/tag.pdf" 2>/dev/null)"
fetch "/api/v1/rmas/$RB/parcels/1/tag.zpl" "$DEPOT" "$T_TMP/tag.zpl"
check "part tag zpl: ^PW406 ^LL203, one label" bash -c 'grep -qxF "^PW406" "$1" && [ "$(grep -c "^\^XA$" "$1")" = 1 ]' _ "$T_TMP/tag.zpl"

# ---- options and errors ---------------------------------------------------------------------------------
for q in "dpi=600" "dpi=abc" "ec=H"; do
    api GET "/api/v1/rmas/$RB/shipments/1/label.png?$q" "$AGENT"
    expect_error 422 "${q%%=*}" "bad $q"
done
api GET "/api/v1/rmas/$RB/shipments/2/label.png" "$AGENT"
expect_status 404 "unknown shipment"
api GET "/api/v1/rmas/$RB/shipments/1/label.png" "$CARRIER"
expect_status 403 "carrier may not print labels"

# ---- SSCC stays, list shows it ---------------------------------------------------------------------------
fetch "/api/v1/rmas/$RA/shipments/1/label.png" "$DEPOT" "$T_TMP/spare2.png"
check "a second label keeps the SSCC" grep -qx "00$SSCC_A" <<<"$(decode "$T_TMP/spare2.png")"
api GET "/api/v1/rmas/$RA/labels" "$DEPOT"
expect_status 200 "label list"
expect_jq '[.parcels[] | select(.direction == "outbound")][0] | .kind == "spare" and .sscc == "'"$SSCC_A"'" and (.labels.png | endswith("/shipments/1/label.png"))' "list: spare kind, SSCC and link"
check "sscc_counter is past both numbers" test "$(psql_t -c "SELECT next_ref > 5001 FROM sscc_counter WHERE range_key = '00614141'")" = t

# ---- non-Latin text flags the parcel ---------------------------------------------------------------------
api POST /api/v1/cases "$AGENT" "$(jq -nc '{channel: "email", product_model: "NB-X13", serial_number: "NBX130002",
    fault_description: "screen", contact: {name: "Иван", email: "x@example.com"},
    service_address: {name: "Иван Петров 株式会社", street: "ул. Тверская 7", city: "Москва", postcode: "125009", country: "RU", zone: "Europe/Moscow"}}')"
new_rma "$(jqb .case_number)" NBX130002 NB-X13
RC=$RMA
fetch "/api/v1/rmas/$RC/parcels/1/label.zpl" "$AGENT" "$T_TMP/nl.zpl"
expect_status 200 "label with non-Latin text"
check "zpl shows the visible fallback" grep -qF "_2A NON-LATIN TEXT" "$T_TMP/nl.zpl"
api GET "/api/v1/rmas/$RC/labels" "$AGENT"
expect_jq '.parcels[0].label_flag == "non_latin_text"' "the parcel is flagged"

# ---- pickup batch ---------------------------------------------------------------------------------------
TODAY=$(psql_t -c "SELECT (now() AT TIME ZONE 'Europe/Berlin')::date")
fetch "/api/v1/labels/batch.pdf?carrier=UPS&date=$TODAY" "$DEPOT" "$T_TMP/batch.pdf"
expect_status 200 "pickup batch pdf"
check "batch pdf has 2 pages" grep -qE "^Pages: +2$" <<<"$(pdfinfo "$T_TMP/batch.pdf" 2>/dev/null)"
pdftoppm -r 203 -png "$T_TMP/batch.pdf" "$T_TMP/bp" 2>/dev/null
check "every page decodes" test "$(cat <(decode "$T_TMP"/bp-1.png) <(decode "$T_TMP"/bp-2.png) | grep -c '^HTTP')" = 2
fetch "/api/v1/labels/batch.zpl?carrier=UPS&date=$TODAY" "$DEPOT" "$T_TMP/batch.zpl"
check "batch zpl: two ^XA...^XZ" bash -c '[ "$(grep -c "^\^XA$" "$1")" = 2 ] && [ "$(grep -c "^\^XZ$" "$1")" = 2 ]' _ "$T_TMP/batch.zpl"
api GET "/api/v1/labels/batch.pdf?carrier=DHL&date=$TODAY" "$DEPOT"
expect_status 404 "no DHL parcels today"
api GET "/api/v1/labels/batch.pdf?carrier=UPS&date=2026-02-30" "$DEPOT"
expect_error 422 date "bad date"
api GET "/api/v1/labels/batch.pdf?carrier=U%5EPS&date=$TODAY" "$DEPOT"
expect_error 422 carrier "bad carrier"
fetch /api/v1/labels/batch.zpl "$DEPOT" "$T_TMP/post.zpl" -X POST -H 'Content-Type: application/json' \
    --data "{\"parcels\": [{\"rma_number\": \"$RB\", \"direction\": \"outbound\", \"parcel_no\": 1}, {\"rma_number\": \"$RA\", \"direction\": \"inbound\", \"parcel_no\": 1}]}"
expect_status 200 "POST batch zpl"
check "POST batch: two labels, one outbound, one return" bash -c '[ "$(grep -c "^\^XA$" "$1")" = 2 ] && grep -q "/S/" "$1" && grep -q "/P/" "$1"' _ "$T_TMP/post.zpl"
api POST /api/v1/labels/batch.pdf "$DEPOT" "{\"parcels\": [{\"rma_number\": \"$RB\", \"parcel_no\": 7}]}"
expect_status 404 "POST batch with an unknown parcel"
expect_jq '.error.field == "parcels[0]"' "the error names parcels[0]"
api POST /api/v1/labels/batch.pdf "$DEPOT" "$(jq -nc --arg r "$RB" '{parcels: [range(501) | {rma_number: $r, parcel_no: 1}]}')"
expect_error 422 parcels "501 parcels"
api POST /api/v1/labels/batch.pdf "$DEPOT" '{"parcels": []}'
expect_error 422 parcels "no parcels"

finish

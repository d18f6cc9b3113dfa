#!/usr/bin/env bash
# GET /api/v1/rmas/{rma}/parcels/{n}/label.png|.pdf|.zpl: a 4x6 return label with the signed QR.
# Every rendered QR is decoded with a real decoder (zbarimg) and must give back exactly the
# payload; the payload resolves at the dock scan; customer text never becomes ZPL commands.
source "$(dirname "$0")/../lib.sh"
for tool in zbarimg pdftoppm python3; do
    command -v "$tool" >/dev/null || { echo "$tool is required (deploy/install-deps.sh)"; exit 1; }
done
rmad_setup

CROCKFORD='[0-9ABCDEFGHJKMNPQRSTVWXYZ]'
# decode FILE: the QR payload(s) in a PNG, one a line.
decode() { zbarimg --raw -q -Sdisable -Sqrcode.enable "$1" 2>/dev/null; }
# fetch PATH TOKEN FILE: GET PATH into FILE (binary), STATUS and HEADERS set.
fetch() {
    local args=(-s -S -o "$3" -D "$T_TMP/headers" -w '%{http_code}' --max-time 30)
    [ -n "$2" ] && args+=(-H "Authorization: Bearer $2")
    STATUS=$(curl "${args[@]}" "$BASE$1") || STATUS=000
    HEADERS=$(cat "$T_TMP/headers" 2>/dev/null)
    BODY=$(head -c 400 "$3" | tr -d '\0')
}
# png_size FILE: "WIDTHxHEIGHT" from the IHDR chunk.
png_size() {
    python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read(33)
assert d[:8] == b"\x89PNG\r\n\x1a\n" and d[12:16] == b"IHDR"
w, h = struct.unpack(">II", d[16:24])
print(f"{w}x{h}")' "$1" 2>/dev/null
}
header() { printf '%s' "$HEADERS" | tr -d '\r' | awk -v h="$1" 'tolower($0) ~ "^" tolower(h) ":" { sub(/^[^:]*: */, ""); print; exit }'; }

new_case SRV7400001 SRV-R740
new_rma "$CASE" SRV7400001 SRV-R740
expect_status 201 "rma for the label"
R1=$RMA
HOSTPORT=${BASE#http://}

# ---- PNG ----------------------------------------------------------------------------------------
fetch "/api/v1/rmas/$R1/parcels/1/label.png" "$AGENT" "$T_TMP/r1.png"
expect_status 200 "label.png"
check "Content-Type image/png" test "$(header Content-Type)" = image/png
check "Content-Disposition names the file" test "$(header Content-Disposition)" = "inline; filename=\"$R1-1.png\""
check "the body is a PNG" test "$(head -c 8 "$T_TMP/r1.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a
check "the PNG is 812x1218 (4x6 in at 203 dpi)" test "$(png_size "$T_TMP/r1.png")" = 812x1218
PAYLOAD=$(decode "$T_TMP/r1.png")
check "zbarimg finds exactly one QR code in the PNG" test "$(printf '%s\n' "$PAYLOAD" | grep -c .)" = 1
TAG=${PAYLOAD##*/}
check "the PNG QR is exactly HTTP://$HOSTPORT/P/$R1/1/<TAG> (got '$PAYLOAD')" \
    test "$PAYLOAD" = "HTTP://$HOSTPORT/P/$R1/1/$TAG"
check "the tag is 8 Crockford base32 characters ($TAG)" grep -qxE "$CROCKFORD{8}" <<<"$TAG"
check "the QR holds no personal data" bash -c '! grep -qiE "anna|schmidt|acme|mainzer|60329|frankfurt" <<<"$1"' _ "$PAYLOAD"
# file(1) agrees on the size when it is there
if command -v file >/dev/null; then
    check "file(1) says PNG 812 x 1218" grep -q "PNG image data, 812 x 1218" <<<"$(file "$T_TMP/r1.png")"
fi

# the same URL, typed by the scanner, resolves at the dock
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$PAYLOAD" '{code: $c, station: "dock-1"}')"
expect_status 200 "scan of the decoded PNG payload"
expect_jq '.outcome == "received" and .rma_number == "'"$R1"'" and .parcel_no == 1' "the PNG payload resolves to $R1 parcel 1"
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$R1-1-$TAG" '{code: $c, station: "dock-1"}')"
expect_jq '.outcome == "duplicate" and .rma_number == "'"$R1"'"' "the human-readable token resolves to the same parcel"

# ---- PDF ----------------------------------------------------------------------------------------
fetch "/api/v1/rmas/$R1/parcels/1/label.pdf" "$AGENT" "$T_TMP/r1.pdf"
expect_status 200 "label.pdf"
check "Content-Type application/pdf" test "$(header Content-Type)" = application/pdf
check "the body is a PDF" test "$(head -c 5 "$T_TMP/r1.pdf")" = "%PDF-"
if command -v pdfinfo >/dev/null; then
    check "the PDF is one 4x6 in page (288 x 432 pts)" grep -qE "^Page size: +288 x 432 pts" <<<"$(pdfinfo "$T_TMP/r1.pdf" 2>/dev/null)"
    check "the PDF has one page" grep -qE "^Pages: +1$" <<<"$(pdfinfo "$T_TMP/r1.pdf" 2>/dev/null)"
fi
pdftoppm -r 203 -png "$T_TMP/r1.pdf" "$T_TMP/r1pdf" 2>/dev/null
PDFPNG=$(ls "$T_TMP"/r1pdf*.png 2>/dev/null | head -n 1)
check "pdftoppm renders the PDF" test -s "$PDFPNG"
check "the PDF QR decodes to the same payload" test "$(decode "$PDFPNG")" = "$PAYLOAD"
check "the PDF at 203 dpi is 812x1218" test "$(png_size "$PDFPNG")" = 812x1218

# ---- ZPL ----------------------------------------------------------------------------------------
fetch "/api/v1/rmas/$R1/parcels/1/label.zpl" "$AGENT" "$T_TMP/r1.zpl"
expect_status 200 "label.zpl"
check "Content-Type of ZPL is text/plain" grep -q "^text/plain" <<<"$(header Content-Type)"
ZPL=$(cat "$T_TMP/r1.zpl")
count() { grep -oF -- "$1" <<<"$2" | wc -l; }
check "ZPL has exactly one ^XA" test "$(count '^XA' "$ZPL")" = 1
check "ZPL has exactly one ^XZ" test "$(count '^XZ' "$ZPL")" = 1
check "ZPL starts with ^XA and ends with ^XZ" bash -c '[[ "$(tr -d "\r\n" <<<"$1")" == ^XA*^XZ ]]' _ "$ZPL"
check "ZPL selects UTF-8 with ^CI28" grep -qF '^CI28' <<<"$ZPL"
check "ZPL is 4x6 at 203 dpi (^PW812 ^LL1218)" bash -c 'grep -qF "^PW812" <<<"$1" && grep -qF "^LL1218" <<<"$1"' _ "$ZPL"
check "ZPL has one QR (^BQN)" test "$(count '^BQN' "$ZPL")" = 1
check "the payload is in the ^FD after ^BQN" grep -qE "\^BQN,2,[0-9]+\^FD(MA|QA|HA),$(sed 's/[.]/\\./g' <<<"$PAYLOAD")\^FS" <<<"$ZPL"
check "the human-readable token is printed" grep -qF "$R1-1-$TAG" <<<"$ZPL"
check "the RMA number is printed" grep -qF "$R1" <<<"$(grep -F '^FH^FD' <<<"$ZPL")"
check "no ~ command in the ZPL" bash -c '! grep -qF "~" <<<"$1"' _ "$ZPL"

# ---- customer text with ZPL commands ----------------------------------------------------------
EVIL='^XZ^XA~JR\ evil'
mkcase() { # mkcase NAME STREET CITY SERIAL: sets STATUS, CASE
    api POST /api/v1/cases "$AGENT" "$(jq -nc --arg n "$1" --arg st "$2" --arg c "$3" --arg s "$4" '{
        channel: "email", product_model: "NB-X13", serial_number: $s,
        fault_description: "screen flickers", contact: {name: "Anna Schmidt", email: "x@example.com"},
        service_address: {name: $n, street: $st, city: $c, postcode: "60329", country: "DE"}}')"
    CASE=$(jqb .case_number)
}
# CR/LF in a one-line address field is refused at intake: nothing can reach the label
mkcase "$(printf 'ACME\r\n^XZ^XA evil')" "Street 1" "Frankfurt" NBX130001
expect_error 422 service_address.name "CR/LF in the service address name"
mkcase "ACME" "$(printf 'Street 1\r\n^XA^FDx')" "Frankfurt" NBX130001
expect_error 422 service_address.street "CR/LF in the street"
mkcase "$(printf 'ACME\n~JR')" "Street 1" "Frankfurt" NBX130001
expect_error 422 service_address.name "LF in the service address name"

mkcase "$EVIL" "$EVIL street 1" "^FS^XZ city~" NBX130001
expect_status 201 "a case whose address holds ZPL commands"
new_rma "$CASE" NBX130001 NB-X13
expect_status 201 "rma for the hostile address"
R2=$RMA
fetch "/api/v1/rmas/$R2/parcels/1/label.zpl" "$AGENT" "$T_TMP/r2.zpl"
expect_status 200 "label.zpl of the hostile address"
ZPL2=$(cat "$T_TMP/r2.zpl")
check "hostile address: exactly one ^XA" test "$(count '^XA' "$ZPL2")" = 1
check "hostile address: exactly one ^XZ" test "$(count '^XZ' "$ZPL2")" = 1
check "hostile address: no ~ anywhere" test "$(count '~' "$ZPL2")" = 0
check "hostile address: no raw CR" bash -c '! grep -q $'"'"'\r'"'"' "$1"' _ "$T_TMP/r2.zpl"
# every text field: ^FH^FD<text>^FS with no ^ or ~ inside the text
bad_fields=$(grep -F '^FH^FD' <<<"$ZPL2" | sed 's/.*\^FH\^FD//; s/\^FS$//' | grep -c '[~^]')
check "hostile address: no ^ or ~ inside any text field ($bad_fields bad)" test "$bad_fields" = 0
check "hostile address: every ^FD text field is ^FH hex-escaped" test "$(grep -c '\^FD' <<<"$ZPL2")" = "$(($(grep -c '\^FH\^FD' <<<"$ZPL2") + 1))"
check "hostile address: the name is printed escaped (_5EXZ_5EXA_7EJR_5C)" grep -qF '_5EXZ_5EXA_7EJR_5C evil' <<<"$ZPL2"
check "hostile address: every line is a command or part of one" bash -c '! grep -vqE "^(\^|$)" <<<"$1"' _ "$ZPL2"
fetch "/api/v1/rmas/$R2/parcels/1/label.png" "$AGENT" "$T_TMP/r2.png"
expect_status 200 "label.png of the hostile address"
P2=$(decode "$T_TMP/r2.png")
check "hostile address: the PNG still decodes to its payload" grep -qxE "HTTP://$HOSTPORT/P/$R2/1/$CROCKFORD{8}" <<<"$P2"
fetch "/api/v1/rmas/$R2/parcels/1/label.pdf" "$AGENT" "$T_TMP/r2.pdf"
expect_status 200 "label.pdf of the hostile address"
pdftoppm -r 203 -png "$T_TMP/r2.pdf" "$T_TMP/r2pdf" 2>/dev/null
check "hostile address: the PDF decodes to the same payload" test "$(decode "$(ls "$T_TMP"/r2pdf*.png | head -n 1)")" = "$P2"

# non-Latin text: rendered or visibly flagged in ZPL, never a silent '?'
mkcase "株式会社テスト" "東京都千代田区1-1" "東京" NBX130002
expect_status 201 "a case with a Japanese address"
new_rma "$CASE" NBX130002 NB-X13
R3=$RMA
fetch "/api/v1/rmas/$R3/parcels/1/label.zpl" "$AGENT" "$T_TMP/r3.zpl"
expect_status 200 "label.zpl with non-Latin text"
check "non-Latin ZPL: text is hex-escaped UTF-8 (_E6_A0_AA for 株)" grep -qF '_E6_A0_AA' "$T_TMP/r3.zpl"
check "non-Latin ZPL: no silent ? replacement" bash -c '! grep -F "^FH^FD" "$1" | grep -qF "?"' _ "$T_TMP/r3.zpl"
check "non-Latin ZPL: still one ^XA and one ^XZ" test "$(count '^XA' "$(cat "$T_TMP/r3.zpl")")$(count '^XZ' "$(cat "$T_TMP/r3.zpl")")" = 11
fetch "/api/v1/rmas/$R3/parcels/1/label.png" "$AGENT" "$T_TMP/r3.png"
check "non-Latin PNG decodes" grep -qxE "HTTP://$HOSTPORT/P/$R3/1/$CROCKFORD{8}" <<<"$(decode "$T_TMP/r3.png")"

# ---- two parcels: each its own payload ------------------------------------------------------------
new_case PSU7500001 PSU-750
api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" '{case_number: $c, type: "repair",
    lines: [{serial_number: "PSU7500001", product_model: "PSU-750"}, {serial_number: "PSU7500002", product_model: "PSU-750"}],
    screening: {outcome: "eligible", reason: "psu fault", evidence: {}}}')"
expect_status 201 "a two-parcel rma"
R4=$(jqb .rma_number)
fetch "/api/v1/rmas/$R4/parcels/1/label.png" "$AGENT" "$T_TMP/r4a.png"
fetch "/api/v1/rmas/$R4/parcels/2/label.png" "$AGENT" "$T_TMP/r4b.png"
expect_status 200 "label of parcel 2 of 2"
PA=$(decode "$T_TMP/r4a.png")
PB=$(decode "$T_TMP/r4b.png")
check "parcel 1 payload" grep -qxE "HTTP://$HOSTPORT/P/$R4/1/$CROCKFORD{8}" <<<"$PA"
check "parcel 2 payload" grep -qxE "HTTP://$HOSTPORT/P/$R4/2/$CROCKFORD{8}" <<<"$PB"
check "the two parcels have different tags" test "${PA##*/}" != "${PB##*/}"
fetch "/api/v1/rmas/$R4/parcels/2/label.zpl" "$AGENT" "$T_TMP/r4b.zpl"
check "ZPL of parcel 2 carries parcel 2's payload" grep -qF "$PB^FS" "$T_TMP/r4b.zpl"
# the tag of parcel 1 on parcel 2 is a forgery
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "HTTP://$HOSTPORT/P/$R4/2/${PA##*/}" '{code: $c, station: "dock-1"}')"
expect_jq '.outcome == "forged"' "parcel 1's tag on parcel 2 is forged"

# ---- parcels and numbers that do not exist -------------------------------------------------------
for fmt in png pdf zpl; do
    api GET "/api/v1/rmas/$R1/parcels/2/label.$fmt" "$AGENT"
    expect_status 404 "parcel 2 of a one-parcel rma ($fmt)"
    expect_jq '.error.code == "not_found"' "parcel 2 ($fmt): JSON not_found"
done
for p in abc 0 -1 1x 99999 1.0; do
    api GET "/api/v1/rmas/$R1/parcels/$p/label.png" "$AGENT"
    expect_status 404 "parcel '$p'"
done
UNKNOWN=R999999980  # not issued in this database (check digit may or may not match: 404 either way)
api GET "/api/v1/rmas/$UNKNOWN/parcels/1/label.png" "$AGENT"
expect_status 404 "label of an unknown rma"
api GET "/api/v1/rmas/${R1:0:9}$(((${R1:9:1} + 1) % 10))/parcels/1/label.png" "$AGENT"
expect_status 404 "label of a number with a wrong check digit"
api GET "/api/v1/rmas/$R1/parcels/1/label.gif" "$AGENT"
expect_status 404 "label.gif is not a format"

# ---- roles ----------------------------------------------------------------------------------------
for fmt in png pdf zpl; do
    fetch "/api/v1/rmas/$R1/parcels/1/label.$fmt" "$DEPOT" "$T_TMP/role.$fmt"
    expect_status 200 "depot may print the $fmt label"
    fetch "/api/v1/rmas/$R1/parcels/1/label.$fmt" "$CARRIER" "$T_TMP/role.$fmt"
    expect_status 403 "carrier may not fetch the $fmt label"
    expect_jq '.error.code == "forbidden"' "carrier: JSON forbidden"
    fetch "/api/v1/rmas/$R1/parcels/1/label.$fmt" "" "$T_TMP/role.$fmt"
    expect_status 401 "no token for the $fmt label"
done
fetch "/api/v1/rmas/$R1/parcels/1/label.png" "$ENGINEER" "$T_TMP/role.png"
expect_status 200 "engineer may fetch the label"

# ---- RMAD_PUBLIC_URL -----------------------------------------------------------------------------
rmad_stop
export RMAD_PUBLIC_URL=https://rma.example.com
rmad_start
fetch "/api/v1/rmas/$R1/parcels/1/label.png" "$AGENT" "$T_TMP/pub.png"
expect_status 200 "label.png with a public URL"
PUB=$(decode "$T_TMP/pub.png")
check "with RMAD_PUBLIC_URL the payload starts HTTPS://RMA.EXAMPLE.COM/P/ (got '$PUB')" \
    test "$PUB" = "HTTPS://RMA.EXAMPLE.COM/P/$R1/1/$TAG"
fetch "/api/v1/rmas/$R1/parcels/1/label.pdf" "$AGENT" "$T_TMP/pub.pdf"
pdftoppm -r 203 -png "$T_TMP/pub.pdf" "$T_TMP/pubpdf" 2>/dev/null
check "PDF with a public URL decodes to the same payload" test "$(decode "$(ls "$T_TMP"/pubpdf*.png | head -n 1)")" = "$PUB"
fetch "/api/v1/rmas/$R1/parcels/1/label.zpl" "$AGENT" "$T_TMP/pub.zpl"
check "ZPL with a public URL carries it" grep -qF "^FDMA,$PUB^FS" "$T_TMP/pub.zpl"
check "the tag survives a restart (the key is kept)" test "${PUB##*/}" = "$TAG"
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$PUB" '{code: $c, station: "dock-1"}')"
expect_jq '.outcome == "duplicate" and .rma_number == "'"$R1"'" and .parcel_no == 1' "the public URL payload resolves at the scan"
rmad_stop
export RMAD_PUBLIC_URL=https://rma.example.com/returns/
rmad_start
fetch "/api/v1/rmas/$R1/parcels/1/label.png" "$AGENT" "$T_TMP/pub2.png"
check "a base path and trailing slash: HTTPS://RMA.EXAMPLE.COM/RETURNS/P/..." \
    test "$(decode "$T_TMP/pub2.png")" = "HTTPS://RMA.EXAMPLE.COM/RETURNS/P/$R1/1/$TAG"
rmad_stop
export RMAD_PUBLIC_URL='https://rma.example.com/a b?x=<y>'
RMAD_LISTEN=127.0.0.1:$((20000 + RANDOM % 40000)) timeout 10 "$RMAD_BIN" serve >"$T_TMP/bad-url.log" 2>&1 </dev/null
rc=$?
check "rmad refuses a public URL that cannot go into a QR code (exit $rc)" \
    bash -c '[ "$1" != 0 ] && [ "$1" != 124 ] && grep -q RMAD_PUBLIC_URL "$2"' _ "$rc" "$T_TMP/bad-url.log"
unset RMAD_PUBLIC_URL

finish

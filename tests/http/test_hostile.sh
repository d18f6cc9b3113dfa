#!/usr/bin/env bash
# Hostile input found by an adversarial review, each kept as a test: credentials before bodies,
# encoded separators in paths, header and text abuse, and over-announcing in advance notices.
source "$(dirname "$0")/../lib.sh"
FIX="$RMAD_SRC/tests/fixtures/http"
RAW="$FIX/rawhttp.py"
rmad_setup
port() { printf '%s' "${BASE##*:}"; }
crlf() { printf '%s\r\n' "$@"; }

# --- no body is read for a request without valid credentials --------------------------------
# A stranger declares 4 MiB and sends none of it: the answer is an immediate 401.
{ crlf "POST /api/v1/documents HTTP/1.1" "Host: x" "Content-Type: application/xml" \
    "Content-Length: 4194304" ""; } >"$T_TMP/nobody.http"
start=$(date +%s%N)
STATUS=$(python3 "$RAW" send "$(port)" "$T_TMP/nobody.http")
ms=$((($(date +%s%N) - start) / 1000000))
check "4 MiB declared without a token: 401 before any body" test "$STATUS" = 401
check "...answered at once, not after a body timeout (${ms} ms)" test "$ms" -lt 3000
{ crlf "POST /api/v1/documents HTTP/1.1" "Host: x" "Content-Type: application/xml" \
    "Authorization: Bearer rmad_not_a_token" "Content-Length: 4194304" ""; } >"$T_TMP/bad.http"
STATUS=$(python3 "$RAW" send "$(port)" "$T_TMP/bad.http")
check "4 MiB declared with an unknown token: 401" test "$STATUS" = 401
{ crlf "POST /api/v1/documents HTTP/1.1" "Host: x" "Content-Type: application/xml" \
    "Authorization: Bearer $DEPOT" "Content-Length: 4194304" ""; } >"$T_TMP/depot.http"
STATUS=$(python3 "$RAW" send "$(port)" "$T_TMP/depot.http")
check "4 MiB declared with a role that may not post documents: 403" test "$STATUS" = 403

# --- Content-Length together with Transfer-Encoding ------------------------------------------
{ crlf "POST /api/v1/scans HTTP/1.1" "Host: x" "Content-Type: application/json" \
    "Authorization: Bearer $DEPOT" "Content-Length: 5" "Transfer-Encoding: chunked" "" \
    "5" "hello" "0" ""; } >"$T_TMP/clte.http"
STATUS=$(python3 "$RAW" send "$(port)" "$T_TMP/clte.http")
check "Content-Length and Transfer-Encoding together: 400" test "$STATUS" = 400

# --- encoded separators never split or cut a path --------------------------------------------
new_case HOST0001 NB-X13
new_rma "$CASE" HOST0001 NB-X13
expect_status 201 "an rma to probe paths with"
api GET "/api/v1/rmas/$RMA%2Fparcels%2F1%2Flabel.png" "$AGENT"
expect_status 404 "an encoded / does not reach the label route"
api GET "/api/v1/rmas/$RMA%00" "$AGENT"
expect_status 404 "an encoded NUL does not cut the rma number short"
api GET "/api/v1/track/$RMA%00?postcode=60329" ""
expect_status 404 "an encoded NUL in the tracking path: 404"
api GET "/api/v1/track/$RMA?postcode=60329%00junk" ""
expect_status 404 "an encoded NUL in the postcode does not match"
api GET "/api/v1/rmas/$RMA" "$AGENT"
expect_status 200 "the plain path still works"

# --- Idempotency-Key must be printable ASCII -------------------------------------------------
case_json=$(jq -nc '{channel: "hotline", product_model: "NB-X13", serial_number: "HOST0002",
    fault_description: "no boot", contact: {name: "A B", email: "a@example.com"},
    service_address: {name: "A", street: "S 1", city: "C", postcode: "12345", country: "DE"}}')
before=$(psql_t -c "SELECT count(*) FROM service_case")
api POST /api/v1/cases "$AGENT" "$case_json" application/json -H $'Idempotency-Key: \xff\xfe'
expect_error 400 Idempotency-Key "a key that is not ascii"
api POST /api/v1/cases "$AGENT" "$case_json" application/json -H $'Idempotency-Key: a\x01b'
expect_error 400 Idempotency-Key "a key with a control character"
check "refused keys store no case" test "$(psql_t -c 'SELECT count(*) FROM service_case')" = "$before"

# --- customer text: control characters anywhere, invisible names, bidi overrides -------------
post_case() { api POST /api/v1/cases "$AGENT" "$(printf '%s' "$case_json" | jq -c "$1")"; }
post_case '.configuration = {"k": "\u0001\u001b[31m"}'
expect_error 422 configuration.k "control characters inside a configuration value"
post_case '.configuration = {"\u001b": "x"}'
expect_error 422 configuration "control characters in a configuration key"
post_case '.configuration = {"nested": [{"deep": "\u0085"}]}'
expect_error 422 "configuration.nested[0].deep" "a C1 control deep inside the configuration"
post_case '.contact.name = "\u200b"'
expect_error 422 contact.name "a name of one zero-width space is empty"
post_case '.contact.name = "\u00a0 \u3000"'
expect_error 422 contact.name "a name of no-break and ideographic spaces is empty"
post_case '.service_address.name = "ACME \u202eHGMBH"'
expect_error 422 service_address.name "a right-to-left override in an address"
post_case '.contact.name = "Ḿüller 東京 Ωμέγα שלום"'
expect_status 201 "real names in any script are accepted"
post_case '.serial_number = "HOST0003" | .configuration = "   "'
expect_status 201 "a blank configuration is accepted"
check "...and stored as none" test "$(psql_t -c "SELECT configuration IS NULL FROM service_case WHERE serial_number = 'HOST0003'")" = t

# --- advance notices: totals per line and units already received -----------------------------
post_doc() {
    STATUS=$(curl -s -o "$T_TMP/body" -w '%{http_code}' -H "Authorization: Bearer $AGENT" \
        -H "Content-Type: application/xml" --data-binary "@$1" "$BASE/api/v1/documents")
    BODY=$(cat "$T_TMP/body")
}
new_case HOST0010 NB-X13
new_rma "$CASE" HOST0010 NB-X13
R10=$RMA
S10=$(sscc "0040123459$((1000000 + $$ % 8999999))")
fill "$FIX/despatch-advice-two-lines.xml.in" "$T_TMP/twice.xml" DOC_ID="TWICE-$$" RMA1="$R10" \
    SERIAL1=HOST0010 SSCC1="$S10" RMA2="$R10" SERIAL2=HOST0010 SSCC2="$S10"
before=$(psql_t -c "SELECT count(*) FROM advance_notice")
post_doc "$T_TMP/twice.xml"
expect_error 422 "DespatchLine[2].DeliveredQuantity" "one unit announced on two lines is more than authorized"
check "...and nothing is stored" test "$(psql_t -c 'SELECT count(*) FROM advance_notice')" = "$before"

api POST /api/v1/scans "$DEPOT" "{\"code\": \"$R10\", \"station\": \"dock-9\"}"
expect_jq '.outcome == "received"' "the unit is received at the dock"
fill "$FIX/despatch-advice-one-line.xml.in" "$T_TMP/late.xml" DOC_ID="LATE-$$" RMA="$R10" \
    SERIAL=HOST0010 SSCC="$S10"
post_doc "$T_TMP/late.xml"
expect_error 409 "DespatchLine[1].OrderReference" "a notice for a unit already received"

# --- Unicode noncharacters: refused at every intake --------------------------------------------
# U+FFFE/U+FFFF cannot be carried by XML and cairo refuses every noncharacter: stored, one would
# break each label, document, manifest and record of the case.
before=$(psql_t -c "SELECT count(*) FROM service_case")
for nc in '\uffff' '\ufffe' '\ufdd0' '\ufdef' '\ud83f\udffe' '\udbff\udfff'; do
    post_case ".service_address.name = \"ACME${nc}GmbH\""
    expect_error 422 service_address.name "a noncharacter ($nc) in an address name"
done
post_case '.configuration = {"k": "x\uffffy"}'
expect_error 422 configuration.k "a noncharacter in a configuration value"
post_case '.error_messages = ["ok", "E1\ufdd0"]'
expect_error 422 "error_messages[1]" "a noncharacter in an error message"
post_case '.service_address.zone = "Europe/Berlin\uffff"'
expect_error 422 service_address.zone "a noncharacter in a field that is not free text"
post_case '.contact["x\uffff"] = "y"'
expect_error 422 contact "a noncharacter in a member name"
check "refused noncharacters store no case" test "$(psql_t -c 'SELECT count(*) FROM service_case')" = "$before"
# e-mail intake: an RFC 2047 encoded From name "Anna <U+FFFF>" is listed back to the sender
name64=$(printf 'Anna \xef\xbf\xbf' | base64)
sed -e "s|^From: .*|From: =?UTF-8?B?${name64}?= <anna@example.com>|" \
    -e "s|^Message-ID: .*|Message-ID: <nonchar-$$@example.com>|" \
    "$RMAD_SRC/tests/fixtures/email/complete-multipart-qp.eml" >"$T_TMP/nonchar.eml"
STATUS=$(curl -s -o "$T_TMP/body" -w '%{http_code}' -H "Authorization: Bearer $AGENT" \
    -H "Content-Type: message/rfc822" --data-binary "@$T_TMP/nonchar.eml" \
    "$BASE/api/v1/intake/email")
BODY=$(cat "$T_TMP/body")
expect_error 422 contact.name "a noncharacter in an encoded From name"
expect_jq '.invalid == ["contact.name"]' "...listed back as a bad field"
# XML: U+FDD0 is well-formed XML, so the pre-scan refuses it, naming the element
new_case HOST0020 NB-X13
new_rma "$CASE" HOST0020 NB-X13
fill "$FIX/despatch-advice-one-line.xml.in" "$T_TMP/nc.xml" DOC_ID="NC-$$" RMA="$RMA" \
    SERIAL=HOST0020 SSCC="$(sscc "0040123459$((1000000 + ($$ + 7) % 8999999))")"
sed -i 's|<cbc:Name>ACME GmbH</cbc:Name>|<cbc:Name>ACME \xef\xb7\x90 GmbH</cbc:Name>|' "$T_TMP/nc.xml"
post_doc "$T_TMP/nc.xml"
expect_error 422 Name "a noncharacter in an advance notice"
check "...with its line" test "$(jqb '.error.line')" = 17

# --- huge numbers are a bad value, not a malformed body ---------------------------------------
api POST /api/v1/cases "$AGENT" '{"channel":"hotline","contact":{"age":99999999999999999999}}'
expect_error 422 contact.age "an integer above 64 bits names its field"
check "...and says a number is too large" test "$(jqb '.error.message | startswith("a number is too large")')" = true
api POST /api/v1/cases "$AGENT" '{"list":[1, -9223372036854775809]}'
expect_error 422 "list[1]" "an integer below 64 bits in a list"
api POST /api/v1/cases "$AGENT" '{"due_in_days": 1e999}'
expect_error 422 due_in_days "a real number out of range"
api POST /api/v1/cases "$AGENT" '{"due_in_days": 9223372036854775807, "x": }'
expect_error 400 body "a malformed body is still a 400"

# --- one start tag with 100,000 attributes: refused before libxml2's quadratic check ---------
python3 -c "open('$T_TMP/attrs.xml','w').write('<?xml version=\"1.0\"?>\n<TrackResponse '+' '.join('a%d=\"1\"'%i for i in range(100000))+'/>\n')"
for route in tracking documents; do
    tok=$CARRIER
    [ $route = documents ] && tok=$AGENT
    STATUS=$(curl -s -o "$T_TMP/body" -w '%{http_code}' --max-time 20 -H "Authorization: Bearer $tok" \
        -H "Content-Type: application/xml" --data-binary "@$T_TMP/attrs.xml" "$BASE/api/v1/$route") || STATUS=000
    BODY=$(cat "$T_TMP/body")
    expect_error 422 document "100,000 attributes on one element, /api/v1/$route"
    check "...on line 2" test "$(jqb '.error.line')" = 2
done
# --- the pre-scan reads markup as ASCII: an encoding where it is not (EBCDIC, UTF-7) hid 50,000
# attributes from it and libxml2 burnt seconds of CPU on them; refused at once, line 1
python3 - "$T_TMP" <<'PY'
import sys
body = '<TrackResponse ' + ' '.join('a%d="1"' % i for i in range(50000)) + '/>\n'
open(sys.argv[1] + '/ebcdic.xml', 'wb').write(('<?xml version="1.0" encoding="IBM037"?>\n' + body).encode('cp037'))
open(sys.argv[1] + '/utf7.xml', 'wb').write(('<?xml version="1.0" encoding="UTF-7"?>\n' + body).encode('utf-7'))
PY
for route in tracking documents; do
    tok=$CARRIER
    [ $route = documents ] && tok=$AGENT
    for enc in ebcdic utf7; do
        start=$(date +%s%N)
        STATUS=$(curl -s -o "$T_TMP/body" -w '%{http_code}' --max-time 20 -H "Authorization: Bearer $tok" \
            -H "Content-Type: application/xml" --data-binary "@$T_TMP/$enc.xml" "$BASE/api/v1/$route") || STATUS=000
        ms=$((($(date +%s%N) - start) / 1000000))
        BODY=$(cat "$T_TMP/body")
        expect_error 400 document "a $enc document of 50,000 attributes, /api/v1/$route"
        check "...line 1, says which encodings are read" test "$(jqb '.error.line')" = 1 -a \
            -n "$(jqb '.error.message' | grep UTF-8)"
        check "...answered at once (${ms} ms)" test "$ms" -lt 2000
    done
done
# --- libxml2's own limits were "not well-formed": a 20 MB text node, 300 levels of nesting ------
python3 - "$T_TMP" <<'PY'
import sys
d = sys.argv[1]
open(d + '/text20.xml', 'w').write('<?xml version="1.0"?>\n<TrackResponse><Shipment><Package>\n<TrackingNumber>' + 'X' * (20 << 20) + '</TrackingNumber></Package></Shipment></TrackResponse>\n')
open(d + '/text2.xml', 'w').write('<?xml version="1.0"?>\n<DespatchAdvice>\n<ID>' + 'X' * (2 << 20) + '</ID></DespatchAdvice>\n')
open(d + '/deep.xml', 'w').write('<?xml version="1.0"?>\n' + '<a>' * 300 + '</a>' * 300 + '\n')
PY
for f in tracking:text20 documents:text2 tracking:deep documents:deep; do
    route=${f%%:*} file=${f#*:} tok=$CARRIER
    [ $route = documents ] && tok=$AGENT
    STATUS=$(curl -s -o "$T_TMP/body" -w '%{http_code}' --max-time 30 -H "Authorization: Bearer $tok" \
        -H "Content-Type: application/xml" --data-binary "@$T_TMP/$file.xml" "$BASE/api/v1/$route") || STATUS=000
    BODY=$(cat "$T_TMP/body")
    expect_error 422 document "$file on /api/v1/$route is a limit, not bad xml"
    want="longer than 1048576 bytes" line=3
    [ $file = deep ] && want="nests elements more than 32 deep" line=2
    check "...says so ($want), line $line" test "$(jqb '.error.line')" = $line -a \
        -n "$(jqb '.error.message' | grep "$want")"
done
python3 -c "open('$T_TMP/ns.xml','w').write('<?xml version=\"1.0\"?>\n<r>'+''.join('<e xmlns:p%d=\"urn:x\"/>'%i for i in range(300))+'</r>\n')"
STATUS=$(curl -s -o "$T_TMP/body" -w '%{http_code}' --max-time 20 -H "Authorization: Bearer $CARRIER" \
    -H "Content-Type: application/xml" --data-binary "@$T_TMP/ns.xml" "$BASE/api/v1/tracking") || STATUS=000
BODY=$(cat "$T_TMP/body")
expect_error 422 document "300 namespace declarations"
python3 -c "open('$T_TMP/tag.xml','w').write('<?xml version=\"1.0\"?>\n<TrackResponse a=\"'+'x'*20000+'\"/>\n')"
STATUS=$(curl -s -o "$T_TMP/body" -w '%{http_code}' --max-time 20 -H "Authorization: Bearer $CARRIER" \
    -H "Content-Type: application/xml" --data-binary "@$T_TMP/tag.xml" "$BASE/api/v1/tracking") || STATUS=000
BODY=$(cat "$T_TMP/body")
expect_error 422 document "a start tag of 20,000 bytes"

api GET /healthz ""
expect_status 200 "the service is still up"
finish

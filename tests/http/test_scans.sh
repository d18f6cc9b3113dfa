#!/usr/bin/env bash
# POST /api/v1/scans: the depot's dock scan.  A QR URL, a bare token or an RMA number resolves to
# its parcel; the first scan receives it (inbound leg -> received, exactly one 'receive' event);
# any later scan is a duplicate that changes nothing, also when 8 scans race (rule 5); forged and
# unknown codes change nothing.
source "$(dirname "$0")/../lib.sh"
command -v zbarimg >/dev/null || { echo "zbarimg is required (deploy/install-deps.sh)"; exit 1; }
rmad_setup

# scan CODE [STATION [TOKEN]]: POST a scan with the code as typed.
scan() {
    api POST /api/v1/scans "${3:-$DEPOT}" "$(jq -nc --arg c "$1" --arg s "${2:-dock-1}" '{code: $c, station: $s}')"
}
# rma_for SERIAL MODEL: a new case and an eligible RMA; sets RMA.
rma_for() {
    new_case "$1" "$2"
    new_rma "$CASE" "$1" "$2"
    [ "$STATUS" = 201 ] || fail "rma for $1: HTTP $STATUS" "$BODY"
}
# payload RMA PARCEL: the QR payload of a parcel's label, decoded from the PNG with zbarimg.
payload() {
    curl -s --max-time 30 -H "Authorization: Bearer $DEPOT" -o "$T_TMP/label.png" \
        "$BASE/api/v1/rmas/$1/parcels/$2/label.png"
    zbarimg --raw -q -Sdisable -Sqrcode.enable "$T_TMP/label.png" 2>/dev/null
}
q1() { psql_t -c "$1"; }
# receive_events RMA: 'receive' event rows of the RMA.
receive_events() { q1 "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$1' AND e.kind = 'receive'"; }
all_events() { q1 "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$1'"; }
# state RMA: parcel state, inbound leg state, received quantity, received station of line 1.
state() {
    q1 "SELECT p.state || '|' || g.state || '|' || l.received_quantity || '|' || coalesce(p.received_station, '-')
          || '|' || coalesce(p.received_at::text, '-') || '|' || g.updated_at
          FROM rma r JOIN parcel p ON p.rma_id = r.id AND p.direction = 'inbound' AND p.parcel_no = 1
          JOIN rma_line l ON l.id = p.line_id JOIN leg g ON g.line_id = l.id AND g.kind = 'inbound'
         WHERE r.rma_number = '$1'"
}
# tag_for RMA PARCEL: the tag computed from the server key, as DESIGN.md describes it:
# HMAC-SHA256 of "v1|<RMA>|<PARCEL>", first 40 bits in Crockford base32.
tag_for() {
    python3 - "$(q1 "SELECT encode(value, 'hex') FROM server_secret WHERE name = 'label_key'")" "$1" "$2" <<'EOF'
import hmac, hashlib, sys
key, rma, parcel = bytes.fromhex(sys.argv[1]), sys.argv[2], sys.argv[3]
mac = hmac.new(key, f"v1|{rma}|{parcel}".encode(), hashlib.sha256).digest()[:5]
v = int.from_bytes(mac, "big")
a = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
print("".join(a[(v >> (35 - 5 * i)) & 31] for i in range(8)))
EOF
}
# damm RMA8: R + 8 digits + the Damm check digit.
damm() {
    python3 -c '
import sys
t = ["0317598642","7092154863","4206871359","1750983426","6123045978",
     "3674209581","5869720134","8945362017","9438617205","2581436790"]
d = 0
for c in sys.argv[1]: d = int(t[d][int(c)])
print("R" + sys.argv[1] + str(d))' "$1"
}
# forge TAG: the tag with its first character changed to another Crockford value.
forge() { local c=${1:0:1}; [ "$c" = A ] && c=B || c=A; printf '%s%s' "$c" "${1:1}"; }

# ---- the QR URL from the label: received ---------------------------------------------------------
rma_for SRV7400001 SRV-R740
R1=$RMA
P1=$(payload "$R1" 1)
TAG1=${P1##*/}
check "the label decodes to a QR URL ($P1)" grep -qxE "HTTP://[0-9.:]+/P/$R1/1/[0-9A-Z]{8}" <<<"$P1"
check "the tag is HMAC-SHA256(v1|RMA|PARCEL) in Crockford base32" test "$(tag_for "$R1" 1)" = "$TAG1"
BEFORE=$(state "$R1")
check "before the scan: parcel label_issued, leg label_issued, nothing received" grep -q "^label_issued|label_issued|0|-|-|" <<<"$BEFORE"
scan "$P1" dock-1
expect_status 200 "scan of the QR URL"
expect_jq '.outcome == "received"' "first scan: received"
expect_jq '.next == "inspect"' "first scan: next is inspect"
expect_jq '.rma_number == "'"$R1"'" and .parcel_no == 1 and .parcel_count == 1' "first scan names the rma and parcel 1 of 1"
expect_jq '.code_kind == "qr_url"' "first scan: the code is a qr_url"
expect_jq '.message | test("'"$R1"'")' "the message names the rma"
check "one 'receive' event" test "$(receive_events "$R1")" = 1
check "the receive event: inbound label_issued -> received, by the depot token, channel dock_scan" test "$(q1 "
    SELECT e.leg || '|' || e.from_state || '|' || e.to_state || '|' || e.actor || '|' || e.channel || '|' ||
           (e.actor_token_id IS NOT NULL) || '|' || (e.parcel_id IS NOT NULL) || '|' || (e.evidence->>'station')
      FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R1' AND e.kind = 'receive'")" = "inbound|label_issued|received|test depot|dock_scan|true|true|dock-1"
AFTER=$(state "$R1")
check "after the scan: parcel received, leg received, received_quantity 1, at dock-1" grep -q "^received|received|1|dock-1|" <<<"$AFTER"
check "one scan row with outcome received" test "$(q1 "SELECT count(*) FROM scan s JOIN rma r ON r.id = s.rma_id WHERE r.rma_number = '$R1' AND s.outcome = 'received'")" = 1
api GET "/api/v1/rmas/$R1" "$DEPOT"
expect_status 200 "staff view after the scan"
expect_jq '.lines[0].legs.inbound.state == "received"' "staff view: inbound received"
expect_jq '.status == "received"' "staff view: status received"
expect_jq '[.events[] | select(.kind == "receive")] | length == 1' "staff view: exactly one receive event"
expect_jq '[.events[] | select(.kind == "receive")][0] | .actor == "test depot" and .from == "label_issued" and .to == "received" and .parcel_no == 1' "staff view: the receive event with its actor"
expect_jq '.parcels[0].state == "received" and .parcels[0].received_station == "dock-1" and .parcels[0].received_at != null' "staff view: the parcel is received at dock-1"
expect_jq '.lines[0].received_quantity == 1' "staff view: received quantity 1"
EV1=$(all_events "$R1")

# ---- the same parcel again: duplicate, nothing changes ------------------------------------------
scan "$P1" dock-1
expect_status 200 "second scan of the QR URL"
expect_jq '.outcome == "duplicate" and .next == "none"' "second scan: duplicate, nothing to do"
expect_jq '.rma_number == "'"$R1"'" and .parcel_no == 1' "duplicate names the rma and parcel"
scan "$P1" dock-2
expect_jq '.outcome == "duplicate"' "the same parcel at another station: duplicate"
check "still one 'receive' event" test "$(receive_events "$R1")" = 1
check "no other event either" test "$(all_events "$R1")" = "$EV1"
check "the parcel, leg, quantity, station and times are unchanged" test "$(state "$R1")" = "$AFTER"
check "duplicates are logged as scans" test "$(q1 "SELECT count(*) FROM scan s JOIN rma r ON r.id = s.rma_id WHERE r.rma_number = '$R1' AND s.outcome = 'duplicate'")" = 2

# the bare token, lower case, with whitespace and CR/LF around it: the same parcel
TOK1="$R1-1-$TAG1"
LOWER=$(tr 'A-Z' 'a-z' <<<"$TOK1")
scan "$(printf '  %s\r\n' "$LOWER")"
expect_status 200 "lower-case token with whitespace and CRLF"
expect_jq '.outcome == "duplicate" and .rma_number == "'"$R1"'" and .parcel_no == 1' "lower-case token of a received parcel: duplicate"
expect_jq '.code_kind == "token"' "the code is a token"
scan "$(tr 'A-Z' 'a-z' <<<"$P1")"
expect_jq '.outcome == "duplicate"' "the lower-case URL: duplicate"
scan "$R1/1/$TAG1"
expect_jq '.outcome == "duplicate"' "the token with / separators: duplicate"
scan "$R1"
expect_jq '.outcome == "duplicate" and .rma_number == "'"$R1"'"' "the bare rma number of a received parcel: duplicate"
check "still one 'receive' event after every form" test "$(receive_events "$R1")" = 1
check "and nothing else changed" test "$(state "$R1")" = "$AFTER"

# a fresh parcel by its bare token (lower case, CRLF): received
rma_for SRV7400002 SRV-R740
R2=$RMA
TAG2=$(tag_for "$R2" 1)
scan "$(printf '\t%s-1-%s \r\n' "$R2" "$TAG2" | tr 'A-Z' 'a-z')"
expect_jq '.outcome == "received" and .rma_number == "'"$R2"'" and .parcel_no == 1' "lower-case token of a fresh parcel: received"
check "one 'receive' event for the token scan" test "$(receive_events "$R2")" = 1
# Crockford typing: O for 0, I or L for 1, lower case: still the same tag
if grep -q '[01]' <<<"$TAG2"; then
    scan "$R2-1-$(tr '01' 'OL' <<<"$TAG2")"
    expect_jq '.outcome == "duplicate"' "a tag typed with O/L for 0/1 is the same tag"
fi

# a fresh rma by its bare rma number: received
rma_for NBX130001 NB-X13
R3=$RMA
scan "  $(tr 'R' 'r' <<<"$R3")  "
expect_jq '.outcome == "received" and .rma_number == "'"$R3"'" and .parcel_no == 1' "bare rma number of a fresh rma: received"
expect_jq '.code_kind == "rma_number"' "the code is an rma number"
check "one 'receive' event for the rma-number scan" test "$(receive_events "$R3")" = 1
scan "$R3"
expect_jq '.outcome == "duplicate"' "the rma number again: duplicate"
check "still one 'receive' event" test "$(receive_events "$R3")" = 1

# a bare rma number with two parcels on their way: ambiguous, nothing changes
new_case PSU7500001 PSU-750
api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" '{case_number: $c, type: "repair",
    lines: [{serial_number: "PSU7500001", product_model: "PSU-750"}, {serial_number: "PSU7500002", product_model: "PSU-750"}],
    screening: {outcome: "eligible", reason: "psu", evidence: {}}}')"
R4=$(jqb .rma_number)
scan "$R4"
expect_jq '.outcome == "ambiguous" and .next == "scan_label"' "rma number with two parcels on their way: ambiguous"
check "ambiguous: nothing received" test "$(receive_events "$R4")" = 0
scan "$(payload "$R4" 2)"
expect_jq '.outcome == "received" and .parcel_no == 2 and .parcel_count == 2' "parcel 2 of 2 by its label: received"
scan "$R4"
expect_jq '.outcome == "received" and .parcel_no == 1' "then the rma number resolves to the one parcel left: received"
scan "$R4"
expect_jq '.outcome == "duplicate"' "then the rma number is a duplicate"
check "two receive events for two parcels" test "$(receive_events "$R4")" = 2
check "both lines received once" test "$(q1 "SELECT string_agg(l.received_quantity::text, ',' ORDER BY l.line_no) FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$R4'")" = "1,1"

# ---- forged and unknown codes change nothing ------------------------------------------------------
rma_for NBX130002 NB-X13
R5=$RMA
P5=$(payload "$R5" 1)
TAG5=${P5##*/}
S5=$(state "$R5")
SCANS0=$(q1 "SELECT count(*) FROM scan")
F5=$(forge "$TAG5")
scan "${P5%/*}/$F5"
expect_status 200 "a forged tag in the URL"
expect_jq '.outcome == "forged" and .next == "quarantine"' "forged URL: forged, quarantine"
expect_jq '.rma_number == "'"$R5"'" and (has("parcel_no") | not)' "forged: names the rma it claims, resolves no parcel"
scan "$R5-1-$F5"
expect_jq '.outcome == "forged"' "forged bare token: forged"
scan "$R5-1-${TAG5:0:7}"
expect_jq '.outcome == "forged"' "a tag one character short: forged"
scan "$R5-1-${TAG5}Z"
expect_jq '.outcome == "forged"' "a tag one character long: forged"
scan "${P5%/*/*}/2/$TAG5"
expect_jq '.outcome == "forged"' "parcel 1's tag on parcel 2: forged"
check "forged: no event" test "$(all_events "$R5")" = 4
check "forged: the parcel is unchanged" test "$(state "$R5")" = "$S5"
check "forged scans are logged as forged" test "$(q1 "SELECT count(*) FROM scan WHERE outcome = 'forged'")" = 5
# a well-formed token for an rma that does not exist
RX=$(damm 99999990)
scan "$RX-1-ABCDEFGH"
expect_jq '.outcome == "forged" and .next == "quarantine"' "unknown rma with a made-up tag: forged (the tag is checked first)"
scan "HTTP://127.0.0.1/P/$RX/1/ABCDEFGH"
expect_jq '.outcome == "forged"' "unknown rma in a URL with a made-up tag: forged, consistently"
scan "$RX-1-ABCDEFGH"
expect_jq '.outcome == "forged"' "the same unknown token again: still forged"
scan "$RX-1-$(tag_for "$RX" 1)"
expect_jq '.outcome == "unknown" and .next == "unexpected_arrival"' "unknown rma with a correctly signed tag: unknown"
scan "$RX"
expect_jq '.outcome == "unknown" and .next == "unexpected_arrival"' "an unknown bare rma number: unknown"
scan "${R5:0:9}$(((${R5:9:1} + 1) % 10))"
expect_jq '.outcome == "unknown"' "an rma number with a wrong check digit: unknown"
scan "${R5:0:9}$(((${R5:9:1} + 1) % 10))-1-$TAG5"
expect_jq '.outcome == "unknown"' "a token with a wrong rma check digit: unknown"
for g in 'hello world!' 'DROP TABLE scan;' '<script>' 'https://evil.example/x' '12345' 'ÄÖÜ-garbage'; do
    scan "$g"
    expect_status 200 "garbage '$g' is answered"
    expect_jq '.outcome == "unknown" and .next == "unexpected_arrival" and (has("parcel_no") | not)' "garbage '$g': unknown"
done
check "forged and unknown codes: still nothing received anywhere new" test "$(q1 "SELECT count(*) FROM event WHERE kind = 'receive'")" = "$(($(receive_events "$R1") + $(receive_events "$R2") + $(receive_events "$R3") + $(receive_events "$R4")))"
check "forged and unknown codes: $R5 unchanged" test "$(state "$R5")" = "$S5"
check "every forged/unknown scan is logged" test "$(q1 "SELECT count(*) FROM scan")" = "$((SCANS0 + 5 + 3 + 4 + 6))"
# a not authorized rma: its number finds no parcel
new_case NBX130003 NB-X13
api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" '{case_number: $c, type: "repair",
    lines: [{serial_number: "NBX130003", product_model: "NB-X13"}],
    screening: {outcome: "out_of_warranty", reason: "warranty ended", evidence: {}}}')"
RM=$(jqb .rma_number)
scan "$RM"
if jqb .outcome | grep -qxE 'unknown|not_expected'; then
    pass "the number of a not authorized rma: $(jqb .outcome), nothing received"
else
    fail "not authorized rma number: want unknown or not_expected" "$BODY"
fi
check "not authorized rma: no receive event" test "$(receive_events "$RM")" = 0

# ---- input errors: 422 naming the field -------------------------------------------------------------
SCANS0=$(q1 "SELECT count(*) FROM scan")
api POST /api/v1/scans "$DEPOT" '{"code": "'"$R1"'"}'
expect_error 422 station "missing station"
api POST /api/v1/scans "$DEPOT" '{"station": "dock-1"}'
expect_error 422 code "missing code"
api POST /api/v1/scans "$DEPOT" '{"code": 123456789, "station": "dock-1"}'
expect_error 422 code "code as a number"
api POST /api/v1/scans "$DEPOT" '{"code": ["'"$R1"'"], "station": "dock-1"}'
expect_error 422 code "code as a list"
api POST /api/v1/scans "$DEPOT" '{"code": null, "station": "dock-1"}'
expect_error 422 code "code null"
api POST /api/v1/scans "$DEPOT" '{"code": "'"$R1"'", "station": 7}'
expect_error 422 station "station as a number"
api POST /api/v1/scans "$DEPOT" '{"code": "", "station": "dock-1"}'
expect_error 422 code "empty code"
api POST /api/v1/scans "$DEPOT" '{"code": "   \r\n", "station": "dock-1"}'
expect_error 422 code "a code of whitespace only"
api POST /api/v1/scans "$DEPOT" '{"code": "'"$R1"'", "station": "  "}'
expect_error 422 station "blank station"
api POST /api/v1/scans "$DEPOT" '{"code": "'"$R1"'", "station": "dock\u0007"}'
expect_error 422 station "a control character in the station"
api POST /api/v1/scans "$DEPOT" '{"code": "'"$R1"'", "station": "'"$(printf 's%.0s' $(seq 1 65))"'"}'
expect_error 422 station "a station name of 65 characters"
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$(printf 'A%.0s' $(seq 1 600))" '{code: $c, station: "dock-1"}')"
expect_error 422 code "a code of 600 characters"
api POST /api/v1/scans "$DEPOT" '{"code": "'"$R1"'\u0000x", "station": "dock-1"}'
if [ "$STATUS" = 400 ] || { [ "$STATUS" = 422 ] && [ "$(jqb .error.field)" = code ]; }; then
    pass "a nul in the code is refused ($STATUS)"
else
    fail "a nul in the code: want 400 or 422 naming code" "$STATUS $BODY"
fi
api POST /api/v1/scans "$DEPOT" "code=$R1&station=dock-1" application/x-www-form-urlencoded
expect_status 415 "a form body"
api POST /api/v1/scans "$DEPOT" '{"code": "'"$R1"'", "station": "dock-1"'
expect_status 400 "malformed JSON"
check "input errors write no scan rows" test "$(q1 "SELECT count(*) FROM scan")" = "$SCANS0"

# ---- roles ------------------------------------------------------------------------------------------
for who in AGENT ENGINEER CARRIER; do
    scan "$R1" dock-1 "${!who}"
    expect_status 403 "$(tr 'A-Z' 'a-z' <<<"$who") may not scan"
done
api POST /api/v1/scans "" '{"code": "'"$R1"'", "station": "dock-1"}'
expect_status 401 "no token"
check "refused roles write no scan rows" test "$(q1 "SELECT count(*) FROM scan")" = "$SCANS0"
scan "$R1" dock-1 "$ADMIN"
expect_jq '.outcome == "duplicate"' "admin may scan"

# ---- THE RACE: 8 concurrent scans of one fresh parcel, 3 times ----------------------------------------
# race CODE RMA WHAT
race() {
    local code=$1 rma=$2 what=$3 i pids=()
    jq -nc --arg c "$code" '{code: $c, station: "dock-race"}' >"$T_TMP/race.json"
    rm -f "$T_TMP"/race.out.*
    for i in 1 2 3 4 5 6 7 8; do
        curl -s --max-time 30 -X POST -H "Authorization: Bearer $DEPOT" \
            -H "Content-Type: application/json" --data-binary "@$T_TMP/race.json" \
            -o "$T_TMP/race.out.$i" -w '%{http_code}\n' "$BASE/api/v1/scans" >"$T_TMP/race.code.$i" &
        pids+=($!)
    done
    wait "${pids[@]}"
    local codes outcomes
    codes=$(cat "$T_TMP"/race.code.* | sort | uniq -c | awk '{printf "%s×%s ", $2, $1}')
    outcomes=$(for i in 1 2 3 4 5 6 7 8; do jq -r '.outcome // "error"' "$T_TMP/race.out.$i" 2>/dev/null || echo none; done | sort | uniq -c | awk '{printf "%s×%s ", $2, $1}')
    check "$what: all 8 answered 200 ($codes)" test "$codes" = "200×8 "
    check "$what: one received, seven duplicate ($outcomes)" test "$outcomes" = "duplicate×7 received×1 "
    check "$what: exactly one 'receive' event" test "$(receive_events "$rma")" = 1
    check "$what: received_quantity 1" test "$(q1 "SELECT received_quantity FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$rma'")" = 1
    check "$what: inbound leg received, parcel received" test "$(q1 "SELECT g.state || '|' || p.state FROM rma r JOIN parcel p ON p.rma_id = r.id JOIN leg g ON g.line_id = p.line_id AND g.kind = 'inbound' WHERE r.rma_number = '$rma'")" = "received|received"
    check "$what: 8 scan rows, 1 received + 7 duplicate" test "$(q1 "SELECT string_agg(outcome || '=' || n, ',' ORDER BY outcome) FROM (SELECT outcome, count(*) n FROM scan s JOIN rma r ON r.id = s.rma_id WHERE r.rma_number = '$rma' GROUP BY outcome) x")" = "duplicate=7,received=1"
    check "$what: all racers named the same rma" test "$(cat "$T_TMP"/race.out.* | jq -r .rma_number | sort -u)" = "$rma"
}
rma_for SSD9600001 SSD-960
race "$(payload "$RMA" 1)" "$RMA" "race 1 (QR URL)"
rma_for SSD9600002 SSD-960
race "$RMA-1-$(tag_for "$RMA" 1)" "$RMA" "race 2 (bare token)"
rma_for MEM32G0001 MEM-32G
race "$RMA" "$RMA" "race 3 (rma number)"

check "rule 8: every receive event has an actor and a token" test "$(q1 "SELECT count(*) FROM event WHERE kind = 'receive' AND (actor = '' OR actor_token_id IS NULL)")" = 0
check "rule 5: never more than one receive event per parcel" test "$(q1 "SELECT count(*) FROM (SELECT parcel_id FROM event WHERE kind = 'receive' GROUP BY parcel_id HAVING count(*) > 1) x")" = 0

finish

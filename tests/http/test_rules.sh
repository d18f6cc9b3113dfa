#!/usr/bin/env bash
# The ten "Rules that must always hold" of DESIGN.md, one section each, checked through the real
# HTTP API and the database, the concurrent ones under real concurrent requests:
#   1  RMA numbers unique, never reused, monotonic, with a Damm check digit
#   2  one open RMA line per serial (20 racing POST /rmas), serialised lines have quantity 1
#   3  whole-number quantities; no over-receipt without a recorded reason (also racing)
#   4  a transition names the state it expects; a lost race is a 409 with no side effect
#   5  a scan or carrier event applied twice is one event (10 racing dock scans, carrier events)
#   6  no cancel after something physically moved; close with a reason
#   7  the serial that came in goes back, unless a swap (warranty end carried over) is recorded
#   8  every transition has an actor and writes exactly one audit row; events are append-only
#   9  timestamps are instants; an offset is never dropped; a local time is refused
#   10 no personal data on a public page without the second factor, in the QR code or the log
# Every case here carries the same made-up contact data (PII_* below), so the log check at the
# end covers every request of the script.  rmad runs with RMAD_DEBUG=1 (every request logged)
# and its database sessions in a non-UTC zone with a half-hour offset (PGTZ), so that an offset
# dropped anywhere shows.
source "$(dirname "$0")/../lib.sh"
command -v zbarimg >/dev/null || { echo "zbarimg is required (deploy/install-deps.sh)"; exit 1; }
export RMAD_DEBUG=1
export PGTZ=Asia/Kolkata
rmad_setup

PII_NAME="Zebulon Quackenbush"
PII_EMAIL="zebulon.quackenbush@pii-example.org"
PII_PHONE="+49 30 5550199"
PII_STREET="Geheimgasse 42b"
PII_ADDR_NAME="Quackenbush Feinmechanik"
# distinctive pieces, so that an escaped or reformatted copy is caught as well
PII_TOKENS=("Zebulon" "Quackenbush" "zebulon.quackenbush" "pii-example" "5550199" "30 5550199" "Geheimgasse" "Feinmechanik")
PII_POSTCODE=10115

q1() { psql_t -c "$1"; }
# mkcase SERIAL MODEL: a case with the PII_* contact data; sets CASE
mkcase() {
    api POST /api/v1/cases "$AGENT" "$(jq -nc --arg s "$1" --arg m "$2" --arg pc "$PII_POSTCODE" \
        --arg n "$PII_NAME" --arg e "$PII_EMAIL" --arg p "$PII_PHONE" --arg st "$PII_STREET" --arg an "$PII_ADDR_NAME" '{
        channel: "hotline", product_model: $m, serial_number: $s,
        configuration: {firmware: "2.1"}, error_messages: ["E1410 PSU fault"],
        fault_description: "does not power on",
        contact: {name: $n, phone: $p, email: $e},
        service_address: {name: $an, street: $st, city: "Berlin", postcode: $pc, country: "DE"}}')"
    CASE=$(jqb .case_number)
    [ "$STATUS" = 201 ] || fail "case for $1: HTTP $STATUS" "$BODY"
    # cases: lifecycle (issue 3): an RMA needs a case with a fault isolation
    local st=$STATUS body=$BODY
    case_isolated "$CASE"
    STATUS=$st
    BODY=$body
}
# rma_body CASE TYPE LINES_JSON [OUTCOME]
rma_body() {
    jq -nc --arg c "$1" --arg t "$2" --argjson l "$3" --arg o "${4:-eligible}" '{
        case_number: $c, type: $t, lines: $l,
        screening: {outcome: $o, reason: "in warranty, no misuse", evidence: {notes: "ok"}}}'
}
# authorize CASE TYPE LINES_JSON [OUTCOME]: POST /rmas; sets RMA (empty when refused)
authorize() {
    api POST /api/v1/rmas "$AGENT" "$(rma_body "$@")"
    RMA=$(jqb '.rma_number // ""')
}
# serial_rma SERIAL MODEL [TYPE]: a case and an authorized RMA for one unit; sets RMA
serial_rma() {
    mkcase "$1" "$2"
    authorize "$CASE" "${3:-repair}" "[{\"serial_number\":\"$1\",\"product_model\":\"$2\"}]"
    [ "$STATUS" = 201 ] || fail "rma ${3:-repair} for $1: HTTP $STATUS" "$BODY"
}
line_id() { q1 "SELECT l.id FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$1' AND l.line_no = ${2:-1}"; }
events() { q1 "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$1'${2:+ AND e.kind = '$2'}"; }
leg() { q1 "SELECT g.state FROM leg g WHERE g.line_id = $(line_id "$1") AND g.kind = '$2'"; }
ib_warranty() { q1 "SELECT warranty_end FROM install_base WHERE serial_number = '$1'"; }
install_base() { # install_base SERIAL MODEL WARRANTY_END: a customer's unit of our own
    q1 "INSERT INTO install_base VALUES ('$1', '$2', '2025-01-01', '$3', NULL) ON CONFLICT DO NOTHING" >/dev/null
}

# the depot steps, each expected to succeed
scan() { api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$1" --arg st "${2:-dock-1}" '{code: $c, station: $st}')"; }
receive() { scan "$1"; expect_jq '.outcome == "received"' "dock scan receives $1"; }
inspect() {
    api POST "/api/v1/rmas/$1/lines/1/inspection" "$DEPOT" '{"grade": "B", "findings": ["fault_confirmed"], "evidence": {"photos": 1}}'
    expect_status 200 "inspection of $1"
}
dispose() {
    api POST "/api/v1/rmas/$1/lines/1/disposition" "$DEPOT" '{"disposition": "repair", "expected_state": "inspected"}'
    expect_status 200 "disposition repair of $1"
}
repair() { # repair RMA BODY
    api POST "/api/v1/rmas/$1/lines/1/repair" "$ENGINEER" "$2"
    expect_status 200 "repair $(jq -c . <<<"$2") on $1"
}
pack() { api POST "/api/v1/rmas/$1/lines/1/pack" "$DEPOT" "$(jq -nc --arg s "$2" '{serial: $s, station: "pack-1"}')"; }
ship() {
    api POST "/api/v1/rmas/$1/shipments/1/events" "$DEPOT" '{"event": "ship", "tracking_number": "1Z999AA10123456784", "expected_state": "packed"}'
    expect_status 200 "ship $1"
}
deliver() {
    api POST "/api/v1/rmas/$1/shipments/1/events" "$CARRIER" '{"event": "deliver"}'
    expect_status 200 "deliver $1"
}
# repair_to_ready RMA: receive, inspect, disposition, diagnose, start, test, repaired
repair_to_ready() {
    receive "$1"
    inspect "$1"
    dispose "$1"
    repair "$1" '{"event": "diagnose", "expected_state": "queued"}'
    repair "$1" '{"event": "start_repair", "expected_state": "diagnosing"}'
    repair "$1" '{"event": "test", "expected_state": "in_repair"}'
    repair "$1" '{"event": "repaired", "expected_state": "testing"}'
}
# full_flow RMA SERIAL: the whole mail-in repair up to the delivered unit
full_flow() {
    repair_to_ready "$1"
    pack "$1" "$2"
    expect_status 201 "pack $2 for $1"
    ship "$1"
    deliver "$1"
}

# race N TOKEN PATH BODY: N concurrent POSTs; answers in $T_TMP/race.out.I, RACE_CODES "200×1 409×9 "
race() {
    local n=$1 tok=$2 path=$3 i pids=()
    printf '%s' "$4" >"$T_TMP/race.body"
    rm -f "$T_TMP"/race.out.* "$T_TMP"/race.code.*
    for i in $(seq 1 "$n"); do
        curl -s --max-time 60 -X POST -H "Authorization: Bearer $tok" -H "Content-Type: application/json" \
            --data-binary "@$T_TMP/race.body" -o "$T_TMP/race.out.$i" -w '%{http_code}' \
            "$BASE$path" >"$T_TMP/race.code.$i" &
        pids+=($!)
    done
    wait "${pids[@]}"
    RACE_CODES=$(for i in $(seq 1 "$n"); do cat "$T_TMP/race.code.$i"; echo; done | sort | uniq -c | awk '{printf "%s×%s ", $2, $1}')
}
# race_jq FILTER: the filter over every racing answer, counted like RACE_CODES
race_jq() { for f in "$T_TMP"/race.out.*; do jq -r "$1" "$f" 2>/dev/null || echo none; done | sort | uniq -c | awk '{printf "%s×%s ", $2, $1}'; }

# damm_ok RMA: the Damm check over the nine digits is 0
DAMM=(0317598642 7092154863 4206871359 1750983426 6123045978 3674209581 5869720134 8945362017 9438617205 2581436790)
damm_ok() {
    local s=${1#R} i=0 k
    [[ $1 =~ ^R[0-9]{9}$ ]] || return 1
    for ((k = 0; k < ${#s}; k++)); do i=${DAMM[i]:${s:k:1}:1}; done
    [ "$i" = 0 ]
}
seqno() { echo $((10#${1:1:8})); }

# =================================================================================================
# Rule 1: RMA numbers are unique, never reused, and carry a check character.
# =================================================================================================
echo "# rule 1"
mkcase SRV7400001 SRV-R740
C1=$CASE
KB1='[{"product_model":"KB-US","quantity":1}]'
NUMS=()
for i in 1 2 3; do
    authorize "$C1" repair "$KB1"
    expect_status 201 "rule 1: rma $i"
    NUMS+=("$RMA")
done
api POST "/api/v1/rmas/${NUMS[1]}/cancel" "$AGENT" '{"reason": "customer found the cable"}'
expect_status 200 "rule 1: the second rma is cancelled (nothing moved)"
api POST "/api/v1/rmas/${NUMS[2]}/close" "$AGENT" '{"reason": "handled by phone"}'
expect_status 200 "rule 1: the third rma is closed"
MAXOLD=$(seqno "${NUMS[2]}")
for i in 4 5 6; do
    authorize "$C1" repair "$KB1"
    expect_status 201 "rule 1: rma $i after a cancel and a close"
    NUMS+=("$RMA")
done
authorize "$C1" repair "$KB1" out_of_warranty
expect_status 201 "rule 1: a not authorized rma gets a number too"
NUMS+=("$RMA")
# ten created at once, for ten different serials
for i in $(seq 1 10); do install_base "SRVRULE1$(printf %03d "$i")" SRV-R740 2028-01-01; done
pids=()
rm -f "$T_TMP"/r1.*
for i in $(seq 1 10); do
    rma_body "$C1" repair "[{\"serial_number\":\"SRVRULE1$(printf %03d "$i")\",\"product_model\":\"SRV-R740\"}]" >"$T_TMP/r1.body.$i"
    curl -s --max-time 60 -X POST -H "Authorization: Bearer $AGENT" -H "Content-Type: application/json" \
        --data-binary "@$T_TMP/r1.body.$i" -o "$T_TMP/r1.out.$i" -w '%{http_code}' "$BASE/api/v1/rmas" >"$T_TMP/r1.code.$i" &
    pids+=($!)
done
wait "${pids[@]}"
CODES=$(for i in $(seq 1 10); do cat "$T_TMP/r1.code.$i"; echo; done | sort | uniq -c | awk '{printf "%s×%s ", $2, $1}')
check "rule 1: 10 concurrent creations all 201 ($CODES)" test "$CODES" = "201×10 "
CONC=()
for i in $(seq 1 10); do CONC+=("$(jq -r '.rma_number // empty' "$T_TMP/r1.out.$i")"); done
ALL=("${NUMS[@]}" "${CONC[@]}")
BAD=0
for n in "${ALL[@]}"; do damm_ok "$n" || { BAD=$((BAD + 1)); echo "     not a valid RMA number: '$n'"; }; done
check "rule 1: every number is R + 8 digits + a valid Damm check digit (${#ALL[@]} numbers)" test "$BAD" = 0
check "rule 1: no number handed out twice" test "$(printf '%s\n' "${ALL[@]}" | sort | uniq -d | wc -l)" = 0
MONO=1
for ((i = 1; i < ${#NUMS[@]}; i++)); do
    [ "$(seqno "${NUMS[i]}")" -gt "$(seqno "${NUMS[i - 1]}")" ] || MONO=0
done
check "rule 1: sequential creations get strictly increasing numbers (${NUMS[*]})" test "$MONO" = 1
NEWER=1
for n in "${NUMS[@]:3}" "${CONC[@]}"; do [ "$(seqno "$n")" -gt "$MAXOLD" ] || NEWER=0; done
check "rule 1: after a cancel and a close every new number is above all earlier ones (none reused)" test "$NEWER" = 1
check "rule 1: the cancelled and the closed rma keep their numbers" test "$(q1 "SELECT count(*) FROM rma WHERE rma_number IN ('${NUMS[1]}', '${NUMS[2]}') AND closed_at IS NOT NULL")" = 2
check "rule 1: in the database every rma number is distinct" test "$(q1 "SELECT count(*) = count(DISTINCT rma_number) FROM rma")" = t
BAD=0
for n in $(q1 "SELECT rma_number FROM rma"); do damm_ok "$n" || BAD=$((BAD + 1)); done
check "rule 1: every rma number in the database carries a valid check digit" test "$BAD" = 0
if psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "INSERT INTO rma (rma_number, case_id, type, depot_id, authorized, created_by)
        SELECT rma_number, case_id, type, depot_id, authorized, created_by FROM rma WHERE rma_number = '${NUMS[1]}'" >"$T_TMP/dup.out" 2>&1; then
    fail "rule 1: the database took a second rma with the cancelled number ${NUMS[1]}"
else
    check "rule 1: the database refuses to reuse the cancelled number ${NUMS[1]} (unique)" grep -q "duplicate key" "$T_TMP/dup.out"
fi
check "rule 1: the number sequence does not cycle" test "$(q1 "SELECT cycle FROM pg_sequences WHERE sequencename = 'rma_number_seq'")" = f
# a mistyped number (one digit changed) is caught by the check digit: not found anywhere
R=${NUMS[0]}
WRONG=${R:0:5}$(((${R:5:1} + 1) % 10))${R:6}
damm_ok "$WRONG" && fail "rule 1: $WRONG passed the Damm check" || pass "rule 1: $WRONG fails the Damm check"
api GET "/api/v1/rmas/$WRONG" "$ADMIN"
expect_status 404 "rule 1: a mistyped rma number finds nothing"
# the end of the 8-digit range: refused, never wrapped or truncated to an old number
SEQ0=$(q1 "SELECT last_value FROM rma_number_seq")
RMAS0=$(q1 "SELECT count(*) FROM rma")
q1 "SELECT setval('rma_number_seq', 99999999)" >/dev/null
authorize "$C1" repair "$KB1"
check "rule 1: past R99999999 the sequence refuses (HTTP $STATUS, not 201)" test "$STATUS" != 201
check "rule 1: past the range no rma row is written" test "$(q1 "SELECT count(*) FROM rma")" = "$RMAS0"
q1 "SELECT setval('rma_number_seq', $SEQ0)" >/dev/null

# =================================================================================================
# Rule 2: a serial number has at most one open RMA line; serialised lines have quantity 1.
# =================================================================================================
echo "# rule 2"
S2=SRVRULE2001
install_base "$S2" SRV-R740 2028-06-30
mkcase "$S2" SRV-R740
C2=$CASE
BODY2=$(rma_body "$C2" repair "[{\"serial_number\":\"$S2\",\"product_model\":\"SRV-R740\"}]")
RMAS0=$(q1 "SELECT count(*) FROM rma")
race 20 "$AGENT" /api/v1/rmas "$BODY2"
check "rule 2: 20 concurrent POST /rmas for one serial: one 201, nineteen 409 ($RACE_CODES)" test "$RACE_CODES" = "201×1 409×19 "
OUT=$(race_jq 'if .error then .error.field else "created" end')
check "rule 2: every 409 names lines[0].serial_number ($OUT)" test "$OUT" = "created×1 lines[0].serial_number×19 "
R2=$(for f in "$T_TMP"/race.out.*; do jq -r '.rma_number // empty' "$f"; done | head -n 1)
check "rule 2: exactly one open line for the serial in the database" test "$(q1 "SELECT count(*) FROM rma_line WHERE serial_number = '$S2' AND open")" = 1
check "rule 2: the losers wrote no rma (one new rma row)" test "$(q1 "SELECT count(*) FROM rma")" = $((RMAS0 + 1))
check "rule 2: the losers wrote no events, lines or legs" test "$(q1 "SELECT (SELECT count(*) FROM rma_line WHERE serial_number = '$S2') || '/' || (SELECT count(DISTINCT rma_id) FROM event WHERE rma_id IN (SELECT rma_id FROM rma_line WHERE serial_number = '$S2'))")" = "1/1"
api POST /api/v1/rmas "$AGENT" "$BODY2"
expect_error 409 "lines[0].serial_number" "rule 2: one more rma for the serial while its line is open"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$C2" exchange "[{\"serial_number\":\"$S2\",\"product_model\":\"SRV-R740\"}]")"
expect_error 409 "lines[0].serial_number" "rule 2: another repair type for the serial is refused too"
RMAS0=$(q1 "SELECT count(*) FROM rma")
api POST /api/v1/rmas "$AGENT" "$(rma_body "$C2" repair '[{"serial_number":"SRV7400003","product_model":"SRV-R740","quantity":2}]')"
expect_error 422 "lines[0].quantity" "rule 2: a serialised line with quantity 2"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$C2" repair '[{"serial_number":"SRV7400003","product_model":"SRV-R740"},{"serial_number":"srv7400003","product_model":"SRV-R740"}]')"
if [ "$STATUS" = 422 ] || [ "$STATUS" = 409 ]; then pass "rule 2: the same serial twice in one rma is refused ($STATUS)"; else fail "rule 2: the same serial twice in one rma: HTTP $STATUS" "$BODY"; fi
check "rule 2: the refused requests wrote nothing" test "$(q1 "SELECT count(*) FROM rma")|$(q1 "SELECT count(*) FROM rma_line WHERE serial_number = 'SRV7400003'")" = "$RMAS0|0"
if psql -X -q -At -d "$DB" -c "UPDATE rma_line SET quantity = 2 WHERE serial_number = '$S2'" >/dev/null 2>&1; then
    fail "rule 2: the database let a serialised line get quantity 2"
else
    pass "rule 2: the database enforces it too: a serialised line has quantity 1"
fi
full_flow "$R2" "$S2"
check "rule 2: the delivered line is done" test "$(q1 "SELECT open FROM rma_line WHERE id = $(line_id "$R2")")" = f
api POST /api/v1/rmas "$AGENT" "$BODY2"
expect_status 201 "rule 2: after the line was delivered a new rma for the serial"
R2B=$(jqb .rma_number)
api POST "/api/v1/rmas/$R2B/close" "$AGENT" '{"reason": "opened by mistake"}'
expect_status 200 "rule 2: that rma is closed"
api POST /api/v1/rmas "$AGENT" "$BODY2"
expect_status 201 "rule 2: after the rma was closed a new rma for the serial"
R2C=$(jqb .rma_number)
api POST "/api/v1/rmas/$R2C/cancel" "$AGENT" '{}'
expect_status 200 "rule 2: that rma is cancelled"
api POST /api/v1/rmas "$AGENT" "$BODY2"
expect_status 201 "rule 2: after the rma was cancelled a new rma for the serial"
# racing exchanges reserve a spare each: the losers must not keep one
S2X=MEMRULE2001
install_base "$S2X" MEM-32G 2030-01-01
mkcase "$S2X" MEM-32G
SP0=$(q1 "SELECT count(*) FROM spare_unit WHERE status = 'reserved'")
race 10 "$AGENT" /api/v1/rmas "$(rma_body "$CASE" exchange "[{\"serial_number\":\"$S2X\",\"product_model\":\"MEM-32G\"}]")"
check "rule 2: 10 racing exchanges for one serial: one 201, nine 409 ($RACE_CODES)" test "$RACE_CODES" = "201×1 409×9 "
check "rule 2: one open line and exactly one spare reserved by the race" \
    test "$(q1 "SELECT count(*) FROM rma_line WHERE serial_number = '$S2X' AND open")|$(q1 "SELECT count(*) FROM spare_unit WHERE status = 'reserved'")" = "1|$((SP0 + 1))"
check "rule 2: still one open line for the serial" test "$(q1 "SELECT count(*) FROM rma_line WHERE serial_number = '$S2' AND open")" = 1
check "rule 2: nowhere more than one open line per serial" test "$(q1 "SELECT count(*) FROM (SELECT serial_number FROM rma_line WHERE open AND serial_number IS NOT NULL GROUP BY serial_number HAVING count(*) > 1) x")" = 0

# =================================================================================================
# Rule 3: quantities are integers; received never exceeds authorized without a recorded exception.
# =================================================================================================
echo "# rule 3"
RMAS0=$(q1 "SELECT count(*) FROM rma")
# raw bodies: jq would rewrite 1.0e0 as 1
qbody() { printf '{"case_number": "%s", "type": "repair", "lines": [{"product_model": "KB-US", "quantity": %s}], "screening": {"outcome": "eligible", "reason": "ok", "evidence": {}}}' "$C1" "$1"; }
for q in 2.5 1.0 1.0e0 20e-1 '"2"' 0 -1 true null3 3000000000; do
    [ "$q" = null3 ] && q='[3]'
    api POST /api/v1/rmas "$AGENT" "$(qbody "$q")"
    expect_error 422 "lines[0].quantity" "rule 3: quantity $q on an rma line"
done
api POST /api/v1/rmas "$AGENT" "$(qbody 9223372036854775808)"
if [ "$STATUS" = 400 ] || [ "$STATUS" = 422 ]; then pass "rule 3: a quantity beyond 64 bits is refused ($STATUS)"; else fail "rule 3: quantity 2^63: HTTP $STATUS" "$BODY"; fi
check "rule 3: no rma written for a bad quantity" test "$(q1 "SELECT count(*) FROM rma")" = "$RMAS0"
check "rule 3: quantities are integer columns" test "$(q1 "SELECT string_agg(DISTINCT data_type, ',') FROM information_schema.columns WHERE table_schema = 'public' AND table_name IN ('rma_line', 'receipt', 'repair_part') AND column_name IN ('quantity', 'received_quantity')")" = integer
authorize "$C1" repair '[{"product_model":"KB-US","quantity":3}]'
expect_status 201 "rule 3: an rma for 3 keyboards"
R3=$RMA
RC="/api/v1/rmas/$R3/lines/1/receipts"
for q in 2.5 '"1"' 0 -2 1.0e0 3000000000; do
    api POST "$RC" "$DEPOT" "{\"quantity\": $q, \"station\": \"dock-1\", \"reason\": \"x\"}"
    expect_error 422 quantity "rule 3: receipt quantity $q"
done
check "rule 3: nothing received by the refused receipts" test "$(q1 "SELECT received_quantity FROM rma_line WHERE id = $(line_id "$R3")")|$(events "$R3" partial_receive)" = "0|0"
api POST "$RC" "$DEPOT" '{"quantity": 2, "station": "dock-1"}'
expect_status 201 "rule 3: 2 of 3 received"
N=$(events "$R3")
api POST "$RC" "$DEPOT" '{"quantity": 2, "station": "dock-1"}'
expect_error 409 reason "rule 3: 2 more (4 of 3) without a reason is refused"
check "rule 3: the refused over-receipt changed nothing (quantity, receipts, events)" \
    test "$(q1 "SELECT received_quantity FROM rma_line WHERE id = $(line_id "$R3")")|$(q1 "SELECT count(*) FROM receipt WHERE line_id = $(line_id "$R3")")|$(events "$R3")" = "2|1|$N"
api POST "$RC" "$DEPOT" '{"quantity": 2, "station": "dock-1", "reason": "customer sent an extra keyboard"}'
expect_status 201 "rule 3: the over-receipt with a reason"
expect_jq '.received_quantity == 4 and .over == 1' "rule 3: 4 received, 1 over"
check "rule 3: the reason is recorded on the receipt row" \
    test "$(q1 "SELECT quantity || '|' || coalesce(over_receipt_reason, '-') FROM receipt WHERE line_id = $(line_id "$R3") ORDER BY id DESC LIMIT 1")" = "2|customer sent an extra keyboard"
# racing receipts: 10 concurrent receipts of 1 against a line of 3, none with a reason
authorize "$C1" repair '[{"product_model":"CBL-PWR","quantity":3}]'
R3B=$RMA
race 10 "$DEPOT" "/api/v1/rmas/$R3B/lines/1/receipts" '{"quantity": 1, "station": "dock-race"}'
check "rule 3: 10 racing receipts of 1 on a line of 3: three 201, seven 409 ($RACE_CODES)" test "$RACE_CODES" = "201×3 409×7 "
check "rule 3: after the race exactly 3 received in 3 receipts" test "$(q1 "SELECT received_quantity FROM rma_line WHERE id = $(line_id "$R3B")")|$(q1 "SELECT count(*) || ':' || coalesce(sum(quantity), 0) FROM receipt WHERE line_id = $(line_id "$R3B")")" = "3|3:3"
check "rule 3: no line anywhere received more than authorized without a recorded reason" \
    test "$(q1 "SELECT count(*) FROM rma_line l WHERE l.received_quantity > l.quantity AND NOT EXISTS (SELECT 1 FROM receipt rc WHERE rc.line_id = l.id AND rc.over_receipt_reason IS NOT NULL)")" = 0

# =================================================================================================
# Rule 4: a transition names the state it expects; a lost race is a 409 with no side effect.
# =================================================================================================
echo "# rule 4"
serial_rma NBX130001 NB-X13
R4=$RMA
receive "$R4"
inspect "$R4"
dispose "$R4"
check "rule 4: the repair leg is queued" test "$(leg "$R4" repair)" = queued
N=$(events "$R4")
api POST "/api/v1/rmas/$R4/lines/1/repair" "$ENGINEER" '{"event": "diagnose", "expected_state": "diagnosing"}'
expect_error 409 expected_state "rule 4: a wrong expected_state"
check "rule 4: the wrong expected_state wrote no event and moved nothing" test "$(events "$R4")|$(leg "$R4" repair)" = "$N|queued"
api POST "/api/v1/rmas/$R4/lines/1/disposition" "$DEPOT" '{"disposition": "scrap", "expected_state": "received"}'
expect_error 409 expected_state "rule 4: a disposition expecting received (it is dispositioned)"
check "rule 4: still no event" test "$(events "$R4")" = "$N"
race 10 "$ENGINEER" "/api/v1/rmas/$R4/lines/1/repair" '{"event": "diagnose", "expected_state": "queued"}'
check "rule 4: 10 racing diagnose expecting queued: one 200, nine 409 ($RACE_CODES)" test "$RACE_CODES" = "200×1 409×9 "
check "rule 4: the losers got JSON errors ($(race_jq '.error.code // "ok"'))" test "$(race_jq 'if .error then "error" else "ok" end')" = "error×9 ok×1 "
check "rule 4: exactly one diagnose event, one event in all" test "$(events "$R4" diagnose)|$(events "$R4")" = "1|$((N + 1))"
check "rule 4: the leg is diagnosing" test "$(leg "$R4" repair)" = diagnosing
N=$(events "$R4")
race 10 "$ENGINEER" "/api/v1/rmas/$R4/lines/1/repair" '{"event": "start_repair"}'
check "rule 4: 10 racing start_repair without expected_state: one 200, nine 409 ($RACE_CODES)" test "$RACE_CODES" = "200×1 409×9 "
check "rule 4: exactly one start_repair event" test "$(events "$R4" start_repair)|$(events "$R4")" = "1|$((N + 1))"
N=$(events "$R4")
race 10 "$ENGINEER" "/api/v1/rmas/$R4/lines/1/repair" '{"event": "wait_parts", "expected_state": "in_repair", "parts": [{"product_model": "CBL-PWR", "quantity": 1}]}'
check "rule 4: 10 racing wait_parts with a part: one 200 ($RACE_CODES)" test "$RACE_CODES" = "200×1 409×9 "
check "rule 4: one event and one part consumed: the losers left no side effect" \
    test "$(events "$R4")|$(q1 "SELECT count(*) FROM repair_part WHERE line_id = $(line_id "$R4")")" = "$((N + 1))|1"

# =================================================================================================
# Rule 5: a scan or carrier event applied twice is one event, also under concurrency.
# =================================================================================================
echo "# rule 5"
serial_rma NBX130002 NB-X13
R5=$RMA
curl -s --max-time 30 -H "Authorization: Bearer $DEPOT" -o "$T_TMP/r5.png" "$BASE/api/v1/rmas/$R5/parcels/1/label.png"
P5=$(zbarimg --raw -q -Sdisable -Sqrcode.enable "$T_TMP/r5.png" 2>/dev/null)
check "rule 5: the label's QR decodes ($P5)" grep -qE "/P/$R5/1/[0-9A-Z]{8}$" <<<"$P5"
race 10 "$DEPOT" /api/v1/scans "$(jq -nc --arg c "$P5" '{code: $c, station: "dock-race"}')"
check "rule 5: 10 racing dock scans all answered 200 ($RACE_CODES)" test "$RACE_CODES" = "200×10 "
OUT=$(race_jq '.outcome')
check "rule 5: one received, nine duplicates ($OUT)" test "$OUT" = "duplicate×9 received×1 "
check "rule 5: exactly one receive event, one receipt, received quantity 1" \
    test "$(events "$R5" receive)|$(q1 "SELECT count(*) FROM receipt WHERE line_id = $(line_id "$R5")")|$(q1 "SELECT received_quantity FROM rma_line WHERE id = $(line_id "$R5")")" = "1|1|1"
check "rule 5: ten scans logged" test "$(q1 "SELECT count(*) FROM scan WHERE rma_id = (SELECT id FROM rma WHERE rma_number = '$R5')")" = 10
N=$(events "$R5")
scan "$R5" dock-2
expect_jq '.outcome == "duplicate"' "rule 5: the rma number scanned later at another dock: duplicate"
check "rule 5: no event for the later duplicate" test "$(events "$R5")" = "$N"
inspect "$R5"
dispose "$R5"
for e in diagnose start_repair test repaired; do repair "$R5" "{\"event\": \"$e\"}"; done
N=$(events "$R5")
race 10 "$DEPOT" "/api/v1/rmas/$R5/lines/1/pack" '{"serial": "NBX130002", "station": "pack-race"}'
check "rule 5: 10 racing pack scans: one 201, nine duplicates ($RACE_CODES)" test "$RACE_CODES" = "200×9 201×1 "
check "rule 5: one pack event, one outbound parcel" test "$(events "$R5" pack)|$(q1 "SELECT count(*) FROM parcel WHERE rma_id = (SELECT id FROM rma WHERE rma_number = '$R5') AND direction = 'outbound'")" = "1|1"
race 10 "$CARRIER" "/api/v1/rmas/$R5/shipments/1/events" '{"event": "ship", "tracking_number": "1Z999AA10123456784"}'
check "rule 5: 10 racing carrier ship events with one tracking number: all 200 ($RACE_CODES)" test "$RACE_CODES" = "200×10 "
race 10 "$CARRIER" "/api/v1/rmas/$R5/shipments/1/events" '{"event": "deliver"}'
check "rule 5: 10 racing carrier deliver events: all 200 ($RACE_CODES)" test "$RACE_CODES" = "200×10 "
check "rule 5: one ship and one deliver event" test "$(events "$R5" ship)|$(events "$R5" deliver)" = "1|1"
check "rule 5: the rma moved exactly pack, ship, deliver" test "$(events "$R5")" = $((N + 3))

# a box of counted parts scanned ten times at once arrives once
authorize "$C1" repair '[{"product_model":"KB-US","quantity":2}]'
R5B=$RMA
N=$(events "$R5B")
race 10 "$DEPOT" /api/v1/scans "$(jq -nc --arg c "$R5B" '{code: $c, station: "dock-race"}')"
check "rule 5: 10 racing scans of a box of counted parts all answered 200 ($RACE_CODES; $(race_jq .outcome))" test "$RACE_CODES" = "200×10 "
check "rule 5: the box arrived once: one parcel_arrived event, nothing counted" \
    test "$(events "$R5B" parcel_arrived)|$(events "$R5B")|$(q1 "SELECT received_quantity FROM rma_line WHERE id = $(line_id "$R5B")")" = "1|$((N + 1))|0"

# =================================================================================================
# Rule 6: no cancel after something physically moved; close with a reason instead.
# =================================================================================================
echo "# rule 6"
serial_rma NBX130003 NB-X13
R6=$RMA
receive "$R6"
N=$(events "$R6")
api POST "/api/v1/rmas/$R6/cancel" "$AGENT" '{"reason": "customer changed mind"}'
expect_error 409 rma_number "rule 6: cancel after the dock scan"
check "rule 6: the refused cancel wrote nothing and closed nothing" \
    test "$(events "$R6")|$(q1 "SELECT (closed_at IS NULL) || '/' || (SELECT bool_and(open) FROM rma_line WHERE rma_id = rma.id) FROM rma WHERE rma_number = '$R6'")" = "$N|true/true"
api POST "/api/v1/rmas/$R6/close" "$AGENT" '{}'
expect_error 422 reason "rule 6: close without a reason"
api POST "/api/v1/rmas/$R6/close" "$AGENT" '{"reason": "   "}'
expect_error 422 reason "rule 6: close with a blank reason"
api POST "/api/v1/rmas/$R6/close" "$AGENT" '{"reason": "customer withdrew the claim, unit kept at depot"}'
expect_status 200 "rule 6: close with a reason after the dock scan"
expect_jq '.status == "closed" and .close_reason == "customer withdrew the claim, unit kept at depot" and .closed_at != null and (.lines | all(.open == false))' "rule 6: the rma is closed with its reason, its lines done"
check "rule 6: closed in the database with the reason, one rma_closed event with an actor" \
    test "$(q1 "SELECT (closed_at IS NOT NULL) || '|' || close_reason FROM rma WHERE rma_number = '$R6'")|$(events "$R6" rma_closed)|$(q1 "SELECT actor FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R6' AND e.kind = 'rma_closed'")" \
    = "true|customer withdrew the claim, unit kept at depot|1|test agent"
api POST "/api/v1/rmas/$R6/cancel" "$AGENT" '{}'
expect_error 409 rma_number "rule 6: cancel after the close"
# ten closes at once: one closes, the rest find it closed; one rma_closed event
serial_rma SRV7400003 SRV-R740
R6C=$RMA
receive "$R6C"
race 10 "$AGENT" "/api/v1/rmas/$R6C/close" '{"reason": "closed ten times at once"}'
check "rule 6: 10 racing closes: one 200, nine 409 ($RACE_CODES)" test "$RACE_CODES" = "200×1 409×9 "
check "rule 6: one rma_closed event" test "$(events "$R6C" rma_closed)" = 1
# a box of counted parts that arrived, counted or not yet, has physically moved
authorize "$C1" repair '[{"product_model":"MOUSE-OPT","quantity":2}]'
R6B=$RMA
scan "$R6B"
expect_jq '.outcome == "arrived"' "rule 6: the box of mice arrived at the dock"
api POST "/api/v1/rmas/$R6B/cancel" "$AGENT" '{}'
expect_status 409 "rule 6: cancel after the box arrived at the dock (not counted yet)"
api POST "/api/v1/rmas/$R6B/lines/1/receipts" "$DEPOT" '{"quantity": 1, "station": "dock-1"}'
api POST "/api/v1/rmas/$R6B/cancel" "$AGENT" '{}'
expect_error 409 rma_number "rule 6: cancel after a counted receipt"
api POST "/api/v1/rmas/$R6B/close" "$AGENT" '{"reason": "one mouse missing, customer keeps it"}'
expect_status 200 "rule 6: the counted rma closes with a reason"

# =================================================================================================
# Rule 7: a repaired unit goes back as the serial that came in, unless a swap is recorded.
# =================================================================================================
echo "# rule 7"
serial_rma SRV7400001 SRV-R740
R7=$RMA
repair_to_ready "$R7"
N=$(events "$R7")
pack "$R7" SRV7400003
expect_error 409 serial "rule 7: packing another serial than the one that came in"
pack "$R7" SSRV7400901
expect_error 409 serial "rule 7: packing a depot spare without a recorded swap"
check "rule 7: the refused packs wrote nothing" test "$(events "$R7")|$(leg "$R7" outbound)" = "$N|ready"
pack "$R7" SRV7400001
expect_status 201 "rule 7: the serial that came in is packed"
expect_jq '.serial == "SRV7400001"' "rule 7: the parcel holds SRV7400001"
# with a swap
S7NEW=SRVRULE7NEW
serial_rma SRV7400002 SRV-R740
R7S=$RMA
receive "$R7S"
inspect "$R7S"
dispose "$R7S"
repair "$R7S" '{"event": "diagnose"}'
repair "$R7S" '{"event": "start_repair"}'
repair "$R7S" '{"event": "test"}'
repair "$R7S" "{\"event\": \"repaired\", \"swap\": {\"new_serial\": \"$S7NEW\", \"reason\": \"main board and chassis exchanged\"}}"
expect_jq ".swap.old_serial == \"SRV7400002\" and .swap.new_serial == \"$S7NEW\"" "rule 7: the swap old -> new is recorded"
check "rule 7: a serial_swap row old -> new" test "$(q1 "SELECT count(*) FROM serial_swap WHERE old_serial = 'SRV7400002' AND new_serial = '$S7NEW'")" = 1
check "rule 7: the new serial's warranty end equals the old one's ($(ib_warranty SRV7400002))" test "$(ib_warranty "$S7NEW")" = "$(ib_warranty SRV7400002)"
check "rule 7: the new serial is the same model in the install base" test "$(q1 "SELECT product_model FROM install_base WHERE serial_number = '$S7NEW'")" = SRV-R740
N=$(events "$R7S")
pack "$R7S" SRV7400002
expect_error 409 serial "rule 7: after the swap the old serial is refused"
check "rule 7: the refused pack wrote nothing" test "$(events "$R7S")" = "$N"
pack "$R7S" "$S7NEW"
expect_status 201 "rule 7: the swapped-in serial is packed"
expect_jq ".serial == \"$S7NEW\"" "rule 7: the parcel holds the new serial"
check "rule 7: every packed line sends the serial that came in or its recorded swap" test "$(q1 "
    SELECT count(*) FROM rma_line l JOIN rma r ON r.id = l.rma_id
     WHERE r.type IN ('repair', 'factory') AND l.outbound_serial IS NOT NULL
       AND l.outbound_serial <> coalesce(l.received_serial, l.serial_number)
       AND NOT EXISTS (SELECT 1 FROM serial_swap s WHERE s.line_id = l.id AND s.new_serial = l.outbound_serial)")" = 0

# =================================================================================================
# Rule 8: every transition has an actor and writes exactly one audit row; events are append-only.
# =================================================================================================
echo "# rule 8"
serial_rma MEM32G0001 MEM-32G
R8=$RMA
full_flow "$R8" MEM32G0001
# the leg moves made: receive, inspect, disposition (+ the repair leg queued), diagnose,
# start_repair, test, repaired (+ the outbound leg unblocked), pack, ship, deliver; and the three
# legs opened at authorization
EXPECTED="inbound:leg_opened:>label_issued
repair:leg_opened:>pending
outbound:leg_opened:>blocked
inbound:receive:label_issued>received
inbound:inspect:received>inspected
inbound:disposition:inspected>dispositioned
repair:queue:pending>queued
repair:diagnose:queued>diagnosing
repair:start_repair:diagnosing>in_repair
repair:test:in_repair>testing
repair:repaired:testing>repaired
outbound:unblock:blocked>ready
outbound:pack:ready>packed
outbound:ship:packed>shipped
outbound:deliver:shipped>delivered"
GOT=$(q1 "SELECT e.leg || ':' || e.kind || ':' || coalesce(e.from_state, '') || '>' || e.to_state
            FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R8' AND e.leg IS NOT NULL
             AND e.from_state IS DISTINCT FROM e.to_state ORDER BY e.id")
check "rule 8: one leg-move event per move made, in order ($(wc -l <<<"$GOT") events, 15 moves)" test "$GOT" = "$EXPECTED"
[ "$GOT" = "$EXPECTED" ] || diff <(echo "$EXPECTED") <(echo "$GOT") | sed 's/^/     /'
check "rule 8: each leg's state equals the to_state of its last event" test "$(q1 "
    SELECT count(*) FROM leg g WHERE g.line_id = $(line_id "$R8")
       AND g.state IS DISTINCT FROM (SELECT e.to_state FROM event e WHERE e.line_id = g.line_id AND e.leg = g.kind
                                        AND e.to_state IS NOT NULL ORDER BY e.id DESC LIMIT 1)")|$(q1 "SELECT count(*) FROM leg WHERE line_id = $(line_id "$R8")")" = "0|3"
check "rule 8: the legs end delivered: inbound dispositioned, repair repaired, outbound delivered" \
    test "$(leg "$R8" inbound)|$(leg "$R8" repair)|$(leg "$R8" outbound)" = "dispositioned|repaired|delivered"
check "rule 8: every event of the flow has a non-empty actor and a channel" \
    test "$(q1 "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R8' AND (coalesce(trim(e.actor), '') = '' OR coalesce(e.channel, '') = '')")" = 0
api GET "/api/v1/rmas/$R8" "$ADMIN"
expect_jq '(.events | length) > 0 and ([.events[] | select((.actor // "") == "")] | length == 0)' "rule 8: the staff view shows an actor on every event"
expect_jq '.status == "complete"' "rule 8: the rma is complete"
# across the whole database (every section above)
check "rule 8: no event anywhere without an actor" test "$(q1 "SELECT count(*) FROM event WHERE coalesce(trim(actor), '') = ''")" = 0
check "rule 8: every leg anywhere is in the state of its last event" test "$(q1 "
    SELECT count(*) FROM leg g WHERE g.state IS DISTINCT FROM (SELECT e.to_state FROM event e WHERE e.line_id = g.line_id
        AND e.leg = g.kind AND e.to_state IS NOT NULL ORDER BY e.id DESC LIMIT 1)")" = 0
check "rule 8: every leg event starts where the one before it ended" test "$(q1 "
    SELECT count(*) FROM (SELECT from_state, lag(to_state) OVER (PARTITION BY line_id, leg ORDER BY id) AS prev
                            FROM event WHERE leg IS NOT NULL AND to_state IS NOT NULL) x
     WHERE prev IS NOT NULL AND from_state IS DISTINCT FROM prev")" = 0
EID=$(q1 "SELECT min(e.id) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R8'")
ROW0=$(q1 "SELECT row_to_json(e)::text FROM event e WHERE id = $EID")
if psql -X -q -At -d "$DB" -c "UPDATE event SET actor = 'someone else' WHERE id = $EID" >"$T_TMP/upd.out" 2>&1; then
    fail "rule 8: UPDATE on event was allowed" "$(cat "$T_TMP/upd.out")"
else
    pass "rule 8: UPDATE on event is refused by the database ($(head -n 1 "$T_TMP/upd.out"))"
fi
if psql -X -q -At -d "$DB" -c "DELETE FROM event WHERE id = $EID" >"$T_TMP/del.out" 2>&1; then
    fail "rule 8: DELETE on event was allowed" "$(cat "$T_TMP/del.out")"
else
    pass "rule 8: DELETE on event is refused by the database"
fi
if psql -X -q -At -d "$DB" -c "TRUNCATE event CASCADE" >"$T_TMP/tr.out" 2>&1; then
    fail "rule 8: TRUNCATE of event was allowed" "$(cat "$T_TMP/tr.out")"
else
    pass "rule 8: TRUNCATE of event is refused by the database"
fi
check "rule 8: the event row is unchanged" test "$(q1 "SELECT row_to_json(e)::text FROM event e WHERE id = $EID")" = "$ROW0"

# =================================================================================================
# Rule 9: a timestamp is stored as an instant; an offset is never dropped; a local time without
# an offset is refused.
# =================================================================================================
echo "# rule 9"
serial_rma SSD9600002 SSD-960 replacement_no_return
R9=$RMA
DC="/api/v1/rmas/$R9/lines/1/destruction-certificate"
cert() { jq -nc --arg at "$1" '{certificate_id: "DC-RULE9-1", destroyed_at: $at, method: "shredded", witness: "J. Doe"}'; }
N=$(events "$R9")
for at in "2026-03-01T10:15:00" "2026-03-01 10:15:00" "2026-03-01" "2026-03-01T10:15" "2026-02-30T10:15:00Z" \
    "2026-03-01T24:15:00Z" "2026-03-01T10:15:00+25:00" "2026-03-01T10:15:00 Europe/Berlin" "2026-03-01T10:15:00+0200"; do
    api POST "$DC" "$AGENT" "$(cert "$at")"
    expect_error 422 destroyed_at "rule 9: destroyed_at '$at' is refused"
done
check "rule 9: nothing stored for the refused certificates" \
    test "$(q1 "SELECT destruction_certificate IS NULL FROM rma_line WHERE id = $(line_id "$R9")")|$(events "$R9")" = "t|$N"
api POST "$DC" "$AGENT" "$(cert "2026-03-01T10:15:00+02:00")"
expect_status 200 "rule 9: destroyed_at with +02:00 is accepted"
expect_jq '.lines[0].destruction_certificate.destroyed_at | (. == "2026-03-01T10:15:00+02:00" or (test("(Z|[+-][0-9]{2}:[0-9]{2})$")))' "rule 9: the answer keeps an offset on destroyed_at"
for tz in UTC Europe/Berlin Pacific/Auckland America/Los_Angeles; do
    check "rule 9: stored as the instant 08:15Z (read with TimeZone $tz)" test "$(q1 "SET TimeZone = '$tz';
        SELECT (destruction_certificate->>'destroyed_at')::timestamptz = timestamptz '2026-03-01 08:15:00+00'
          FROM rma_line WHERE id = $(line_id "$R9")")" = t
done
check "rule 9: the stored text keeps an offset" test "$(q1 "SELECT (destruction_certificate->>'destroyed_at') ~ '(Z|[+-][0-9]{2}(:?[0-9]{2})?)$' FROM rma_line WHERE id = $(line_id "$R9")")" = t
check "rule 9: event.created_at is timestamptz" test "$(q1 "SELECT data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'event' AND column_name = 'created_at'")" = "timestamp with time zone"
NONTZ=$(q1 "SELECT string_agg(table_name || '.' || column_name || ' ' || data_type, ', ') FROM information_schema.columns c
             JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.column_name LIKE '%\_at' AND c.data_type <> 'timestamp with time zone'")
check "rule 9: every *_at column of every table is timestamptz (${NONTZ:-all})" test -z "$NONTZ"
check "rule 9: no column anywhere is a timestamp without time zone" test "$(q1 "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'")" = 0
# what the API says is the instant in the database, whatever the session zone (PGTZ of rmad)
api GET "/api/v1/rmas/$R9" "$ADMIN"
expect_jq '[.. | objects | to_entries[] | select(.key == "at" or (.key | endswith("_at"))) | .value | select(type == "string")] | all(test("(Z|[+-][0-9]{2}:?[0-9]{2})$"))' "rule 9: every *_at of the staff view has an offset"
API_AT=$(jqb '[.events[] | select(.kind == "destruction_certified")][0].at // ""')
DB_AT_OK=$(q1 "SELECT abs(extract(epoch FROM (timestamptz '$API_AT' - e.created_at))) < 1 FROM event e JOIN rma r ON r.id = e.rma_id
                WHERE r.rma_number = '$R9' AND e.kind = 'destruction_certified'" 2>&1)
check "rule 9: the event time the API shows ($API_AT) is the instant in the database" test "$DB_AT_OK" = t
NOW_OK=$(q1 "SELECT abs(extract(epoch FROM (now() - timestamptz '$API_AT'))) < 600" 2>&1)
check "rule 9: and that instant is now, not hours off" test "$NOW_OK" = t
api GET "/api/v1/track/$R9?postcode=$PII_POSTCODE" ""
expect_jq '[.. | objects | to_entries[] | select(.key == "at" or (.key | endswith("_at"))) | .value | select(type == "string")] | all(test("(Z|[+-][0-9]{2}:?[0-9]{2})$"))' "rule 9: every *_at of the public tracking answer has an offset"

# =================================================================================================
# Rule 10: personal data never appears on a public page without the second factor, in logs, or in
# a QR code.
# =================================================================================================
echo "# rule 10"
# no_pii WHAT FILE: none of the contact data in FILE
no_pii() {
    local t found=""
    for t in "${PII_TOKENS[@]}" "$PII_NAME" "$PII_EMAIL" "$PII_PHONE" "$PII_STREET"; do
        grep -qiF -- "$t" "$2" && found="$found '$t'"
    done
    if [ -z "$found" ]; then pass "rule 10: no personal data in $1"; else fail "rule 10: personal data in $1:$found" "$(grep -iF -m 3 -e "${PII_TOKENS[0]}" -e "${PII_TOKENS[1]}" -e "${PII_TOKENS[6]}" "$2" | head -c 400)"; fi
}
check "rule 10: the case holds the contact data (so the checks below mean something)" \
    test "$(q1 "SELECT contact_name || '|' || contact_email || '|' || addr_street FROM service_case WHERE case_number = '$C1'")" = "$PII_NAME|$PII_EMAIL|$PII_STREET"
serial_rma PSU7500001 PSU-750
R10=$RMA
# control: the staff view (behind a token) does show the contact data, so the grep would see it
curl -s --max-time 30 -H "Authorization: Bearer $ADMIN" -o "$T_TMP/staff10.json" "$BASE/api/v1/rmas/$R10"
check "rule 10: control: the staff view has the contact name, e-mail, phone and street" \
    test "$(grep -ciF -e "$PII_NAME" -e "$PII_EMAIL" -e "$PII_PHONE" -e "$PII_STREET" "$T_TMP/staff10.json")" -ge 1
check "rule 10: control: the staff view has them all" bash -c 'for t in "${@:2}"; do grep -qiF -- "$t" "$1" || exit 1; done' _ \
    "$T_TMP/staff10.json" "$PII_NAME" "$PII_EMAIL" "$PII_PHONE" "$PII_STREET"
get() { curl -s --max-time 30 -o "$T_TMP/$1" -w '%{http_code}' "${@:3}" "$BASE$2"; }
# the return label: QR of the inbound parcel, the part tag, and the outbound label later
curl -s --max-time 30 -H "Authorization: Bearer $DEPOT" -o "$T_TMP/r10.png" "$BASE/api/v1/rmas/$R10/parcels/1/label.png"
zbarimg --raw -q -Sdisable -Sqrcode.enable "$T_TMP/r10.png" >"$T_TMP/r10.qr" 2>/dev/null
P10=$(head -n 1 "$T_TMP/r10.qr")
check "rule 10: the return label's QR decodes to the parcel URL ($P10)" grep -qE "^HTTPS?://[A-Z0-9.:-]+/P/$R10/1/[0-9A-Z]{8}$" <<<"$P10"
no_pii "the QR of the return label" "$T_TMP/r10.qr"
curl -s --max-time 30 -H "Authorization: Bearer $DEPOT" -o "$T_TMP/r10tag.png" "$BASE/api/v1/rmas/$R10/parcels/1/tag.png"
zbarimg --raw -q -Sdisable -Sqrcode.enable "$T_TMP/r10tag.png" >"$T_TMP/r10tag.qr" 2>/dev/null
check "rule 10: the part tag's QR decodes" test -s "$T_TMP/r10tag.qr"
no_pii "the QR of the part tag" "$T_TMP/r10tag.qr"
PPATH="/P/${P10#*/P/}"
check "rule 10: the QR page (no second factor) answers 200" test "$(get p10.html "$PPATH")" = 200
check "rule 10: the QR page is the parcel's page" grep -q "$R10" "$T_TMP/p10.html"
no_pii "the QR page $PPATH" "$T_TMP/p10.html"
check "rule 10: the public JSON without the postcode answers 422 (no postcode)" test "$(get t10nf.json "/api/v1/track/$R10")" = 422
no_pii "the public JSON without the postcode" "$T_TMP/t10nf.json"
check "rule 10: the public JSON with a wrong postcode answers 404" test "$(get t10wr.json "/api/v1/track/$R10?postcode=60329")" = 404
no_pii "the public JSON with a wrong postcode" "$T_TMP/t10wr.json"
check "rule 10: the tracking page with a wrong postcode answers 404" test "$(get t10wr.html "/track?rma=$R10&postcode=60329")" = 404
no_pii "the tracking page with a wrong postcode" "$T_TMP/t10wr.html"
full_flow "$R10" PSU7500001
curl -s --max-time 30 -H "Authorization: Bearer $DEPOT" -o "$T_TMP/r10s.png" "$BASE/api/v1/rmas/$R10/shipments/1/label.png"
zbarimg --raw -q -Sdisable -Sqrcode.enable "$T_TMP/r10s.png" >"$T_TMP/r10s.qr" 2>/dev/null
check "rule 10: the outbound label's QR decodes to the shipment URL ($(head -n 1 "$T_TMP/r10s.qr"))" grep -qE "/S/$R10/1/[0-9A-Z]{8}$" "$T_TMP/r10s.qr"
no_pii "the QR of the outbound label" "$T_TMP/r10s.qr"
check "rule 10: the public tracking JSON with the postcode answers 200" test "$(get t10.json "/api/v1/track/$R10?postcode=$PII_POSTCODE")" = 200
check "rule 10: it is the delivered rma" jq -e '.status == "complete" and .rma_number == "'"$R10"'"' "$T_TMP/t10.json"
no_pii "the public tracking JSON (with the postcode)" "$T_TMP/t10.json"
check "rule 10: the tracking page with the postcode answers 200" test "$(get t10.html "/track?rma=$R10&postcode=$PII_POSTCODE")" = 200
check "rule 10: the tracking page shows the rma" grep -q "$R10" "$T_TMP/t10.html"
no_pii "the tracking page /track (GET, with the postcode)" "$T_TMP/t10.html"
check "rule 10: the tracking form posted answers 200" test "$(get t10p.html /track -X POST --data-urlencode "rma=$R10" --data-urlencode "postcode=$PII_POSTCODE")" = 200
no_pii "the tracking page /track (POST, with the postcode)" "$T_TMP/t10p.html"
check "rule 10: the QR page after delivery answers 200" test "$(get p10b.html "$PPATH")" = 200
no_pii "the QR page after delivery" "$T_TMP/p10b.html"
check "rule 10: the rmad log has the requests (RMAD_DEBUG=1 logs every request)" grep -q "POST /api/v1/cases -> 201" "$T_TMP/rmad.log"
no_pii "the rmad log after full flows (every case of this script has the contact data)" "$T_TMP/rmad.log"

finish

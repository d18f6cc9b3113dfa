#!/usr/bin/env bash
# POST /api/v1/rmas and GET /api/v1/rmas/{rma}: authorization with the screening decision as a
# record of its own, RMA numbers with a Damm check digit, lines and parcels, one open line per
# serial (rule 2), one event row with an actor per transition (rule 8), and the role checks.
source "$(dirname "$0")/../lib.sh"
rmad_setup

# damm_ok NUMBER: true when R + 9 digits and the Damm check over the 9 digits ends in 0.
damm_ok() {
    printf '%s\n' "$1" | awk '
        BEGIN {
            split("0317598642 7092154863 4206871359 1750983426 6123045978 " \
                  "3674209581 5869720134 8945362017 9438617205 2581436790", rows, " ")
            for (i = 0; i < 10; i++)
                for (j = 0; j < 10; j++)
                    t[i, j] = substr(rows[i + 1], j + 1, 1) + 0
        }
        {
            if (length($0) != 10 || $0 !~ /^R[0-9]+$/) exit 1
            d = 0
            for (k = 2; k <= 10; k++) d = t[d, substr($0, k, 1) + 0]
            exit (d == 0 ? 0 : 1)
        }'
}
# damm_digit DIGITS: the Damm check digit of DIGITS.
damm_digit() {
    python3 -c '
import sys
t = ["0317598642","7092154863","4206871359","1750983426","6123045978",
     "3674209581","5869720134","8945362017","9438617205","2581436790"]
d = 0
for c in sys.argv[1]:
    d = int(t[d][int(c)])
print(d)' "$1"
}

# rma_body CASE TYPE LINES_JSON OUTCOME: a request body.
rma_body() {
    jq -nc --arg c "$1" --arg t "$2" --argjson l "$3" --arg o "$4" '{
        case_number: $c, type: $t, lines: $l,
        screening: {outcome: $o, reason: "screened by phone", evidence: {answers: ["no drops"], log: "psu.log"}}}'
}
counts() {
    psql_t -c "SELECT (SELECT count(*) FROM rma) || '/' || (SELECT count(*) FROM screening) || '/' ||
        (SELECT count(*) FROM rma_line) || '/' || (SELECT count(*) FROM leg) || '/' ||
        (SELECT count(*) FROM parcel) || '/' || (SELECT count(*) FROM event)"
}
unchanged() { # unchanged BEFORE WHAT
    local now
    now=$(counts)
    if [ "$now" = "$1" ]; then pass "$2: nothing written"; else fail "$2: rows written" "rma/screening/line/leg/parcel/event $1 -> $now"; fi
}

# ---- an eligible RMA is authorized -------------------------------------------------------------
check "Damm digit of the textbook example 572 is 4" test "$(damm_digit 572)" = 4
check "the awk Damm check accepts R000000174" damm_ok R000000174
if damm_ok R000000175; then fail "the awk Damm check refuses R000000175"; else pass "the awk Damm check refuses R000000175"; fi
new_case SRV7400001 SRV-R740
expect_status 201 "case for SRV7400001"
CASE_A=$CASE
C0=$(counts)
new_rma "$CASE_A" SRV7400001 SRV-R740
expect_status 201 "eligible rma created"
RMA_A=$RMA
expect_jq '.rma_number | test("^R[0-9]{9}$")' "rma number is R and 9 digits"
check "rma number $RMA_A has a valid Damm check digit" damm_ok "$RMA_A"
check "the check digit is the Damm digit of the 8 sequence digits" test "${RMA_A:9:1}" = "$(damm_digit "${RMA_A:1:8}")"
expect_jq '.authorized == true' "eligible authorizes"
expect_jq '.status == "awaiting_return"' "status awaiting_return"
expect_jq '.type == "repair"' "type repair"
expect_jq '.case.case_number == "'"$CASE_A"'"' "the rma names its case"
expect_jq '(.parcels | length) == 1' "one parcel"
expect_jq '.parcels[0] | .direction == "inbound" and .parcel_no == 1 and .parcel_count == 1 and .state == "label_issued" and .line_no == 1' "the parcel is inbound 1 of 1, label issued"
expect_jq '.parcels[0].labels == {png: "/api/v1/rmas/'"$RMA_A"'/parcels/1/label.png", pdf: "/api/v1/rmas/'"$RMA_A"'/parcels/1/label.pdf", zpl: "/api/v1/rmas/'"$RMA_A"'/parcels/1/label.zpl"}' "the parcel links its labels"
expect_jq '(.lines | length) == 1 and .lines[0].serial_number == "SRV7400001" and .lines[0].quantity == 1 and .lines[0].received_quantity == 0 and .lines[0].open == true' "one open line for the serial"
expect_jq '.lines[0].legs.inbound.state == "label_issued" and .lines[0].legs.repair.state == "pending" and .lines[0].legs.outbound.state == "blocked"' "legs: inbound label_issued, repair pending, outbound blocked"
expect_jq '(.screening | length) == 1 and .screening[0].outcome == "eligible" and .screening[0].reason == "in warranty, no misuse" and .screening[0].evidence.notes == "ok"' "the screening decision is in the answer"
expect_jq '.screening[0].entitlement.lines[0] | .line_no == 1 and .serial_number == "SRV7400001" and .product_model == "SRV-R740" and .warranty_end == "2028-03-13" and .ship_date == "2025-03-14" and .contract == "ProSupport 3Y NBD"' "entitlement snapshot from the install base"
expect_jq '.screening[0].decided_by == "test agent"' "the screening names the engineer/agent who decided"
check "Location header names the rma" grep -qi "^Location: /api/v1/rmas/$RMA_A" <<<"$HEADERS"
check "one screening row with the warranty snapshot" test "$(psql_t -c "
    SELECT count(*) FROM screening s JOIN rma r ON r.id = s.rma_id
     WHERE r.rma_number = '$RMA_A' AND s.outcome = 'eligible'
       AND s.entitlement->'lines'->0->>'warranty_end' = '2028-03-13' AND s.evidence->>'notes' = 'ok'
       AND s.decided_by IS NOT NULL")" = 1
check "rma row authorized" test "$(psql_t -c "SELECT authorized FROM rma WHERE rma_number = '$RMA_A'")" = t
check "three legs in the database" test "$(psql_t -c "
    SELECT string_agg(g.kind || '=' || g.state, ',' ORDER BY g.kind) FROM leg g
      JOIN rma_line l ON l.id = g.line_id JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RMA_A'")" = "inbound=label_issued,outbound=blocked,repair=pending"
check "rule 8: rma_created + 3 leg_opened events, each with an actor and token" test "$(psql_t -c "
    SELECT string_agg(e.kind || ':' || coalesce(e.leg, '-') || ':' || e.to_state, ',' ORDER BY e.id)
      FROM event e JOIN rma r ON r.id = e.rma_id
     WHERE r.rma_number = '$RMA_A' AND e.actor <> '' AND e.actor_token_id IS NOT NULL")" = "rma_created:-:authorized,leg_opened:inbound:label_issued,leg_opened:repair:pending,leg_opened:outbound:blocked"
# (and the case's move to rma_requested: cases, lifecycle, issue 3)
check "rows written: 1 rma, 1 screening, 1 line, 3 legs, 1 parcel, 5 events" test "$(counts)" = "$(echo "$C0" | awk -F/ '{printf "%d/%d/%d/%d/%d/%d", $1+1, $2+1, $3+1, $4+3, $5+1, $6+5}')"

# ---- the staff view ----------------------------------------------------------------------------
api GET "/api/v1/rmas/$RMA_A" "$AGENT"
expect_status 200 "GET the staff view"
expect_jq '.rma_number == "'"$RMA_A"'" and .status == "awaiting_return"' "staff view: number and status"
expect_jq '.lines[0].legs.inbound.state == "label_issued" and .lines[0].legs.repair.state == "pending" and .lines[0].legs.outbound.state == "blocked"' "staff view: legs"
expect_jq '(.events | length) == 4 and all(.events[]; (.actor | type == "string" and length > 0))' "staff view: 4 events, each with an actor"
expect_jq '[.events[].kind] == ["rma_created", "leg_opened", "leg_opened", "leg_opened"]' "staff view: event kinds in order"
expect_jq '.case.contact.name == "Anna Schmidt" and .case.service_address.postcode == "60329"' "staff view shows the contact to staff"
expect_jq '.screening[0].entitlement.lines[0].warranty_end == "2028-03-13"' "staff view: the screening record"
api GET "/api/v1/rmas/$(tr 'R' 'r' <<<"$RMA_A")" "$AGENT"
expect_status 200 "a lower-case rma number finds the rma"
api GET "/api/v1/rmas/$RMA_A" "$DEPOT"
expect_status 200 "depot may read the staff view"
api GET "/api/v1/rmas/$RMA_A" "$ENGINEER"
expect_status 200 "engineer may read the staff view"
api GET "/api/v1/rmas/$RMA_A" "$ADMIN"
expect_status 200 "admin may read the staff view"
api GET "/api/v1/rmas/$RMA_A" "$CARRIER"
expect_status 403 "carrier may not read the staff view"
expect_jq '.error.code == "forbidden"' "carrier: forbidden error"
api GET "/api/v1/rmas/$RMA_A" ""
expect_status 401 "no token"
# unknown and malformed numbers
UNKNOWN="R99999998$(damm_digit 99999998)"
WRONG="${RMA_A:0:9}$(((${RMA_A:9:1} + 1) % 10))"
if damm_ok "$WRONG"; then fail "$WRONG fails the Damm check"; else pass "$WRONG fails the Damm check"; fi
api GET "/api/v1/rmas/$UNKNOWN" "$AGENT"
expect_status 404 "unknown rma $UNKNOWN"
expect_jq '.error.code == "not_found"' "unknown rma: not_found error"
api GET "/api/v1/rmas/$WRONG" "$AGENT"
expect_status 404 "wrong check digit $WRONG"
expect_jq '.error.code == "not_found"' "wrong check digit: not_found error"
for bad in R12345 RMA000001 R0000000000 X000000017 abc; do
    api GET "/api/v1/rmas/$bad" "$AGENT"
    expect_status 404 "malformed rma number $bad"
done

# ---- one open line per serial (rule 2) ----------------------------------------------------------
C0=$(counts)
new_rma "$CASE_A" SRV7400001 SRV-R740
expect_status 409 "a second rma for SRV7400001"
expect_error 409 "lines[0].serial_number" "second rma names the line's serial"
expect_jq '.error.code == "conflict"' "second rma: conflict"
unchanged "$C0" "second rma for the same serial"
new_rma "$CASE_A" srv7400001 SRV-R740
expect_error 409 "lines[0].serial_number" "the same serial in lower case"
unchanged "$C0" "the same serial in lower case"
check "still one open line for SRV7400001" test "$(psql_t -c "SELECT count(*) FROM rma_line WHERE serial_number = 'SRV7400001' AND open")" = 1
# the serial on line 2 of a two-line request: names lines[1]
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_A" repair '[{"serial_number":"PSU7500002","product_model":"PSU-750"},{"serial_number":"SRV7400001","product_model":"SRV-R740"}]' eligible)"
expect_error 409 "lines[1].serial_number" "open serial on the second line"
unchanged "$C0" "open serial on the second line (line 1 rolled back)"
check "PSU7500002 has no line after the rollback" test "$(psql_t -c "SELECT count(*) FROM rma_line WHERE serial_number = 'PSU7500002'")" = 0

# ---- not eligible: no authorization, no parcels, no label ------------------------------------------
new_case SRV7400002 SRV-R740
CASE_B=$CASE
C0=$(counts)
# cases: lifecycle (issue 3): misuse is no return to the depot; the refused decision stays a case event
api POST /api/v1/rmas "$ENGINEER" "$(rma_body "$CASE_B" repair '[{"serial_number":"SRV7400002","product_model":"SRV-R740"}]' misuse_suspected)"
expect_error 422 screening.outcome "misuse_suspected: no rma"
check "misuse: no rma, screening, line, leg or parcel; one case event" test "$(counts)" = "$(echo "$C0" | awk -F/ '{printf "%s/%s/%s/%s/%s/%d", $1, $2, $3, $4, $5, $6 + 1}')"
check "misuse: the refused decision with its evidence on the case" test "$(psql_t -c "SELECT e.actor || ':' || (e.evidence->'evidence'->'answers'->>0) FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$CASE_B' AND e.kind = 'case_screening_refused'")" = "test engineer:no drops"
C0=$(counts)
api POST /api/v1/rmas "$ENGINEER" "$(rma_body "$CASE_B" repair '[{"serial_number":"SRV7400002","product_model":"SRV-R740"}]' out_of_warranty)"
expect_status 201 "out_of_warranty rma recorded"
RMA_M=$(jqb .rma_number)
check "not authorized rma number has a valid check digit" damm_ok "$RMA_M"
expect_jq '.authorized == false and .status == "not_authorized"' "out_of_warranty: not_authorized"
expect_jq '.parcels == []' "out_of_warranty: no parcels"
expect_jq '.screening[0].outcome == "out_of_warranty" and .screening[0].decided_by == "test engineer"' "the decision is stored"
expect_jq '.screening[0].evidence.answers == ["no drops"]' "the evidence is stored"
expect_jq 'all(.lines[]; .legs == null or .legs == {})' "out_of_warranty: no legs"
check "out_of_warranty: one screening row" test "$(psql_t -c "SELECT count(*) FROM screening s JOIN rma r ON r.id = s.rma_id WHERE r.rma_number = '$RMA_M' AND s.outcome = 'out_of_warranty'")" = 1
check "out_of_warranty: no parcel rows" test "$(psql_t -c "SELECT count(*) FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.rma_number = '$RMA_M'")" = 0
check "out_of_warranty: one rma_created event to not_authorized and one quote_offered, with an actor" test "$(psql_t -c "
    SELECT string_agg(e.kind || ':' || e.to_state || ':' || e.actor, ',' ORDER BY e.id) FROM event e JOIN rma r ON r.id = e.rma_id
     WHERE r.rma_number = '$RMA_M'")" = "rma_created:not_authorized:test engineer,quote_offered:offered:test engineer"
for fmt in png pdf zpl; do
    api GET "/api/v1/rmas/$RMA_M/parcels/1/label.$fmt" "$AGENT"
    expect_status 409 "no $fmt label for a not authorized rma"
    expect_jq '.error.code == "conflict"' "label.$fmt of a not authorized rma: a JSON conflict"
done
k=0
for o in out_of_warranty not_a_fault ineligible; do
    k=$((k + 1))
    new_case SRVX-$k SRV-R740
    api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE" repair "[{\"serial_number\":\"SRVX-$k\",\"product_model\":\"SRV-R740\"}]" $o)"
    expect_status 201 "outcome $o recorded"
    expect_jq '.authorized == false and .status == "not_authorized" and .parcels == []' "$o does not authorize"
done
# a line that was not authorized does not hold its serial: it can be screened again
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_B" repair '[{"serial_number":"SRV7400002","product_model":"SRV-R740"}]' eligible)"
expect_status 201 "a serial refused before may be screened again and authorized"
expect_jq '.status == "awaiting_return"' "the re-screened rma awaits the return"
check "rule 2: SRV7400002 has exactly one open line" test "$(psql_t -c "SELECT count(*) FROM rma_line WHERE serial_number = 'SRV7400002' AND open")" = 1

# ---- lines: several, quantities, catalog and install base ----------------------------------------
new_case NBX130001 NB-X13
CASE_C=$CASE
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '[{"serial_number":"NBX130001","product_model":"NB-X13"},{"serial_number":"PSU7500001","product_model":"PSU-750"}]' eligible)"
expect_status 201 "two lines with distinct serials"
RMA_2=$(jqb .rma_number)
expect_jq '(.lines | length) == 2 and [.lines[].line_no] == [1, 2]' "two lines numbered 1 and 2"
expect_jq '[.parcels[] | [.parcel_no, .parcel_count, .line_no, .direction]] == [[1, 2, 1, "inbound"], [2, 2, 2, "inbound"]]' "parcels 1 of 2 and 2 of 2, one per line"
expect_jq 'all(.parcels[]; .labels.png | test("/parcels/[12]/label.png$"))' "each parcel links its label"
expect_jq 'all(.lines[]; .legs.inbound.state == "label_issued")' "each line has its inbound leg"
check "6 leg_opened + 1 rma_created events for two lines" test "$(psql_t -c "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$RMA_2'")" = 7

C0=$(counts)
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '[{"serial_number":"NBX130002","product_model":"NB-X13"},{"serial_number":"NBX130002","product_model":"NB-X13"}]' eligible)"
expect_error 422 "lines[1].serial_number" "the same serial on two lines"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '[{"serial_number":"NBX130002","product_model":"NB-X13","quantity":2}]' eligible)"
expect_error 422 "lines[0].quantity" "a serialised line with quantity 2"
for q in 0 -1 1.5 '"1"' 100001; do
    api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair "[{\"product_model\":\"KB-US\",\"quantity\":$q}]" eligible)"
    expect_error 422 "lines[0].quantity" "quantity $q"
done
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '[{"serial_number":"KBUS0001","product_model":"KB-US"}]' eligible)"
expect_error 422 "lines[0].serial_number" "a serial on a non-serialised part (KB-US)"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '[{"product_model":"NB-X13"}]' eligible)"
expect_error 422 "lines[0].serial_number" "a serialised model without a serial"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '[{"serial_number":"SRV7400003","product_model":"NB-X13"}]' eligible)"
if [ "$STATUS" = 422 ] && jqb .error.field | grep -qE '^lines\[0\]\.(product_model|serial_number)$'; then
    pass "model mismatch with the install base refused (422 $(jqb .error.field))"
else
    fail "model mismatch with the install base: want 422 naming lines[0]" "$STATUS $BODY"
fi
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '[{"serial_number":"NBX130002","product_model":"NO-SUCH"}]' eligible)"
expect_error 422 "lines[0].product_model" "unknown product model on a line"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '[{"serial_number":"NBX 130002","product_model":"NB-X13"}]' eligible)"
expect_error 422 "lines[0].serial_number" "a serial with a space"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '[{"serial_number":"NBX130002"}]' eligible)"
expect_error 422 "lines[0].product_model" "a line without a product model"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '["NBX130002"]' eligible)"
expect_error 422 "lines[0]" "a line that is not an object"
api POST /api/v1/rmas "$AGENT" "$(rma_body C99999999 repair '[{"serial_number":"NBX130002","product_model":"NB-X13"}]' eligible)"
expect_error 422 case_number "an unknown case"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" swap '[{"serial_number":"NBX130002","product_model":"NB-X13"}]' eligible)"
expect_error 422 type "an unknown type"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '[]' eligible)"
expect_error 422 lines "empty lines"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '{"serial_number":"NBX130002"}' eligible)"
expect_error 422 lines "lines as an object"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '[{"serial_number":"NBX130002","product_model":"NB-X13"}]' probably_fine)"
expect_error 422 screening.outcome "an unknown screening outcome"
B=$(rma_body "$CASE_C" repair '[{"serial_number":"NBX130002","product_model":"NB-X13"}]' eligible)
for f in case_number type lines screening screening.outcome screening.reason; do
    api POST /api/v1/rmas "$AGENT" "$(jq -c "del(.$f)" <<<"$B")"
    expect_error 422 "$f" "missing $f"
done
api POST /api/v1/rmas "$AGENT" "$(jq -c '.screening.evidence = 5' <<<"$B")"
expect_error 422 screening.evidence "evidence as a number"
api POST /api/v1/rmas "$AGENT" "$(jq -c '.case_number = 12' <<<"$B")"
expect_error 422 case_number "case number as a number"
api POST /api/v1/rmas "$AGENT" '{"case_number": '
expect_status 400 "malformed JSON"
api POST /api/v1/rmas "$AGENT" "$B" text/plain
expect_status 415 "text/plain body"
api POST /api/v1/rmas "$DEPOT" "$B"
expect_status 403 "depot may not authorize an rma"
api POST /api/v1/rmas "$CARRIER" "$B"
expect_status 403 "carrier may not authorize an rma"
api POST /api/v1/rmas "" "$B"
expect_status 401 "no token"
unchanged "$C0" "refused rma requests"

api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '[{"product_model":"KB-US","quantity":5}]' eligible)"
expect_status 201 "a non-serialised part (KB-US) with quantity 5"
expect_jq '.lines[0].quantity == 5 and .lines[0].serial_number == null and .lines[0].product_model == "KB-US"' "KB-US line: quantity 5, no serial"
expect_jq '.status == "awaiting_return" and (.parcels | length) == 1' "KB-US: authorized with one parcel"
expect_jq '.screening[0].entitlement.lines[0] | .in_install_base == false and .serial_number == null' "no install-base entitlement for a part without a serial"
api POST /api/v1/rmas "$AGENT" "$(rma_body "$CASE_C" repair '[{"product_model":"KB-US","quantity":2}]' eligible)"
expect_status 201 "non-serialised parts do not block each other"
api POST /api/v1/rmas "$ADMIN" "$B"
expect_status 201 "admin may authorize"

# ---- rule 2 under concurrency: 6 racing requests for one serial -> one 201, the rest 409 -----------
new_case SSD9600001 SSD-960
RB=$(rma_body "$CASE" repair '[{"serial_number":"SSD9600001","product_model":"SSD-960"}]' eligible)
printf '%s' "$RB" >"$T_TMP/race.json"
pids=()
for i in 1 2 3 4 5 6; do
    curl -s --max-time 30 -o "$T_TMP/race.$i" -w '%{http_code}' -X POST -H "Authorization: Bearer $AGENT" \
        -H "Content-Type: application/json" --data-binary "@$T_TMP/race.json" \
        "$BASE/api/v1/rmas" >"$T_TMP/race.$i.status" &
    pids+=($!)
done
wait "${pids[@]}"
codes=$(for f in "$T_TMP"/race.*.status; do cat "$f"; echo; done | sort | tr '\n' ' ')
check "racing rmas for one serial: one 201 and five 409 (got $codes)" test "$codes" = "201 409 409 409 409 409 "
check "racing rmas: one open line for SSD9600001" test "$(psql_t -c "SELECT count(*) FROM rma_line WHERE serial_number = 'SSD9600001'")" = 1
check "racing rmas: every rma row has exactly one screening" test "$(psql_t -c "SELECT count(*) FROM rma r WHERE (SELECT count(*) FROM screening s WHERE s.rma_id = r.id) <> 1")" = 0

# rule 1: every number issued is unique and carries a valid check digit
check "all rma numbers are unique" test "$(psql_t -c "SELECT count(*) - count(DISTINCT rma_number) FROM rma")" = 0
all_ok=1
for n in $(psql_t -c "SELECT rma_number FROM rma"); do damm_ok "$n" || all_ok=0; done
check "all rma numbers pass the Damm check" test "$all_ok" = 1
# rule 8 over everything written by this script
check "rule 8: no event without an actor" test "$(psql_t -c "SELECT count(*) FROM event WHERE actor IS NULL OR actor = '' OR actor_token_id IS NULL")" = 0

finish

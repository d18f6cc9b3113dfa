#!/usr/bin/env bash
# Depot authorization and money (issue 4, area A): authorization per repair type with spares
# reserved in the same transaction, core due dates, quotes (offer, accept, decline, expire),
# charges (settle, waive, awaiting_settlement), close and cancel (rule 6), the destruction
# certificate, the core policy sweep and the report of outstanding cores; roles and bad input.
source "$(dirname "$0")/../lib.sh"
rmad_setup

# rma_body CASE TYPE LINES_JSON OUTCOME
rma_body() {
    jq -nc --arg c "$1" --arg t "$2" --argjson l "$3" --arg o "$4" '{
        case_number: $c, type: $t, lines: $l,
        screening: {outcome: $o, reason: "screened by phone", evidence: {answers: ["no drops"]}}}'
}
counts() {
    psql_t -c "SELECT (SELECT count(*) FROM rma) || '/' || (SELECT count(*) FROM rma_line) || '/' ||
        (SELECT count(*) FROM leg) || '/' || (SELECT count(*) FROM parcel) || '/' ||
        (SELECT count(*) FROM event) || '/' || (SELECT count(*) FROM quote) || '/' ||
        (SELECT count(*) FROM charge) || '/' ||
        (SELECT count(*) FROM spare_unit WHERE status <> 'available') || '/' ||
        (SELECT string_agg(reserved::text, ',' ORDER BY product_model) FROM spare_bin) || '/' ||
        (SELECT count(*) FROM screening)"
}
unchanged() { # unchanged BEFORE WHAT
    local now
    now=$(counts)
    if [ "$now" = "$1" ]; then pass "$2: nothing written"; else fail "$2: rows written" "$1 -> $now"; fi
}
# authorize CASE TYPE LINES_JSON [OUTCOME]: POST /rmas, sets RMA
authorize() {
    api POST /api/v1/rmas "$AGENT" "$(rma_body "$1" "$2" "$3" "${4:-eligible}")"
    RMA=$(jqb '.rma_number // ""')
}
day_plus() { psql_t -c "SELECT (current_date + $1)::text"; }
leg_sql() { # leg_sql RMA LINE KIND STATE: moves a leg in SQL (stands in for another area's step)
    psql_t -c "UPDATE leg g SET state = '$4' FROM rma_line l JOIN rma r ON r.id = l.rma_id
        WHERE g.line_id = l.id AND r.rma_number = '$1' AND l.line_no = $2 AND g.kind = '$3'"
}
events_of() { psql_t -c "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$1' AND e.kind = '$2'"; }

# ---- scenario 2: advance replacement of a power supply -----------------------------------------
new_case PSU7500001 PSU-750
CASE_PSU=$CASE
authorize "$CASE_PSU" advance_replacement '[{"serial_number":"PSU7500001","product_model":"PSU-750"}]'
expect_status 201 "advance replacement of PSU-750 authorized"
RMA_PSU=$RMA
DUE=$(day_plus 15)
expect_jq '.authorized == true and .status == "ready_to_ship"' "authorized, ready to ship at once"
expect_jq '.lines[0].legs.outbound.state == "ready" and .lines[0].legs.inbound.state == "label_issued" and (.lines[0].legs | has("repair") | not)' "outbound ready, inbound core awaiting (label issued), no repair leg"
expect_jq '.lines[0].core_due_date == "'"$DUE"'"' "core due in 15 days ($DUE)"
expect_jq '.lines[0].spare_serial | test("^SPSU750090[1-3]$")' "a PSU spare is reserved for the line"
expect_jq '.lines[0].install_guide | test("latches")' "installation guidance goes with the spare"
expect_jq '[.parcels[] | select(.direction == "inbound")] | length == 1' "one inbound parcel for the core"
check "the spare row is reserved for the line in the database" test "$(psql_t -c "SELECT count(*) FROM spare_unit s JOIN rma_line l ON l.id = s.line_id JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RMA_PSU' AND s.status = 'reserved'")" = 1
check "one event per leg opened" test "$(events_of "$RMA_PSU" leg_opened)" = 2

# atomicity: use up the PSU spares, then the next advance replacement writes nothing
new_case PSU7500002 PSU-750
authorize "$CASE" advance_replacement '[{"serial_number":"PSU7500002","product_model":"PSU-750"}]'
expect_status 201 "second PSU spare reserved"
new_case PSUX000009 PSU-750
authorize "$CASE" advance_replacement '[{"serial_number":"PSUX000009","product_model":"PSU-750"}]'
expect_status 201 "third (last) PSU spare reserved"
new_case PSUX000010 PSU-750
CASE_NOSTOCK=$CASE
C0=$(counts)
authorize "$CASE_NOSTOCK" advance_replacement '[{"serial_number":"PSUX000010","product_model":"PSU-750"}]'
expect_error 409 "lines[0].product_model" "no PSU spare in stock"
unchanged "$C0" "advance replacement without stock"
check "no core due date, leg or parcel for PSUX000010" test "$(psql_t -c "SELECT count(*) FROM rma_line WHERE serial_number = 'PSUX000010'")" = 0

# only easy-to-install or separately sold parts
new_case SRV7400002 SRV-R740
C0=$(counts)
authorize "$CASE" advance_replacement '[{"serial_number":"SRV7400002","product_model":"SRV-R740"}]'
expect_error 422 "lines[0].product_model" "advance replacement of a rack server"
unchanged "$C0" "refused advance replacement"

# ---- scenario 3: spare delivered, core still on its way ----------------------------------------
leg_sql "$RMA_PSU" 1 outbound delivered
leg_sql "$RMA_PSU" 1 inbound in_transit
api GET "/api/v1/rmas/$RMA_PSU" "$AGENT"
expect_jq '.lines[0].legs.outbound.state == "delivered" and .lines[0].legs.inbound.state == "in_transit"' "staff view: outbound delivered, inbound awaiting (in transit)"
expect_jq '.status == "in_transit" and .status != "complete" and .closed_at == null' "the RMA is open, not complete"
leg_sql "$RMA_PSU" 1 inbound label_issued

# ---- scenario 9: a second replacement for a line whose spare has shipped -----------------------
psql_t -c "UPDATE spare_unit SET status = 'shipped' WHERE line_id = (SELECT l.id FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RMA_PSU')"
new_case PSU7500001 PSU-750
C0=$(counts)
authorize "$CASE" advance_replacement '[{"serial_number":"PSU7500001","product_model":"PSU-750"}]'
expect_error 409 "lines[0].serial_number" "second replacement for PSU7500001 after its spare shipped"
unchanged "$C0" "second replacement"
authorize "$CASE" exchange '[{"serial_number":"PSU7500001","product_model":"PSU-750"}]'
expect_error 409 "lines[0].serial_number" "an exchange for the same serial is refused too"

# ---- scenario 1: keyboard under a no-return policy ---------------------------------------------
new_case KBNOSERIAL KB-US
CASE_KB=$CASE
BIN0=$(psql_t -c "SELECT reserved FROM spare_bin WHERE product_model = 'KB-US'")
authorize "$CASE_KB" replacement_no_return '[{"product_model":"KB-US","quantity":1}]'
expect_status 201 "keyboard replacement without return authorized"
RMA_KB=$RMA
expect_jq '.status == "ready_to_ship" and .lines[0].legs.outbound.state == "ready"' "outbound ready at once"
expect_jq '(.lines[0].legs | keys) == ["outbound"] and (.parcels // [] | length) == 0' "no inbound leg, no return parcel"
expect_jq '.lines[0].install_guide == "Plug the keyboard into any USB port."' "the keyboard's guidance is in the view"
check "one keyboard reserved from the bin" test "$(psql_t -c "SELECT reserved FROM spare_bin WHERE product_model = 'KB-US'")" = $((BIN0 + 1))
# delivered: moved in SQL, standing in for area C's pack/ship/deliver steps
leg_sql "$RMA_KB" 1 outbound delivered
api GET "/api/v1/rmas/$RMA_KB" "$AGENT"
expect_jq '.status == "complete"' "the RMA completes when the spare is delivered"

# a non-easy-install part may go as an exchange or replacement: SRV spare with exchange
new_case SRV7400002 SRV-R740
authorize "$CASE" exchange '[{"serial_number":"SRV7400002","product_model":"SRV-R740"}]'
expect_status 201 "exchange of a server"
RMA_EX=$RMA
expect_jq '.lines[0].legs.inbound.state == "label_issued" and .lines[0].legs.outbound.state == "blocked" and .lines[0].spare_serial == "SSRV7400901"' "exchange: inbound + outbound blocked + spare reserved"
# factory escalation: inbound + repair + outbound
new_case NBX130002 NB-X13
authorize "$CASE" factory '[{"serial_number":"NBX130002","product_model":"NB-X13"}]'
expect_status 201 "factory escalation authorized"
expect_jq '(.lines[0].legs | keys) == ["inbound", "outbound", "repair"] and .lines[0].spare_serial == null and .lines[0].core_due_date == null' "factory: three legs, no spare, no due date"

# ---- quotes ------------------------------------------------------------------------------------
new_case SRV7400003 SRV-R740
CASE_OOW=$CASE
authorize "$CASE_OOW" repair '[{"serial_number":"SRV7400003","product_model":"SRV-R740"}]' out_of_warranty
expect_status 201 "out-of-warranty repair recorded"
RMA_OOW=$RMA
expect_jq '.authorized == false and .status == "not_authorized" and (.parcels // [] | length) == 0' "not authorized, no parcels"
expect_jq '.quotes | length == 1' "a quote is offered with it"
api GET "/api/v1/rmas/$RMA_OOW/quote" "$ENGINEER"
expect_status 200 "GET quote"
expect_jq '.status == "offered" and .total_cents == 45000 and .currency == "EUR" and .expires_on == "'"$(day_plus 14)"'"' "offered, 450.00 EUR, expires in 14 days"
expect_jq '.lines == [{"line_no": 1, "description": "repair of Rack server R740 SRV7400003", "coverage": "customer", "amount_cents": 45000}]' "priced line with coverage customer"
check "one quote_offered event" test "$(events_of "$RMA_OOW" quote_offered)" = 1

new_case NBX130001 NB-X13
authorize "$CASE" repair '[{"serial_number":"NBX130001","product_model":"NB-X13"}]' misuse_suspected
# cases: lifecycle (issue 3): misuse is no return to the depot (the decision stays a case event)
expect_error 422 screening.outcome "misuse suspected: no rma, no quote"
new_case NBX130003 NB-X13
authorize "$CASE" repair '[{"serial_number":"NBX130003","product_model":"NB-X13"}]' out_of_warranty
RMA_MIS=$RMA
expect_jq '.quotes[0].total_cents == 18000 and .quotes[0].lines[0].coverage == "customer"' "out of warranty: the customer pays"
new_case SRV7400001 SRV-R740
authorize "$CASE" repair '[{"serial_number":"SRV7400001","product_model":"SRV-R740"}]' not_a_fault
RMA_COV=$RMA
expect_jq '.quotes[0].total_cents == 0 and .quotes[0].lines[0].coverage == "warranty" and .quotes[0].lines[0].amount_cents == 0' "a unit in warranty: coverage warranty, amount 0"

# roles and bad input on quotes
api GET "/api/v1/rmas/$RMA_OOW/quote" "$DEPOT"
expect_status 403 "depot may not read quotes"
api POST "/api/v1/rmas/$RMA_OOW/quote/accept" "$DEPOT" '{}'
expect_status 403 "depot may not accept a quote"
api POST "/api/v1/rmas/$RMA_OOW/quote/accept" "$CARRIER" '{}'
expect_status 403 "carrier may not accept a quote"
api POST "/api/v1/rmas/$RMA_OOW/quote/accept" "$AGENT" '{"note": 5}'
expect_error 422 note "note must be text"
api POST "/api/v1/rmas/$RMA_OOW/quote/decline" "$AGENT" '{}'
expect_error 422 reason "decline needs a reason"
api GET "/api/v1/rmas/$RMA_PSU/quote" "$AGENT"
expect_error 404 quote "an authorized RMA has no quote"
api GET "/api/v1/rmas/R000000000/quote" "$AGENT"
expect_status 404 "quote of an unknown RMA"

# accept: authorized and chargeable, legs and parcels as an eligible authorization
api POST "/api/v1/rmas/$RMA_OOW/quote/accept" "$AGENT" '{"note": "customer approved by e-mail"}'
expect_status 200 "quote accepted"
expect_jq '.authorized == true and .chargeable == true and .status == "awaiting_return"' "authorized and chargeable"
expect_jq '.lines[0].open == true and .lines[0].legs.inbound.state == "label_issued" and .lines[0].legs.repair.state == "pending" and .lines[0].legs.outbound.state == "blocked"' "legs opened"
expect_jq '(.parcels | length) == 1 and .parcels[0].state == "label_issued"' "inbound parcel issued"
expect_jq '.charges == [.charges[0]] and .charges[0].kind == "quote" and .charges[0].amount_cents == 45000 and .charges[0].status == "open"' "an open charge for the quote total"
expect_jq '.quotes[0].status == "accepted" and .quotes[0].decision_note == "customer approved by e-mail"' "the quote is accepted"
check "one quote_accepted event" test "$(events_of "$RMA_OOW" quote_accepted)" = 1
C0=$(counts)
api POST "/api/v1/rmas/$RMA_OOW/quote/accept" "$AGENT" '{}'
expect_error 409 quote "accepting twice"
unchanged "$C0" "second accept"
api POST "/api/v1/rmas/$RMA_OOW/quote/decline" "$AGENT" '{"reason": "too late"}'
expect_error 409 quote "declining an accepted quote"

# decline: closed with the reason
api POST "/api/v1/rmas/$RMA_MIS/quote/decline" "$AGENT" '{"reason": "customer declined the price"}'
expect_status 200 "quote declined"
expect_jq '.status == "closed" and .close_reason == "customer declined the price" and .quotes[0].status == "declined"' "declined: the RMA is closed with the reason"
check "one quote_declined event" test "$(events_of "$RMA_MIS" quote_declined)" = 1

# rule 2 at accept: the serial got another open line meanwhile
new_case NBX130001 NB-X13
authorize "$CASE" repair '[{"serial_number":"NBX130001","product_model":"NB-X13"}]' out_of_warranty
RMA_Q2=$RMA
authorize "$CASE" repair '[{"serial_number":"NBX130001","product_model":"NB-X13"}]' eligible
expect_status 201 "meanwhile an eligible RMA holds NBX130001"
C0=$(counts)
api POST "/api/v1/rmas/$RMA_Q2/quote/accept" "$AGENT" '{}'
expect_error 409 "lines[0].serial_number" "accepting a quote for a serial with an open line"
unchanged "$C0" "refused accept"

# expiry: an expired quote reads as expired before the sweep and cannot be accepted
new_case NBX130003 NB-X13
authorize "$CASE" repair '[{"serial_number":"NBX130003","product_model":"NB-X13"}]' out_of_warranty
RMA_EXP=$RMA
psql_t -c "UPDATE quote SET expires_on = current_date - 1 WHERE rma_id = (SELECT id FROM rma WHERE rma_number = '$RMA_EXP')"
api GET "/api/v1/rmas/$RMA_EXP/quote" "$AGENT"
expect_jq '.status == "expired"' "an unswept quote past its date reads expired"
api POST "/api/v1/rmas/$RMA_EXP/quote/accept" "$AGENT" '{}'
expect_error 409 quote "an expired quote cannot be accepted"
# the job, with an explicit today
authorize "$CASE_OOW" factory '[{"serial_number":"SRV7400003","product_model":"SRV-R740"}]' eligible
expect_error 409 "lines[0].serial_number" "SRV7400003 is held by the accepted quote's RMA (rule 2)"
new_case MEM32G0001 MEM-32G
authorize "$CASE" advance_replacement '[{"serial_number":"MEM32G0001","product_model":"MEM-32G"}]' out_of_warranty
RMA_EXP2=$RMA
expect_jq '.quotes[0].total_cents == 0 and .quotes[0].lines[0].coverage == "warranty"' "MEM in warranty: replacement at no cost"
api POST /api/v1/jobs/expire-quotes "$AGENT" '{}'
expect_status 403 "only admin runs the expiry job"
api POST /api/v1/jobs/expire-quotes "$ADMIN" '{"today": "2026-02-30"}'
expect_error 422 today "today must be a real date"
api POST /api/v1/jobs/expire-quotes "$ADMIN" '{"today": "'"$(day_plus 10)"'"}'
expect_status 200 "expiry job, 10 days on"
expect_jq '.expired == ["'"$RMA_EXP"'"]' "only the quote past its date expires"
api POST /api/v1/jobs/expire-quotes "$ADMIN" '{"today": "'"$(day_plus 15)"'"}'
expect_jq '(.expired | index("'"$RMA_EXP2"'")) != null and (.expired | index("'"$RMA_COV"'")) != null' "15 days on, the other offers expire"
api POST /api/v1/jobs/expire-quotes "$ADMIN" '{"today": "'"$(day_plus 15)"'"}'
expect_jq '.expired == []' "running it again expires nothing"
api GET "/api/v1/rmas/$RMA_EXP2" "$AGENT"
expect_jq '.status == "closed" and .close_reason == "quote expired" and .quotes[0].status == "expired"' "expired: RMA closed"
api POST "/api/v1/rmas/$RMA_EXP2/quote/accept" "$AGENT" '{}'
expect_error 409 quote "accepting after expiry"

# ---- charges -----------------------------------------------------------------------------------
api GET "/api/v1/rmas/$RMA_OOW/charges" "$DEPOT"
expect_status 200 "charges of an RMA"
CH=$(jqb '.charges[0].id')
expect_jq '.charges | length == 1' "one charge"
api POST "/api/v1/charges/$CH/settle" "$AGENT" '{}'
expect_error 422 reference "settle needs a reference"
api POST "/api/v1/charges/$CH/waive" "$AGENT" '{}'
expect_error 422 reason "waive without a reason"
api POST "/api/v1/charges/$CH/waive" "$AGENT" '{"reason": ""}'
expect_error 422 reason "waive with an empty reason"
api POST "/api/v1/charges/$CH/settle" "$ENGINEER" '{"reference": "INV-1"}'
expect_status 403 "engineer may not settle"
api POST "/api/v1/charges/$CH/settle" "$DEPOT" '{"reference": "INV-1"}'
expect_status 403 "depot may not settle"
api POST "/api/v1/charges/999999/settle" "$AGENT" '{"reference": "INV-1"}'
expect_error 404 charge "unknown charge"
api POST "/api/v1/charges/abc/settle" "$AGENT" '{"reference": "INV-1"}'
expect_status 404 "malformed charge id"
# the repair finishes and the unit is delivered (area B/C steps stand in as SQL)
leg_sql "$RMA_OOW" 1 inbound dispositioned
leg_sql "$RMA_OOW" 1 repair repaired
leg_sql "$RMA_OOW" 1 outbound delivered
api GET "/api/v1/rmas/$RMA_OOW" "$AGENT"
expect_jq '.status == "awaiting_settlement"' "an open charge: awaiting_settlement, not complete"
api POST "/api/v1/charges/$CH/settle" "$AGENT" '{"reference": "INV-2026-0042", "note": "paid by card"}'
expect_status 200 "charge settled"
expect_jq '.status == "settled" and .reference == "INV-2026-0042" and .close_reason == "paid by card" and .closed_by == "test agent"' "settled with its reference"
api POST "/api/v1/charges/$CH/waive" "$AGENT" '{"reason": "goodwill"}'
expect_error 409 charge "a settled charge cannot be waived"
api GET "/api/v1/rmas/$RMA_OOW" "$AGENT"
expect_jq '.status == "complete"' "settled: the RMA completes"
check "one charge_settled event" test "$(events_of "$RMA_OOW" charge_settled)" = 1

# ---- the core policy ---------------------------------------------------------------------------
new_case MEM32G0001 MEM-32G
authorize "$CASE" advance_replacement '[{"serial_number":"MEM32G0001","product_model":"MEM-32G"}]'
expect_status 201 "memory advance replacement"
RMA_MEM=$RMA
MDUE=$(jqb '.lines[0].core_due_date')
# no core is owed before the spare ships (bug 8): nothing at all, even past the due date
api POST /api/v1/jobs/core-sweep "$ADMIN" '{"today": "'"$(day_plus 16)"'"}'
expect_jq '[.lines[] | select(.rma_number == "'"$RMA_MEM"'")] == []' "spare not shipped: no reminder, no overdue, no charge"
api GET "/api/v1/rmas/$RMA_MEM" "$AGENT"
expect_jq '.lines[0].legs.inbound.state == "label_issued" and (.charges // [] | length) == 0' "spare not shipped: inbound untouched, no charge"
check "spare not shipped: no reminder" test "$(psql_t -c "SELECT count(*) FROM reminder m JOIN rma_line l ON l.id = m.line_id JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RMA_MEM'")" = 0
leg_sql "$RMA_MEM" 1 outbound shipped
api POST /api/v1/jobs/core-sweep "$AGENT" '{}'
expect_status 403 "only admin runs the core sweep"
api POST /api/v1/jobs/core-sweep "$ADMIN" '{"today": "yesterday"}'
expect_error 422 today "today must be a date"
api POST /api/v1/jobs/core-sweep "$ADMIN" '{"today": "'"$(day_plus 5)"'"}'
expect_jq '.lines == []' "5 days in: nothing to do"
api POST /api/v1/jobs/core-sweep "$ADMIN" '{"today": "'"$(day_plus 12)"'"}'
expect_jq '[.lines[] | select(.rma_number == "'"$RMA_MEM"'")] == [{"rma_number": "'"$RMA_MEM"'", "line_no": 1, "core_due_date": "'"$MDUE"'", "actions": ["core_due_soon"]}]' "3 days before the due date: a due_soon reminder"
api POST /api/v1/jobs/core-sweep "$ADMIN" '{"today": "'"$(day_plus 13)"'"}'
expect_jq '[.lines[] | select(.rma_number == "'"$RMA_MEM"'")] == []' "never the same reminder twice"
api POST /api/v1/jobs/core-sweep "$ADMIN" '{"today": "'"$(day_plus 16)"'"}'
expect_jq '[.lines[] | select(.rma_number == "'"$RMA_MEM"'")][0].actions == ["core_overdue", "inbound_overdue", "charge_raised"]' "after the due date: reminder, overdue leg, charge"
api POST /api/v1/jobs/core-sweep "$ADMIN" '{"today": "'"$(day_plus 17)"'"}'
expect_jq '[.lines[] | select(.rma_number == "'"$RMA_MEM"'")] == []' "overdue handled once"
api GET "/api/v1/rmas/$RMA_MEM" "$AGENT"
expect_jq '.lines[0].legs.inbound.state == "overdue" and .lines[0].legs.outbound.state == "shipped"' "inbound overdue, the spare shipped"
expect_jq '[.charges[] | select(.kind == "overdue_core")] | length == 1 and .[0].amount_cents == 15000 and .[0].status == "open"' "overdue charge of the part's price"
check "one overdue leg event" test "$(psql_t -c "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$RMA_MEM' AND e.kind = 'overdue' AND e.leg = 'inbound'")" = 1
check "two reminders, one each" test "$(psql_t -c "SELECT string_agg(kind, ',' ORDER BY kind) FROM reminder m JOIN rma_line l ON l.id = m.line_id JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RMA_MEM'")" = core_due_soon,core_overdue

# the report
api GET /api/v1/reports/outstanding-cores "$ENGINEER"
expect_status 403 "engineer does not read the cores report"
api GET /api/v1/reports/outstanding-cores "$DEPOT"
expect_status 200 "outstanding cores"
expect_jq '[.cores[] | select(.rma_number == "'"$RMA_MEM"'")][0] | .serial_number == "MEM32G0001" and (.spare_serial | test("^SMEM32G090")) and .core_due_date == "'"$MDUE"'" and .days_overdue == 0 and .inbound == "overdue" and (.reminders | length) == 2 and .charge.amount_cents == 15000' "the MEM core with spare, due date, reminders and charge"
expect_jq '[.cores[] | .rma_number] | index("'"$RMA_KB"'") == null' "a no-return line owes no core"

# a late core earns a credit: 100% within 14 days late, 50% up to 30
late_core() { # late_core RMA DAYS_LATE: the core of RMA arrives DAYS_LATE days after its due date
    psql_t -c "UPDATE rma_line SET core_due_date = current_date - $2 WHERE rma_id = (SELECT id FROM rma WHERE rma_number = '$1')"
    api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$1" '{code: $c, station: "dock-1"}')"
}
late_core "$RMA_MEM" 5
expect_jq '.outcome == "received"' "the late MEM core is received at the dock"
api GET "/api/v1/rmas/$RMA_MEM" "$AGENT"
expect_jq '.lines[0].core_returned_at != null' "the core is marked returned"
expect_jq '[.charges[] | select(.kind == "late_core_credit")] | length == 1 and .[0].amount_cents == -15000' "5 days late: 100% credit"
new_case PSU7500002 PSU-750
psql_t -c "UPDATE spare_unit SET status = 'available', line_id = NULL WHERE serial_number = 'SPSU7500903' AND status = 'reserved'" >/dev/null
api POST "/api/v1/rmas/$(psql_t -c "SELECT r.rma_number FROM rma r JOIN rma_line l ON l.rma_id = r.id WHERE l.serial_number = 'PSU7500002' AND l.open")/close" "$AGENT" '{"reason": "replaced by a new RMA for the late-core test"}'
expect_status 200 "the earlier PSU7500002 RMA is closed"
authorize "$CASE" advance_replacement '[{"serial_number":"PSU7500002","product_model":"PSU-750"}]'
expect_status 201 "a new PSU advance replacement (its spare released by the close)"
RMA_LATE=$RMA
leg_sql "$RMA_LATE" 1 outbound shipped
api POST /api/v1/jobs/core-sweep "$ADMIN" '{"today": "'"$(day_plus 16)"'"}'
late_core "$RMA_LATE" 20
api GET "/api/v1/rmas/$RMA_LATE" "$AGENT"
expect_jq '([.charges[] | select(.kind == "overdue_core")][0].amount_cents == 21000) and ([.charges[] | select(.kind == "late_core_credit")][0].amount_cents == -10500)' "20 days late: 50% credit"

# ---- close and cancel (rule 6) -----------------------------------------------------------------
api POST "/api/v1/rmas/$RMA_EX/cancel" "$ENGINEER" '{}'
expect_status 403 "engineer may not cancel"
api POST "/api/v1/rmas/$RMA_EX/close" "$AGENT" '{}'
expect_error 422 reason "close needs a reason"
api POST "/api/v1/rmas/$RMA_EX/cancel" "$AGENT" '{"reason": "customer found the cable unplugged"}'
expect_status 200 "nothing moved: cancel"
expect_jq '.status == "closed" and (.close_reason | startswith("cancelled")) and .lines[0].open == false and .lines[0].spare_serial == null' "cancelled: lines closed, spare released"
check "the server spare is available again" test "$(psql_t -c "SELECT status FROM spare_unit WHERE serial_number = 'SSRV7400901'")" = available
api POST "/api/v1/rmas/$RMA_EX/cancel" "$AGENT" '{}'
expect_error 409 rma_number "cancelling twice"
C0=$(counts)
api POST "/api/v1/rmas/$RMA_MEM/cancel" "$AGENT" '{}'
expect_error 409 rma_number "cancel after the core was received"
unchanged "$C0" "refused cancel"
api POST "/api/v1/rmas/$RMA_PSU/cancel" "$ADMIN" '{}'
expect_error 409 rma_number "cancel after the spare shipped"
api POST "/api/v1/rmas/$RMA_PSU/close" "$ADMIN" '{"reason": "customer keeps the failed unit"}'
expect_status 200 "close with a reason after something moved"
expect_jq '.status == "closed" and .close_reason == "customer keeps the failed unit" and .lines[0].open == false' "closed with its reason"
check "one rma_closed event" test "$(events_of "$RMA_PSU" rma_closed)" = 1
api POST "/api/v1/rmas/$RMA_KB/close" "$AGENT" '{"reason": "x"}'
expect_status 200 "close of a delivered keyboard RMA"
check "the delivered keyboard is not given back to the bin" test "$(psql_t -c "SELECT reserved FROM spare_bin WHERE product_model = 'KB-US'")" = $((BIN0 + 1))
new_case KBNOSERIAL KB-US
authorize "$CASE" replacement_no_return '[{"product_model":"KB-US","quantity":3}]'
RMA_KB3=$RMA
check "three more keyboards reserved" test "$(psql_t -c "SELECT reserved FROM spare_bin WHERE product_model = 'KB-US'")" = $((BIN0 + 4))
api POST "/api/v1/rmas/$RMA_KB3/cancel" "$AGENT" '{}'
expect_status 200 "keyboard RMA cancelled"
check "the three keyboards go back to the bin" test "$(psql_t -c "SELECT reserved FROM spare_bin WHERE product_model = 'KB-US'")" = $((BIN0 + 1))
authorize "$CASE" replacement_no_return '[{"product_model":"KB-US","quantity":100}]'
expect_error 409 "lines[0].product_model" "more keyboards than the bin holds"

# ---- replacement without return of a data-bearing drive: the destruction certificate -----------
new_case SSD9600001 SSD-960
authorize "$CASE" replacement_no_return '[{"serial_number":"SSD9600001","product_model":"SSD-960"}]'
expect_status 201 "keep-your-drive replacement"
RMA_SSD=$RMA
expect_jq '(.lines[0].legs | keys) == ["outbound"] and .lines[0].legs.outbound.state == "ready" and (.lines[0].spare_serial | test("^SSSD960090"))' "outbound ready with a spare drive, no inbound"
CERT='{"certificate_id": "DC-2026-001", "destroyed_at": "2026-03-01T10:15:00+01:00", "method": "degauss and shred", "witness": "J. Doe"}'
api POST "/api/v1/rmas/$RMA_SSD/lines/1/destruction-certificate" "$DEPOT" "$CERT"
expect_status 403 "depot may not record the certificate"
api POST "/api/v1/rmas/$RMA_SSD/lines/1/destruction-certificate" "$ENGINEER" '{"certificate_id": "DC-1", "destroyed_at": "2026-03-01T10:15:00", "method": "shred", "witness": "J. Doe"}'
expect_error 422 destroyed_at "a local time without offset is refused (rule 9)"
api POST "/api/v1/rmas/$RMA_SSD/lines/1/destruction-certificate" "$ENGINEER" '{"certificate_id": "DC-1", "destroyed_at": "2026-12-31T23:59:60Z", "method": "shred", "witness": "J. Doe"}'
expect_error 422 destroyed_at "a leap second is refused, as in every instant rmad takes"
api POST "/api/v1/rmas/$RMA_SSD/lines/1/destruction-certificate" "$ENGINEER" '{"destroyed_at": "2026-03-01T10:15:00Z", "method": "shred", "witness": "J. Doe"}'
expect_error 422 certificate_id "certificate id required"
api POST "/api/v1/rmas/$RMA_SSD/lines/1/destruction-certificate" "$ENGINEER" '{"certificate_id": "DC-1", "destroyed_at": "2026-03-01T10:15:00Z", "witness": "J. Doe"}'
expect_error 422 method "method required"
api POST "/api/v1/rmas/$RMA_SSD/lines/1/destruction-certificate" "$ENGINEER" '{"certificate_id": "DC-1", "destroyed_at": "2026-03-01T10:15:00Z", "method": "shred"}'
expect_error 422 witness "witness required"
api POST "/api/v1/rmas/$RMA_SSD/lines/2/destruction-certificate" "$ENGINEER" "$CERT"
expect_error 404 line "no line 2"
api POST "/api/v1/rmas/$RMA_SSD/lines/1/destruction-certificate" "$ENGINEER" "$CERT"
expect_status 200 "destruction certificate recorded"
expect_jq '.lines[0].destruction_certificate | .certificate_id == "DC-2026-001" and .destroyed_at == "2026-03-01T10:15:00+01:00" and .method == "degauss and shred" and .witness == "J. Doe"' "the certificate is on the line"
check "one destruction_certified event" test "$(events_of "$RMA_SSD" destruction_certified)" = 1
api POST "/api/v1/rmas/$RMA_SSD/lines/1/destruction-certificate" "$ENGINEER" "$CERT"
expect_error 409 line "a second certificate"
api POST "/api/v1/rmas/$RMA_KB3/lines/1/destruction-certificate" "$ENGINEER" "$CERT"
expect_error 409 line "a closed keyboard RMA takes no certificate"

# ---- concurrency: real concurrent requests -----------------------------------------------------
# the last SSD spare: four advance replacements race for it, one gets it (SKIP LOCKED, rule 4)
left=$(psql_t -c "SELECT count(*) FROM spare_unit WHERE product_model = 'SSD-960' AND status = 'available'")
check "one SSD spare left for the race" test "$left" = 1
new_case SSDX000001 SSD-960
CASE_RACE=$CASE
pids=()
for i in 1 2 3 4; do
    curl -s -o "$T_TMP/race.$i" -w '%{http_code}' -X POST -H "Authorization: Bearer $AGENT" \
        -H 'Content-Type: application/json' --max-time 30 \
        --data-binary "$(rma_body "$CASE_RACE" advance_replacement "[{\"serial_number\":\"SSDX00000$i\",\"product_model\":\"SSD-960\"}]" eligible)" \
        "$BASE/api/v1/rmas" >"$T_TMP/race.$i.code" &
    pids+=($!)
done
wait "${pids[@]}"
codes=$(for f in "$T_TMP"/race.?.code; do cat "$f"; echo; done | sort | tr -d "\n")
check "four racing advance replacements for the last spare: one 201, three 409 ($codes)" test "$codes" = 201409409409
check "only one SSD line was written" test "$(psql_t -c "SELECT count(*) FROM rma_line WHERE serial_number LIKE 'SSDX%'")" = 1
check "the spare is reserved once" test "$(psql_t -c "SELECT count(*) FROM spare_unit WHERE product_model = 'SSD-960' AND status = 'available'")" = 0

# six concurrent accepts of one quote: one wins, one charge, one quote_accepted event
new_case NBX130003 NB-X13
authorize "$CASE" repair '[{"serial_number":"NBX130003","product_model":"NB-X13"}]' out_of_warranty
RMA_RACE=$RMA
pids=()
for i in 1 2 3 4 5 6; do
    curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $AGENT" \
        -H 'Content-Type: application/json' --data-binary '{}' --max-time 30 \
        "$BASE/api/v1/rmas/$RMA_RACE/quote/accept" >"$T_TMP/acc.$i.code" &
    pids+=($!)
done
wait "${pids[@]}"
codes=$(for f in "$T_TMP"/acc.?.code; do cat "$f"; echo; done | sort | tr -d "\n")
check "six racing accepts: one 200, five 409 ($codes)" test "$codes" = 200409409409409409
check "one quote_accepted event" test "$(events_of "$RMA_RACE" quote_accepted)" = 1
check "one quote charge" test "$(psql_t -c "SELECT count(*) FROM charge c JOIN rma r ON r.id = c.rma_id WHERE r.rma_number = '$RMA_RACE'")" = 1
check "one inbound parcel" test "$(psql_t -c "SELECT count(*) FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.rma_number = '$RMA_RACE'")" = 1
# six concurrent settles of its charge: one 200, one event
CHR=$(psql_t -c "SELECT c.id FROM charge c JOIN rma r ON r.id = c.rma_id WHERE r.rma_number = '$RMA_RACE'")
pids=()
for i in 1 2 3 4 5 6; do
    curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $AGENT" \
        -H 'Content-Type: application/json' --data-binary "{\"reference\": \"PAY-$i\"}" --max-time 30 \
        "$BASE/api/v1/charges/$CHR/settle" >"$T_TMP/set.$i.code" &
    pids+=($!)
done
wait "${pids[@]}"
codes=$(for f in "$T_TMP"/set.?.code; do cat "$f"; echo; done | sort | tr -d "\n")
check "six racing settles: one 200, five 409 ($codes)" test "$codes" = 200409409409409409
check "one charge_settled event" test "$(events_of "$RMA_RACE" charge_settled)" = 1

# ---- a quote offered at inspection (bug 1) -----------------------------------------------------
# units and spares of this section only
psql_t -c "INSERT INTO install_base (serial_number, product_model, ship_date, warranty_end) VALUES
    ('SRV74Q0001', 'SRV-R740', '2025-03-14', '2030-03-13'), ('SRV74Q0002', 'SRV-R740', '2025-03-14', '2030-03-13'),
    ('SRV74Q0003', 'SRV-R740', '2025-03-14', '2030-03-13'), ('PSU75Q0001', 'PSU-750', '2025-03-14', '2030-03-13'),
    ('MEM32Q0001', 'MEM-32G', '2025-03-14', '2030-03-13');
    INSERT INTO spare_unit (serial_number, product_model) VALUES ('SSRV74Q901', 'SRV-R740'),
    ('SPSU75Q901', 'PSU-750'), ('SMEM32Q901', 'MEM-32G')" >/dev/null
scan() { api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$1" '{code: $c, station: "dock-1"}')"; }
legs_of() { psql_t -c "SELECT count(*) FROM leg g JOIN rma_line l ON l.id = g.line_id JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$1'"; }

# repair line: misuse at inspection, the customer accepts, the repair may be queued
new_case SRV74Q0001 SRV-R740
authorize "$CASE" repair '[{"serial_number":"SRV74Q0001","product_model":"SRV-R740"}]'
RMA_QI=$RMA
scan "$RMA_QI"
expect_jq '.outcome == "received"' "the unit is received at the dock"
api POST "/api/v1/rmas/$RMA_QI/lines/1/inspection" "$ENGINEER" '{"grade": "D", "findings": ["liquid"]}'
expect_jq '.misuse == true and (.quote_id | type) == "number"' "misuse at inspection: a quote"
L0=$(legs_of "$RMA_QI")
P0=$(psql_t -c "SELECT count(*) FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.rma_number = '$RMA_QI'")
api POST "/api/v1/rmas/$RMA_QI/quote/accept" "$AGENT" '{"note": "customer pays the repair"}'
expect_status 200 "a quote offered at inspection is accepted"
expect_jq '.authorized == true and .chargeable == true and .quotes[0].status == "accepted" and .closed_at == null' "accepted: still authorized and chargeable, open"
expect_jq '[.charges[] | select(.kind == "quote")] | length == 1 and .[0].amount_cents == 45000 and .[0].status == "open"' "one open charge for the quote total"
check "one quote_accepted event" test "$(events_of "$RMA_QI" quote_accepted)" = 1
check "no re-authorization: no new leg" test "$(legs_of "$RMA_QI")" = "$L0"
check "no re-authorization: no new parcel" test "$(psql_t -c "SELECT count(*) FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.rma_number = '$RMA_QI'")" = "$P0"
api POST "/api/v1/rmas/$RMA_QI/lines/1/disposition" "$ENGINEER" '{"disposition": "repair"}'
expect_jq '.repair == "queued"' "after the accept the repair is queued"
api POST "/api/v1/rmas/$RMA_QI/quote/accept" "$AGENT" '{}'
expect_error 409 quote "accepting it twice"

# exchange line: accepting the misuse quote lets the spare ship
new_case SRV74Q0002 SRV-R740
authorize "$CASE" exchange '[{"serial_number":"SRV74Q0002","product_model":"SRV-R740"}]'
expect_status 201 "exchange authorized"
RMA_QX=$RMA
scan "$RMA_QX"
api POST "/api/v1/rmas/$RMA_QX/lines/1/inspection" "$ENGINEER" '{"grade": "D", "findings": ["liquid"]}'
expect_jq '.misuse == true and (.quote_id | type) == "number"' "exchange: misuse before the spare went out: a quote"
api GET "/api/v1/rmas/$RMA_QX" "$AGENT"
expect_jq '.lines[0].legs.outbound.state == "blocked"' "the spare waits for the customer's answer"
api POST "/api/v1/rmas/$RMA_QX/quote/accept" "$AGENT" '{}'
expect_status 200 "the exchange's misuse quote is accepted"
expect_jq '.lines[0].legs.outbound.state == "ready" and .quotes[0].status == "accepted"' "accepted: the spare may ship"
check "one unblock event" test "$(psql_t -c "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$RMA_QX' AND e.kind = 'unblock'")" = 1

# decline: the unit goes back unrepaired, the RMA stays open
new_case SRV74Q0003 SRV-R740
authorize "$CASE" repair '[{"serial_number":"SRV74Q0003","product_model":"SRV-R740"}]'
RMA_QD=$RMA
scan "$RMA_QD"
api POST "/api/v1/rmas/$RMA_QD/lines/1/inspection" "$ENGINEER" '{"grade": "D", "findings": ["liquid"]}'
api POST "/api/v1/rmas/$RMA_QD/quote/decline" "$AGENT" '{"reason": "customer wants the unit back"}'
expect_status 200 "a quote offered at inspection is declined"
expect_jq '.closed_at == null and .quotes[0].status == "declined" and .lines[0].open == true and (.charges // [] | length) == 0' "declined: the RMA stays open, no charge"
check "one quote_declined event" test "$(events_of "$RMA_QD" quote_declined)" = 1
check "no rma_closed event" test "$(events_of "$RMA_QD" rma_closed)" = 0

# ---- a packed spare is not given back (bug 5) -----------------------------------------------------
new_case PSU75Q0001 PSU-750
authorize "$CASE" advance_replacement '[{"serial_number":"PSU75Q0001","product_model":"PSU-750"}]'
expect_status 201 "advance replacement with the test spare"
RMA_PK=$RMA
SP=$(jqb '.lines[0].spare_serial')
leg_sql "$RMA_PK" 1 outbound packed # area C's pack scan
C0=$(counts)
api POST "/api/v1/rmas/$RMA_PK/cancel" "$AGENT" '{}'
expect_error 409 rma_number "cancel after the spare was packed"
expect_jq '.error.message | test("the spare is packed")' "the refusal names the packed spare"
unchanged "$C0" "refused cancel of a packed spare"
api POST "/api/v1/rmas/$RMA_PK/close" "$AGENT" '{"reason": "customer fixed it himself"}'
expect_status 200 "close after pack"
check "the packed spare stays reserved to its line" test "$(psql_t -c "SELECT s.status FROM spare_unit s JOIN rma_line l ON l.id = s.line_id JOIN rma r ON r.id = l.rma_id WHERE r.rma_number = '$RMA_PK' AND s.serial_number = '$SP'")" = reserved
new_case KBNOSERIAL KB-US
authorize "$CASE" replacement_no_return '[{"product_model":"KB-US","quantity":2}]'
RMA_KBP=$RMA
KB0=$(psql_t -c "SELECT reserved FROM spare_bin WHERE product_model = 'KB-US'")
leg_sql "$RMA_KBP" 1 outbound manifested
api POST "/api/v1/rmas/$RMA_KBP/close" "$AGENT" '{"reason": "x"}'
expect_status 200 "close of a keyboard RMA after pack"
check "packed keyboards stay reserved in the bin" test "$(psql_t -c "SELECT reserved FROM spare_bin WHERE product_model = 'KB-US'")" = "$KB0"

# ---- core sweep before the spare ships (bug 8) ----------------------------------------------------
new_case MEM32Q0001 MEM-32G
authorize "$CASE" advance_replacement '[{"serial_number":"MEM32Q0001","product_model":"MEM-32G"}]'
RMA_NS=$RMA
api POST /api/v1/jobs/core-sweep "$ADMIN" '{"today": "'"$(day_plus 40)"'"}'
expect_jq '[.lines[] | select(.rma_number == "'"$RMA_NS"'")] == []' "spare still ready: no core reminder or charge"
leg_sql "$RMA_NS" 1 outbound packed
api POST /api/v1/jobs/core-sweep "$ADMIN" '{"today": "'"$(day_plus 40)"'"}'
expect_jq '[.lines[] | select(.rma_number == "'"$RMA_NS"'")] == []' "spare packed, not shipped: nothing"
api GET "/api/v1/rmas/$RMA_NS" "$AGENT"
expect_jq '.lines[0].legs.inbound.state == "label_issued" and (.charges // [] | length) == 0' "inbound untouched, no overdue charge"
leg_sql "$RMA_NS" 1 outbound delivered
api POST /api/v1/jobs/core-sweep "$ADMIN" '{"today": "'"$(day_plus 40)"'"}'
expect_jq '[.lines[] | select(.rma_number == "'"$RMA_NS"'")][0].actions == ["core_overdue", "inbound_overdue", "charge_raised"]' "spare delivered: the core is overdue and charged"

# ---- cancel racing a dock scan (bug 3, rule 6) ----------------------------------------------------
bad=0
for round in 1 2 3 4 5 6 7 8; do
    sn=$(printf 'RACE7C%04d' "$round")
    psql_t -c "INSERT INTO install_base (serial_number, product_model, ship_date, warranty_end) VALUES ('$sn', 'NB-X13', '2026-01-20', '2030-01-19')" >/dev/null
    new_case "$sn" NB-X13
    authorize "$CASE" repair "[{\"serial_number\":\"$sn\",\"product_model\":\"NB-X13\"}]"
    R=$RMA
    curl -s -o "$T_TMP/rs.body" -w '%{http_code}' -X POST -H "Authorization: Bearer $DEPOT" \
        -H 'Content-Type: application/json' --max-time 30 \
        --data-binary "$(jq -nc --arg c "$R" '{code: $c, station: "dock-1"}')" \
        "$BASE/api/v1/scans" >"$T_TMP/rs.code" &
    p1=$!
    curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $AGENT" \
        -H 'Content-Type: application/json' --max-time 30 --data-binary '{}' \
        "$BASE/api/v1/rmas/$R/cancel" >"$T_TMP/rc.code" &
    p2=$!
    wait "$p1" "$p2"
    sc=$(cat "$T_TMP/rs.code")
    cc=$(cat "$T_TMP/rc.code")
    so=$(jq -r '.outcome // ""' "$T_TMP/rs.body" 2>/dev/null)
    got=$(psql_t -c "SELECT count(*) FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.rma_number = '$R' AND p.received_at IS NOT NULL")
    cancelled=$(events_of "$R" rma_cancelled)
    if [ "$cc" = 200 ] && { [ "$so" = received ] || [ "$got" != 0 ]; }; then
        bad=$((bad + 1))
        echo "round $round: cancel $cc, scan $sc $so, received parcels $got" >&2
    elif [ "$cc" != 200 ] && [ "$cc" != 409 ]; then
        bad=$((bad + 1))
        echo "round $round: cancel answered $cc" >&2
    elif [ "$cancelled" != 0 ] && [ "$got" != 0 ]; then
        bad=$((bad + 1))
    fi
done
check "8 races of a dock scan and a cancel: never both" test "$bad" = 0

# ---- bad input of POST /rmas for the new types -------------------------------------------------
authorize "$CASE" swap '[{"serial_number":"SSD9600002","product_model":"SSD-960"}]'
expect_error 422 type "unknown repair type"

finish

#!/usr/bin/env bash
# SLA clocks and the SLA report (issue 3).  Four cases walked through the lifecycle API, their
# intake and event times then set with psql to known instants (a test-only backdating, before
# anything is archived), and the clocks checked: time to register in wall-clock seconds, time to
# first engineer contact and to resolution in business seconds of Mon-Fri 09:00-21:00
# Europe/Berlin, without the time on hold; the report's median and p90 (nearest rank) by product
# line and channel, open clocks counted apart; and the report's validation errors.
source "$(dirname "$0")/../lib.sh"
rmad_setup
export NEW_CASE_KEEP_NEW=1

ENG=$(psql_t -c "SELECT e.name FROM engineer e JOIN api_token t ON t.id = e.token_id
    WHERE t.name = 'test engineer'")
if [ -z "$ENG" ]; then
    ENG=eng-sla
    api POST /api/v1/engineers "$ADMIN" "$(jq -nc --arg t "$ENGINEER" \
        '{name: "eng-sla", token: $t, product_lines: ["servers", "notebooks"], max_open_cases: 50}')"
fi

# intake CHANNEL SERIAL MODEL: sets CASE
intake() {
    api POST /api/v1/cases "$AGENT" "$(jq -nc --arg ch "$1" --arg s "$2" --arg m "$3" '{
        channel: $ch, product_model: $m, serial_number: $s, fault_description: "no power",
        contact: {name: "Anna Schmidt", phone: "+49 69 1234567"},
        service_address: {name: "ACME GmbH", street: "Mainzer Landstr. 1", city: "Frankfurt",
                          postcode: "60329", country: "DE"}}')"
    CASE=$(jqb .case_number)
}
step() { # step CASE PATH TOKEN BODY
    api POST "/api/v1/cases/$1/$2" "$3" "$4"
    check "$1: $2" test "$STATUS" = 200
}
to_troubleshooting() {
    step "$1" register "$ADMIN" '{}'
    step "$1" assign "$ADMIN" "{\"engineer\": \"$ENG\"}"
    step "$1" contacts "$ENGINEER" '{"method": "phone", "summary": "first call", "reached": true}'
}
resolve() {
    step "$1" fault-isolation "$ENGINEER" '{"method": "phone", "findings": "reseated", "conclusion": "fixed"}'
    step "$1" resolve "$ENGINEER" '{"resolution": "fixed by phone"}'
}
# backdate CASE INTAKE REGISTER START RESOLVED [HOLD RESUME]: UTC times (test only: the event
# table is append-only, so its triggers are bypassed for this one session).
backdate() {
    psql_t >/dev/null <<SQL
SET session_replication_role = replica;
UPDATE service_case SET created_at = '$2+00' WHERE case_number = '$1';
UPDATE event e SET created_at = CASE
        WHEN e.kind = 'case_register' THEN '$3+00'
        WHEN e.kind = 'case_start' THEN '$4+00'
        WHEN e.to_state = 'resolved_remotely' THEN '${5:-2000-01-01 00:00}+00'
        WHEN e.kind = 'case_hold' THEN '${6:-2000-01-01 00:00}+00'
        WHEN e.kind = 'case_resume' THEN '${7:-2000-01-01 00:00}+00'
        ELSE '$2+00' END::timestamptz
  FROM service_case c WHERE c.id = e.case_id AND c.case_number = '$1';
SQL
}

# A: servers/hotline, Mon 2026-01-12. Intake 08:00Z, registered 08:30Z (09:30 CET), first
# contact 10:00Z (11:00 CET), resolved 14:00Z (15:00 CET): 1800 s, 5400 s, 19800 s.
intake hotline SRV7400001 SRV-R740
A=$CASE
to_troubleshooting "$A"
resolve "$A"
backdate "$A" "2026-01-12 08:00" "2026-01-12 08:30" "2026-01-12 10:00" "2026-01-12 14:00"

# B: servers/hotline, Tue 2026-01-13. Intake 07:00Z, registered 09:00Z (10:00 CET), contact
# 11:00Z, on hold 12:00Z-13:00Z, resolved 15:00Z (16:00 CET): 7200 s, 7200 s, 6 h - 1 h = 18000 s.
intake hotline SRV7400002 SRV-R740
B=$CASE
to_troubleshooting "$B"
step "$B" hold "$AGENT" '{"reason": "waiting for the customer"}'
step "$B" resume "$AGENT" '{"reason": "the customer called back"}'
resolve "$B"
backdate "$B" "2026-01-13 07:00" "2026-01-13 09:00" "2026-01-13 11:00" "2026-01-13 15:00" \
    "2026-01-13 12:00" "2026-01-13 13:00"

# C: servers/hotline, registered Friday 2026-01-16 19:30Z (20:30 CET) after an intake at 19:00Z;
# first contact Monday 08:30Z (09:30 CET): 1800 s wall, 1800 + 1800 = 3600 business seconds;
# not resolved: the resolution clock is open.
intake hotline SRV7400003 SRV-R740
C=$CASE
to_troubleshooting "$C"
backdate "$C" "2026-01-16 19:00" "2026-01-16 19:30" "2026-01-19 08:30"

# D: notebooks/email, Wed 2026-01-14: intake 08:00Z, registered 08:10Z (09:10 CET), contact
# 08:20Z, resolved 09:00Z (10:00 CET): 600 s, 600 s, 3000 s.
intake email NBX130001 NB-X13
D=$CASE
to_troubleshooting "$D"
resolve "$D"
backdate "$D" "2026-01-14 08:00" "2026-01-14 08:10" "2026-01-14 08:20" "2026-01-14 09:00"

# G: notebooks/email, Thu 2026-01-15: intake 08:00Z, registered 08:10Z (09:10 CET), assigned,
# never reached (an unanswered call), on hold 09:00Z, cancelled 10:00Z while on hold: register
# 600 s; first contact and resolution stop at the cancel with 3000 s (09:10-10:00 CET), the
# hour on hold ends at the cancel too.
intake email NBX130004 NB-X13
G=$CASE
step "$G" register "$ADMIN" '{}'
step "$G" assign "$ADMIN" "{\"engineer\": \"$ENG\"}"
step "$G" contacts "$ENGINEER" '{"method": "phone", "summary": "no answer", "reached": false}'
step "$G" hold "$AGENT" '{"reason": "waiting for the customer"}'
step "$G" cancel "$AGENT" '{"reason": "the customer withdrew"}'
backdate "$G" "2026-01-15 08:00" "2026-01-15 08:10" "2000-01-01 00:00" "" "2026-01-15 09:00"
psql_t >/dev/null <<SQL
SET session_replication_role = replica;
UPDATE event e SET created_at = '2026-01-15 10:00+00' FROM service_case c
 WHERE c.id = e.case_id AND c.case_number = '$G' AND e.kind = 'case_cancel';
SQL

# E: registered 2026-01-20, outside the range of the report below.
intake hotline NBX130002 NB-X13
E=$CASE
to_troubleshooting "$E"
backdate "$E" "2026-01-20 08:00" "2026-01-20 08:30" "2026-01-20 09:00"

# F: only taken in: its clocks have not started.
intake hotline NBX130003 NB-X13
F=$CASE

# ---- one case's clocks -----------------------------------------------------------------------
api GET "/api/v1/cases/$A/sla" "$ENGINEER"
expect_status 200 "SLA of a case"
expect_jq '.zone == "Europe/Berlin" and .region == "DE" and .product_line == "servers" and .channel == "hotline"' \
    "the case's zone, region, product line and channel"
expect_jq '.clocks.register == {counts: "wall_clock", state: "stopped", start: "2026-01-12T08:00:00Z", end: "2026-01-12T08:30:00Z", seconds: 1800}' \
    "A: time to register, wall clock"
expect_jq '.clocks.first_contact.seconds == 5400 and .clocks.first_contact.counts == "business_hours" and .clocks.first_contact.state == "stopped"' \
    "A: time to first contact"
expect_jq '.clocks.resolution.seconds == 19800 and .clocks.resolution.end == "2026-01-12T14:00:00Z"' \
    "A: time to resolution"
api GET "/api/v1/cases/$B/sla" "$AGENT"
expect_jq '.holds == [{from: "2026-01-13T12:00:00Z", to: "2026-01-13T13:00:00Z", seconds: 3600}] and .on_hold == false' \
    "B: the hold interval"
expect_jq '.clocks.register.seconds == 7200 and .clocks.first_contact.seconds == 7200 and .clocks.resolution.seconds == 18000' \
    "B: the hour on hold is not counted"
api GET "/api/v1/cases/$C/sla" "$AGENT"
expect_jq '.clocks.first_contact.seconds == 3600' "C: Friday evening to Monday morning is one hour of the window"
expect_jq '.clocks.resolution.state == "running" and .clocks.resolution.end == null and .clocks.resolution.seconds > 3600' \
    "C: a running clock counts until now"
api GET "/api/v1/cases/$F/sla" "$AGENT"
expect_jq '.clocks.register.state == "running" and .clocks.first_contact.state == "not_started" and .clocks.first_contact.seconds == 0' \
    "F: not registered yet"
api GET "/api/v1/cases/$G/sla" "$AGENT"
expect_jq '.status == "cancelled" and .cancelled_at == "2026-01-15T10:00:00Z" and .on_hold == false
    and .holds == [{from: "2026-01-15T09:00:00Z", to: "2026-01-15T10:00:00Z", seconds: 3600}]' \
    "G: cancelled while on hold: the hold ends at the cancel"
expect_jq '.clocks.register.state == "stopped" and .clocks.register.seconds == 600
    and .clocks.first_contact == {counts: "business_hours", state: "cancelled", start: "2026-01-15T08:10:00Z", end: "2026-01-15T10:00:00Z", seconds: 3000, stopped_by: "cancel"}
    and .clocks.resolution.state == "cancelled" and .clocks.resolution.seconds == 3000' \
    "G: the clocks that were running stopped at the cancel, not running"
api GET "/api/v1/cases/C99999999/sla" "$AGENT"
expect_error 404 case_number "SLA of an unknown case"
api GET "/api/v1/cases/$A/sla" "$DEPOT"
expect_status 403 "depot may not read SLA clocks"

# ---- the report ------------------------------------------------------------------------------
if [ -n "${MANAGER:-}" ]; then
    api GET "/api/v1/reports/sla?from=2026-01-12&to=2026-01-16" "$MANAGER"
    expect_status 200 "a service manager may read the report"
fi
api GET "/api/v1/reports/sla?from=2026-01-12&to=2026-01-16" "$AGENT"
expect_status 200 "the SLA report"
expect_jq '.cases == 5 and (.groups | length) == 2' "five cases registered in the range, two groups"
expect_jq '.percentile | test("nearest-rank")' "the percentile method is named"
expect_jq '.groups[0] | .product_line == "notebooks" and .channel == "email" and .cases == 2
    and .clocks.register == {stopped: 2, open: 0, cancelled: 0, median_seconds: 600, p90_seconds: 600}
    and .clocks.first_contact == {stopped: 1, open: 0, cancelled: 1, median_seconds: 600, p90_seconds: 600}
    and .clocks.resolution == {stopped: 1, open: 0, cancelled: 1, median_seconds: 3000, p90_seconds: 3000}' \
    "notebooks/email: two cases, the cancelled one counted apart (not open, not in the percentiles)"
expect_jq '.groups[1] | .product_line == "servers" and .channel == "hotline" and .cases == 3' \
    "servers/hotline: three cases"
expect_jq '.groups[1].clocks.register == {stopped: 3, open: 0, cancelled: 0, median_seconds: 1800, p90_seconds: 7200}' \
    "register: median 1800 (rank 2 of 3), p90 7200 (rank 3)"
expect_jq '.groups[1].clocks.first_contact == {stopped: 3, open: 0, cancelled: 0, median_seconds: 5400, p90_seconds: 7200}' \
    "first contact: median 5400, p90 7200"
expect_jq '.groups[1].clocks.resolution == {stopped: 2, open: 1, cancelled: 0, median_seconds: 18000, p90_seconds: 19800}' \
    "resolution: the open case is counted apart; median 18000 (rank 1 of 2), p90 19800 (rank 2)"
api GET "/api/v1/reports/sla?from=2026-01-12&to=2026-01-12" "$ADMIN"
expect_jq '.cases == 1 and .groups[0].clocks.resolution.median_seconds == 19800' "a one-day range"
api GET "/api/v1/reports/sla?from=2025-01-01&to=2025-12-31" "$ADMIN"
expect_jq '.cases == 0 and .groups == []' "no cases: an empty report"
api GET "/api/v1/reports/sla?from=2026-01-01&to=2027-01-01" "$ADMIN"
expect_status 200 "366 days are allowed"
expect_jq '.cases == 6' "every registered case of the year (F is not registered)"

# ---- validation ------------------------------------------------------------------------------
api GET "/api/v1/reports/sla?to=2026-01-16" "$ADMIN"
expect_error 422 from "from is required"
api GET "/api/v1/reports/sla?from=2026-01-12" "$ADMIN"
expect_error 422 to "to is required"
api GET "/api/v1/reports/sla?from=2026-02-30&to=2026-03-01" "$ADMIN"
expect_error 422 from "a day that does not exist"
api GET "/api/v1/reports/sla?from=2026-1-5&to=2026-03-01" "$ADMIN"
expect_error 422 from "not YYYY-MM-DD"
api GET "/api/v1/reports/sla?from=2026-01-12&to=12.01.2026" "$ADMIN"
expect_error 422 to "to not a date"
api GET "/api/v1/reports/sla?from=2026-01-12&to=2026-01-11" "$ADMIN"
expect_error 422 to "to before from"
api GET "/api/v1/reports/sla?from=2026-01-01&to=2027-01-02" "$ADMIN"
expect_error 422 to "367 days are too many"
api GET "/api/v1/reports/sla?from=2026-01-12&to=2026-01-16" "$ENGINEER"
expect_status 403 "an engineer may not read the report"

finish

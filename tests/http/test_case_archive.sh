#!/usr/bin/env bash
# The archive of a closed case (issue 3): a hotline case walked through the API to closed
# (register, assign, first contact, fault isolation, resolve, complete, feedback, close), then
# POST .../archive writes one service record as JSON and PDF; both come back byte for byte with
# the SHA-256 as ETag; a case that is not closed is a 409; and the database itself refuses any
# change to the record, the archived case and its child rows (UPDATE, DELETE, INSERT, TRUNCATE
# typed in psql as the owner), after which the record is still the same.
source "$(dirname "$0")/../lib.sh"
rmad_setup

case_status() { psql_t -c "SELECT status FROM service_case WHERE case_number = '$1'"; }
case_id() { psql_t -c "SELECT id FROM service_case WHERE case_number = '$1'"; }

# move CASE PATH TOKEN BODY FROM TO: one lifecycle step through the API; the case must go from
# FROM to TO.
move() {
    local c=$1 path=$2 token=$3 body=$4 from=$5 to=$6
    api POST "/api/v1/cases/$c/$path" "$token" "$body"
    if [ "${STATUS:0:1}" = 2 ] && [ "$(case_status "$c")" = "$to" ]; then
        pass "$c: $path, $from -> $to"
    else
        fail "$c: $path should move $from -> $to, is $(case_status "$c")" "HTTP $STATUS $(printf '%s' "$BODY" | head -c 300)"
    fi
}

export NEW_CASE_KEEP_NEW=1 # this test walks its cases itself
# the engineer behind the ENGINEER token (rmad_setup may have registered one already)
ENG=$(psql_t -c "SELECT e.name FROM engineer e JOIN api_token t ON t.id = e.token_id
    WHERE t.name = 'test engineer'")
if [ -z "$ENG" ]; then
    ENG=eng-arch
    api POST /api/v1/engineers "$ADMIN" "$(jq -nc --arg t "$ENGINEER" \
        '{name: "eng-arch", token: $t, product_lines: ["servers", "notebooks"], max_open_cases: 50}')"
    check "an engineer for the cases" test "${STATUS:0:1}" = 2
fi

# walk CASE [rma]: from new to closed through the lifecycle; with "rma", the fault isolation
# says needs_depot, an RMA is authorized for the case (RMA) and cancelled before anything
# shipped, and the work completes from rma_requested; else the case is resolved remotely.
walk() {
    local c=$1 depot=${2:-}
    move "$c" register "$ADMIN" '{}' new registered
    move "$c" assign "$ADMIN" "{\"engineer\": \"$ENG\"}" registered assigned
    move "$c" contacts "$ENGINEER" '{"method": "phone", "summary": "called the customer", "reached": true}' \
        assigned troubleshooting
    api POST "/api/v1/cases/$c/fault-isolation" "$ENGINEER" "$(jq -nc --arg c "${depot:+needs_depot}" \
        '{method: "phone", findings: "PSU 1 reseated, fan noise gone", conclusion: ($c | if . == "" then "fixed" else . end)}')"
    check "$c: fault isolation recorded" test "${STATUS:0:1}" = 2
    api POST "/api/v1/cases/$c/authorizations" "$ENGINEER" "$(jq -nc --arg t "$(date -u -d '-2 min' +%Y-%m-%dT%H:%M:%S+00:00)" \
        '{scope: "high_risk_steps", given_by: "Anna Schmidt", method: "phone", given_at: $t, note: "may power off"}')"
    check "$c: an authorization recorded" test "${STATUS:0:1}" = 2
    api POST "/api/v1/cases/$c/service-log" "$ENGINEER" '{"kind": "symptom", "text": "PSU 1 LED blinks amber"}'
    check "$c: a service log entry" test "${STATUS:0:1}" = 2
    local from=resolved_remotely
    if [ -n "$depot" ]; then
        new_rma "$c" SRV7400001 SRV-R740
        check "$c: an RMA of the case ($RMA)" test "$STATUS" = 201
        from=$(case_status "$c")
        api POST "/api/v1/rmas/$RMA/cancel" "$AGENT" '{"reason": "fixed before it shipped"}'
        check "$c: the RMA is cancelled" test "${STATUS:0:1}" = 2
    else
        move "$c" resolve "$ENGINEER" '{"resolution": "PSU reseated by phone"}' troubleshooting \
            resolved_remotely
    fi
    move "$c" complete "$ENGINEER" '{"summary": "fixed", "follow_up": {"channel": "phone", "due_in_days": 3}}' \
        "$from" follow_up
    api POST "/api/v1/cases/$c/feedback" "$AGENT" '{"rating": 5, "comment": "quick and friendly"}'
    if [ "$(case_status "$c")" != closed ]; then
        move "$c" close "$AGENT" '{"reason": "feedback received"}' follow_up closed
    else
        pass "$c: feedback closed the case"
    fi
}

# ---- a case that is not closed yet -----------------------------------------------------------
new_case SRV7400001 SRV-R740
C1=$CASE
api POST "/api/v1/cases/$C1/archive" "$ADMIN" '{}'
expect_error 409 status "a new case is not archived"
check "nothing was archived" test "$(psql_t -c "SELECT count(*) FROM case_record")" = 0
api GET "/api/v1/cases/$C1/record.json" "$AGENT"
expect_error 404 status "a case that is not archived has no record"
api POST "/api/v1/cases/C99999999/archive" "$ADMIN" '{}'
expect_error 404 case_number "unknown case"
api POST "/api/v1/cases/nonsense/archive" "$ADMIN" '{}'
expect_error 404 case_number "malformed case number"
api POST "/api/v1/cases/$C1/archive" "$ADMIN" '[1'
check "malformed body is a 400" test "$STATUS" = 400

# ---- walk it to closed, with an RMA, a long text and non-Latin text --------------------------
LONG=$(printf 'Intermittent power loss under load; %.0s' $(seq 1 120))
psql_t -c "UPDATE service_case SET fault_description = '$LONG', contact_name = 'Anna Schmidt 李小龍'
    WHERE case_number = '$C1'" >/dev/null
walk "$C1" rma
api POST "/api/v1/cases/$C1/archive" "$ENGINEER" '{}'
expect_status 403 "an engineer may not archive"
E0=$(psql_t -c "SELECT count(*) FROM event WHERE case_id = $(case_id "$C1")")

api POST "/api/v1/cases/$C1/archive" "$AGENT" '{}'
expect_status 200 "archive a closed case"
expect_jq '.status == "archived" and (.record.json_sha256 | test("^[0-9a-f]{64}$")) and (.record.pdf_sha256 | test("^[0-9a-f]{64}$"))' \
    "the answer names the hashes"
JSHA=$(jqb .record.json_sha256)
PSHA=$(jqb .record.pdf_sha256)
check "the case is archived" test "$(case_status "$C1")" = archived
check "exactly one case_archive event with its actor" test "$(psql_t -c "
    SELECT count(*) FROM event WHERE case_id = $(case_id "$C1") AND kind = 'case_archive'
       AND from_state = 'closed' AND to_state = 'archived' AND actor = 'test agent'")" = 1
check "one event more" test "$(psql_t -c "SELECT count(*) FROM event WHERE case_id = $(case_id "$C1")")" = $((E0 + 1))
api POST "/api/v1/cases/$C1/archive" "$AGENT" '{}'
expect_error 409 status "archive twice"
check "still one record of the case" test "$(psql_t -c "SELECT count(*) FROM case_record WHERE case_id = $(case_id "$C1")")" = 1

# two archives of one closed case at once: one archives, the other is a 409, one record
new_case SRV7400002 SRV-R740
C3=$CASE
walk "$C3"
for i in 1 2 3; do
    curl -s -o "$T_TMP/race$i.body" -w '%{http_code}' -X POST -H "Authorization: Bearer $ADMIN" \
        -H 'Content-Type: application/json' --data '{}' "$BASE/api/v1/cases/$C3/archive" >"$T_TMP/race$i" &
    RACE_PIDS[$i]=$!
done
for i in 1 2 3; do wait "${RACE_PIDS[$i]}"; done
# (curl -w writes no newline: one code a line before sorting)
check "racing archives: one 200, two 409" test "$(for i in 1 2 3; do cat "$T_TMP/race$i"; echo; done |
    sort | tr -d '\n')" = 200409409
check "racing archives: one record and one case_archive event" test "$(psql_t -c "
    SELECT (SELECT count(*) FROM case_record WHERE case_id = $(case_id "$C3")) || '/' ||
           (SELECT count(*) FROM event WHERE case_id = $(case_id "$C3") AND kind = 'case_archive')")" = 1/1

# ---- the record as JSON ----------------------------------------------------------------------
api GET "/api/v1/cases/$C1/record.json" "$ENGINEER"
expect_status 200 "the record as JSON"
cp "$T_TMP/body" "$T_TMP/r1.json"
check "the JSON's SHA-256 is the one archived" test "$(sha256sum <"$T_TMP/r1.json" | cut -c1-64)" = "$JSHA"
check "ETag is the SHA-256" grep -qi "^etag: \"$JSHA\"" <<<"$HEADERS"
expect_jq ".case_number == \"$C1\" and .status == \"archived\" and .record_version == 1 and .archived_from == \"closed\" and .cancelled == null" "head of the record"
expect_jq '.rmas[0] | (keys_unsorted[0:2] == ["rma_number","status"]) and .status == "closed"' "each RMA of the record has its status (cancelled: closed)"
expect_jq '.intake.channel == "hotline" and .intake.contact.name == "Anna Schmidt 李小龍"
    and .intake.serial_number == "SRV7400001" and .intake.product_line == "servers"
    and (.intake.fault_description | length) > 3000 and .intake.error_messages == ["E1410 PSU fault"]
    and .intake.service_address.postcode == "60329"' "intake: every field and the channel"
expect_jq '[.events[].kind] | index("case_register") != null and index("case_archive") != null' \
    "the case's events, the archive included"
expect_jq '(.rmas | length) == 1 and (.rmas[0].lines[0].legs | length) >= 1
    and (.rmas[0].screening[0].outcome == "eligible") and (.rmas[0].parcels | length) >= 1
    and ([.rmas[0].events[].kind] | index("rma_created") != null)' \
    "the RMA with lines, legs, parcels, screening and events"
expect_jq "(.assignments | length) == 1 and .assignments[0].engineer == \"$ENG\"
    and .contacts[0].reached == true and .contacts[0].method == \"phone\"
    and .fault_isolation[0].conclusion == \"needs_depot\"
    and .intake.service_address.zone == \"Europe/Berlin\" and .intake.priority != null" \
    "assignments (history), contacts and fault isolation"
expect_jq '.follow_up.channel == "phone" and .follow_up.status != "open" and .feedback.rating == 5
    and .feedback.comment == "quick and friendly" and (.emails | has("received") and has("sent"))' \
    "follow-up and feedback"
expect_jq '.authorizations[0].scope == "high_risk_steps" and .authorizations[0].given_by == "Anna Schmidt"
    and .service_log[0].kind == "symptom" and .service_log[0].text == "PSU 1 LED blinks amber"
    and .remote_sessions == [] and .onsite_visits == []' \
    "authorizations, remote sessions, on-site visits and the service log"
expect_jq '[keys_unsorted[7:][]] == ["intake","assignments","contacts","fault_isolation","authorizations",
    "remote_sessions","onsite_visits","service_log","rmas","follow_up","feedback","emails","events"]' \
    "every section, in order"
expect_jq 'keys_unsorted[0:8] == ["record_version","case_number","status","archived_at","archived_by","archived_from","cancelled","intake"]' \
    "keys in a stable order"
api GET "/api/v1/cases/$C1/record.json" "$ADMIN"
cmp -s "$T_TMP/body" "$T_TMP/r1.json" && pass "same JSON bytes the second time" || fail "JSON bytes differ"
api GET "/api/v1/cases/$C1/record.json" "$ADMIN" "" "" -H "If-None-Match: \"$JSHA\""
expect_status 304 "If-None-Match with the ETag"
api GET "/api/v1/cases/$C1/record.json" "$DEPOT"
expect_status 403 "depot may not read service records"

# ---- the record as PDF -----------------------------------------------------------------------
api GET "/api/v1/cases/$C1/record.pdf" "$AGENT"
expect_status 200 "the record as PDF"
cp "$T_TMP/body" "$T_TMP/r1.pdf"
check "PDF content type" grep -qi '^content-type: application/pdf' <<<"$HEADERS"
check "the PDF's SHA-256 is the one archived" test "$(sha256sum <"$T_TMP/r1.pdf" | cut -c1-64)" = "$PSHA"
check "PDF ETag" grep -qi "^etag: \"$PSHA\"" <<<"$HEADERS"
api GET "/api/v1/cases/$C1/record.pdf" "$AGENT"
cmp -s "$T_TMP/body" "$T_TMP/r1.pdf" && pass "same PDF bytes the second time" || fail "PDF bytes differ"
PAGES=$(pdfinfo "$T_TMP/r1.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
check "the PDF has several pages ($PAGES)" test "${PAGES:-0}" -ge 2
check "A4 pages" grep -q "595.2.* x 841.8" <<<"$(pdfinfo "$T_TMP/r1.pdf")"
pdftotext -layout "$T_TMP/r1.pdf" "$T_TMP/r1.txt"
check "pdftotext shows the case number" grep -q "$C1" "$T_TMP/r1.txt"
check "pdftotext shows the customer" grep -q "Anna Schmidt" "$T_TMP/r1.txt"
check "non-Latin text renders (and extracts)" grep -q "李小龍" "$T_TMP/r1.txt"
check "page numbers: page 1 of $PAGES" grep -q "page 1 of $PAGES" "$T_TMP/r1.txt"
check "the last page is numbered" grep -q "page $PAGES of $PAGES" "$T_TMP/r1.txt"
check "sections with headings" grep -q "Intake" "$T_TMP/r1.txt"
check "the RMA is in the PDF" grep -q "$RMA" "$T_TMP/r1.txt"
check "the RMA's status is in the PDF" grep -qi "status.*closed" "$T_TMP/r1.txt"
check "the service log is in the PDF" grep -q "PSU 1 LED blinks amber" "$T_TMP/r1.txt"
check "the feedback is in the PDF" grep -q "quick and friendly" "$T_TMP/r1.txt"
check "long text is wrapped, not cut" test "$(grep -o 'Intermittent' "$T_TMP/r1.txt" | wc -l)" = 120

# ---- the database refuses changes (psql as the owner) ----------------------------------------
CID=$(case_id "$C1")
refused() { # refused DESCRIPTION SQL: the statement fails
    if psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "$2" >"$T_TMP/sql.out" 2>&1; then
        fail "$1 must be refused" "$(cat "$T_TMP/sql.out")"
    else
        pass "$1 is refused ($(grep -o 'ERROR: .*' "$T_TMP/sql.out" | head -c 90))"
    fi
}
refused "UPDATE case_record" "UPDATE case_record SET record = '{}' WHERE case_id = $CID"
refused "UPDATE case_record's pdf" "UPDATE case_record SET pdf = pdf || '\x00'::bytea"
refused "DELETE FROM case_record" "DELETE FROM case_record"
refused "TRUNCATE case_record" "TRUNCATE case_record"
refused "UPDATE of an archived case" \
    "UPDATE service_case SET contact_name = 'Mallory' WHERE status = 'archived'"
refused "status back to closed" "UPDATE service_case SET status = 'closed' WHERE id = $CID"
refused "DELETE of an archived case" "DELETE FROM service_case WHERE id = $CID"
refused "DELETE FROM event of the case" "DELETE FROM event WHERE case_id = $CID"
refused "UPDATE event of the case" "UPDATE event SET actor = 'x' WHERE case_id = $CID"
refused "INSERT an event into the case" "INSERT INTO event (case_id, kind, actor, channel)
    VALUES ($CID, 'case_note', 'mallory', 'api')"
refused "INSERT an event into the case's RMA" "INSERT INTO event (rma_id, kind, actor, channel)
    SELECT id, 'note', 'mallory', 'api' FROM rma WHERE case_id = $CID"
refused "UPDATE the case's RMA" "UPDATE rma SET close_reason = 'x' WHERE case_id = $CID"
refused "UPDATE a leg of the case's RMA" "UPDATE leg SET state = 'lost' WHERE line_id IN
    (SELECT l.id FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.case_id = $CID)"
refused "UPDATE a parcel of the case's RMA" "UPDATE parcel SET tracking_number = 'X'
    WHERE rma_id IN (SELECT id FROM rma WHERE case_id = $CID)"
check "an UPDATE that changes nothing passes" psql_t -c "UPDATE rma SET type = type WHERE case_id = $CID"
if [ "$(psql_t -c "SELECT count(*) FROM information_schema.columns
        WHERE table_name = 'parcel' AND column_name = 'last_event_at'")" = 1 ]; then
    check "a carrier's late tracking event may still be noted on the parcel (not in the record)" \
        psql_t -c "UPDATE parcel SET last_event_at = now() WHERE rma_id IN
            (SELECT id FROM rma WHERE case_id = $CID)"
    refused "...but not with a change of state" "UPDATE parcel SET last_event_at = now(),
        state = 'lost' WHERE rma_id IN (SELECT id FROM rma WHERE case_id = $CID)"
fi
refused "INSERT a screening" "INSERT INTO screening (rma_id, outcome, reason, entitlement, decided_by)
    SELECT id, 'misuse_suspected', 'x', '{}', created_by FROM rma WHERE case_id = $CID"
# the child tables of the other areas, where they exist
for t in case_assignment case_contact fault_isolation case_authorization remote_session \
    onsite_visit service_log email_intake follow_up follow_up_attempt feedback; do
    if [ "$(psql_t -c "SELECT to_regclass('$t') IS NOT NULL")" = t ]; then
        check "$t carries the archive trigger" test "$(psql_t -c "SELECT count(*) FROM pg_trigger
            WHERE tgrelid = '$t'::regclass AND tgname = '${t}_archived'")" = 1
        if [ "$(psql_t -c "SELECT count(*) FROM $t WHERE case_id = $CID")" -gt 0 ]; then
            refused "DELETE FROM $t of the case" "DELETE FROM $t WHERE case_id = $CID"
        fi
    fi
done
check "a new table truncate is refused too" test "$(psql_t -c "SELECT count(*) FROM pg_trigger
    WHERE tgname IN ('rma_archived_truncate', 'event_archived_truncate')")" = 2

# ---- the guards per statement (migration 0015) -----------------------------------------------
# INSERT and UPDATE are checked once per statement over its transition tables, DELETE per row;
# the tables the tracking import and the manifest close write to carry each of them.  Every
# refusal is SQLSTATE RM409 naming the case and the table, and a refused statement leaves
# nothing, also of the other cases' rows it touched.
for t in rma rma_line leg parcel; do
    check "$t: INSERT and UPDATE guarded per statement, DELETE per row" test "$(psql_t -c "
        SELECT string_agg(tgname || ':' || (CASE WHEN tgtype & 1 = 1 THEN 'row' ELSE 'stmt' END)
            || coalesce(':' || tgnewtable, '') || coalesce(':' || tgoldtable, ''), ' ' ORDER BY tgname)
        FROM pg_trigger WHERE tgrelid = '$t'::regclass AND tgname LIKE '${t}_archived%'
        AND tgname <> '${t}_archived_truncate'")" = \
        "${t}_archived:stmt:rmad_new ${t}_archived_delete:row ${t}_archived_update:stmt:rmad_new:rmad_old"
done
check "event: INSERT guarded per statement" test "$(psql_t -c "SELECT string_agg(tgname || ':' ||
    (CASE WHEN tgtype & 1 = 1 THEN 'row' ELSE 'stmt' END), ' ') FROM pg_trigger
    WHERE tgrelid = 'event'::regclass AND tgname LIKE 'event_archived%'
    AND tgname <> 'event_archived_truncate'")" = "event_archived:stmt"
check "no per-row INSERT or UPDATE archive guard is left" test "$(psql_t -c "SELECT count(*)
    FROM pg_trigger g JOIN pg_proc f ON f.oid = g.tgfoid WHERE f.proname = 'rmad_archived_child'
    AND g.tgtype & (4 | 16) <> 0")" = 0
new_case SRV7400009 SRV-R740 # another case with an RMA, its line, legs and parcels
new_rma "$CASE" SRV7400009 SRV-R740
check "another case's RMA" test -n "$RMA"
refused_rm409() { # refused_rm409 DESCRIPTION TABLE SQL: refused with RM409 naming case C1 and TABLE
    if psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$DB" -c "$3" >"$T_TMP/sql.out" 2>&1; then
        fail "$1 must be refused" "$(cat "$T_TMP/sql.out")"
    elif grep -q "ERROR:  RM409: case $C1 is archived: $2 rows of it cannot change" "$T_TMP/sql.out"; then
        pass "$1 is refused (RM409)"
    else
        fail "$1: want RM409 naming $C1 and $2" "$(head -c 300 "$T_TMP/sql.out")"
    fi
}
refused_rm409 "INSERT of events into the case and into another case at once" event \
    "INSERT INTO event (case_id, kind, actor, channel) SELECT id, 'case_note', 'mallory', 'api'
     FROM service_case WHERE id IN ($CID, (SELECT min(id) FROM service_case WHERE id <> $CID))"
check "...and the other case got no event either" test "$(psql_t -c "SELECT count(*) FROM event
    WHERE actor = 'mallory'")" = 0
refused_rm409 "INSERT of a line into the case's RMA" rma_line \
    "INSERT INTO rma_line (rma_id, line_no, product_model, quantity)
     SELECT id, 99, 'SRV-R740', 1 FROM rma WHERE case_id = $CID"
refused_rm409 "UPDATE of the case's RMA" rma "UPDATE rma SET close_reason = 'x' WHERE case_id = $CID"
LEGS0=$(psql_t -c "SELECT md5(string_agg(id || state || updated_at, ',' ORDER BY id)) FROM leg")
check "there are legs of other cases too" test "$(psql_t -c "SELECT count(*) FROM leg g
    JOIN rma_line l ON l.id = g.line_id JOIN rma r ON r.id = l.rma_id WHERE r.case_id <> $CID")" -gt 0
refused_rm409 "UPDATE of every leg (the case's among them)" leg \
    "UPDATE leg SET updated_at = updated_at + interval '1 second'"
check "...and no leg changed" test "$(psql_t -c "SELECT md5(string_agg(id || state || updated_at,
    ',' ORDER BY id)) FROM leg")" = "$LEGS0"
check "UPDATE of every other case's leg passes" psql_t -c "UPDATE leg SET updated_at = updated_at
    WHERE line_id NOT IN (SELECT l.id FROM rma_line l JOIN rma r ON r.id = l.rma_id
    WHERE r.case_id = $CID)"
refused_rm409 "DELETE of the case's legs" leg "DELETE FROM leg WHERE line_id IN
    (SELECT l.id FROM rma_line l JOIN rma r ON r.id = l.rma_id WHERE r.case_id = $CID)"
if [ "$(psql_t -c "SELECT count(*) FROM information_schema.columns
        WHERE table_name = 'parcel' AND column_name = 'last_event_at'")" = 1 ]; then
    check "every parcel's last tracking event noted at once passes (the carrier's columns)" \
        psql_t -c "UPDATE parcel SET last_event_at = now(), last_event = 'in_transit'"
    refused_rm409 "...but not with another column" parcel \
        "UPDATE parcel SET last_event_at = now(), parcel_count = parcel_count + 1"
    check "...a statement that changes no state passes" psql_t -c "UPDATE parcel SET state = state"
fi

# the carrier's events and the manifest lines of the archived case's parcels (migration 0016):
# UPDATE and DELETE are refused; a carrier's late event may still be noted (INSERT)
check "tracking_event: UPDATE per statement, DELETE per row, no INSERT guard" test "$(psql_t -c "
    SELECT string_agg(tgname || ':' || (CASE WHEN tgtype & 1 = 1 THEN 'row' ELSE 'stmt' END), ' ' ORDER BY tgname)
    FROM pg_trigger WHERE tgrelid = 'tracking_event'::regclass AND tgname LIKE 'tracking_event_archived%'")" = \
    "tracking_event_archived_delete:row tracking_event_archived_truncate:stmt tracking_event_archived_update:stmt"
check "manifest_parcel: INSERT and UPDATE per statement, DELETE per row" test "$(psql_t -c "
    SELECT string_agg(tgname || ':' || (CASE WHEN tgtype & 1 = 1 THEN 'row' ELSE 'stmt' END), ' ' ORDER BY tgname)
    FROM pg_trigger WHERE tgrelid = 'manifest_parcel'::regclass AND tgname LIKE 'manifest_parcel_archived%'")" = \
    "manifest_parcel_archived:stmt manifest_parcel_archived_delete:row manifest_parcel_archived_truncate:stmt manifest_parcel_archived_update:stmt"
PID=$(psql_t -c "SELECT min(p.id) FROM parcel p JOIN rma r ON r.id = p.rma_id WHERE r.case_id = $CID")
check "the archived case has a parcel" test -n "$PID"
DOCID=$(psql_t -c "INSERT INTO document (sender, doc_type, doc_id, body_sha256, status, response, created_by)
    VALUES ('carrier:1', 'UPSTrackResponse', 'ARCH-$$', '\x00', 201, '{}', (SELECT min(id) FROM api_token))
    RETURNING id")
check "a carrier's late event about the archived parcel is still noted" psql_t -c "INSERT INTO tracking_event
    (parcel_id, carrier_id, document_id, tracking_number, canon, code, at, offset_known, line, outcome)
    VALUES ($PID, (SELECT id FROM carrier WHERE code = 'UPS'), $DOCID, 'LATE$$', 'in_transit', 'I', now(), true, 1, 'no_move')"
refused_rm409 "UPDATE of the archived parcel's tracking events" tracking_event \
    "UPDATE tracking_event SET text = 'rewritten' WHERE parcel_id = $PID"
refused_rm409 "DELETE of the archived parcel's tracking events" tracking_event \
    "DELETE FROM tracking_event WHERE parcel_id = $PID"
refused "TRUNCATE tracking_event" "TRUNCATE tracking_event"
# a manifest line of the archived parcel, planted with the triggers off (as a restore would)
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "SET session_replication_role = replica;
    INSERT INTO manifest (manifest_no, carrier_id, account, pickup_date, format_version, parcel_count,
        xml, sha256, created_by)
    SELECT 'MARCH$$' || n, (SELECT id FROM carrier WHERE code = 'UPS'), 'A1B2C3', current_date, '1', 1,
        '\x00', sha256('\x00'), (SELECT min(id) FROM api_token) FROM (VALUES ('A'), ('B')) v (n);
    INSERT INTO manifest_parcel (manifest_id, parcel_id, position)
        SELECT id, $PID, 1 FROM manifest WHERE manifest_no = 'MARCH$$A'" >/dev/null
check "a manifest line of the archived parcel is there" test "$(psql_t -c "SELECT count(*) FROM manifest_parcel
    WHERE parcel_id = $PID")" = 1
refused_rm409 "UPDATE of the archived parcel's manifest line" manifest_parcel \
    "UPDATE manifest_parcel SET active = false WHERE parcel_id = $PID"
refused_rm409 "DELETE of the archived parcel's manifest line" manifest_parcel \
    "DELETE FROM manifest_parcel WHERE parcel_id = $PID"
refused_rm409 "INSERT of another manifest line of the archived parcel" manifest_parcel \
    "INSERT INTO manifest_parcel (manifest_id, parcel_id, position, active)
     SELECT id, $PID, 1, false FROM manifest WHERE manifest_no = 'MARCH$$B'"

api GET "/api/v1/cases/$C1/record.json" "$ADMIN"
cmp -s "$T_TMP/body" "$T_TMP/r1.json" && pass "the record is unchanged after the attacks" ||
    fail "the record changed"
api GET "/api/v1/cases/$C1/record.pdf" "$ADMIN"
cmp -s "$T_TMP/body" "$T_TMP/r1.pdf" && pass "the PDF is unchanged after the attacks" ||
    fail "the PDF changed"
check "the case row is unchanged" test "$(psql_t -c "SELECT contact_name || '|' || status
    FROM service_case WHERE id = $CID")" = "Anna Schmidt 李小龍|archived"

# the API refuses changes to the archived case as well (a state conflict)
api POST "/api/v1/cases/$C1/hold" "$ADMIN" '{"reason": "waiting"}'
check "hold of an archived case is refused (409)" test "$STATUS" = 409

# ---- a cancelled case ends in the archive too ---------------------------------------------------
new_case SRV7400003 SRV-R740
C3=$CASE
move "$C3" register "$ADMIN" '{}' new registered
move "$C3" cancel "$AGENT" '{"reason": "the customer replaced the server himself"}' registered cancelled
api POST "/api/v1/cases/$C3/archive" "$AGENT" '{}'
expect_status 200 "archive a cancelled case"
check "one case_archive event from cancelled" test "$(psql_t -c "SELECT count(*) FROM event WHERE case_id = $(case_id "$C3")
    AND kind = 'case_archive' AND from_state = 'cancelled' AND to_state = 'archived'")" = 1
api GET "/api/v1/cases/$C3/record.json" "$AGENT"
expect_status 200 "the cancelled case's record"
expect_jq '.status == "archived" and .archived_from == "cancelled" and .cancelled.reason == "the customer replaced the server himself"
    and .cancelled.by == "test agent" and .cancelled.from == "registered" and .cancelled.at != null' \
    "the record says it was cancelled, why, by whom and when"
api GET "/api/v1/cases/$C3/record.pdf" "$AGENT"
expect_status 200 "the cancelled case's PDF"
api GET "/api/v1/cases/$C3/sla" "$AGENT"
expect_jq '.clocks.register.state == "stopped" and .clocks.first_contact.state == "cancelled"
    and .clocks.resolution.state == "cancelled" and .clocks.resolution.stopped_by == "cancel"
    and .clocks.resolution.end == .cancelled_at' "its SLA clocks stopped at the cancel"

# ---- an archived case's RMA: the API says the case is archived ----------------------------------
# an RMA left open on a case that was closed (stood in for by SQL before the archive)
new_case SRV7400004 SRV-R740
C4=$CASE
walk "$C4" rma
R4=$RMA
psql_t -c "UPDATE rma SET closed_at = NULL, close_reason = NULL WHERE rma_number = '$R4'" >/dev/null
api POST "/api/v1/cases/$C4/archive" "$AGENT" '{}'
expect_status 200 "archive the case with the open RMA"
api POST "/api/v1/rmas/$R4/close" "$AGENT" '{"reason": "tidy up"}'
expect_error 409 status "closing an archived case's RMA"
expect_jq ".error.message | test(\"$C4 is archived\") and (test(\"meanwhile\") | not)" "the refusal says the case is archived"

# other cases are not frozen: a second case still changes
new_case SRV7400002 SRV-R740
C2=$CASE
move "$C2" register "$ADMIN" '{}' new registered
check "another case's row still updates" psql_t -c "UPDATE service_case SET contact_name = 'Bob'
    WHERE case_number = '$C2'"

finish

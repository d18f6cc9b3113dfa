#!/usr/bin/env bash
# Cases (issue 3): e-mail intake, completion and follow-up, feedback and closing, and the
# outbox's SMTP sender against a sink of our own (tests/http/smtp_sink.py): every e-mail is
# delivered exactly once, also when the sink was down and when rmad was killed between claiming
# a message and sending it.
source "$(dirname "$0")/../lib.sh"

FIX=$RMAD_SRC/tests/fixtures/email
MAILDIR=$T_TMP/mail
SINK_PID=""
SINK_PORT=0

sink_start() {
    rm -f "$T_TMP/sink.port"
    python3 "$RMAD_SRC/tests/http/smtp_sink.py" "$MAILDIR" --port "$SINK_PORT" \
        --port-file "$T_TMP/sink.port" >>"$T_TMP/sink.log" 2>&1 &
    SINK_PID=$!
    local i
    for i in $(seq 1 100); do
        [ -s "$T_TMP/sink.port" ] && break
        sleep 0.1
    done
    SINK_PORT=$(cat "$T_TMP/sink.port")
}
sink_stop() {
    if [ -n "$SINK_PID" ]; then
        kill "$SINK_PID" 2>/dev/null
        wait "$SINK_PID" 2>/dev/null
        SINK_PID=""
    fi
}
B_PID=""
trap 'sink_stop; [ -n "$B_PID" ] && kill "$B_PID" 2>/dev/null; cleanup' EXIT

# mail_post FILE [TOKEN] [CONTENT-TYPE]: POST the raw e-mail; sets STATUS, BODY, HEADERS.
mail_post() {
    local file=$1 token=${2:-$AGENT} ctype=${3:-message/rfc822}
    STATUS=$(curl -s -S -o "$T_TMP/body" -D "$T_TMP/headers" -w '%{http_code}' --max-time 30 \
        -X POST -H "Authorization: Bearer $token" -H "Content-Type: $ctype" \
        --data-binary "@$file" "$BASE/api/v1/intake/email") || STATUS=000
    BODY=$(cat "$T_TMP/body")
    HEADERS=$(cat "$T_TMP/headers")
}
# delivered MESSAGE-ID: how many messages the sink holds with this Message-ID.
delivered() {
    grep -il -F "Message-Id: $1" "$MAILDIR"/*.eml 2>/dev/null | wc -l
}
# wait_until SECONDS COMMAND...: polls every 0.2 s; false when it never held.
wait_until() {
    local limit=$1 i
    shift
    for ((i = 0; i < limit * 5; i++)); do
        "$@" && return 0
        sleep 0.2
    done
    return 1
}
delivered_once() { [ "$(delivered "$1")" = 1 ]; }
outbox_status() { [ "$(psql_t -c "SELECT status FROM outbox WHERE id = $1")" = "$2" ]; }
# outbox_of CASE KIND: the outbox row id of the case's message of that kind.
outbox_of() {
    psql_t -c "SELECT o.id FROM outbox o JOIN service_case c ON c.id = o.case_id
               WHERE c.case_number = '$1' AND o.kind = '$2' ORDER BY o.id DESC LIMIT 1"
}
mid_of() { psql_t -c "SELECT message_id FROM outbox WHERE id = $1"; }
# variant FILE NEW-ID: the fixture with another Message-ID.
variant() {
    sed "s/^Message-ID: <[^>]*>/Message-ID: <$2>/" "$1" >"$T_TMP/$2.eml"
    printf '%s' "$T_TMP/$2.eml"
}

# resolve_remote CASE: troubleshooting, a fault isolation that fixed it, resolved remotely.
resolve_remote() {
    case_to_troubleshooting "$1" &&
        lc_step "fault isolation of $1" 200 POST "/api/v1/cases/$1/fault-isolation" "$ENGINEER" \
            '{"method":"phone","findings":"loose power cable","conclusion":"fixed"}' &&
        lc_step "resolve $1" 200 POST "/api/v1/cases/$1/resolve" "$ENGINEER" \
            '{"resolution":"power supply reseated remotely"}'
}

mkdir -p "$MAILDIR"
sink_start
export RMAD_SMTP_URL=smtp://127.0.0.1:$SINK_PORT RMAD_SMTP_FROM=service@rmad.example
export RMAD_OUTBOX_INTERVAL=1
rmad_setup

# ---- e-mail intake ----
mail_post "$FIX/complete-multipart-qp.eml"
expect_status 201 "multipart/alternative quoted-printable e-mail opens a case"
expect_jq '.case_number | test("^C[0-9]{8}$")' "case number in the answer"
CASE1=$(jqb .case_number)
row=$(psql_t -F '|' -c "SELECT channel, contact_name, contact_email, serial_number, product_model,
    addr_name, addr_street, addr_postcode, addr_city, addr_country, jsonb_array_length(error_messages),
    configuration #>> '{}', contact_phone FROM service_case WHERE case_number = '$CASE1'")
check "intake fields read from the e-mail ($row)" test "$row" = \
    "email|Anna Schmidt|anna@example.com|SRV7400001|SRV-R740|ACME GmbH|Mainzer Landstr. 1|60329|Frankfurt|DE|2|BIOS 2.19.1, 2x PSU 750 W|+49 69 1234567"
desc=$(psql_t -c "SELECT fault_description FROM service_case WHERE case_number = '$CASE1'")
check "free text is the fault description, decoded" grep -q "power cut – it does not power on" <<<"$desc"
check "the signature is not part of the description" test -z "$(grep -F 'IT' <<<"$desc" | grep -F '·')"
ACK1=$(outbox_of "$CASE1" intake_ack)
check "the acknowledgement delivered to the sink" wait_until 15 delivered_once "$(mid_of "$ACK1")"
f=$(grep -il -F "Message-Id: $(mid_of "$ACK1")" "$MAILDIR"/*.eml | head -1)
check "ack goes to the sender" grep -q "X-Sink-Rcpt-To: <anna@example.com>" "$f"
check "ack answers the customer's message" grep -q "In-Reply-To: <20261203091240.A1B2C3@mx.example.com>" "$f"
check "ack names the case number" grep -q "$CASE1" "$f"

mail_post "$FIX/complete-multipart-qp.eml"
expect_status 201 "the same message delivered again"
expect_jq ".case_number == \"$CASE1\"" "same case number on the second delivery"
check "second delivery is marked as a replay" grep -qi "Idempotent-Replayed: true" <<<"$HEADERS"
check "one case for the Message-ID" test "$(psql_t -c "SELECT count(*) FROM service_case WHERE channel = 'email'")" = 1
check "one acknowledgement queued" test "$(psql_t -c "SELECT count(*) FROM outbox WHERE kind = 'intake_ack'")" = 1

# the German message delivered five times at once: one case, one acknowledgement, one answer
pids=()
for i in 1 2 3 4 5; do
    curl -s -o "$T_TMP/race.$i" -w '%{http_code}\n' --max-time 30 -X POST \
        -H "Authorization: Bearer $AGENT" -H "Content-Type: message/rfc822" \
        --data-binary "@$FIX/complete-base64-de.eml" "$BASE/api/v1/intake/email" >"$T_TMP/race.$i.code" &
    pids+=($!)
done
wait "${pids[@]}"
check "five racing deliveries all answer 201 ($(cat "$T_TMP"/race.*.code | tr '\n' ' '))" \
    test "$(cat "$T_TMP"/race.*.code | sort -u)" = 201
check "five racing deliveries name one case" \
    test "$(cat "$T_TMP"/race.[1-5] | jq -r .case_number | sort -u | wc -l)" = 1
check "one case for the raced Message-ID" test "$(psql_t -c "SELECT count(*) FROM email_intake WHERE message_id = 'de-notebook-0001@example.de' AND case_id IS NOT NULL")" = 1
mail_post "$FIX/complete-base64-de.eml"
expect_status 201 "German e-mail, base64 body, RFC 2047 encoded From name"
CASE2=$(jqb .case_number)
row=$(psql_t -F '|' -c "SELECT contact_name, addr_name, addr_street, addr_postcode, addr_city,
    addr_country, serial_number, product_model FROM service_case WHERE case_number = '$CASE2'")
check "German labels and encoded words decoded ($row)" test "$row" = \
    "Jürgen Müller|Müller & Söhne KG|Hauptstraße 5|80331|München|DE|NBX130001|NB-X13"

# a noncharacter in an RFC 2047 subject: the subject is no field of the case; it goes on as U+FFFD
sed -e 's/^Subject: .*/Subject: =?utf-8?b?aGVscCDvv78=?=/' -e 's/^Message-ID: <[^>]*>/Message-ID: <nonchar-subject@example.de>/' \
    -e 's/j.mueller@example.de/nonchar@example.de/' "$FIX/complete-base64-de.eml" >"$T_TMP/nonchar.eml"
mail_post "$T_TMP/nonchar.eml"
expect_status 201 "a noncharacter in the encoded subject (U+FFFF)"
NC=$(outbox_of "$(jqb .case_number)" intake_ack)
check "...the acknowledgement's subject carries U+FFFD instead" test \
    "$(psql_t -c "SELECT position(U&'\FFFD' IN subject) > 0 AND position(U&'\FFFF' IN subject) = 0 FROM outbox WHERE id = $NC")" = t
mail_post "$FIX/html-only.eml"
expect_status 201 "HTML-only ISO-8859-1 e-mail with an attachment"
CASE3=$(jqb .case_number)
row=$(psql_t -F '|' -c "SELECT contact_name, serial_number, addr_city, addr_country
    FROM service_case WHERE case_number = '$CASE3'")
check "HTML text read, the attachment ignored ($row)" test "$row" = "François Lévêque|KBUS7700042|Paris|FR"

cases_before=$(psql_t -c "SELECT count(*) FROM service_case")
mail_post "$FIX/incomplete.eml"
expect_status 422 "an e-mail that lacks fields"
expect_jq '.missing == ["serial_number","service_address.street","service_address.city","service_address.postcode","service_address.country"]' \
    "every missing field is listed"
expect_jq '.error.field == "serial_number"' "the error names the first missing field"
check "no case for an incomplete e-mail" test "$(psql_t -c "SELECT count(*) FROM service_case")" = "$cases_before"
REPLY=$(psql_t -c "SELECT id FROM outbox WHERE kind = 'intake_missing' AND to_addr = 'bob.smith@example.co.uk'")
check "a reply to the sender is queued" test -n "$REPLY"
check "the reply is delivered" wait_until 15 delivered_once "$(mid_of "$REPLY")"
f=$(grep -il -F "Message-Id: $(mid_of "$REPLY")" "$MAILDIR"/*.eml | head -1)
body=$(python3 -c 'import email,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb")); print(m.get_payload(decode=True).decode())' "$f")
check "the reply lists the serial number" grep -q "^Serial number: " <<<"$body"
check "the reply lists the postcode" grep -q "^Postcode: " <<<"$body"
check "the reply does not ask for the model it has" test -z "$(grep '^Model: ' <<<"$body")"
mail_post "$FIX/incomplete.eml"
expect_status 422 "the incomplete e-mail again: the same answer"
check "no second reply for the same message" test "$(psql_t -c "SELECT count(*) FROM outbox WHERE kind = 'intake_missing'")" = 1

# ---- bytes never dropped: a charset that lies, 8-bit headers, a NUL, what no charset reads ----
# reply_body TO: the text of the newest reply queued to that address.
reply_body() { psql_t -c "SELECT body FROM outbox WHERE to_addr = '$1' ORDER BY id DESC LIMIT 1"; }
printf 'From: Lena Wei\xdf <lena@example.de>\r\nSubject: Ger\xe4t kaputt\r\nMessage-ID: <lie-1@example.de>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nModell: SRV-R740\r\nSeriennummer: SRV7400010\r\nAdresse: Stra\xdfe 1, 80331 M\xfcnchen, DE\r\nGer\xe4t kaputt\r\n' >"$T_TMP/lie.eml"
mail_post "$T_TMP/lie.eml"
expect_status 201 "Latin-1 bytes labelled utf-8 open a case"
row=$(psql_t -F '|' -c "SELECT contact_name, addr_street, addr_city, fault_description
    FROM service_case WHERE case_number = '$(jqb .case_number)'")
check "read as windows-1252, no byte dropped ($row)" test "$row" = \
    "Lena Weiß|Straße 1|München|Gerät kaputt"
printf 'From: Lena <lena@example.de>\r\nSubject: =?us-ascii?q?Ger=E4t?=\r\nMessage-ID: <lie-2@example.de>\r\nContent-Type: text/plain; charset=x-nonsense\r\n\r\nModell: SRV-R740\r\nSeriennummer: SRV7400011\r\nAdresse: Stra\xdfe 1, 80331 M\xfcnchen, DE\r\n' >"$T_TMP/lie2.eml"
mail_post "$T_TMP/lie2.eml"
expect_status 201 "an unknown charset and an encoded word whose charset lies"
row=$(psql_t -F '|' -c "SELECT addr_street, fault_description
    FROM service_case WHERE case_number = '$(jqb .case_number)'")
check "both read as windows-1252 ($row)" test "$row" = "Straße 1|Gerät"
printf 'From: Nul Test <nul@example.de>\r\nSubject: Server defekt\r\nMessage-ID: <nul-1@example.de>\r\n\r\nModel: SRV-R740\r\nSerial: SRV7400003\x00\r\nStreet: Hauptstr. 1\r\nCity: Bonn\r\nPostcode: 53111\r\nCountry: DE\r\n' >"$T_TMP/nul.eml"
mail_post "$T_TMP/nul.eml"
expect_error 422 serial_number "a NUL byte after the serial number"
expect_jq '.missing == []' "nothing after the NUL is missing"
body=$(reply_body nul@example.de)
check "the reply says the serial number could not be read" grep -q "^What we could not accept: Serial number holds a control character" <<<"$body"
check "the reply does not ask for the street, city, postcode or country it was sent" \
    test -z "$(grep -E '^(Street|City|Postcode|Country): ' <<<"$body")"
# every missing and every refused field in the first answer: no display name (the name is
# missing) and a control character in the serial number (refused): both, one round trip
printf 'From: a@b.de\r\nSubject: Server defekt\r\nMessage-ID: <both-1@example.de>\r\n\r\nModel: SRV-R740\r\nSerial: SRV74\x01\r\nStreet: Hauptstr. 1\r\nCity: Bonn\r\nPostcode: 53111\r\nCountry: DE\r\nIt does not boot.\r\n' >"$T_TMP/both.eml"
mail_post "$T_TMP/both.eml"
expect_error 422 contact.name "no display name and a control character in the serial number"
expect_jq '.missing == ["contact.name"] and .invalid == ["serial_number"]' \
    "the name is listed as missing and the serial number as refused, at once ($BODY)"
expect_jq '.reasons.serial_number | test("control character")' "with why the serial number was refused"
body=$(reply_body a@b.de)
check "the reply asks for the name" grep -qx "Name: " <<<"$body"
check "the reply asks for the serial number" grep -qx "Serial number: " <<<"$body"
check "the reply says the serial number could not be read" \
    grep -q "^What we could not accept: Serial number holds a control character" <<<"$body"
check "the reply asks for nothing else" \
    test "$(grep -cE '^[A-Z][a-z ]+( \(.*\))?: $' <<<"$body")" = 2
BOTH=$(psql_t -c "SELECT id FROM outbox WHERE kind = 'intake_missing' AND in_reply_to = '<both-1@example.de>'")
printf 'From: a@b.de\r\nSubject: Re: Server defekt\r\nMessage-ID: <both-2@example.de>\r\nIn-Reply-To: %s\r\n\r\nName: Anna B\r\nSerial number: SRV7400074\r\n' "$(mid_of "$BOTH")" >"$T_TMP/both2.eml"
mail_post "$T_TMP/both2.eml"
expect_status 201 "the one reply with both lines opens the case"
row=$(psql_t -F '|' -c "SELECT contact_name, serial_number, addr_city FROM service_case WHERE case_number = '$(jqb .case_number)'")
check "the case has the name and the serial number ($row)" test "$row" = "Anna B|SRV7400074|Bonn"
# a missing field and a zone that does not exist: both
printf 'From: Zed <zed@example.com>\r\nSubject: laptop\r\nMessage-ID: <both-3@example.com>\r\n\r\nModel: NB-X13\r\nStreet: 350 Fifth Avenue\r\nCity: New York\r\nPostcode: 10118\r\nCountry: US\r\nTime zone: America/Atlantis\r\nIt does not boot.\r\n' >"$T_TMP/both3.eml"
mail_post "$T_TMP/both3.eml"
expect_error 422 serial_number "a missing serial number and an unknown zone"
expect_jq '.missing == ["serial_number"] and .invalid == ["service_address.zone"]' \
    "the serial number is listed as missing and the zone as refused, at once ($BODY)"
body=$(reply_body zed@example.com)
check "the reply asks for the serial number" grep -qx "Serial number: " <<<"$body"
check "the reply asks for the time zone" grep -qx "Time zone (for example America/New_York): " <<<"$body"
check "the reply says why the zone was refused" grep -q "^What we could not accept: Time zone .*unknown time zone" <<<"$body"
# a zone of another country and a bad postcode, nothing missing: both refused
printf 'From: Zed <zed2@example.com>\r\nSubject: laptop\r\nMessage-ID: <both-4@example.com>\r\n\r\nModel: NB-X13\r\nSerial: NBX130099\r\nStreet: 350 Fifth Avenue\r\nCity: New York\r\nPostcode: 10118#\r\nCountry: US\r\nTime zone: Europe/Berlin\r\nIt does not boot.\r\n' >"$T_TMP/both4.eml"
mail_post "$T_TMP/both4.eml"
expect_status 422 "a bad postcode and a zone of another country"
expect_jq '.missing == [] and .invalid == ["service_address.postcode","service_address.zone"]' \
    "both are refused at once ($BODY)"
body=$(reply_body zed2@example.com)
check "the reply lists both problems" grep -qx -- "- Time zone (for example America/New_York) .*" <<<"$body"
check "the reply asks for both lines" test "$(grep -cE '^(Postcode|Time zone \(for example America/New_York\)): $' <<<"$body")" = 2
printf 'From: Nul Test <nul@example.de>\r\nSubject: Server defekt\r\nMessage-ID: <nul-2@example.de>\r\n\r\nModel: SRV-R740\r\nSerial: SRV7400004\r\nAddress: Hauptstr. 1, 53111 Bonn, DE\r\nIt beeps\x00 twice.\r\n' >"$T_TMP/nul2.eml"
mail_post "$T_TMP/nul2.eml"
expect_status 201 "a NUL in the free text"
check "the text after the NUL is kept, the NUL shown as U+FFFD" test \
    "$(psql_t -c "SELECT fault_description FROM service_case WHERE case_number = '$(jqb .case_number)'")" = "It beeps� twice."
printf 'From: lena@example.de\r\nSubject: x\r\nMessage-ID: <undef-1@example.de>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSerial: SRV\x81\r\n' >"$T_TMP/undef.eml"
mail_post "$T_TMP/undef.eml"
expect_error 422 body "a text that no charset reads"
check "the reply says the text could not be read" grep -q "^What we could not accept: The text of your e-mail could not be read" <<<"$(reply_body lena@example.de)"
printf 'From: Jo\x00e <jo@example.de>\r\nSubject: x\r\n\r\nx\r\n' >"$T_TMP/nulfrom.eml"
mail_post "$T_TMP/nulfrom.eml"
expect_error 422 From "a NUL in the From header"
printf 'From: jo@example.de\r\nMessage-ID: <a\x00b@example.de>\r\nSubject: x\r\n\r\nx\r\n' >"$T_TMP/nulid.eml"
mail_post "$T_TMP/nulid.eml"
expect_error 422 Message-ID "a NUL in the Message-ID"

outbox_before=$(psql_t -c "SELECT count(*) FROM outbox")
mail_post "$FIX/auto-reply.eml"
expect_status 422 "an out-of-office reply lacks the intake"
check "an automatic message (Auto-Submitted) gets no reply: no mail loop" \
    test "$(psql_t -c "SELECT count(*) FROM outbox")" = "$outbox_before"
head -c $((1024 * 1024 + 10)) /dev/zero | tr '\0' 'a' >"$T_TMP/big.eml"
mail_post "$T_TMP/big.eml"
expect_error 413 body "an e-mail over 1 MiB"
mail_post "$FIX/no-from.eml"
expect_error 422 From "an e-mail without From"
printf 'this is not an e-mail\n' >"$T_TMP/garbage.eml"
mail_post "$T_TMP/garbage.eml"
expect_error 400 body "a body that is not an e-mail"
mail_post "$FIX/complete-base64-de.eml" "$AGENT" application/json
expect_error 415 Content-Type "e-mail intake needs message/rfc822"
mail_post "$FIX/complete-base64-de.eml" "$DEPOT"
check "the depot role may not post e-mails ($STATUS)" test "$STATUS" = 403
check "no personal data in the log" test -z "$(grep -E 'anna@example.com|Schmidt|Müller|bob.smith' "$T_TMP/rmad.log")"

# ---- completion, follow-up by e-mail, feedback ----
api POST "/api/v1/cases/$CASE1/complete" "$AGENT" '{"summary":"x","follow_up":{"channel":"email"}}'
expect_error 409 status "a new case cannot be completed"
resolve_remote "$CASE1"
api POST "/api/v1/cases/$CASE1/complete" "$AGENT" '{"summary":"PSU reseated","follow_up":{"channel":"fax"}}'
expect_error 422 follow_up.channel "follow-up channel must be email or phone"
api POST "/api/v1/cases/$CASE1/complete" "$AGENT" '{"summary":"PSU reseated","follow_up":{"channel":"email","due_in_days":31}}'
expect_error 422 follow_up.due_in_days "due_in_days above 30"
api POST "/api/v1/cases/$CASE1/complete" "$AGENT" '{"follow_up":{"channel":"email"}}'
expect_error 422 summary "a summary is required"
api POST "/api/v1/cases/C99999999/complete" "$AGENT" '{"summary":"x","follow_up":{"channel":"email"}}'
expect_error 404 case_number "unknown case"
api POST "/api/v1/cases/$CASE1/complete" "$AGENT" '{"summary":"The power supply was reseated; the server runs.","follow_up":{"channel":"email","due_in_days":3}}'
expect_status 200 "work complete, follow-up by e-mail opened"
expect_jq '.status == "open" and .channel == "email" and .due == false' "follow-up open, not due yet"
check "case is in follow_up" test "$(psql_t -c "SELECT status FROM service_case WHERE case_number = '$CASE1'")" = follow_up
check "one event per move (complete, follow_up)" test "$(psql_t -c "SELECT string_agg(kind, ',' ORDER BY e.id) FROM event e JOIN service_case c ON c.id = e.case_id
    WHERE c.case_number = '$CASE1' AND kind IN ('case_complete', 'case_follow_up')")" = "case_complete,case_follow_up"
FU1=$(outbox_of "$CASE1" follow_up)
check "the follow-up e-mail is delivered exactly once" wait_until 15 delivered_once "$(mid_of "$FU1")"
api GET "/api/v1/cases/$CASE1/follow-up" "$AGENT"
expect_jq '.email.status == "sent" and .attempt_count == 1' "follow-up shows the e-mail sent"
api POST "/api/v1/cases/$CASE1/complete" "$AGENT" '{"summary":"again","follow_up":{"channel":"email"}}'
expect_error 409 status "completing twice"
api POST "/api/v1/cases/$CASE1/close" "$AGENT" '{"reason":"no answer"}'
expect_error 409 due_at "closing before the follow-up is due"
for bad in 0 6 '"5"' 4.5 null; do
    api POST "/api/v1/cases/$CASE1/feedback" "$AGENT" "{\"rating\":$bad,\"comment\":\"x\"}"
    expect_error 422 rating "rating $bad refused"
done
check "bad ratings left the case in follow_up" test "$(psql_t -c "SELECT status FROM service_case WHERE case_number = '$CASE1'")" = follow_up
api POST "/api/v1/cases/$CASE1/feedback" "$AGENT" '{"rating":5,"comment":"Quick and friendly."}'
expect_status 200 "feedback recorded"
expect_jq '.feedback.rating == 5 and .status == "done"' "feedback in the follow-up"
check "feedback closed the case" test "$(psql_t -c "SELECT status FROM service_case WHERE case_number = '$CASE1'")" = closed
check "feedback row with its actor" test "$(psql_t -c "SELECT rating || actor FROM feedback f JOIN service_case c ON c.id = f.case_id WHERE c.case_number = '$CASE1'")" = "5test agent"
api POST "/api/v1/cases/$CASE1/feedback" "$AGENT" '{"rating":4}'
expect_error 409 status "feedback on a closed case"
sleep 2
check "still exactly one follow-up e-mail" delivered_once "$(mid_of "$FU1")"
check "still exactly one acknowledgement" delivered_once "$(mid_of "$ACK1")"

# ---- follow-up by phone; closing without feedback ----
NEW_CASE_KEEP_NEW=1 new_case SRV7400003 SRV-R740
CASE4=$CASE
resolve_remote "$CASE4"
api POST "/api/v1/cases/$CASE4/complete" "$AGENT" '{"summary":"Firmware updated.","follow_up":{"channel":"phone","due_in_days":1}}'
expect_status 200 "work complete, follow-up by phone"
api POST "/api/v1/cases/$CASE4/close" "$AGENT" '{"reason":"customer not reachable"}'
expect_error 409 due_at "close before due"
psql_t -c "UPDATE follow_up SET due_at = now() - interval '1 hour' WHERE case_id = (SELECT id FROM service_case WHERE case_number = '$CASE4')"
api POST "/api/v1/cases/$CASE4/close" "$AGENT" '{"reason":"customer not reachable"}'
expect_error 409 attempts "close without any attempt"
api POST "/api/v1/cases/$CASE4/follow-up/attempts" "$AGENT" '{"channel":"phone","outcome":"maybe"}'
expect_error 422 outcome "attempt outcome must be reached or no_answer"
api POST "/api/v1/cases/$CASE4/follow-up/attempts" "$AGENT" '{"channel":"phone","outcome":"no_answer","note":"voicemail"}'
expect_status 201 "phone attempt recorded"
expect_jq '.attempt_count == 1 and .attempts[0].outcome == "no_answer" and .attempts[0].actor == "test agent"' "attempt shown with its actor"
api POST "/api/v1/cases/$CASE4/close" "$AGENT" '{}'
expect_error 422 reason "closing needs a reason"
api POST "/api/v1/cases/$CASE4/close" "$AGENT" '{"reason":"customer not reachable"}'
expect_status 200 "closed without feedback after the attempt"
expect_jq '.status == "closed_no_feedback" and .feedback == null' "follow-up closed without feedback"
check "case closed" test "$(psql_t -c "SELECT status FROM service_case WHERE case_number = '$CASE4'")" = closed
check "close event names the actor" test "$(psql_t -c "SELECT actor FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$CASE4' AND kind = 'case_close'")" = "test agent"

# a case without a contact e-mail cannot be followed up by e-mail
api POST /api/v1/cases "$AGENT" '{"channel":"hotline","product_model":"NB-X13","serial_number":"NBX130002",
  "fault_description":"display flickers","contact":{"name":"Carl","phone":"+49 30 123456"},
  "service_address":{"name":"Carl","street":"Unter den Linden 1","city":"Berlin","postcode":"10117","country":"DE"}}'
CASE5=$(jqb .case_number)
resolve_remote "$CASE5"
api POST "/api/v1/cases/$CASE5/complete" "$AGENT" '{"summary":"Driver updated.","follow_up":{"channel":"email"}}'
expect_error 422 follow_up.channel "e-mail follow-up without a contact e-mail"
check "the refused completion changed nothing" test "$(psql_t -c "SELECT status FROM service_case WHERE case_number = '$CASE5'")" = resolved_remotely

# an RMA that is still open blocks the completion
new_case SRV7400001 SRV-R740
CASE6=$CASE
api POST "/api/v1/cases/$CASE6/escalations" "$ENGINEER" '{"to":"depot","type":"repair","lines":[{"serial_number":"SRV7400001","product_model":"SRV-R740"}],"screening":{"outcome":"eligible","reason":"in warranty","evidence":{}}}'
if [ "$(psql_t -c "SELECT status FROM service_case WHERE case_number = '$CASE6'")" = rma_requested ]; then
    api POST "/api/v1/cases/$CASE6/complete" "$AGENT" '{"summary":"x","follow_up":{"channel":"email"}}'
    expect_error 409 rma "an open RMA blocks the completion"
    RMA6=$(psql_t -c "SELECT rma_number FROM rma r JOIN service_case c ON c.id = r.case_id WHERE c.case_number = '$CASE6'")
    api POST "/api/v1/rmas/$RMA6/close" "$AGENT" '{"reason":"customer fixed it himself"}'
    expect_status 200 "the RMA is closed"
    api POST "/api/v1/cases/$CASE6/complete" "$AGENT" '{"summary":"Fixed by the customer.","follow_up":{"channel":"phone"}}'
    expect_status 200 "with its RMA closed the case completes"
    expect_jq '.channel == "phone" and (.due_at | test("Z$"))' "phone follow-up, due by default in 3 days"
    check "due in 3 days" test "$(psql_t -c "SELECT (f.due_at - f.created_at) BETWEEN interval '71 hours' AND interval '73 hours' FROM follow_up f JOIN service_case c ON c.id = f.case_id WHERE c.case_number = '$CASE6'")" = t
else
    fail "could not bring $CASE6 to rma_requested ($STATUS)" "$(printf '%s' "$BODY" | head -c 300)"
fi

# ---- the SMTP server is down: the message stays queued, and goes out once when it is back ----
sink_stop
mail_post "$(variant "$FIX/complete-base64-de.eml" sink-down-1@example.de)"
expect_status 201 "intake while the SMTP server is down"
DOWN=$(outbox_of "$(jqb .case_number)" intake_ack)
down_recorded() {
    [ -n "$(psql_t -c "SELECT 1 FROM outbox WHERE id = $DOWN AND attempts >= 1
                       AND last_error IS NOT NULL AND status = 'queued'")" ]
}
check "a failed attempt is recorded" wait_until 10 down_recorded
sleep 1.5
check "the message stays queued while the server is down" outbox_status "$DOWN" queued
check "nothing was delivered" test "$(delivered "$(mid_of "$DOWN")")" = 0
sink_start
check "delivered once the server is back" wait_until 30 delivered_once "$(mid_of "$DOWN")"
check "marked sent" wait_until 5 outbox_status "$DOWN" sent
sleep 2
check "delivered exactly once" delivered_once "$(mid_of "$DOWN")"

# ---- rmad killed between claiming a message and sending it ----
rmad_stop
export RMAD_TEST_OUTBOX_PAUSE_AFTER_CLAIM=60 RMAD_OUTBOX_LEASE=8
rmad_start
mail_post "$(variant "$FIX/complete-base64-de.eml" restart-1@example.de)"
expect_status 201 "intake before the restart"
KILL=$(outbox_of "$(jqb .case_number)" intake_ack)
check "the sender claimed the message" wait_until 15 outbox_status "$KILL" sending
kill -9 "$RMAD_PID"
wait "$RMAD_PID" 2>/dev/null
RMAD_PID=""
check "nothing was sent before the kill" test "$(delivered "$(mid_of "$KILL")")" = 0
unset RMAD_TEST_OUTBOX_PAUSE_AFTER_CLAIM
rmad_start
sleep 1
check "the restarted rmad respects the dead process's lease" test "$(delivered "$(mid_of "$KILL")")" = 0
check "after the lease the message is sent" wait_until 30 delivered_once "$(mid_of "$KILL")"
sent_second() { [ "$(psql_t -c "SELECT status || attempts FROM outbox WHERE id = $KILL")" = sent2 ]; }
check "and marked sent after its second attempt" wait_until 5 sent_second
sleep 2
check "the sink received it exactly once" delivered_once "$(mid_of "$KILL")"
# ---- two senders: one pauses past its lease, the other takes the message over ----
rmad_stop
export RMAD_TEST_OUTBOX_PAUSE_AFTER_CLAIM=5 RMAD_OUTBOX_LEASE=2
rmad_start
mail_post "$(variant "$FIX/complete-base64-de.eml" takeover-1@example.de)"
expect_status 201 "intake for the take-over"
TAKE=$(outbox_of "$(jqb .case_number)" intake_ack)
check "the pausing sender claimed it" wait_until 15 outbox_status "$TAKE" sending
unset RMAD_TEST_OUTBOX_PAUSE_AFTER_CLAIM
RMAD_LISTEN=127.0.0.1:$((20000 + (RANDOM * 3 + $$) % 40000)) "$RMAD_BIN" serve >>"$T_TMP/rmad-b.log" 2>&1 &
B_PID=$!
check "a second rmad takes the expired claim over and delivers it" wait_until 30 delivered_once "$(mid_of "$TAKE")"
sleep 6
check "the first sender, awake again, did not send it too" delivered_once "$(mid_of "$TAKE")"
check "the first sender saw its claim had run out" grep -q "message $TAKE: the claim ran out before the send" "$T_TMP/rmad.log"
kill "$B_PID" 2>/dev/null
wait "$B_PID" 2>/dev/null
B_PID=""

# ---- a closed follow-up's e-mail is never sent (cancelled in the closing transaction) ----
rmad_stop
unset RMAD_TEST_OUTBOX_PAUSE_AFTER_CLAIM RMAD_OUTBOX_LEASE
SMTP_URL=$RMAD_SMTP_URL
unset RMAD_SMTP_URL # SMTP configured later: the e-mails stay queued meanwhile
rmad_start
# email_case ID: a new case from an e-mail (contact e-mail set), resolved remotely; sets CASE.
email_case() {
    mail_post "$(variant "$FIX/complete-base64-de.eml" "$1")"
    CASE=$(jqb .case_number)
    resolve_remote "$CASE"
}
email_case cancel-feedback-1@example.de
CASE_FB=$CASE
api POST "/api/v1/cases/$CASE_FB/complete" "$AGENT" '{"summary":"Board replaced.","follow_up":{"channel":"email","due_in_days":1}}'
expect_status 200 "follow-up by e-mail while no SMTP server is configured"
FU_FB=$(outbox_of "$CASE_FB" follow_up)
check "the follow-up e-mail is queued" outbox_status "$FU_FB" queued
api POST "/api/v1/cases/$CASE_FB/feedback" "$AGENT" '{"rating":4,"comment":"called us back"}'
expect_status 200 "feedback (by phone) before the e-mail went out"
expect_jq '.email.status == "cancelled" and (.email.cancel_reason | test("closed \\(done"))' \
    "the follow-up shows its e-mail cancelled, with why"
check "the outbox row is cancelled with its reason" test "$(psql_t -c "SELECT status || '|' || (cancelled_at IS NOT NULL) || '|' || cancel_reason FROM outbox WHERE id = $FU_FB")" = \
    "cancelled|true|the follow-up was closed (done: feedback recorded) before the e-mail was sent"
email_case cancel-close-1@example.de
CASE_CL=$CASE
api POST "/api/v1/cases/$CASE_CL/complete" "$AGENT" '{"summary":"Board replaced.","follow_up":{"channel":"email","due_in_days":1}}'
FU_CL=$(outbox_of "$CASE_CL" follow_up)
psql_t -c "UPDATE follow_up SET due_at = now() - interval '1 hour' WHERE case_id = (SELECT id FROM service_case WHERE case_number = '$CASE_CL')"
api POST "/api/v1/cases/$CASE_CL/follow-up/attempts" "$AGENT" '{"channel":"phone","outcome":"no_answer"}'
api POST "/api/v1/cases/$CASE_CL/close" "$AGENT" '{"reason":"not reachable"}'
expect_status 200 "closed without feedback before the e-mail went out"
check "its follow-up e-mail is cancelled" test "$(psql_t -c "SELECT status || '|' || cancel_reason FROM outbox WHERE id = $FU_CL")" = \
    "cancelled|the follow-up was closed (closed_no_feedback) before the e-mail was sent"
rmad_stop
export RMAD_SMTP_URL=$SMTP_URL
rmad_start
ACK_CL=$(outbox_of "$CASE_CL" intake_ack)
check "with SMTP configured the queued acknowledgements go out" wait_until 30 delivered_once "$(mid_of "$ACK_CL")"
sleep 2
check "no follow-up e-mail of a closed follow-up arrives" \
    test "$(delivered "$(mid_of "$FU_FB")")$(delivered "$(mid_of "$FU_CL")")" = 00
check "and they stay cancelled" test "$(psql_t -c "SELECT string_agg(status, ',') FROM outbox WHERE id IN ($FU_FB, $FU_CL)")" = cancelled,cancelled

# the race: the sender claimed the follow-up e-mail, the feedback comes before the send
rmad_stop
export RMAD_TEST_OUTBOX_PAUSE_AFTER_CLAIM=4
rmad_start
email_case cancel-race-1@example.de
CASE_RC=$CASE
check "the acknowledgement went out" wait_until 30 delivered_once "$(mid_of "$(outbox_of "$CASE_RC" intake_ack)")"
api POST "/api/v1/cases/$CASE_RC/complete" "$AGENT" '{"summary":"Board replaced.","follow_up":{"channel":"email"}}'
FU_RC=$(outbox_of "$CASE_RC" follow_up)
check "the sender claimed the follow-up e-mail" wait_until 15 outbox_status "$FU_RC" sending
api POST "/api/v1/cases/$CASE_RC/feedback" "$AGENT" '{"rating":5}'
expect_status 200 "feedback while the sender holds the e-mail"
check "the sender cancels it right before the send" wait_until 15 outbox_status "$FU_RC" cancelled
sleep 1
check "the e-mail of the closed follow-up never arrives" test "$(delivered "$(mid_of "$FU_RC")")" = 0
check "the sender logged the cancel" grep -q "message $FU_RC cancelled: its follow-up was closed" "$T_TMP/rmad.log"
rmad_stop
unset RMAD_TEST_OUTBOX_PAUSE_AFTER_CLAIM
rmad_start

# ---- a reply to our missing-fields e-mail is read with the earlier message(s) ----
# us_mail ID SUBJECT IN-REPLY-TO REFERENCES BODY [FROM]: a raw message in $T_TMP/ID.eml
us_mail() {
    {
        printf 'From: "Bob Miller" <%s>\r\nTo: service@rmad.example\r\nSubject: %s\r\n' "${6:-bob.us@example.com}" "$2"
        printf 'Message-ID: <%s>\r\nDate: Thu, 03 Dec 2026 12:00:00 +0000\r\n' "$1"
        [ -n "$3" ] && printf 'In-Reply-To: %s\r\n' "$3"
        [ -n "$4" ] && printf 'References: %s\r\n' "$4"
        printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' "$5"
    } >"$T_TMP/$1.eml"
    printf '%s' "$T_TMP/$1.eml"
}
# reply_of ID: the outbox row of our missing-fields reply to the customer's message <ID>
reply_of() { psql_t -c "SELECT id FROM outbox WHERE kind = 'intake_missing' AND in_reply_to = '<$1>'"; }
mail_post "$(us_mail us-1@example.com 'laptop broken' '' '' 'The laptop does not boot after the update.

Model: NB-X13
Street: 350 Fifth Avenue
City: New York
Postcode: 10118
Country: USA')"
expect_status 422 "a US address without a serial number"
expect_jq '.missing == ["serial_number"]' "only the serial number is missing"
R1=$(reply_of us-1@example.com)
check "the first reply is Re: the subject" test "$(psql_t -c "SELECT subject FROM outbox WHERE id = $R1")" = "Re: laptop broken"
check "it says only the missing lines are needed" grep -q "You need to send only these lines" <<<"$(psql_t -c "SELECT body FROM outbox WHERE id = $R1")"
mail_post "$(us_mail us-2@example.com 'Re: laptop broken' "$(mid_of "$R1")" "<us-1@example.com> $(mid_of "$R1")" 'Here it is.

Serial number: nbx130077

> Serial number:
> Postcode:')"
expect_status 422 "the reply with the serial number: read with the first message, the zone is still missing"
expect_jq '.missing == [] and .invalid == ["service_address.zone"]' "only the zone is refused, not the first message's fields"
R2=$(reply_of us-2@example.com)
body=$(psql_t -c "SELECT body FROM outbox WHERE id = $R2")
check "the zone's line is listed with an example" grep -qx "Time zone (for example America/New_York): " <<<"$body"
check "the reply says it read the earlier message" grep -q "We have read it together with your earlier message" <<<"$body"
check "no stacked Re: on the second reply ($(psql_t -c "SELECT subject FROM outbox WHERE id = $R2"))" \
    test "$(psql_t -c "SELECT subject FROM outbox WHERE id = $R2")" = "Re: laptop broken"
# someone else answering in the thread does not get Bob's fields
mail_post "$(us_mail us-x@example.com 'Re: laptop broken' "$(mid_of "$R2")" '' 'Time zone: America/New_York' eve@example.com)"
expect_status 422 "a reply from another address is read on its own"
expect_jq '.missing | index("serial_number") != null' "and lacks the fields"
mail_post "$(us_mail us-3@example.com 'Re: Re: laptop broken' "$(mid_of "$R2")" "<us-1@example.com> $(mid_of "$R1") <us-2@example.com> $(mid_of "$R2")" 'Time zone (for example America/New_York): America/New_York')"
expect_status 201 "the line filled in as listed opens the case"
CASE_US=$(jqb .case_number)
row=$(psql_t -F '|' -c "SELECT product_model, serial_number, addr_street, addr_city, addr_postcode, addr_country, addr_zone, contact_email
    FROM service_case WHERE case_number = '$CASE_US'")
check "the case has the fields of all three messages ($row)" test "$row" = \
    "NB-X13|NBX130077|350 Fifth Avenue|New York|10118|US|America/New_York|bob.us@example.com"
check "the first message's text is the fault description" \
    grep -q "does not boot after the update" <<<"$(psql_t -c "SELECT fault_description FROM service_case WHERE case_number = '$CASE_US'")"
check "the acknowledgement's subject has no reply prefix" \
    test "$(psql_t -c "SELECT subject FROM outbox WHERE kind = 'intake_ack' AND in_reply_to = '<us-3@example.com>'")" = "[$CASE_US] laptop broken"

check "every outbox message was delivered exactly once" test "$(for id in $(psql_t -c "SELECT id FROM outbox WHERE status = 'sent'"); do delivered "$(mid_of "$id")"; done | sort -u)" = 1

finish

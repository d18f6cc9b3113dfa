#!/usr/bin/env bash
# POST /api/v1/cases: intake of a service case.  A valid intake is 201 with a case number; every
# missing or malformed field is a 422 that names it; the wrong body, media type or token gets
# 400/415/401/403; and no failure writes anything.
source "$(dirname "$0")/../lib.sh"
rmad_setup

VALID=$(jq -nc '{
    channel: "hotline", product_model: "SRV-R740", serial_number: "SRV7400001",
    configuration: {firmware: "2.1", raid: "RAID1"}, error_messages: ["E1410 PSU fault", "E2011"],
    fault_description: "does not power on after a firmware update",
    contact: {name: "Anna Schmidt", phone: "+49 69 1234567", email: "anna@example.com"},
    service_address: {name: "ACME GmbH", street: "Mainzer Landstr. 1", city: "Frankfurt",
                      postcode: "60329", country: "DE"}}')

# body FILTER: the valid intake changed by a jq filter.
body() { printf '%s' "$VALID" | jq -c "$1"; }
cases() { psql_t -c "SELECT count(*) FROM service_case"; }
events() { psql_t -c "SELECT count(*) FROM event"; }

# nothing_written BEFORE_CASES BEFORE_EVENTS WHAT
nothing_written() {
    local c e
    c=$(cases)
    e=$(events)
    if [ "$c" = "$1" ] && [ "$e" = "$2" ]; then
        pass "$3: nothing written"
    else
        fail "$3: rows were written" "service_case $1 -> $c, event $2 -> $e"
    fi
}

# ---- a valid intake ---------------------------------------------------------------------------
C0=$(cases)
E0=$(events)
api POST /api/v1/cases "$AGENT" "$VALID"
expect_status 201 "valid intake"
expect_jq '.case_number | test("^C[0-9]{8}$")' "case number is C and 8 digits"
expect_jq '.status == "new"' "a new case has status new"
expect_jq '.channel == "hotline"' "the channel is echoed"
CASE1=$(jqb .case_number)
check "one service_case row more" test "$(cases)" = "$((C0 + 1))"
check "exactly one case_created event with an actor" test "$(psql_t -c "
    SELECT count(*) FROM event e JOIN service_case c ON c.id = e.case_id
     WHERE c.case_number = '$CASE1' AND e.kind = 'case_created' AND e.actor <> ''
       AND e.actor_token_id IS NOT NULL")" = 1
check "one event row more in all" test "$(events)" = "$((E0 + 1))"
ROW=$(psql_t -F '|' -c "SELECT channel, product_model, serial_number, fault_description,
    contact_name, contact_phone, contact_email, addr_name, addr_street, addr_city, addr_postcode,
    addr_postcode_norm, addr_country, configuration->>'raid', error_messages->>1
    FROM service_case WHERE case_number = '$CASE1'")
check "the case row holds what was sent" test "$ROW" = "hotline|SRV-R740|SRV7400001|does not power on after a firmware update|Anna Schmidt|+49 69 1234567|anna@example.com|ACME GmbH|Mainzer Landstr. 1|Frankfurt|60329|60329|DE|RAID1|E2011"
check "the case is created by the agent's token" test "$(psql_t -c "
    SELECT t.role FROM service_case c JOIN api_token t ON t.id = c.created_by
     WHERE c.case_number = '$CASE1'")" = agent

api POST /api/v1/cases "$AGENT" "$VALID"
expect_status 201 "a second intake for the same serial"
CASE2=$(jqb .case_number)
check "case numbers are distinct" test "$CASE1" != "$CASE2"

# every channel of the policy is accepted; the other staff roles may register cases
for ch in hotline email designated_contact web api; do
    api POST /api/v1/cases "$AGENT" "$(body ".channel = \"$ch\"")"
    expect_status 201 "channel $ch accepted"
done
api POST /api/v1/cases "$ENGINEER" "$VALID"
expect_status 201 "engineer may register a case"
api POST /api/v1/cases "$ADMIN" "$VALID"
expect_status 201 "admin may register a case"
# optional parts
api POST /api/v1/cases "$AGENT" "$(body 'del(.configuration, .error_messages, .contact.phone)')"
expect_status 201 "configuration, error messages and phone are optional"
api POST /api/v1/cases "$AGENT" "$(body 'del(.contact.email)')"
expect_status 201 "a phone without an e-mail is enough"
api POST /api/v1/cases "$AGENT" "$(body '.configuration = "BIOS 2.1, 2x PSU" | .error_messages = "E1410"')"
expect_status 201 "configuration as text, one error message as a string"
api POST /api/v1/cases "$AGENT" "$(body '.service_address.country = "de"')"
expect_status 201 "a lower-case country code is accepted"
check "the country is stored upper-case" test "$(psql_t -c "
    SELECT addr_country FROM service_case WHERE case_number = '$(jqb .case_number)'")" = DE
api POST /api/v1/cases "$AGENT" "$(body '.fault_description = "Lüfter dreht nicht, 日本語 ok\nzweite Zeile"')"
expect_status 201 "non-Latin text and a new line in the fault description"
api POST /api/v1/cases "$AGENT" "$(body '.service_address.postcode = "SW1A 1AA" | .service_address.country = "GB"')"
expect_status 201 "a letter postcode"
check "the postcode is normalised for tracking" test "$(psql_t -c "
    SELECT addr_postcode || '|' || addr_postcode_norm FROM service_case
     WHERE case_number = '$(jqb .case_number)'")" = "SW1A 1AA|SW1A1AA"

# ---- every required field missing -> 422 naming it, nothing written -----------------------------
C0=$(cases)
E0=$(events)
for f in channel product_model serial_number fault_description contact contact.name \
    service_address service_address.name service_address.street service_address.city \
    service_address.postcode service_address.country; do
    api POST /api/v1/cases "$AGENT" "$(body "del(.$f)")"
    expect_error 422 "$f" "missing $f"
    expect_jq '.error.code == "invalid"' "missing $f: error code invalid"
    api POST /api/v1/cases "$AGENT" "$(body ".$f = null")"
    expect_error 422 "$f" "null $f"
done
for f in channel product_model serial_number fault_description contact.name \
    service_address.name service_address.street service_address.city \
    service_address.postcode service_address.country; do
    api POST /api/v1/cases "$AGENT" "$(body ".$f = \"   \"")"
    expect_error 422 "$f" "blank $f"
done
api POST /api/v1/cases "$AGENT" "$(body 'del(.contact.phone, .contact.email)')"
if [ "$STATUS" = 422 ] && jqb .error.field | grep -qE '^contact\.(email|phone)$'; then
    pass "neither phone nor e-mail: 422 naming contact.email or contact.phone"
else
    fail "neither phone nor e-mail: want 422 naming a contact detail" "$STATUS $BODY"
fi
nothing_written "$C0" "$E0" "missing fields"

# ---- malformed fields -------------------------------------------------------------------------
C0=$(cases)
E0=$(events)
# malformed FILTER FIELD WHAT
malformed() {
    api POST /api/v1/cases "$AGENT" "$(body "$1")"
    expect_error 422 "$2" "$3"
}
malformed '.channel = "fax"' channel "unknown channel"
malformed '.channel = "HOTLINE"' channel "channel is case-sensitive"
malformed '.product_model = "NO-SUCH-MODEL"' product_model "unknown product model"
malformed '.product_model = "SRV R740;--"' product_model "product model with bad characters"
malformed '.product_model = "SRV-R740" | .serial_number = "NBX130002"' serial_number "a serial of the installed base given with another model (NB-X13's serial as a SRV-R740)"
malformed '.serial_number = "SRV 740 0001"' serial_number "serial number with spaces"
malformed '.serial_number = "'"$(printf 'S%.0s' $(seq 1 65))"'"' serial_number "serial number of 65 characters"
malformed '.contact.email = "anna-at-example.com"' contact.email "e-mail without @"
malformed '.contact.email = "anna@example"' contact.email "e-mail without a domain dot"
malformed '.contact.email = "a@b@example.com"' contact.email "e-mail with two @"
malformed '.contact.email = "Anna <anna@example.com>"' contact.email "e-mail with a display name"
malformed '.contact.phone = "call me maybe"' contact.phone "phone with letters"
malformed '.contact.phone = "123"' contact.phone "phone with too few digits"
malformed '.service_address.country = "Germany"' service_address.country "country Germany"
malformed '.service_address.country = "D"' service_address.country "one-letter country"
malformed '.service_address.country = "D1"' service_address.country "country with a digit"
malformed '.service_address.postcode = "60329!"' service_address.postcode "postcode with punctuation"
malformed '.service_address.postcode = "12345678901234567"' service_address.postcode "postcode of 17 characters"
malformed '.service_address.name = "'"$(printf 'n%.0s' $(seq 1 201))"'"' service_address.name "address name over 200 bytes"
malformed '.fault_description = "'"$(printf 'x%.0s' $(seq 1 4001))"'"' fault_description "fault description over 4000 bytes"
# wrong JSON types
malformed '.serial_number = 7400001' serial_number "serial number as a number"
malformed '.channel = true' channel "channel as a boolean"
malformed '.product_model = ["SRV-R740"]' product_model "product model as a list"
malformed '.fault_description = {text: "x"}' fault_description "fault description as an object"
malformed '.contact = "Anna Schmidt"' contact "contact as a string"
malformed '.contact.name = 42' contact.name "contact name as a number"
malformed '.contact.email = 1' contact.email "e-mail as a number"
malformed '.service_address = ["ACME"]' service_address "service address as a list"
malformed '.service_address.postcode = 60329' service_address.postcode "postcode as a number"
malformed '.service_address.country = 49' service_address.country "country as a number"
malformed '.configuration = 5' configuration "configuration as a number"
malformed '.error_messages = 5' error_messages "error messages as a number"
malformed '.error_messages = ["ok", 5]' 'error_messages[1]' "an error message as a number"
# control characters: C0 (a bell), C1 (U+0085) and a new line in a one-line field
malformed '.fault_description = "bell \u0007 here"' fault_description "a C0 control character"
malformed '.fault_description = "next line \u0085 here"' fault_description "a C1 control character"
malformed '.contact.name = "Anna\nSchmidt"' contact.name "a new line in a one-line field"
# a \u0000 escape: refused by the JSON parser (400) or by the field check (422), never stored
api POST /api/v1/cases "$AGENT" "$(body '.fault_description = "nul \u0000 here"')"
if { [ "$STATUS" = 400 ] && [ "$(jqb .error.field)" = body ]; } ||
    { [ "$STATUS" = 422 ] && [ "$(jqb .error.field)" = fault_description ]; }; then
    pass "a nul character in the fault description refused ($STATUS)"
else
    fail "a nul character: want 400 body or 422 fault_description" "$STATUS $BODY"
fi

# invalid UTF-8 bytes in the fault description, sent raw: JSON must be UTF-8, so the body is
# refused (400 as malformed JSON, or 422 naming the field); never stored.
for bytes in '\xc3\x28' '\xff\xfe' '\xc0\xaf' '\xed\xa0\x80' '\xf4\x90\x80\x80' '\x80'; do
    raw=$(printf '%s' "$VALID" | jq -c '.fault_description = "@@BAD@@"')
    raw=${raw/@@BAD@@/$(printf "broken $bytes bytes")}
    api POST /api/v1/cases "$AGENT" "$raw"
    if { [ "$STATUS" = 400 ] && [ "$(jqb .error.field)" = body ]; } ||
        { [ "$STATUS" = 422 ] && [ "$(jqb .error.field)" = fault_description ]; }; then
        pass "invalid UTF-8 ($bytes) in the fault description refused ($STATUS $(jqb .error.field))"
    else
        fail "invalid UTF-8 ($bytes): want 400 body or 422 fault_description" "$STATUS $BODY"
    fi
done
# the same checks on escapes that decode to bad code points
api POST /api/v1/cases "$AGENT" "$(printf '%s' "$VALID" | sed 's/"does not power on after a firmware update"/"lone \\udc80 surrogate"/')"
if [ "$STATUS" = 400 ] || { [ "$STATUS" = 422 ] && [ "$(jqb .error.field)" = fault_description ]; }; then
    pass "a lone surrogate escape is refused ($STATUS)"
else
    fail "a lone surrogate escape: want 400 or 422" "$STATUS $BODY"
fi
nothing_written "$C0" "$E0" "malformed fields"

# ---- the body, media type and token ------------------------------------------------------------
C0=$(cases)
E0=$(events)
api POST /api/v1/cases "$AGENT" '{"channel": "hotline", "product_model": '
expect_status 400 "truncated JSON"
expect_jq '.error.code == "bad_request" and .error.field == "body" and (.error.message | length > 0)' "truncated JSON: JSON error naming body"
api POST /api/v1/cases "$AGENT" "{'channel': 'hotline'}"
expect_status 400 "single-quoted pseudo-JSON"
api POST /api/v1/cases "$AGENT" "$(printf '%s' "$VALID" | sed 's/}$/,"channel":"email"}/')"
expect_status 400 "a duplicate key in the object"
for notobj in '[1, 2]' '"a string"' '42' 'null' 'true'; do
    api POST /api/v1/cases "$AGENT" "$notobj"
    expect_status 400 "body $notobj is not an object"
    expect_jq '.error.field == "body"' "body $notobj: error names body"
done
api POST /api/v1/cases "$AGENT" "$VALID" text/plain
expect_status 415 "Content-Type text/plain"
expect_jq '.error.code == "unsupported_media_type" and .error.field == "Content-Type"' "415 is a JSON error naming Content-Type"
api POST /api/v1/cases "$AGENT" "$VALID" application/x-www-form-urlencoded
expect_status 415 "Content-Type form-urlencoded"
api POST /api/v1/cases "$AGENT" "$VALID" "application/json; charset=utf-8"
expect_status 201 "Content-Type with a charset parameter is JSON"
C0=$(cases)
E0=$(events)
api POST /api/v1/cases "$AGENT" "" application/json -H "Content-Length: 0"
expect_status 400 "an empty body"
api POST /api/v1/cases "" "$VALID"
expect_status 401 "no token"
expect_jq '.error.code == "unauthorized" and (.error.message | length > 0)' "401 is a JSON error"
api POST /api/v1/cases "not-a-real-token-at-all" "$VALID"
expect_status 401 "unknown token"
api POST /api/v1/cases "${AGENT}x" "$VALID"
expect_status 401 "a token with one character more"
api POST /api/v1/cases "" "$VALID" application/json -H "Authorization: Basic YWRtaW46YWRtaW4="
expect_status 401 "basic authentication instead of a bearer token"
api POST /api/v1/cases "$DEPOT" "$VALID"
expect_status 403 "depot may not register a case"
expect_jq '.error.code == "forbidden" and .error.field == "authorization"' "403 is a JSON error naming authorization"
api POST /api/v1/cases "$CARRIER" "$VALID"
expect_status 403 "carrier may not register a case"
# GET on the collection lists cases (cases: lifecycle, issue 3); other methods are not routes
api DELETE /api/v1/cases "$AGENT"
if [ "$STATUS" = 405 ] || [ "$STATUS" = 404 ]; then pass "DELETE on the collection is not a route ($STATUS)"; else fail "DELETE /api/v1/cases: want 405" "$STATUS $BODY"; fi
nothing_written "$C0" "$E0" "bad body, media type or token"

finish

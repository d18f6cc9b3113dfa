#!/usr/bin/env bash
# Idempotency-Key on POSTs: a replay returns the stored answer (marked Idempotent-Replayed),
# the same key with another body is a 422, keys are per token, concurrent duplicates make one
# row, and a replayed scan answers "received" again rather than "duplicate".
source "$(dirname "$0")/../lib.sh"
rmad_setup

case_json() { # case_json SERIAL
    jq -nc --arg s "$1" '{
        channel: "hotline", product_model: "SRV-R740", serial_number: $s,
        configuration: {firmware: "2.1"}, error_messages: ["E1410 PSU fault"],
        fault_description: "does not power on",
        contact: {name: "Anna Schmidt", phone: "+49 69 1234567", email: "anna@example.com"},
        service_address: {name: "ACME GmbH", street: "Mainzer Landstr. 1", city: "Frankfurt",
                          postcode: "60329", country: "DE"}}'
}
cases() { psql_t -c "SELECT count(*) FROM service_case${1:+ WHERE serial_number = '$1'}"; }
replayed() { printf '%s' "$HEADERS" | tr -d '\r' | grep -qi '^idempotent-replayed: true$'; }
not_replayed() { ! replayed; }
K="k1-$$"

# --- the same request twice ----------------------------------------------------------------------
before=$(cases)
api POST /api/v1/cases "$AGENT" "$(case_json IDEM-0001)" application/json -H "Idempotency-Key: $K"
expect_status 201 "first POST with a key"
check "first answer is not marked replayed" not_replayed
first=$BODY
CASE1=$(jqb .case_number)
api POST /api/v1/cases "$AGENT" "$(case_json IDEM-0001)" application/json -H "Idempotency-Key: $K"
expect_status 201 "the same POST again"
check "second answer has Idempotent-Replayed: true" replayed
check "second answer has the same body byte for byte" test "$BODY" = "$first"
check "second answer has the same case number ($CASE1)" test "$(jqb .case_number)" = "$CASE1"
check "exactly one service_case row for the two POSTs" test "$(cases)" = "$((before + 1))"
check "the row is the one answered" \
    test "$(psql_t -c "SELECT count(*) FROM service_case WHERE case_number = '$CASE1'")" = 1

# --- the same key with another body or path ---------------------------------------------------
api POST /api/v1/cases "$AGENT" "$(case_json IDEM-0002)" application/json -H "Idempotency-Key: $K"
expect_error 422 Idempotency-Key "same key, different body"
check "no case for the refused body" test "$(cases IDEM-0002)" = 0
api POST /api/v1/rmas "$AGENT" "$(case_json IDEM-0001)" application/json -H "Idempotency-Key: $K"
expect_error 422 Idempotency-Key "same key and body on another path"
api POST /api/v1/cases "$AGENT" "$(case_json IDEM-0003)" application/json -H "Idempotency-Key;"
expect_error 400 Idempotency-Key "empty key"
api POST /api/v1/cases "$AGENT" "$(case_json IDEM-0003)" application/json \
    -H "Idempotency-Key: $(head -c 201 /dev/zero | tr '\0' k)"
expect_error 400 Idempotency-Key "key over 200 characters"
check "no case for the refused keys" test "$(cases IDEM-0003)" = 0
check "still one case from the first key" test "$(cases)" = "$((before + 1))"

# --- keys are per token ------------------------------------------------------------------------
api POST /api/v1/cases "$ADMIN" "$(case_json IDEM-0001)" application/json -H "Idempotency-Key: $K"
expect_status 201 "another token with the same key"
check "... is not a replay" not_replayed
check "... creates a new case" eval '[ -n "$(jqb .case_number)" ] && [ "$(jqb .case_number)" != "$CASE1" ]'
check "two cases now" test "$(cases)" = "$((before + 2))"

# --- a refusal is not kept: the client may correct the request under the same key ------------
api POST /api/v1/cases "$AGENT" '{"channel": "hotline"}' application/json -H "Idempotency-Key: fix-$$"
expect_status 422 "invalid case with a key"
check "... no key row is kept for the refusal" \
    test "$(psql_t -c "SELECT count(*) FROM idempotency_key WHERE key = 'fix-$$'")" = 0
api POST /api/v1/cases "$AGENT" "$(case_json IDEM-0006)" application/json -H "Idempotency-Key: fix-$$"
expect_status 201 "the corrected case under the same key"
check "... is not a replay" not_replayed
fixed=$BODY
api POST /api/v1/cases "$AGENT" "$(case_json IDEM-0006)" application/json -H "Idempotency-Key: fix-$$"
check "... and replays from then on" eval 'replayed && [ "$BODY" = "$fixed" ]'
check "one case for the corrected request" test "$(cases IDEM-0006)" = 1

# --- concurrent duplicates ---------------------------------------------------------------------
KC="conc-$$"
body=$(case_json IDEM-0004)
# Python threads released together by a barrier, so the requests really overlap.
python3 - "$BASE" "$AGENT" "$KC" "$body" "$T_TMP" <<'PY'
import sys, threading, urllib.request, urllib.error
base, token, key, body, tmp = sys.argv[1:6]
barrier = threading.Barrier(8)
def post(i):
    req = urllib.request.Request(base + "/api/v1/cases", data=body.encode(), method="POST",
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json",
                 "Idempotency-Key": key})
    barrier.wait()
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    except Exception as e:
        status, text = 0, str(e).encode()
    open("%s/conc%d.status" % (tmp, i), "w").write(str(status))
    open("%s/conc%d.body" % (tmp, i), "wb").write(text)
threads = [threading.Thread(target=post, args=(i,)) for i in range(1, 9)]
for t in threads: t.start()
for t in threads: t.join()
PY
conc_statuses() { for i in 1 2 3 4 5 6 7 8; do cat "$T_TMP/conc$i.status"; echo; done; }
statuses=$(conc_statuses | sort | uniq -c | tr -s ' ' | tr '\n' ',')
check "8 concurrent POSTs: each 201 or 409 ($statuses)" \
    test -z "$(conc_statuses | grep -vxE '201|409')"
check "at least one concurrent POST got 201" eval 'conc_statuses | grep -qx 201'
numbers=$(for i in 1 2 3 4 5 6 7 8; do
    [ "$(cat "$T_TMP/conc$i.status")" = 201 ] && jq -r .case_number "$T_TMP/conc$i.body"
done | sort -u)
check "every 201 names the same case ($(echo $numbers))" test "$(printf '%s\n' "$numbers" | wc -l)" = 1
check "exactly one service_case row for the 8 concurrent POSTs" test "$(cases IDEM-0004)" = 1
for i in 1 2 3 4 5 6 7 8; do
    if [ "$(cat "$T_TMP/conc$i.status")" = 409 ]; then
        BODY=$(cat "$T_TMP/conc$i.body")
        STATUS=409
        expect_error 409 Idempotency-Key "a concurrent duplicate is a 409 naming the key"
        break
    fi
done
api POST /api/v1/cases "$AGENT" "$body" application/json -H "Idempotency-Key: $KC"
expect_status 201 "after the race the key replays the 201"
check "... with the same case number" test "$(jqb .case_number)" = "$(echo $numbers)"
check "still one row" test "$(cases IDEM-0004)" = 1

# --- a replayed scan ----------------------------------------------------------------------------
new_case IDEM-0005 SRV-R740
new_rma "$CASE" IDEM-0005 SRV-R740
expect_status 201 "rma to scan"
SCAN=$(jq -nc --arg c "$RMA" '{code: $c, station: "dock-1"}')
scans() { psql_t -c "SELECT count(*) FROM scan s JOIN rma r ON r.id = s.rma_id WHERE r.rma_number = '$RMA'"; }
received_events() { psql_t -c "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id
    WHERE r.rma_number = '$RMA' AND e.leg = 'inbound' AND e.to_state = 'received'"; }
api POST /api/v1/scans "$DEPOT" "$SCAN" application/json -H "Idempotency-Key: scan-$$"
expect_jq '.outcome == "received"' "first scan with a key: received"
first_scan=$BODY
n_scans=$(scans)
api POST /api/v1/scans "$DEPOT" "$SCAN" application/json -H "Idempotency-Key: scan-$$"
expect_status 200 "the scan replayed with its key"
expect_jq '.outcome == "received"' "the replayed scan answers received, not duplicate"
check "the replayed scan is marked replayed and identical" eval 'replayed && [ "$BODY" = "$first_scan" ]'
check "the replay logged no new scan" test "$(scans)" = "$n_scans"
check "one received event for the parcel" test "$(received_events)" = 1
api POST /api/v1/scans "$DEPOT" "$SCAN"
expect_jq '.outcome == "duplicate"' "the same scan without the key is a duplicate"
check "still one received event" test "$(received_events)" = 1

finish

#!/usr/bin/env bash
# GET /api/v1/track/{rma}?postcode=...: public tracking.  No token; the postcode of the return
# address is the second factor (spaces, hyphens and case do not matter); no personal data in the
# answer (rule 10); unknown RMA, malformed RMA and wrong postcode give the same 404; rate limited
# per client with 429 and Retry-After.
source "$(dirname "$0")/../lib.sh"
rmad_setup

track() { api GET "/api/v1/track/$1${2+?postcode=$2}" "${3:-}"; }

# an RMA in Frankfurt, received at the dock
new_case SRV7400001 SRV-R740 60329
new_rma "$CASE" SRV7400001 SRV-R740
expect_status 201 "rma for tracking"
R1=$RMA
track "$R1" 60329
expect_status 200 "tracking before the parcel arrives"
expect_jq '.status == "awaiting_return"' "before the scan: awaiting_return"
expect_jq '.lines[0].legs.inbound.state == "label_issued"' "before the scan: inbound label_issued"
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$R1" '{code: $c, station: "dock-1"}')"
expect_jq '.outcome == "received"' "the parcel is scanned at the dock"

track "$R1" 60329
expect_status 200 "tracking with the right postcode, no token"
check "the answer is JSON" grep -qi '^Content-Type: application/json' <<<"$HEADERS"
expect_jq '.rma_number == "'"$R1"'"' "names the rma"
expect_jq '.status == "received"' "status received"
expect_jq '.lines[0].legs.inbound.state == "received" and .lines[0].legs.repair.state == "pending" and .lines[0].legs.outbound.state == "blocked"' "leg progress: inbound received, repair pending, outbound blocked"
expect_jq '.lines[0].received_quantity == 1 and .lines[0].quantity == 1' "received 1 of 1"
expect_jq '.parcels[0].state == "received" and .parcels[0].received_at != null' "the parcel shows received"
expect_jq '(.next | type == "string") and (.next | length > 0)' "says what happens next"
expect_jq '[.events[].to] | index("received") != null' "the events show the receive"
# no personal data, whatever the shape
for pii in "Anna" "Schmidt" "anna@example.com" "+49 69 1234567" "1234567" "Mainzer" "Landstr" \
    "ACME" "SRV7400001" "$CASE" "does not power on" "test depot" "test agent" "dock-1"; do
    if grep -qiF -- "$pii" <<<"$BODY"; then fail "the public answer contains '$pii'" "$BODY"; else pass "no '$pii' in the public answer"; fi
done
expect_jq '[paths | map(tostring) | .[] | select(test("^(contact|service_address|serial_number|case|email|phone|street|actor|name|received_station|evidence|reason|screening)$"))] | length == 0' "no personal or internal keys anywhere in the JSON"

# the postcode, written any way the customer likes
for pc in "60%20329" "60-329" "%2060329%20" "60+329"; do
    track "$R1" "$pc"
    expect_status 200 "postcode written as '$pc'"
done
track "$(tr 'R' 'r' <<<"$R1")" 60329
expect_status 200 "a lower-case rma number"
track "$R1" 60329 "not-a-token"
expect_status 200 "a bogus token does not matter on the public route"
GOOD=$BODY

# a letter postcode
new_case NBX130001 NB-X13 "SW1A 1AA"
new_rma "$CASE" NBX130001 NB-X13
R2=$RMA
for pc in "sw1a1aa" "SW1A%201AA" "sw1a%201aa" "Sw1A-1aA"; do
    track "$R2" "$pc"
    expect_status 200 "UK postcode as '$pc'"
    expect_jq '.rma_number == "'"$R2"'" and .status == "awaiting_return"' "UK postcode '$pc': the rma awaits the return"
done
track "$R2" "SW1A1AB"
expect_status 404 "UK postcode one letter off"

# ---- the same 404 for every miss -------------------------------------------------------------------
UNKNOWN=$(python3 -c '
t = ["0317598642","7092154863","4206871359","1750983426","6123045978",
     "3674209581","5869720134","8945362017","9438617205","2581436790"]
d = 0
for c in "99999990": d = int(t[d][int(c)])
print("R99999990" + str(d))')
WRONG_DIGIT="${R1:0:9}$(((${R1:9:1} + 1) % 10))"
track "$R1" 10115
expect_status 404 "wrong postcode"
NF_WRONG_PC=$BODY
expect_jq '.error.code == "not_found" and (.error.message | length > 0)' "404 is a JSON error"
track "$UNKNOWN" 60329
expect_status 404 "unknown rma"
NF_UNKNOWN=$BODY
track "$WRONG_DIGIT" 60329
expect_status 404 "rma number with a wrong check digit"
NF_DIGIT=$BODY
track "R12" 60329
expect_status 404 "malformed rma number"
NF_MALFORMED=$BODY
track "not-an-rma" 60329
expect_status 404 "garbage rma number"
NF_GARBAGE=$BODY
track "$R2" 60329
expect_status 404 "another customer's rma with my postcode"
NF_OTHER=$BODY
check "wrong postcode and unknown rma: identical bodies" test "$NF_WRONG_PC" = "$NF_UNKNOWN"
check "wrong postcode and wrong check digit: identical bodies" test "$NF_WRONG_PC" = "$NF_DIGIT"
check "wrong postcode and malformed rma: identical bodies" test "$NF_WRONG_PC" = "$NF_MALFORMED"
check "wrong postcode and garbage rma: identical bodies" test "$NF_WRONG_PC" = "$NF_GARBAGE"
check "wrong postcode and another customer's rma: identical bodies" test "$NF_WRONG_PC" = "$NF_OTHER"
check "the 404 names neither the rma nor the postcode" bash -c '! grep -qiE "$1|10115|check digit|postcode.*wrong" <<<"$2"' _ "$R1" "$NF_WRONG_PC"

# ---- input errors -----------------------------------------------------------------------------------
track "$R1"
expect_error 422 postcode "missing postcode"
track "$R1" ""
expect_error 422 postcode "empty postcode"
track "$UNKNOWN"
expect_error 422 postcode "missing postcode on an unknown rma is the same 422"
api POST "/api/v1/track/$R1?postcode=60329" "" '{}'
check "POST on the tracking route is refused ($STATUS)" test "$STATUS" = 405 -o "$STATUS" = 413
check "the tracking answers are unchanged after all that" bash -c '[ "$1" = "$2" ] || exit 1' _ "$GOOD" "$(curl -s "$BASE/api/v1/track/$R1?postcode=60329")"

# ---- rate limit --------------------------------------------------------------------------------------
rmad_stop
export RMAD_TRACK_RATE=5
rmad_start
codes=""
for i in $(seq 1 12); do
    track "$R1" 60329
    codes="$codes $STATUS"
    if [ "$STATUS" = 429 ]; then
        LIMITED_HEADERS=$HEADERS
        LIMITED_BODY=$BODY
    fi
done
check "a burst of 12 at 5 a minute: the first pass, then 429 (got$codes)" \
    bash -c '[[ "$1" =~ ^(\ 200)+(\ 429)+$ ]] && [ "$(grep -o 200 <<<"$1" | wc -l)" -le 5 ]' _ "$codes"
STATUS=429
BODY=${LIMITED_BODY:-}
HEADERS=${LIMITED_HEADERS:-}
RA=$(printf '%s' "$HEADERS" | tr -d '\r' | awk 'tolower($0) ~ /^retry-after:/ { print $2; exit }')
check "429 carries Retry-After with a number of seconds (got '$RA')" grep -qxE '[1-9][0-9]*' <<<"$RA"
check "429 is JSON" grep -qi '^Content-Type: application/json' <<<"$HEADERS"
expect_jq '.error.code == "rate_limited" and (.error.message | length > 0)' "429 is a JSON error"
track "$UNKNOWN" 60329
expect_status 429 "misses count against the limit too (no free guessing)"
track "$R1" 99999
expect_status 429 "wrong postcodes are limited as well"
api GET "/api/v1/rmas/$R1" "$AGENT"
expect_status 200 "the staff API is not limited by the tracking limiter"

finish

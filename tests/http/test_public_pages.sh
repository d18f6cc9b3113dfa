#!/usr/bin/env bash
# The public pages a label's QR code or a browser opens, beyond /track and /P/ (browser tests):
#   GET /S/{RMA}/{N}/{TAG}  an outbound or spare label: the parcel's status, nothing personal; a
#                           forged tag, or an inbound parcel's tag, is "label not recognised"
#   GET /U/{ID}             an unexpected arrival's tag: a neutral "depot label" page, never a 404
#   GET /favicon.ico        a small icon, not a 404
# and the words of tracking when a replacement (spare) goes out rather than the customer's unit;
# the tracking form's example RMA number has a valid check digit.
source "$(dirname "$0")/../lib.sh"
rmad_setup

# page PATH: sets STATUS, BODY, HEADERS (no token)
page() { api GET "$1" ""; }
no_personal_data() { # no_personal_data WHAT
    local pii
    for pii in "Anna" "Schmidt" "anna@example.com" "1234567" "Mainzer" "Landstr" "ACME" \
        "Frankfurt" "60329" "$SERIAL" "$SPARE" "$CASE" "does not power on" "test depot" "pack-1"; do
        if grep -qiF -- "$pii" <<<"$BODY"; then fail "$1: the page contains '$pii'"; else pass "$1: no '$pii'"; fi
    done
}

# ---- an advance replacement whose spare ships --------------------------------------------------
SERIAL=PSU7500001
new_case "$SERIAL" PSU-750
api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$CASE" --arg s "$SERIAL" '{
    case_number: $c, type: "advance_replacement",
    lines: [{serial_number: $s, product_model: "PSU-750"}],
    screening: {outcome: "eligible", reason: "in warranty", evidence: {notes: "ok"}}}')"
expect_status 201 "advance replacement authorized"
R=$(jqb .rma_number)
SPARE=$(jqb '.lines[0].spare_serial')
api POST "/api/v1/rmas/$R/lines/1/pack" "$DEPOT" "$(jq -nc --arg s "$SPARE" '{serial: $s, station: "pack-1"}')"
expect_status 201 "the spare is packed"
api GET "/api/v1/rmas/$R/shipments/1/label.zpl" "$DEPOT"
expect_status 200 "the spare label"
S_URL=$(printf '%s' "$BODY" | grep -o 'HTTP[S]*://[^ ^]*/S/[^ ^]*' | head -1)
check "the spare label's QR is an /S/ URL (got '$S_URL')" test -n "$S_URL"
S_PATH=/${S_URL#*://*/}
TAG=${S_PATH##*/}

page "$S_PATH"
expect_status 200 "bug 1: the /S/ URL of a packed spare is a page, not a 404"
check "it is HTML" grep -qi '^Content-Type: text/html' <<<"$HEADERS"
check "it names the rma" grep -qF "$R" <<<"$BODY"
check "it shows the parcel packed" grep -q 'id="status">Packed' <<<"$BODY"
check "it links to the tracking form" grep -qF "href=\"/track?rma=$R#postcode\"" <<<"$BODY"

api POST "/api/v1/rmas/$R/shipments/1/events" "$DEPOT" '{"event": "ship", "tracking_number": "1Z999AA10123456784"}'
expect_status 200 "the spare ships"
page "$S_PATH"
expect_status 200 "the /S/ page of the shipped spare"
check "it shows the parcel on its way, with the date" grep -qE 'id="status">On its way to you on [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4}' <<<"$BODY"
no_personal_data "the /S/ page"
page "$(tr '[:upper:]' '[:lower:]' <<<"$S_PATH" | sed 's|^/s/|/S/|')"
expect_status 200 "the tag typed in lower case verifies"

# bug 5: tracking says the replacement is on its way, not "your unit ... back to you"
api GET "/api/v1/track/$R?postcode=60329" ""
expect_jq '.status == "shipped" and .next == "Your replacement is on its way to you."' "bug 5: tracking an advance replacement whose spare shipped"
page "/track?rma=$R&postcode=60329"
expect_status 200 "the tracking page of the shipped spare"
check "bug 5: the page says the replacement is on its way" grep -qF "Your replacement is on its way to you" <<<"$BODY"
check "bug 5: the page does not say the unit is on its way back" test "$(grep -c "on its way back to you" <<<"$BODY")" = 0

# forged and mismatched tags: the neutral page
FORGED=${TAG:0:7}$([ "${TAG:7:1}" = Z ] && echo Y || echo Z)
page "/S/$R/1/$FORGED"
expect_status 404 "a forged tag on /S/"
check "the forged tag shows 'label not recognised'" grep -q "Label not recognised" <<<"$BODY"
no_personal_data "the forged /S/ page"
page "/S/$R/2/$TAG"
expect_status 404 "the tag of parcel 1 on parcel 2"
api GET "/api/v1/rmas/$R/parcels/1/label.zpl" "$DEPOT"
P_URL=$(printf '%s' "$BODY" | grep -o 'HTTP[S]*://[^ ^]*/P/[^ ^]*' | head -1)
P_TAG=${P_URL##*/}
page "/S/$R/1/$P_TAG"
expect_status 404 "the inbound parcel's tag does not open the shipment"
page "/P/$R/1/$TAG"
expect_status 404 "the shipment's tag does not open the inbound parcel"
page "/P/$R/1/$P_TAG"
expect_status 200 "the /P/ page still works"
check "the /P/ page shows the core's parcel, not the spare" grep -q 'id="status">Return label issued' <<<"$BODY"

api POST "/api/v1/rmas/$R/shipments/1/events" "$CARRIER" '{"event": "deliver"}'
expect_status 200 "the spare is delivered"
page "$S_PATH"
check "the /S/ page shows the delivery with its date" grep -qE 'id="status">Delivered on [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4}' <<<"$BODY"

# ---- unexpected arrival tags ---------------------------------------------------------------------
page /U/U00000001
expect_status 200 "bug 2: /U/<id> is a page, not a 404"
check "it says it is a depot label for internal use" grep -q "depot label, for internal use" <<<"$BODY"
check "it shows nothing of an arrival" test "$(grep -c "U00000001" <<<"$BODY")" = 0

# ---- favicon -------------------------------------------------------------------------------------
rm -f "$T_TMP/fav"
STATUS=$(curl -s -o "$T_TMP/fav" -D "$T_TMP/fav.h" -w '%{http_code}' "$BASE/favicon.ico")
check "bug 9: /favicon.ico is 200 (got $STATUS)" test "$STATUS" = 200
check "it is an image/x-icon" grep -qi '^Content-Type: image/x-icon' "$T_TMP/fav.h"
check "it is an icon file" grep -q "MS Windows icon resource" <<<"$(file "$T_TMP/fav")"

# ---- the tracking form's example number ----------------------------------------------------------
page /track
EXAMPLE=$(grep -o 'for example R[0-9]\{9\}' <<<"$BODY" | grep -o 'R[0-9]*')
damm_ok() { # the Damm check of all the digits is 0
    local t=(0317598642 7092154863 4206871359 1750983426 6123045978 3674209581 5869720134
        8945362017 9438617205 2581436790) d=$1 i x=0
    for ((i = 0; i < ${#d}; i++)); do x=${t[x]:${d:i:1}:1}; done
    [ "$x" = 0 ]
}
check "the Damm check itself: R000000174 is valid, R000000175 not" eval 'damm_ok 000000174 && ! damm_ok 000000175'
check "bug 4: the form's example $EXAMPLE has a valid check digit" damm_ok "${EXAMPLE#R}"

finish

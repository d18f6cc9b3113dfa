#!/usr/bin/env bash
# HTTP limits: body caps declared and chunked, Content-Length abuse, media types, unknown paths
# and methods, idle connections and slow clients.  The process must stay up through all of it.
source "$(dirname "$0")/../lib.sh"
RAW="$RMAD_SRC/tests/fixtures/http/rawhttp.py"
rmad_setup
port() { printf '%s' "${BASE##*:}"; }

# raw FILE: sends the bytes of FILE as one request; sets STATUS to the answer's status code.
raw() { STATUS=$(python3 "$RAW" send "$(port)" "$1"); }
crlf() { printf '%s\r\n' "$@"; }

# --- body caps --------------------------------------------------------------------------------
# POST /api/v1/scans takes at most 4 KiB.
printf '{"code": "R000000000", "station": "dock-1", "pad": "%s"}' "$(head -c 4946 /dev/zero | tr '\0' x)" \
    >"$T_TMP/5000.json"
check "the oversized scan body is 5000 bytes" test "$(stat -c %s "$T_TMP/5000.json")" = 5000
scans_before=$(psql_t -c "SELECT count(*) FROM scan")
api POST /api/v1/scans "$DEPOT" "$(cat "$T_TMP/5000.json")"
expect_error 413 body "5000-byte scan declared by Content-Length"
rm -f "$T_TMP/body" # so that no answer does not read as the last one
api POST /api/v1/scans "$DEPOT" "$(cat "$T_TMP/5000.json")" application/json \
    -H 'Transfer-Encoding: chunked'
expect_error 413 body "5000-byte scan sent chunked"
api POST /api/v1/scans "$DEPOT" '{"code": "R000000000", "station": "dock-1"}' application/json \
    -H 'Transfer-Encoding: chunked'
expect_status 200 "a small chunked scan is read whole"
check "the oversized scans were not logged" \
    test "$(psql_t -c "SELECT count(*) FROM scan")" = "$((scans_before + 1))"
# Declared over the cap without sending it: refused on the headers alone.
{ crlf "POST /api/v1/scans HTTP/1.1" "Host: 127.0.0.1" "Authorization: Bearer $DEPOT" \
    "Content-Type: application/json" "Content-Length: 99999999999" "Connection: close" ""; } \
    >"$T_TMP/huge-declared.http"
raw "$T_TMP/huge-declared.http"
check "an 11-digit Content-Length is refused at once with 413 (got $STATUS)" test "$STATUS" = 413

# --- Content-Length abuse ------------------------------------------------------------------------
{ crlf "POST /api/v1/scans HTTP/1.1" "Host: 127.0.0.1" "Authorization: Bearer $DEPOT" \
    "Content-Type: application/json" "Content-Length: 2" "Content-Length: 44" "Connection: close" ""
  printf '{"code": "R000000000", "station": "dock-1"}'; } >"$T_TMP/two-cl.http"
raw "$T_TMP/two-cl.http"
check "two Content-Length headers: 400 (got $STATUS)" test "$STATUS" = 400
{ crlf "POST /api/v1/scans HTTP/1.1" "Host: 127.0.0.1" "Authorization: Bearer $DEPOT" \
    "Content-Type: application/json" "Content-Length: 44" "Content-Length: 44" "Connection: close" ""
  printf '{"code": "R000000000", "station": "dock-1"}'; } >"$T_TMP/two-same-cl.http"
raw "$T_TMP/two-same-cl.http"
check "two equal Content-Length headers: 400 too (got $STATUS)" test "$STATUS" = 400
{ crlf "POST /api/v1/scans HTTP/1.1" "Host: 127.0.0.1" "Authorization: Bearer $DEPOT" \
    "Content-Type: application/json" "Content-Length: abc" "Connection: close" ""
  printf '{"code": "R000000000", "station": "dock-1"}'; } >"$T_TMP/abc-cl.http"
raw "$T_TMP/abc-cl.http"
check "Content-Length: abc is 400 (got $STATUS)" test "$STATUS" = 400
{ crlf "POST /api/v1/scans HTTP/1.1" "Host: 127.0.0.1" "Authorization: Bearer $DEPOT" \
    "Content-Type: application/json" "Content-Length: -5" "Connection: close" ""; } >"$T_TMP/neg-cl.http"
raw "$T_TMP/neg-cl.http"
check "Content-Length: -5 is 400 (got $STATUS)" test "$STATUS" = 400
check "none of the Content-Length abuses logged a scan" \
    test "$(psql_t -c "SELECT count(*) FROM scan")" = "$((scans_before + 1))"

# --- media types -------------------------------------------------------------------------------
api POST /api/v1/cases "$AGENT" $'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n' \
    'multipart/form-data; boundary=xyz'
expect_error 415 Content-Type "multipart/form-data"
api POST /api/v1/cases "$AGENT" 'channel=hotline' application/x-www-form-urlencoded
expect_error 415 Content-Type "form-urlencoded"
api POST /api/v1/scans "$DEPOT" '{"code": "R000000000", "station": "dock-1"}' text/plain
expect_error 415 Content-Type "text/plain scan"
api POST /api/v1/scans "$DEPOT" '{"code": "R000000000", "station": "dock-1"}' 'application/json; charset=utf-8'
expect_status 200 "application/json with a charset parameter is accepted"

# --- a GET with a body ---------------------------------------------------------------------------
api GET /api/v1/openapi.json "" '{"x": 1}'
check "GET with a body is 413 or 400 (got $STATUS)" eval '[ "$STATUS" = 413 ] || [ "$STATUS" = 400 ]'
expect_jq '.error.code | type == "string"' "GET with a body: JSON error"
api GET /healthz "" 'hello'
check "GET /healthz with a body is 413 or 400 (got $STATUS)" eval '[ "$STATUS" = 413 ] || [ "$STATUS" = 400 ]'

# --- unknown paths and methods -------------------------------------------------------------------
api GET /api/v1/nope "$ADMIN"
expect_error 404 path "unknown path"
check "404 is application/json" eval 'printf "%s" "$HEADERS" | tr -d "\r" | grep -qi "^content-type: application/json"'
api GET /nope ""
expect_status 404 "unknown path, no token"
api POST /api/v1/nope "$ADMIN" "$(cat "$T_TMP/5000.json")"
expect_status 404 "unknown path with a body"
api DELETE /api/v1/cases "$ADMIN"
expect_status 405 "DELETE /api/v1/cases"
expect_jq '.error.field == "method" and (.error.message | length > 0)' "405 is a JSON error naming the method"
api PUT /healthz ""
expect_status 405 "PUT /healthz"

# --- headers over the connection's memory ----------------------------------------------------------
api GET /healthz "" "" application/json -H "X-Big: $(head -c 100000 /dev/zero | tr '\0' a)"
check "a 100 kB header is refused with a 4xx (got $STATUS)" eval '[ "$STATUS" -ge 400 ] && [ "$STATUS" -lt 500 ]'
api GET /healthz ""
expect_status 200 "up after the limit checks"

# --- idle and slow clients -----------------------------------------------------------------------
rmad_stop
export RMAD_IDLE_TIMEOUT=2 RMAD_REQUEST_DEADLINE=3
rmad_start
unset RMAD_IDLE_TIMEOUT RMAD_REQUEST_DEADLINE
idle=$(python3 "$RAW" idle "$(port)")
check "a silent connection is closed after the idle timeout (2 s; closed after $idle s)" \
    eval '[ "$idle" != open ] && awk "BEGIN { exit !($idle >= 1.5 && $idle <= 5) }"'

{ crlf "POST /api/v1/scans HTTP/1.1" "Host: 127.0.0.1" "Authorization: Bearer $DEPOT" \
    "Content-Type: application/json" "Content-Length: 100" ""; } >"$T_TMP/drip.http"
drip=$(python3 "$RAW" drip "$(port)" "$T_TMP/drip.http")
check "a body dripped at 1 byte/s is cut off after the 3 s deadline ($drip)" \
    eval '[ "$drip" != open ] && awk "BEGIN { exit !(${drip##* } <= 7) }"'
driph=$(python3 "$RAW" driphead "$(port)")
check "headers dripped at 1 byte/s are cut off after the 3 s deadline ($driph)" \
    eval '[ "$driph" != open ] && awk "BEGIN { exit !(${driph##* } <= 7) }"'
check "rmad is still running" kill -0 "$RMAD_PID"
api GET /healthz ""
expect_status 200 "healthz after the slow clients"
api POST /api/v1/scans "$DEPOT" '{"code": "R000000000", "station": "dock-1"}'
expect_status 200 "a normal request after the slow clients"

# a query parameter given twice is ambiguous (every route reads one value): 400 naming it
api GET "/api/v1/manifests?carrier=UPS&carrier=DHL" "$ADMIN"
expect_error 400 carrier "?carrier=UPS&carrier=DHL"
api GET "/api/v1/cases?limit=1&limit=500" "$ADMIN"
expect_error 400 limit "?limit=1&limit=500"
api GET "/api/v1/cases?$(seq -s '&' -f 'p%g=1' 1 65)" "$ADMIN"
expect_error 400 query "65 query parameters"
api GET "/api/v1/cases?limit=1" "$ADMIN"
expect_status 200 "one of each is fine"

finish

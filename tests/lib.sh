# Shared helpers of the database and HTTP tests (sourced, not run).
#
# The tests run against a real PostgreSQL chosen by the PG* variables (deploy/test.sh runs them
# under pg_virtualenv).  rmad_setup gives each test script a database of its own, migrated and
# loaded with the demo data, tokens for each role, and a running rmad on a free loopback port:
#
#   source "$(dirname "$0")/../lib.sh"
#   rmad_setup                       # sets BASE, ADMIN, AGENT, ENGINEER, DEPOT, CARRIER, MANAGER, DB
#   api POST /api/v1/cases "$ADMIN" "$json"    # sets STATUS and BODY
#   expect_status 201 "case created"
#   expect_jq '.case_number | test("^C[0-9]{8}$")' "case number shape"
#   finish                           # prints "N passed, M failed", exits non-zero on failures
#
# rmad runs as a background job of the test script: wait for the PIDs you started, never a bare
# `wait` (it would wait for rmad too).
#
# Service cases (issue 3, lifecycle): rmad_setup registers the engineer "test-engineer" (the
# ENGINEER token, every product line of the catalog); MANAGER is a service manager token.
#   case_to_troubleshooting CASE  # register (MANAGER), assign to test-engineer, first contact
#                                 # by phone as ENGINEER: the case is troubleshooting
#   case_isolated CASE            # the same plus a fault isolation record (needs_depot): an
#                                 # RMA may now be created for the case (POST /api/v1/rmas)
#   new_case leaves its case isolated (NEW_CASE_KEEP_NEW=1 keeps it new), with STATUS and BODY
#   of the intake; new_rma isolates a new case first.  The helpers record a failure when a step
#   is refused.
set -u

RMAD_SRC=${RMAD_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
RMAD_BIN=${RMAD_BIN:-$RMAD_SRC/build/dev/rmad}
RMAD_SHARED=${RMAD_SHARED:-$RMAD_SRC/../shared}
T_PASSED=0
T_FAILED=0
T_NAME=$(basename "$0" .sh)
T_TMP=$(mktemp -d "/tmp/rmad-$T_NAME.XXXXXX")
RMAD_PID=""
STATUS=""
BODY=""
HEADERS=""

pass() { T_PASSED=$((T_PASSED + 1)); printf 'ok   %s\n' "$1"; }
fail() {
    T_FAILED=$((T_FAILED + 1))
    printf 'FAIL %s\n' "$1"
    [ -n "${2:-}" ] && printf '     %s\n' "$2"
    return 0
}
check() { # check "description" command...
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what" "command: $*"; fi
}

# Prints the value of jq filter $1 on BODY.
jqb() { printf '%s' "$BODY" | jq -r "$1" 2>/dev/null; }

expect_status() {
    if [ "$STATUS" = "$1" ]; then pass "$2 (HTTP $1)"; else fail "$2: want HTTP $1, got $STATUS" "$(printf '%s' "$BODY" | head -c 400)"; fi
}
# expect_jq FILTER DESCRIPTION: the filter must print "true" for BODY.
expect_jq() {
    local got
    got=$(printf '%s' "$BODY" | jq -e "$1" 2>/dev/null)
    if [ "$got" = "true" ]; then pass "$2"; else fail "$2: jq '$1' gave '$got'" "$(printf '%s' "$BODY" | head -c 400)"; fi
}
# expect_error STATUS FIELD DESCRIPTION: a JSON error naming FIELD.
expect_error() {
    local field
    field=$(jqb '.error.field // ""')
    if [ "$STATUS" = "$1" ] && [ "$field" = "$2" ] && [ -n "$(jqb '.error.message // ""')" ]; then
        pass "$3 ($1, field $2)"
    else
        fail "$3: want $1 naming '$2', got $STATUS naming '$field'" "$(printf '%s' "$BODY" | head -c 400)"
    fi
}

# api METHOD PATH TOKEN [BODY [CONTENT-TYPE [EXTRA CURL ARGS...]]]: sets STATUS, BODY, HEADERS.
api() {
    local method=$1 path=$2 token=$3 data=${4-} ctype=${5:-application/json}
    shift 5 2>/dev/null || shift $#
    rm -f "$T_TMP/body" "$T_TMP/headers"
    local args=(-s -S -o "$T_TMP/body" -D "$T_TMP/headers" -w '%{http_code}' -X "$method" --max-time 30)
    [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
    if [ -n "$data" ]; then
        printf '%s' "$data" >"$T_TMP/req"
        args+=(-H "Content-Type: $ctype" --data-binary "@$T_TMP/req")
    fi
    STATUS=$(curl "${args[@]}" "$@" "$BASE$path") || STATUS=000
    BODY=$(cat "$T_TMP/body" 2>/dev/null)
    HEADERS=$(cat "$T_TMP/headers" 2>/dev/null)
}

# sscc PREFIX17: the 18-digit SSCC with its GS1 mod-10 check digit.
sscc() {
    local d=$1 sum=0 i w=3
    for ((i = ${#d} - 1; i >= 0; i--)); do
        sum=$((sum + ${d:i:1} * w))
        w=$((4 - w))
    done
    printf '%s%d' "$d" $(((10 - sum % 10) % 10))
}

# fill TEMPLATE OUT NAME=VALUE...: writes TEMPLATE to OUT with each @NAME@ replaced.
fill() {
    local tpl=$1 out=$2 expr=() kv
    shift 2
    for kv in "$@"; do expr+=(-e "s|@${kv%%=*}@|${kv#*=}|g"); done
    sed "${expr[@]}" "$tpl" >"$out"
}

psql_t() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# Starts rmad on a free port with the environment given; waits for /healthz.
rmad_start() {
    local try port
    for try in 1 2 3 4 5 6 7 8; do
        port=$((20000 + (RANDOM * 7 + $$ + try) % 40000))
        RMAD_LISTEN=127.0.0.1:$port "$RMAD_BIN" serve >>"$T_TMP/rmad.log" 2>&1 &
        RMAD_PID=$!
        local i
        for i in $(seq 1 100); do
            if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz"; then
                BASE="http://127.0.0.1:$port"
                return 0
            fi
            kill -0 "$RMAD_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill "$RMAD_PID" 2>/dev/null
        wait "$RMAD_PID" 2>/dev/null
    done
    echo "rmad did not start; log:" >&2
    tail -n 30 "$T_TMP/rmad.log" >&2
    exit 1
}

rmad_stop() {
    if [ -n "$RMAD_PID" ]; then
        kill "$RMAD_PID" 2>/dev/null
        wait "$RMAD_PID" 2>/dev/null
        RMAD_PID=""
    fi
}

cleanup() {
    rmad_stop
    if [ -n "${DB:-}" ]; then dropdb --if-exists "$DB" >/dev/null 2>&1 || true; fi
    if [ "$T_FAILED" -gt 0 ] && [ -s "$T_TMP/rmad.log" ]; then
        echo "--- rmad log (last 40 lines) ---"
        tail -n 40 "$T_TMP/rmad.log"
    fi
    rm -rf "$T_TMP"
}
trap cleanup EXIT

# A database of this script's own, migrated, with demo data and a token per role.
rmad_setup() {
    command -v jq >/dev/null || { echo "jq is required (deploy/install-deps.sh)"; exit 1; }
    [ -n "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}${RMAD_DATABASE_URL:-}" ] ||
        { echo "no database: run under pg_virtualenv (deploy/test.sh does)"; exit 1; }
    DB="rmad_${T_NAME//[^a-z0-9_]/_}_$$"
    createdb "$DB" || exit 1
    export PGDATABASE=$DB
    unset RMAD_DATABASE_URL
    export RMAD_TRACK_RATE=${RMAD_TRACK_RATE:-100000}
    # the scheduled jobs run only when a test asks for them (POST /api/v1/jobs/...)
    export RMAD_JOBS_INTERVAL=${RMAD_JOBS_INTERVAL:-0}
    "$RMAD_BIN" migrate >>"$T_TMP/rmad.log" 2>&1 || { cat "$T_TMP/rmad.log"; exit 1; }
    "$RMAD_BIN" demo-data >>"$T_TMP/rmad.log" 2>&1 || { cat "$T_TMP/rmad.log"; exit 1; }
    ADMIN=$("$RMAD_BIN" token create --role admin --name "test admin")
    AGENT=$("$RMAD_BIN" token create --role agent --name "test agent")
    ENGINEER=$("$RMAD_BIN" token create --role engineer --name "test engineer")
    DEPOT=$("$RMAD_BIN" token create --role depot --name "test depot")
    CARRIER=$("$RMAD_BIN" token create --role carrier --name "test carrier" --carrier UPS)
    MANAGER=$("$RMAD_BIN" token create --role manager --name "test manager")
    rmad_start
    # cases: lifecycle (issue 3): the engineer behind ENGINEER, skilled for every product line
    api POST /api/v1/engineers "$ADMIN" "$(jq -nc --arg t "$ENGINEER" \
        --argjson l "$(psql_t -c "SELECT json_agg(DISTINCT product_line) FROM product_model")" \
        '{name: "test-engineer", email: "engineer@example.com", token: $t, product_lines: $l,
          max_open_cases: 100000}')"
    [ "$STATUS" = 201 ] || { echo "cannot register test-engineer: $STATUS $BODY"; exit 1; }
}

finish() {
    printf '%s: %d passed, %d failed\n' "$T_NAME" "$T_PASSED" "$T_FAILED"
    [ "$T_FAILED" -eq 0 ]
    exit $?
}

# Helpers for the common flow.
# new_case SERIAL MODEL [POSTCODE]: sets CASE
new_case() {
    local pc=${3:-60329}
    api POST /api/v1/cases "$AGENT" "$(jq -nc --arg s "$1" --arg m "$2" --arg pc "$pc" '{
        channel: "hotline", product_model: $m, serial_number: $s,
        configuration: {firmware: "2.1"}, error_messages: ["E1410 PSU fault"],
        fault_description: "does not power on",
        contact: {name: "Anna Schmidt", phone: "+49 69 1234567", email: "anna@example.com"},
        service_address: {name: "ACME GmbH", street: "Mainzer Landstr. 1", city: "Frankfurt",
                          postcode: $pc, country: "DE"}}')"
    CASE=$(jqb .case_number)
    # cases: lifecycle (issue 3): an RMA needs a case that is isolated
    if [ "$STATUS" = 201 ] && [ "${NEW_CASE_KEEP_NEW:-0}" != 1 ]; then
        local st=$STATUS body=$BODY
        case_isolated "$CASE"
        STATUS=$st
        BODY=$body
    fi
}
# ---- cases: lifecycle (issue 3) ----
# lc_step WHAT WANT METHOD PATH TOKEN [BODY]: one helper step; a failure when STATUS is not WANT.
lc_step() {
    local what=$1 want=$2
    shift 2
    api "$@"
    [ "$STATUS" = "$want" ] || { fail "$what: want HTTP $want, got $STATUS" "$(printf '%s' "$BODY" | head -c 300)"; return 1; }
}
# case_to_troubleshooting CASE: registered (MANAGER), assigned to test-engineer, the engineer's
# first contact (ENGINEER): the case is troubleshooting.
case_to_troubleshooting() {
    lc_step "register $1" 200 POST "/api/v1/cases/$1/register" "$MANAGER" '{"priority":"normal"}' &&
        lc_step "assign $1" 200 POST "/api/v1/cases/$1/assign" "$MANAGER" \
            '{"engineer":"test-engineer","reason":"test"}' &&
        lc_step "first contact on $1" 200 POST "/api/v1/cases/$1/contacts" "$ENGINEER" \
            '{"method":"phone","summary":"first call with the customer","reached":true}'
}
# case_isolated CASE: case_to_troubleshooting and a fault isolation record (needs_depot).
case_isolated() {
    case_to_troubleshooting "$1" &&
        lc_step "fault isolation of $1" 200 POST "/api/v1/cases/$1/fault-isolation" "$ENGINEER" \
            '{"method":"phone","findings":"power supply does not start","suspected_part":"PSU","conclusion":"needs_depot"}'
}
# new_rma CASE SERIAL MODEL: sets RMA
new_rma() {
    api GET "/api/v1/cases/$1" "$AGENT"
    [ "$(jqb .status)" = new ] && case_isolated "$1"
    api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$1" --arg s "$2" --arg m "$3" '{
        case_number: $c, type: "repair", lines: [{serial_number: $s, product_model: $m}],
        screening: {outcome: "eligible", reason: "in warranty, no misuse", evidence: {notes: "ok"}}}')"
    RMA=$(jqb .rma_number)
}

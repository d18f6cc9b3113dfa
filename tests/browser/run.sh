#!/usr/bin/env bash
# Browser tests of the pages (issue 7): playwright-core drives Debian's Chromium
# (/usr/bin/chromium; never a downloaded browser) against an rmad of this script's own.
#
# Sets up a database and rmad with tests/lib.sh, adds staff users and returns through the API,
# then runs each tests/browser/*.test.js with node's test runner, one file at a time (the
# outage test stops and restarts rmad on its port).  Screenshots go to tests/artifacts/.
# The last line is "browser: N passed, M failed"; the exit status is non-zero on a failure.
source "$(dirname "$0")/../lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

[ -x /usr/bin/chromium ] || { echo "browser: /usr/bin/chromium is missing (deploy/install-deps.sh)"; exit 1; }
command -v node >/dev/null || { echo "browser: node is missing (deploy/install-deps.sh)"; exit 1; }
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
    (cd "$HERE" && npm ci --no-audit --no-fund --silent) || { echo "browser: npm ci failed"; exit 1; }
fi

rmad_setup
export RMAD_PASSWORD="depot-pass-$$"
"$RMAD_BIN" user create --name depot1 --role depot >>"$T_TMP/rmad.log" 2>&1 || { echo "user create failed"; cat "$T_TMP/rmad.log"; exit 1; }
RMAD_PASSWORD="agent-pass-$$" "$RMAD_BIN" user create --name agent1 --role agent >>"$T_TMP/rmad.log" 2>&1 || exit 1
# service managers and carriers have no pages account: a clear error naming the role, nothing made
for r in manager carrier; do
    if RMAD_PASSWORD="x-pass-$$" "$RMAD_BIN" user create --name "no-$r" --role "$r" 2>"$T_TMP/role.err"; then
        echo "a $r pages account was created"; exit 1
    fi
    grep -q "role: must be admin, agent, engineer or depot" "$T_TMP/role.err" || { echo "no role error for $r"; cat "$T_TMP/role.err"; exit 1; }
done

# returns to track and to scan: each its own postcode, so each test knows its own
fixture() { # fixture NAME SERIAL MODEL POSTCODE
    new_case "$2" "$3" "$4"
    new_rma "$CASE" "$2" "$3"
    [ "$STATUS" = 201 ] || { echo "fixture $1: rma not created: $BODY"; exit 1; }
    printf '"%s": {"rma": "%s", "serial": "%s", "postcode": "%s"},\n' "$1" "$RMA" "$2" "$4"
}
{
    echo '{'
    fixture track SRV7401001 SRV-R740 60329
    fixture qr SRV7401002 SRV-R740 "SW1A 1AA"
    for i in 1 2 3 4 5 6; do fixture "scan$i" "SRV74020$i" SRV-R740 10115; done
    echo '"end": {}}'
} >"$T_TMP/fixtures.json"
# the tracking fixture is received, so its page shows progress
R=$(jq -r .track.rma "$T_TMP/fixtures.json")
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$R" '{code: $c, station: "dock-9"}')"
# the QR URL of the qr fixture's parcel 1, as printed on its label (ZPL holds it in clear text)
R=$(jq -r .qr.rma "$T_TMP/fixtures.json")
api GET "/api/v1/rmas/$R/parcels/1/label.zpl" "$DEPOT"
QR_URL=$(printf '%s' "$BODY" | grep -o 'HTTP[S]*://[^ ^]*/P/[^ ^]*' | head -1)
[ -n "$QR_URL" ] || { echo "no QR URL in the label"; printf '%s' "$BODY" | head -c 600; exit 1; }

export RMAD_BASE=$BASE RMAD_PORT=${BASE##*:} RMAD_PID RMAD_BIN RMAD_LOG=$T_TMP/rmad.log
export RMAD_FIXTURES=$T_TMP/fixtures.json RMAD_QR_URL=$QR_URL RMAD_DEPOT_TOKEN=$DEPOT
export RMAD_PIDFILE=$T_TMP/rmad.pid RMAD_TMP=$T_TMP
export RMAD_ARTIFACTS=${RMAD_ARTIFACTS:-$RMAD_SRC/tests/artifacts}
mkdir -p "$RMAD_ARTIFACTS"

passed=0
failed=0
# outage.test.js stops rmad and starts it again: it runs last
for f in $(ls "$HERE"/*.test.js | grep -v /outage.test.js) "$HERE/outage.test.js"; do
    node --test --test-reporter=tap "$f" >"$T_TMP/tap.out" 2>&1
    rc=$?
    cat "$T_TMP/tap.out"
    p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$T_TMP/tap.out" | tail -1)
    n=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$T_TMP/tap.out" | tail -1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${n:-0}))
    if [ "$rc" -ne 0 ] && [ "${n:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
    # the outage test leaves a restarted rmad behind: it is this script's to stop
    if [ -s "$RMAD_PIDFILE" ]; then RMAD_PID=$(cat "$RMAD_PIDFILE"); export RMAD_PID; fi
done
T_PASSED=$passed
T_FAILED=$failed
if [ -s "$RMAD_PIDFILE" ]; then kill "$(cat "$RMAD_PIDFILE")" 2>/dev/null; fi
T_NAME=browser
finish

#!/usr/bin/env bash
# Smoke test: the service answers, is ready, and the whole loop runs once.
source "$(dirname "$0")/../lib.sh"
rmad_setup
api GET /healthz ""
expect_status 200 "healthz"
api GET /readyz ""
expect_status 200 "readyz"
new_case SRV7400001 SRV-R740
expect_status 201 "case created"
new_rma "$CASE" SRV7400001 SRV-R740
expect_status 201 "rma created"
expect_jq '.status == "awaiting_return"' "new rma awaits the return"
# a second rmad on the same port fails to start (no SO_REUSEPORT unless RMAD_LISTEN_SHARED=1):
# it would otherwise answer part of the requests, perhaps from another database
RMAD_LISTEN=${BASE#http://} timeout 20 "$RMAD_BIN" serve >>"$T_TMP/second.log" 2>&1
rc=$?
check "a second rmad on the port does not start (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
check "...and says it cannot listen" grep -q "cannot listen" "$T_TMP/second.log"
api GET /healthz ""
expect_status 200 "the first one still serves"
finish

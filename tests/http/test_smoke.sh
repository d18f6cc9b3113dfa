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
finish

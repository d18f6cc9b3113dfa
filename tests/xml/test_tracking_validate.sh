#!/usr/bin/env bash
# Every UBL TransportationStatus rmad writes validates against the OFFICIAL OASIS schema
# (UBL-TransportationStatus-2.1.xsd) and against our profile
# (src/xml/schemas/rmad-ubl-transportation-status.xsd): tracking_status_tool writes plain,
# hostile (markup characters, non-Latin text, the longest field) and SSCC-less documents, and one
# document per parcel of each carrier fixture (UPS, FedEx, USPS, DHL) read through
# xml_tracking_stream.  The UBL fixture of tests/fixtures/xml/tracking validates against both too.
# Needs RMAD_BUILD and xmllint (libxml2-utils).
set -euo pipefail

src=${RMAD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
shared=${RMAD_SHARED:-$src/../shared}
build=${RMAD_BUILD:?RMAD_BUILD must name the build directory}
tool=$build/tests/tracking_status_tool
oasis=$shared/standards/oasis-ubl-2.1/xsd/maindoc/UBL-TransportationStatus-2.1.xsd
profile=$src/src/xml/schemas/rmad-ubl-transportation-status.xsd
fixtures=$src/tests/fixtures/xml/tracking
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/tests/lsan.supp:print_suppressions=0}

command -v xmllint >/dev/null || { echo "FAIL: xmllint is required (libxml2-utils)" >&2; exit 1; }
[ -r "$oasis" ] || { echo "FAIL: no OASIS schema at $oasis" >&2; exit 1; }
if [ ! -x "$tool" ]; then
    cmake --build "$build" --target tracking_status_tool >/dev/null ||
        { echo "FAIL: cannot build $tool" >&2; exit 1; }
fi

"$tool" "$fixtures" "$out" >"$out/list" || { echo "FAIL: tracking_status_tool" >&2; exit 1; }
# 3 samples + ups 2 parcels + fedex 2 + usps 1 + dhl 1
written=$(wc -l <"$out/list")
[ "$written" -eq 9 ] || { echo "FAIL: $written documents written, expected 9" >&2; exit 1; }

checked=0
for f in $(cat "$out/list") "$fixtures/ubl-transportation-status.xml"; do
    for schema in "$oasis" "$profile"; do
        if ! xmllint --nonet --noout --schema "$schema" "$f" 2>"$out/err"; then
            echo "FAIL: $(basename "$f") against $(basename "$schema"):" >&2
            cat "$out/err" >&2
            exit 1
        fi
        checked=$((checked + 1))
    done
done

# the hostile texts are data, not markup: they come back as written
grep -q '&lt;/cbc:Description&gt;' "$out/hostile.xml" || { echo "FAIL: hostile text not escaped" >&2; exit 1; }
grep -q '東京都' "$out/hostile.xml" || { echo "FAIL: non-Latin text lost" >&2; exit 1; }
# a carrier document keeps the carrier's code and the canonical event
grep -q '<cbc:StatusReasonCode>KB</cbc:StatusReasonCode>' "$out/ups-1.xml" && {
    echo "FAIL: UPS refinement code written instead of the StatusType code" >&2; exit 1; }
grep -q '>out_for_delivery</cbc:TransportEventTypeCode>' "$out/ups-1.xml" ||
    { echo "FAIL: UPS out for delivery missing" >&2; exit 1; }
grep -q '<cbc:StatusReasonCode>WC</cbc:StatusReasonCode>' "$out/dhl-1.xml" ||
    { echo "FAIL: DHL raw code missing" >&2; exit 1; }

echo "ok: $checked validations of $((written + 1)) TransportationStatus documents"

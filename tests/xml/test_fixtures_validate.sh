#!/usr/bin/env bash
# Every valid XML fixture validates against its OASIS UBL 2.1 schema (DESIGN.md: "Every document
# is validated against its XSD ... tests too").  Fixtures are named after their document type:
# despatch-advice-*.xml, receipt-advice-*.xml.  Needs xmllint (libxml2-utils).
set -euo pipefail

src=${RMAD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
shared=${RMAD_SHARED:-$src/../shared}
xsd=$shared/standards/oasis-ubl-2.1/xsd/maindoc

command -v xmllint >/dev/null || { echo "xmllint is required (libxml2-utils)" >&2; exit 1; }

checked=0
for pair in despatch-advice:UBL-DespatchAdvice-2.1.xsd receipt-advice:UBL-ReceiptAdvice-2.1.xsd; do
    prefix=${pair%%:*}
    schema=$xsd/${pair#*:}
    for f in "$src"/tests/fixtures/xml/"$prefix"-*.xml; do
        [ -e "$f" ] || continue
        xmllint --nonet --noout --schema "$schema" "$f"
        checked=$((checked + 1))
    done
done
[ "$checked" -gt 0 ] || { echo "no fixtures found under $src/tests/fixtures/xml" >&2; exit 1; }
echo "ok: $checked fixtures validate"

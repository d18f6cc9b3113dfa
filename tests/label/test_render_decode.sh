#!/bin/bash
# Renders sample labels (hostile and plain) to PNG, PDF and ZPL with label_render_tool and checks:
# the PNG and the PDF (rasterized at 203 dpi) decode with zbarimg to the exact expected payload,
# and the ZPL is one ^XA..^XZ under ^CI28 with every customer byte escaped.  Exits 1 on any
# mismatch.  Needs RMAD_BUILD (the build directory), zbarimg and pdftoppm.
set -u

build=${RMAD_BUILD:?RMAD_BUILD must name the build directory}
tool=$build/tests/label_render_tool
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(cd "$(dirname "$0")/../.." && pwd)/tests/lsan.supp:print_suppressions=0}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0

fail()
{
    echo "FAIL: $*" >&2
    failed=1
}

if [ ! -x "$tool" ]; then
    cmake --build "$build" --target label_render_tool >/dev/null || { echo "FAIL: cannot build $tool" >&2; exit 1; }
fi

# Payloads computed independently (openssl dgst -sha256 -hmac / Python hmac, see test_qrtag.c).
declare -A want=(
    [hostile]="HTTP://127.0.0.1:8080/P/R000000174/1/B7M8W1Z4"
    [plain]="HTTPS://RETURNS.DEPOT-WEST.EXAMPLE.COM/RMA/P/R000012340/2/54GPGDS5"
)

for variant in hostile plain; do
    expect=${want[$variant]}
    got=$("$tool" "$variant" "$out") || { fail "$variant: label_render_tool failed"; continue; }
    [ "$got" = "$expect" ] || fail "$variant: tool payload '$got', want '$expect'"

    # PNG: 812 x 1218, decodes to the payload, and only to it.
    decoded=$(zbarimg --raw -q -Sdisable -Sqrcode.enable "$out/$variant.png" 2>/dev/null)
    [ "$decoded" = "$expect" ] || fail "$variant: png decodes to '$decoded', want '$expect'"
    size=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print(*struct.unpack(">II", d[16:24]))' "$out/$variant.png")
    [ "$size" = "812 1218" ] || fail "$variant: png is $size, want 812 1218"

    # PDF: one 4x6 in page; at 203 dpi it decodes to the payload.
    pdftoppm -r 203 -png -singlefile "$out/$variant.pdf" "$out/$variant-pdf" ||
        fail "$variant: pdftoppm failed"
    decoded=$(zbarimg --raw -q -Sdisable -Sqrcode.enable "$out/$variant-pdf.png" 2>/dev/null)
    [ "$decoded" = "$expect" ] || fail "$variant: pdf decodes to '$decoded', want '$expect'"
    pdfinfo "$out/$variant.pdf" | grep -q '^Page size: *288 x 432 pts' ||
        fail "$variant: pdf page is not 288 x 432 pt"
    [ "$(pdfinfo "$out/$variant.pdf" | awk '/^Pages:/ {print $2}')" = 1 ] ||
        fail "$variant: pdf has more than one page"

    # ZPL: exactly one label, UTF-8, customer text only inside ^FH escapes.
    zpl=$out/$variant.zpl
    [ "$(grep -o '\^XA' "$zpl" | wc -l)" = 1 ] || fail "$variant: zpl must have exactly one ^XA"
    [ "$(grep -o '\^XZ' "$zpl" | wc -l)" = 1 ] || fail "$variant: zpl must have exactly one ^XZ"
    head -c 3 "$zpl" | grep -q '^\^XA' || fail "$variant: zpl does not start with ^XA"
    [ "$(tail -n 1 "$zpl")" = "^XZ" ] || fail "$variant: zpl does not end with ^XZ"
    grep -q '\^CI28' "$zpl" || fail "$variant: zpl has no ^CI28"
    grep -q '~' "$zpl" && fail "$variant: zpl contains a raw '~'"
    LC_ALL=C grep -q $'\r' "$zpl" && fail "$variant: zpl contains a raw CR"
    LC_ALL=C grep -q '[^ -~]' "$zpl" && fail "$variant: zpl contains raw non-ASCII bytes"
    grep -qF "^BQN,2," "$zpl" || fail "$variant: zpl has no ^BQN QR field"
    grep -qF "^FDMA,$expect^FS" "$zpl" || fail "$variant: zpl QR field data is not MA,<payload>"
    # Every field: a text field is ^FH then data of [A-Za-z0-9 .,-/] and _XX escapes only.
    while IFS= read -r line; do
        case $line in
        ^XA | ^XZ | ^CI28 | ^PW812 | ^LL1218 | ^LH0,0) ;;
        *)
            if [[ $line =~ ^\^FO[0-9]+,[0-9]+\^A0N,[0-9]+,[0-9]+\^FH\^FD(.*)\^FS$ ]]; then
                data=${BASH_REMATCH[1]}
                [[ $data =~ ^([A-Za-z0-9\ .,/-]|_[0-9A-F][0-9A-F])*$ ]] ||
                    fail "$variant: unescaped text field: $line"
            elif [[ $line =~ ^\^FO[0-9]+,[0-9]+\^GB[0-9]+,[0-9]+,[0-9]+\^FS$ ]]; then
                :
            elif [[ $line =~ ^\^FO[0-9]+,[0-9]+\^BQN,2,([0-9]+)\^FDMA,([0-9A-Z\ \$%*+./:-]+)\^FS$ ]]; then
                [ "${BASH_REMATCH[1]}" -ge 4 ] || fail "$variant: QR magnification below 4 dots"
            else
                fail "$variant: unexpected zpl line: $line"
            fi
            ;;
        esac
    done <"$zpl"
done

# The hostile label keeps its text, escaped: ^XZ of the name as _5EXZ, ü as _C3_BC, 東 as _E6_9D_B1.
zpl=$out/hostile.zpl
for frag in 'M_C3_BCller _5EXZ_5EXA_5EFO0,0_5EFDPWNED_7EJR _5C _5F5E' '_E6_9D_B1_E4_BA_AC' \
    'Hauptstra_C3_9Fe 5  _5EXZ' 'Z_C3_BCrich_7EDG' '_5EXZ_7EJA KEEP DRY' '_2A NON-LATIN TEXT'; do
    grep -qF -- "$frag" "$zpl" || fail "hostile: zpl lacks escaped text '$frag'"
done
grep -q 'NON-LATIN' "$out/plain.zpl" && fail "plain: zpl flags non-Latin text it does not have"

if [ "$failed" = 0 ]; then
    echo "ok: png, pdf and zpl labels decode to their payloads; zpl escaped"
fi
exit "$failed"

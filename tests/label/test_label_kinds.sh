#!/bin/bash
# Every template (return, outbound, spare, tag) in every output decodes back to its exact
# payloads with zbarimg: PNG directly (203 and 300 dpi), PDF through pdftoppm, ZPL rendered
# offline by the npm package zpl-renderer-js (203 and 300 dpi).  QR: the payload; Code 128: the
# tracking number; GS1-128: "00" + the SSCC (zbar drops the FNC1 and prints AI 00 and the data).
# Also: the batch PDF has one page per label and the batch ZPL one ^XA..^XZ per label; the ZPL
# of each template for a fixed content equals its golden file in tests/fixtures/labels/ byte for
# byte (RMAD_UPDATE_GOLDEN=1 rewrites them); names in every script render (pdftotext finds them)
# and are flagged in ZPL, never a silent '?'.  Needs RMAD_BUILD, zbarimg, pdftoppm, pdftotext,
# node and npm (npm ci installs tests/label/node_modules from the committed lockfile, offline
# from the npm cache when it can).
set -u

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${RMAD_BUILD:?RMAD_BUILD must name the build directory}
tool=$build/tests/label_render_tool
golden=$src/tests/fixtures/labels
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/tests/lsan.supp:print_suppressions=0}
failed=0
passed=0
fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }
ok() { passed=$((passed + 1)); }

for t in zbarimg pdftoppm pdftotext node npm; do
    command -v $t >/dev/null || { echo "FAIL: $t is required (deploy/install-deps.sh)" >&2; exit 1; }
done
if [ ! -x "$tool" ]; then
    cmake --build "$build" --target label_render_tool >/dev/null || { echo "FAIL: cannot build $tool" >&2; exit 1; }
fi
if [ ! -d "$src/tests/label/node_modules/zpl-renderer-js" ]; then
    (cd "$src/tests/label" && npm ci --no-audit --no-fund --prefer-offline >/dev/null 2>&1) ||
        { echo "FAIL: npm ci in tests/label" >&2; exit 1; }
fi

"$tool" all "$out" >"$out/manifest" || { echo "FAIL: label_render_tool all" >&2; exit 1; }

# decoded FILE: the sorted symbols zbarimg finds, one a line.
decoded() { zbarimg --raw -q "$1" 2>/dev/null | sort; }
# wanted QR CODE128 SSCC: what the label must decode to, sorted.
wanted() {
    { echo "$1"; [ "$2" != - ] && echo "$2"; [ "$3" != - ] && echo "00$3"; } | sort
}
check_png() { # check_png PNG WHAT QR C128 SSCC
    local got want
    got=$(decoded "$1")
    want=$(wanted "$3" "$4" "$5")
    if [ "$got" = "$want" ]; then ok; else fail "$2: decodes to [$(echo $got)], want [$(echo $want)]"; fi
}

# ZPL: one node process renders them all; 4x6 in or 2x1 in, 8 or 12 dots/mm.
declare -a zargs203=() zargs300=() targs203=() targs300=()
while read -r file qr c128 sscc; do
    case $file in
    tag-*.zpl) size=tag ;;
    *.zpl) size=big ;;
    *) continue ;;
    esac
    dpi=203
    [[ $file == *-300.zpl ]] && dpi=300
    png=$out/zpl-${file%.zpl}.png
    if [ $size = tag ] && [ $dpi = 203 ]; then targs203+=("$out/$file" "$png")
    elif [ $size = tag ]; then targs300+=("$out/$file" "$png")
    elif [ $dpi = 203 ]; then zargs203+=("$out/$file" "$png")
    else zargs300+=("$out/$file" "$png"); fi
done <"$out/manifest"
r=$src/tests/label/render_zpl.js
node "$r" 101.6 152.4 8 "${zargs203[@]}" "$out/batch.zpl" "$out/zpl-batch.png" &&
    node "$r" 101.6 152.4 12 "${zargs300[@]}" &&
    node "$r" 50.8 25.4 8 "${targs203[@]}" &&
    node "$r" 50.8 25.4 12 "${targs300[@]}" || fail "zpl-renderer-js failed"

while read -r file qr c128 sscc; do
    case $file in
    *.png) check_png "$out/$file" "$file" "$qr" "$c128" "$sscc" ;;
    *.pdf)
        rm -f "$out"/pdfpage*.png
        pdftoppm -r 203 -png -singlefile "$out/$file" "$out/pdfpage" 2>/dev/null || fail "$file: pdftoppm"
        check_png "$out/pdfpage.png" "$file (pdftoppm)" "$qr" "$c128" "$sscc"
        ;;
    *.zpl)
        check_png "$out/zpl-${file%.zpl}.png" "$file (zpl-renderer-js)" "$qr" "$c128" "$sscc"
        z=$out/$file
        if [ "$(grep -c '\^XA' "$z")" = 1 ] && [ "$(grep -c '\^XZ' "$z")" = 1 ] &&
            grep -q '^\^CI28$' "$z" && ! LC_ALL=C grep -q '[^ -~]' "$z" && ! grep -q '~' "$z"; then ok
        else fail "$file: not one ^XA..^XZ of ASCII under ^CI28 without ~"; fi
        ;;
    esac
done <"$out/manifest"

# Batches: four labels, four pages, four ^XA..^XZ, each decodes.
pages=$(pdfinfo "$out/batch.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
[ "$pages" = 4 ] && ok || fail "batch.pdf has $pages pages, want 4"
[ "$(grep -c '^\^XA$' "$out/batch.zpl")" = 4 ] && [ "$(grep -c '^\^XZ$' "$out/batch.zpl")" = 4 ] && ok ||
    fail "batch.zpl is not four ^XA..^XZ"
for n in 1 2 3 4; do
    pdftoppm -r 203 -png -f $n -l $n -singlefile "$out/batch.pdf" "$out/bp$n" 2>/dev/null
    [ -n "$(decoded "$out/bp$n.png")" ] && ok || fail "batch.pdf page $n decodes to nothing"
done
[ "$(decoded "$out/zpl-batch-4.png")" = "$(decoded "$out/zpl-tag-203.png")" ] && ok ||
    fail "the 4th label of batch.zpl is not the tag"

# Golden ZPL per template and dpi (fixed content, fixed key): byte for byte.
mkdir -p "$golden"
for f in "$out"/return-*.zpl "$out"/outbound-*.zpl "$out"/spare-*.zpl "$out"/tag-*.zpl "$out"/scripts-*.zpl; do
    g=$golden/$(basename "$f")
    if [ "${RMAD_UPDATE_GOLDEN:-0}" = 1 ]; then cp "$f" "$g"; fi
    if cmp -s "$f" "$g"; then ok; else fail "$(basename "$f") differs from $g"; diff "$g" "$f" | head -5 >&2; fi
done

# The spare's note on cores not returned is whole in every output (it was cut to "Cores not
# returned ar..." when it shared the instructions' lines).
note="Cores not returned are invoiced."
for f in "$out"/spare-203.zpl "$out"/spare-300.zpl; do
    grep -qF "^FD$note^FS" "$f" && ok || fail "$(basename "$f"): the core note is not whole"
    grep -q '\.\.\.^FS' "$f" && fail "$(basename "$f"): a text was cut ('...')" || ok
done
txt=$(pdftotext -q "$out/spare.pdf" - 2>/dev/null | tr '\n' ' ' | tr -s ' ')
grep -qF "Cores not returned are invoiced." <<<"$txt" && ok || fail "spare.pdf: the core note is not whole"
grep -qF "with the return label of R000000174." <<<"$txt" && ok || fail "spare.pdf: the core instructions are not whole"

# Every script: the PDF carries the names as text (shaped by pango, fonts embedded) and the ZPL
# flags the lines with '*' and the note; nothing became '?'.
names=("Jürgen Größe-Çelik" "Иван Петров" "Γιώργος Παπαδόπουλος" "株式会社テスト" "محمد" "כהן" "Emoji")
for i in 0 1 2 3 4 5 6; do
    txt=$(pdftotext -q "$out/scripts-$i.pdf" - 2>/dev/null)
    word=${names[$i]} # one word for right-to-left scripts: pdftotext may give visual order
    grep -qF -- "$word" <<<"$txt" && ok || fail "scripts-$i.pdf: '$word' not found in the PDF text"
    pdffonts "$out/scripts-$i.pdf" 2>/dev/null | awk 'NR > 2 && $(NF-4) != "yes" {bad=1} END {exit bad}' && ok ||
        fail "scripts-$i.pdf: a font is not embedded"
    if [ "$i" = 0 ]; then
        grep -q 'NON-LATIN' "$out/scripts-$i.zpl" && fail "scripts-0: Latin text flagged" || ok
    else
        grep -q '_2A NON-LATIN TEXT' "$out/scripts-$i.zpl" && grep -q '\^FD_2A ' "$out/scripts-$i.zpl" && ok ||
            fail "scripts-$i.zpl: non-Latin text without the visible flag"
    fi
    grep '\^FH\^FD' "$out/scripts-$i.zpl" | grep -q '?' && fail "scripts-$i.zpl: a '?' in text" || ok
done

# ZPL lint: hostile addresses (^ and ~ commands, backslashes, CR/LF/TAB, bidi controls, invalid
# UTF-8, ^BC invocation codes, very long names) in every field of every template.  Each label is
# one ^XA..^XZ, every line a known command, every text field ^FH data of [A-Za-z0-9 .,-/] and
# _XX escapes only, and the rendered label still decodes to exactly its payloads.
mkdir -p "$out/lint"
"$tool" lint "$out/lint" >"$out/lint/manifest" || fail "label_render_tool lint"
lint_args=()
while read -r file qr c128 sscc; do
    z=$out/lint/$file
    bad=$(grep -vE '^(\^XA|\^XZ|\^CI28|\^PW[0-9]+|\^LL[0-9]+|\^LH0,0)$' "$z" |
        grep -vE '^\^FO[0-9]+,[0-9]+\^A0N,[0-9]+,[0-9]+(\^FB[0-9]+,[0-9]+,0,L,0)?\^FH\^FD([A-Za-z0-9 .,/-]|_[0-9A-F]{2})*\^FS$' |
        grep -vE '^\^FO[0-9]+,[0-9]+\^GB[0-9]+,[0-9]+,[0-9]+\^FS$' |
        grep -vE '^\^FO[0-9]+,[0-9]+\^BQN,2,[0-9]+\^FD[MQ]A,[0-9A-Z $%*+./:-]+\^FS$' |
        grep -vE '^\^FO[0-9]+,[0-9]+\^BY[0-9]+\^BCN,[0-9]+,N,N,N,[AD]\^FD[0-9A-Za-z]+\^FS$')
    [ -z "$bad" ] && ok || fail "$file: unexpected zpl: $(head -c 200 <<<"$bad")"
    [ "$(grep -c '\^XA' "$z")" = 1 ] && [ "$(grep -c '\^XZ' "$z")" = 1 ] && ok || fail "$file: not exactly one ^XA and ^XZ"
    ! grep -q '~' "$z" && ! LC_ALL=C grep -q '[^ -~]' "$z" && ok || fail "$file: raw ~ or non-ASCII"
    case $file in
    lint-tag-*) ;;
    *) lint_args+=("$z" "$out/lint/zpl-${file%.zpl}.png") ;;
    esac
done <"$out/lint/manifest"
node "$r" 101.6 152.4 8 "${lint_args[@]}" || fail "zpl-renderer-js (lint)"
while read -r file qr c128 sscc; do
    case $file in
    lint-tag-*) check_png "$out/lint/${file%.zpl}.png" "$file (png)" "$qr" "$c128" "$sscc" ;;
    *)
        check_png "$out/lint/zpl-${file%.zpl}.png" "$file (zpl-renderer-js)" "$qr" "$c128" "$sscc"
        check_png "$out/lint/${file%.zpl}.png" "$file (png)" "$qr" "$c128" "$sscc"
        ;;
    esac
done <"$out/lint/manifest"

echo "test_label_kinds: $passed passed, $failed failed"
[ "$failed" = 0 ]

#!/usr/bin/env bash
# Labels per second per output (PNG, PDF, ZPL) at 203 dpi, one thread, the 4x6 in return label
# with QR, Code 128 and GS1-128: label_render_tool bench N renders it N times per output after
# three warm-up rounds.  Builds an optimized build of its own (build/bench, no sanitizers) unless
# RMAD_BUILD names one.  Usage: tests/bench/bench_labels.sh [N]   (default 300)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-300}
build=${RMAD_BUILD:-$src/build/bench}
if [ -z "${RMAD_BUILD:-}" ]; then
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target label_render_tool -j"$(nproc)" >/dev/null
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/tests/lsan.supp:print_suppressions=0}
echo "bench_labels: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
"$build/tests/label_render_tool" bench "$n"

#!/usr/bin/env bash
# HTTP benchmark of rmad with wrk: public tracking (GET) and the dock scan (POST), first scans
# and duplicates.  Prints figures; asserts no timing.  See tests/bench/README.md.
#
#   tests/bench/bench_http.sh                 # builds build/bench (RelWithDebInfo), own cluster
#   RMAD_BIN=/path/to/rmad tests/bench/bench_http.sh
#
# Knobs: BENCH_N (RMAs, 2000), BENCH_DURATION (s per timed run, 15, at most 20),
# BENCH_CONNECTIONS (32), BENCH_WRK_THREADS (2), BENCH_RMAD_THREADS (8).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$root/tests/bench

# Without a database in the environment, run inside a throw-away cluster of our own, with fsync on
# (pg_virtualenv turns it off by default, which would flatter every commit).
if [ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}${PGSERVICE:-}${RMAD_DATABASE_URL:-}" ] &&
    [ -z "${BENCH_IN_VENV:-}" ]; then
    command -v pg_virtualenv >/dev/null || { echo "bench: pg_virtualenv is required" >&2; exit 1; }
    exec pg_virtualenv -t -o fsync=on -- env BENCH_IN_VENV=1 bash "$0" "$@"
fi

N=${BENCH_N:-2000}
DURATION=${BENCH_DURATION:-15}
CONNS=${BENCH_CONNECTIONS:-32}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
RMAD_THREADS=${BENCH_RMAD_THREADS:-8}
POSTCODE=60329
[ "$DURATION" -le 20 ] || { echo "bench: BENCH_DURATION is at most 20 s" >&2; exit 2; }
for tool in wrk curl psql createdb jq; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is required (deploy/install-deps.sh)" >&2; exit 1; }
done

if [ -z "${RMAD_BIN:-}" ]; then
    echo "== building the release binary (build/bench, RelWithDebInfo)"
    cmake -S "$root" -B "$root/build/bench" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$root/build/bench" -j2 --target rmad >/dev/null
    RMAD_BIN=$root/build/bench/rmad
fi
build_type="unknown (no CMakeCache.txt beside $RMAD_BIN)"
cache=$(dirname "$RMAD_BIN")/CMakeCache.txt
if [ -f "$cache" ]; then
    build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$cache")
    build_type=${build_type:-none}
fi
if ldd "$RMAD_BIN" 2>/dev/null | grep -q libasan; then build_type="$build_type, with AddressSanitizer"; fi

tmp=$(mktemp -d /tmp/rmad-bench.XXXXXX)
rmad_pid=""
DB=rmad_bench_$$
cleanup() {
    if [ -n "$rmad_pid" ]; then
        kill "$rmad_pid" 2>/dev/null || true
        wait "$rmad_pid" 2>/dev/null || true
    fi
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

createdb "$DB"
export PGDATABASE=$DB
unset RMAD_DATABASE_URL RMAD_LABEL_KEY RMAD_MIGRATIONS_DIR
"$RMAD_BIN" migrate >>"$tmp/rmad.log" 2>&1
"$RMAD_BIN" demo-data >>"$tmp/rmad.log" 2>&1
AGENT=$("$RMAD_BIN" token create --role agent --name "bench agent" 2>>"$tmp/rmad.log")
DEPOT=$("$RMAD_BIN" token create --role depot --name "bench depot" 2>>"$tmp/rmad.log")

# rmad on a free loopback port: release build, 8 threads, tracking limiter off.
export RMAD_THREADS=$RMAD_THREADS RMAD_TRACK_RATE=0 RMAD_PER_IP_CONNECTIONS=5000 \
    RMAD_MAX_CONNECTIONS=5000
for try in 1 2 3 4 5; do
    port=$((20000 + (RANDOM * 7 + $$ + try) % 40000))
    RMAD_LISTEN=127.0.0.1:$port "$RMAD_BIN" serve >>"$tmp/rmad.log" 2>&1 &
    rmad_pid=$!
    for _ in $(seq 1 100); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" && break 2
        kill -0 "$rmad_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$rmad_pid" 2>/dev/null || true
    wait "$rmad_pid" 2>/dev/null || true
    rmad_pid=""
done
[ -n "$rmad_pid" ] || { echo "bench: rmad did not start" >&2; tail -n 20 "$tmp/rmad.log" >&2; exit 1; }
BASE=http://127.0.0.1:$port

# N cases and N repair RMAs (one serialised line, one inbound parcel each) through the API.
echo "== creating $N cases and RMAs through the API"
make_rma() { # make_rma I: prints the RMA number
    local serial case_json rma_json case_no rma_no
    serial=$(printf 'BENCH%06d' "$1")
    case_json=$(curl -sS --max-time 10 -X POST -H "Authorization: Bearer $AGENT" \
        -H 'Content-Type: application/json' "$BASE/api/v1/cases" --data-binary @- <<EOF
{"channel": "hotline", "product_model": "SRV-R740", "serial_number": "$serial",
 "fault_description": "does not power on", "error_messages": ["E1410 PSU fault"],
 "contact": {"name": "Bench Customer", "email": "bench@example.com"},
 "service_address": {"name": "Bench GmbH", "street": "Mainzer Landstr. 1", "city": "Frankfurt",
                     "postcode": "$POSTCODE", "country": "DE"}}
EOF
    )
    case_no=$(printf '%s' "$case_json" | sed -n 's/.*"case_number": *"\([^"]*\)".*/\1/p')
    rma_json=$(curl -sS --max-time 10 -X POST -H "Authorization: Bearer $AGENT" \
        -H 'Content-Type: application/json' "$BASE/api/v1/rmas" --data-binary @- <<EOF
{"case_number": "$case_no", "type": "repair",
 "lines": [{"serial_number": "$serial", "product_model": "SRV-R740"}],
 "screening": {"outcome": "eligible", "reason": "in warranty, no misuse"}}
EOF
    )
    rma_no=$(printf '%s' "$rma_json" | sed -n 's/.*"rma_number": *"\([^"]*\)".*/\1/p')
    [ -n "$rma_no" ] && printf '%s\n' "$rma_no"
    return 0
}
export -f make_rma
export AGENT BASE POSTCODE
t0=$(date +%s.%N)
seq 1 "$N" | timeout 300 xargs -P 8 -I{} bash -c 'make_rma {}' >"$tmp/rmas"
t1=$(date +%s.%N)
made=$(wc -l <"$tmp/rmas")
printf 'created %d of %d RMAs in %.1f s (curl per request, 8 at a time)\n' "$made" "$N" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')"
[ "$made" -eq "$N" ] || { echo "bench: could not create every RMA" >&2; tail -n 20 "$tmp/rmad.log" >&2; exit 1; }

# run_wrk LABEL MODE ONCE: one wrk run, at most DURATION seconds; prints wrk's output and keeps
# the BENCH line in $tmp/results.
run_wrk() {
    local label=$1 mode=$2 once=$3 url
    url=$BASE/api/v1/scans
    [ "$mode" = track ] && url=$BASE/api/v1/track/
    echo
    echo "== $label"
    BENCH_MODE=$mode BENCH_ONCE=$once BENCH_RMAS=$tmp/rmas BENCH_TOKEN=$DEPOT \
        BENCH_POSTCODE=$POSTCODE BENCH_WRK_THREADS=$WRK_THREADS \
        timeout $((DURATION + 15)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 5s \
        --latency -s "$here/bench.lua" "$url" | tee "$tmp/wrk.out"
    local note=""
    [ "$once" = 1 ] && note=" (rps, duration_s: whole -d window, see the database clock)"
    printf '%-28s %s%s\n' "$label" "$(grep '^BENCH ' "$tmp/wrk.out" | cut -c7-)" "$note" >>"$tmp/results"
}

run_wrk "track GET" track 0
run_wrk "scan POST, first scans" scan 1
received_db=$(psql -X -At -c "SELECT count(*) FROM parcel WHERE received_at IS NOT NULL")
# wrk always reports its -d as the duration, also when the threads stopped early: take the rate of
# the first scans from the database clock (first to last scan row of the run) instead.
first_rate=$(psql -X -At -c "SELECT count(*) || ' receiving scans in ' ||
    round(extract(epoch FROM max(created_at) - min(created_at))::numeric, 2) || ' s = ' ||
    round(count(*) / nullif(extract(epoch FROM max(created_at) - min(created_at)), 0)) || ' scans/s'
    FROM scan WHERE station = 'bench' AND outcome = 'received'")
run_wrk "scan POST, duplicates" scan 0

pg_dir=$(psql -X -At -c "SHOW data_directory")
echo
echo "== summary"
echo "machine:   $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)), $(uname -sr)"
echo "database:  $(psql -X -At -c 'SHOW server_version') in $pg_dir ($(df -PT "$pg_dir" 2>/dev/null | awk 'NR == 2 {print $2}')), fsync=$(psql -X -At -c 'SHOW fsync'), synchronous_commit=$(psql -X -At -c 'SHOW synchronous_commit'), shared_buffers=$(psql -X -At -c 'SHOW shared_buffers')"
echo "rmad:      $RMAD_BIN ($build_type), RMAD_THREADS=$RMAD_THREADS, same machine as wrk"
echo "wrk:       -t$WRK_THREADS -c$CONNS -d${DURATION}s --latency; $N RMAs, one parcel each"
echo "parcels received after the first-scan run: $received_db of $N"
echo "first-scan run by the database clock: $first_rate (wrk's rps and duration_s there count"
echo "  the whole -d window, of which the run used only the start)"
echo
cat "$tmp/results"

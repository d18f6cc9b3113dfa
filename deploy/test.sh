#!/usr/bin/env bash
# Builds the dev preset (Debug, AddressSanitizer + UBSan, -Werror) and runs every test:
#   1. formatting (clang-format 14 against .clang-format),
#   2. unit tests (ctest label "unit": no database, no network),
#   3. database-backed tests (labels db, http, label, xml, browser) in a throw-away PostgreSQL cluster made
#      by pg_virtualenv, which exports the PG* variables and drops the cluster afterwards.
# Exits non-zero when anything fails, after running every step it can; the last line sums up.
#
#   deploy/test.sh
#
# RMAD_BUILD_DIR picks another build directory than build/dev (same preset).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

"$root/deploy/install-deps.sh"

# Sanitizers: stop at the first error, report leaks, print whole stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export CTEST_OUTPUT_ON_FAILURE=1
build_dir=${RMAD_BUILD_DIR:-build/dev}

results=()
failed=0

# step NAME COMMAND...: runs COMMAND, remembers NAME and whether it passed.
step() {
    local name=$1
    shift
    echo
    echo "=== test.sh: $name"
    if "$@"; then
        results+=("$name: ok")
    else
        results+=("$name: FAILED")
        failed=1
    fi
}

summary() {
    local joined
    joined=$(printf '%s; ' "${results[@]}")
    echo
    if [ "$failed" -eq 0 ]; then
        echo "test.sh: PASS (${joined%; })"
    else
        echo "test.sh: FAIL (${joined%; })"
    fi
}

build() {
    cmake --preset dev -B "$build_dir" && cmake --build "$build_dir" -j2
}

# The release preset that deploy/up.sh builds: optimisation brings warnings of its own (format
# truncation, for one) and -Werror is on there too, so it must compile cleanly as well.
release_build() {
    cmake --preset release -B "${RMAD_RELEASE_DIR:-build/release}" &&
        cmake --build "${RMAD_RELEASE_DIR:-build/release}" -j2 --target rmad
}

format_check() {
    local files=()

    mapfile -d '' files < <(find src include tests/unit -type f \( -name '*.c' -o -name '*.h' \) \
        -print0 | sort -z)
    if [ ${#files[@]} -eq 0 ]; then
        return 0
    fi
    clang-format --style=file --dry-run --Werror "${files[@]}"
}

unit_tests() {
    ctest --test-dir "$build_dir" -L unit --output-on-failure -j2
}

db_tests() {
    # One throw-away cluster for all.  Database settings of the caller must not leak in
    # (PGSERVICE, RMAD_DATABASE_URL, ...): pg_virtualenv exports its own PG* variables.
    (
        while IFS= read -r name; do
            unset "$name"
        done < <(compgen -e | grep '^PG' || true)
        unset RMAD_DATABASE_URL
        # Each test script makes a database of its own, so two run at once.
        # the browser tests (issue 7) need playwright-core from tests/browser/package-lock.json
        (cd tests/browser && npm ci --no-audit --no-fund --silent) || return 1
        pg_virtualenv -t -- ctest --test-dir "$build_dir" -L 'db|http|label|xml|browser' --output-on-failure -j2
    )
}

step build build
step "release build" release_build
if [ "$failed" -ne 0 ]; then
    summary
    exit 1
fi
if [ -f .clang-format ]; then
    step format format_check
fi
step unit unit_tests
step "db|http|label|xml|browser" db_tests
summary
exit "$failed"

#!/usr/bin/env bash
# Installs the Debian 12 packages rmad needs to build, test and run.  Idempotent: when every
# package is already installed it touches nothing and returns at once.  Run as root, or as a user
# who may use sudo.
set -euo pipefail

packages=(
    build-essential cmake pkg-config git ca-certificates curl jq
    postgresql postgresql-contrib libpq-dev
    libmicrohttpd-dev libxml2-dev libxml2-utils libqrencode-dev libjansson-dev
    libcairo2-dev libpango1.0-dev fonts-dejavu-core fonts-noto-core fonts-noto-cjk
    libsodium-dev libcmocka-dev zbar-tools poppler-utils wrk clang-format
    libzint-dev libpng-dev
    libgmime-3.0-dev libcurl4-openssl-dev
    python3 # the tests' SMTP sink (tests/http/smtp_sink.py, standard library only)

    tzdata # the IANA zones of service addresses (issue 3), read from /usr/share/zoneinfo
    iso-codes # ISO 3166-2 subdivisions, the regions a service address may name
    chromium
)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    if [ "$status" != installed ]; then
        missing+=("$p")
    fi
done
# Node and npm render ZPL in tests/label (npm zpl-renderer-js).  A machine may have them from
# another source (nodesource's nodejs bundles npm): ask for Debian's only when either is missing.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing+=(nodejs npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages already installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=(env)
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run this script as root or install sudo" >&2
    exit 1
fi

# Debian starts a "main" cluster on port 5432 when postgresql is installed.  rmad never uses it
# (its embedded cluster has its own socket directory and no TCP; tests use pg_virtualenv), so
# keep new clusters from being created at all when the package is installed here for the first
# time.  A cluster that exists already is left alone.
if [ "$(dpkg-query -W -f='${db:Status-Status}' postgresql-common 2>/dev/null || true)" != installed ]; then
    "${as_root[@]}" mkdir -p /etc/postgresql-common/createcluster.d
    printf '# rmad: no default cluster, see deploy/install-deps.sh\ncreate_main_cluster = false\n' |
        "${as_root[@]}" tee /etc/postgresql-common/createcluster.d/50-rmad-no-main.conf >/dev/null
fi

echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
# Only what is missing: upgrading a PostgreSQL that is in use is not this script's business.
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}"
echo "install-deps: done"

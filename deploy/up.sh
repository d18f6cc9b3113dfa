#!/usr/bin/env bash
# Builds rmad (release preset) and runs it on 127.0.0.1:8080 with demo data, on its embedded
# PostgreSQL cluster under var/.  Safe to run again: it reuses the build, the cluster, the data
# and the admin token it made the first time.
#
#   deploy/up.sh
#
# RMAD_LISTEN, RMAD_VAR_DIR and RMAD_BUILD_DIR (instead of build/release) are honoured; PG* variables and RMAD_DATABASE_URL are ignored
# here on purpose (this is the self-contained demo: see deploy/rmad.env.example for production).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

"$root/deploy/install-deps.sh"

build_dir=${RMAD_BUILD_DIR:-build/release}
cmake --preset release -B "$build_dir"
cmake --build "$build_dir" -j2
rmad="$(cd "$build_dir" && pwd)/rmad"

# No database configured, so rmad creates and starts its embedded cluster under var/.
while IFS= read -r name; do
    unset "$name"
done < <(compgen -e | grep '^PG' || true)
unset RMAD_DATABASE_URL
export RMAD_LISTEN=${RMAD_LISTEN:-127.0.0.1:8080}
# Demo SSCCs: GS1's example company prefix 0614141 (never a real one); set your own in production.
export RMAD_GS1_COMPANY_PREFIX=${RMAD_GS1_COMPANY_PREFIX:-0614141}
var_dir=${RMAD_VAR_DIR:-$root/var}
mkdir -p "$var_dir"

"$rmad" migrate
"$rmad" demo-data

# One admin token, made once and kept.  A token file older than the cluster belongs to a database
# that no longer exists: make a new one.
token_file="$var_dir/admin-token"
if [ ! -s "$token_file" ] || { [ -e "$var_dir/pgdata/PG_VERSION" ] &&
    [ "$var_dir/pgdata/PG_VERSION" -nt "$token_file" ]; }; then
    token=$("$rmad" token create --role admin --name "admin (deploy/up.sh)")
    if [ -z "$token" ]; then
        echo "up.sh: rmad token create printed no token" >&2
        exit 1
    fi
    (umask 077 && printf '%s\n' "$token" >"$token_file.tmp")
    mv -f "$token_file.tmp" "$token_file"
fi
chmod 600 "$token_file"
token=$(head -n 1 "$token_file")

# One demo depot user "depot" for the scan station (/depot/scan), made once like the token.
depot_file="$var_dir/depot-password"
if [ ! -s "$depot_file" ] || [ "$token_file" -nt "$depot_file" ]; then
    depot_pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20)
    if RMAD_PASSWORD=$depot_pw "$rmad" user create --name depot --role depot 2>/dev/null; then
        (umask 077 && printf '%s\n' "$depot_pw" >"$depot_file.tmp")
        mv -f "$depot_file.tmp" "$depot_file"
    elif [ ! -s "$depot_file" ]; then
        echo "up.sh: the depot user exists but its password file is gone: see README (Pages)" >&2
    fi
fi
depot_pw=$(head -n 1 "$depot_file" 2>/dev/null || echo "(unknown)")
url="http://$RMAD_LISTEN"
cat <<MSG

rmad is starting on $url (Ctrl-C stops it; the database keeps running under $var_dir).
Admin token (kept in $token_file):

    $token

Depot scan station: $url/depot/scan  user "depot", password (kept in $depot_file):

    $depot_pw

Public tracking: $url/track

Try it (README.md walks through a whole return):

    curl -s $url/readyz
    curl -s $url/api/v1/openapi.json | jq '.paths | keys'

MSG

exec "$rmad" serve

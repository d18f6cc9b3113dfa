#!/usr/bin/env bash
# POST /api/v1/cases: the service address's time zone and region (issue 3).  A zone given is
# stored when rmad can load it; without one, a single-zone country gives its zone and a country
# of several zones is a 422; the region defaults to the country and must be the country or one of
# its subdivisions; names that could walk out of the zoneinfo directory are refused; no refusal
# writes anything.
source "$(dirname "$0")/../lib.sh"
rmad_setup

VALID=$(jq -nc '{
    channel: "hotline", product_model: "SRV-R740", serial_number: "SRV7400001",
    fault_description: "does not power on",
    contact: {name: "Anna Schmidt", phone: "+49 69 1234567"},
    service_address: {name: "ACME GmbH", street: "Mainzer Landstr. 1", city: "Frankfurt",
                      postcode: "60329", country: "DE"}}')
body() { printf '%s' "$VALID" | jq -c "$1"; }
cases() { psql_t -c "SELECT count(*) FROM service_case"; }
stored() { psql_t -F '|' -c "SELECT addr_zone, addr_region FROM service_case WHERE case_number = '$1'"; }

# ---- zone given -------------------------------------------------------------------------------
api POST /api/v1/cases "$AGENT" "$(body '.service_address += {country: "US", region: "US-NY",
    zone: "America/New_York", city: "New York", postcode: "10001"}')"
expect_status 201 "US address with its zone and state"
check "zone and region stored" test "$(stored "$(jqb .case_number)")" = "America/New_York|US-NY"

api POST /api/v1/cases "$AGENT" "$(body '.service_address += {zone: "Europe/Berlin", region: "de-by"}')"
expect_status 201 "German address in Bavaria, region in lower case"
check "region stored in upper case" test "$(stored "$(jqb .case_number)")" = "Europe/Berlin|DE-BY"

api POST /api/v1/cases "$AGENT" "$(body '.service_address += {country: "AU", zone: "Australia/Sydney"}')"
expect_status 201 "Australian address with its zone"
check "region defaults to the country" test "$(stored "$(jqb .case_number)")" = "Australia/Sydney|AU"

# ---- zone derived from the country ------------------------------------------------------------
api POST /api/v1/cases "$AGENT" "$VALID"
expect_status 201 "German address without a zone"
check "Germany gives Europe/Berlin, region DE" test "$(stored "$(jqb .case_number)")" = "Europe/Berlin|DE"
for cz in JP:Asia/Tokyo IN:Asia/Kolkata GB:Europe/London FR:Europe/Paris; do
    api POST /api/v1/cases "$AGENT" "$(body ".service_address.country = \"${cz%%:*}\"")"
    expect_status 201 "${cz%%:*} address without a zone"
    check "${cz%%:*} gives ${cz#*:}" test "$(stored "$(jqb .case_number)")" = "${cz#*:}|${cz%%:*}"
done

# ---- refused, nothing written -----------------------------------------------------------------
C0=$(cases)
for c in US CA AU BR RU MX; do
    api POST /api/v1/cases "$AGENT" "$(body ".service_address.country = \"$c\"")"
    expect_error 422 service_address.zone "$c address without a zone"
done
api POST /api/v1/cases "$AGENT" "$(body '.service_address.country = "US"')"
expect_jq '.error.message | test("US")' "the message names the country"

for z in "Mars/Olympus_Mons" "Europe/Atlantis" "../../etc/passwd" "Europe/../../etc/passwd" \
    "/etc/passwd" "/usr/share/zoneinfo/Europe/Berlin" "Europe" "Europe/" "zone.tab" \
    "Europe/Berlin/../Paris" "Europe/Ber lin" "$(printf 'A%.0s' $(seq 1 65))"; do
    api POST /api/v1/cases "$AGENT" "$(body ".service_address.zone = \"$z\"")"
    expect_error 422 service_address.zone "zone '$z' is refused"
done
api POST /api/v1/cases "$AGENT" "$(body '.service_address.zone = 7')"
expect_error 422 service_address.zone "a zone that is not a string"
api POST /api/v1/cases "$AGENT" "$(body '.service_address.zone = "europe/berlin"')"
expect_error 422 service_address.zone "zone names are case-sensitive"

for r in FR FR-IDF D DE- DE-BAYERN DE_BY "DE BY" "DE-B/"; do
    api POST /api/v1/cases "$AGENT" "$(body ".service_address.region = \"$r\"")"
    expect_error 422 service_address.region "region '$r' of a German address"
done
# the zone must be a canonical zone that zone.tab / zone1970.tab list for the address's country
for z in "Europe/Berlin:US" "America/New_York:DE" "posixrules:DE" "Factory:DE" \
    "posix/Europe/Berlin:DE" "right/Europe/Berlin:DE" "UTC:DE" "Etc/GMT-1:DE" "CET:DE"; do
    api POST /api/v1/cases "$AGENT" "$(body ".service_address += {zone: \"${z%%:*}\",
        country: \"${z##*:}\", postcode: \"10001\"}")"
    expect_error 422 service_address.zone "zone '${z%%:*}' for country ${z##*:} is refused"
done
# the region must be one of the country's ISO 3166-2 subdivisions
for r in DE-ZZZ DE-XX DE-B1; do
    api POST /api/v1/cases "$AGENT" "$(body ".service_address.region = \"$r\"")"
    expect_error 422 service_address.region "region '$r' is no subdivision of DE"
done
api POST /api/v1/cases "$AGENT" "$(body '.service_address += {country: "XX", zone: "Europe/Berlin"}')"
expect_error 422 service_address.country "country XX is no iso 3166 country"
api POST /api/v1/cases "$AGENT" "$(body '.service_address += {country: "QZ", zone: "Europe/Berlin"}')"
expect_error 422 service_address.country "country QZ is no iso 3166 country"
check "no refusal wrote a case" test "$(cases)" = "$C0"
# every subdivision the holiday table knows is a region an address may name
for r in $(psql_t -c "SELECT DISTINCT region FROM holiday WHERE region LIKE '%-%' ORDER BY 1"); do
    api POST /api/v1/cases "$AGENT" "$(body ".service_address += {country: \"${r%%-*}\",
        region: \"$r\", postcode: \"10001\"}")"
    expect_status 201 "region $r of the holiday table is accepted"
done

# ---- holidays of the demo regions --------------------------------------------------------------
check "DE has its national holidays of 2026 and 2027" test "$(psql_t -c "
    SELECT count(*) FROM holiday WHERE region = 'DE'")" = 18
check "US federal holidays: Independence Day 2026 observed on Friday July 3" test "$(psql_t -c "
    SELECT count(*) FROM holiday WHERE region = 'US' AND day = '2026-07-03'")" = 1
check "GB holidays exist for 2026 and 2027" test "$(psql_t -c "
    SELECT count(DISTINCT extract(year FROM day)) FROM holiday WHERE region = 'GB'")" = 2

# ---- the case's calendar (db_case_calendar) through the remote windows -------------------------
# From Wednesday 2026-06-03 20:30 CEST: Thursday 2026-06-04 is Corpus Christi, a holiday in
# Bavaria (DE-BY) but not in Germany as a whole; Whit Monday 2026-05-25 is a holiday of DE, so
# also of a DE-BY case.
api POST /api/v1/cases "$AGENT" "$(body '.service_address.region = "DE-BY"')"
BY=$(jqb .case_number)
api POST /api/v1/cases "$AGENT" "$VALID"
DE=$(jqb .case_number)
api POST /api/v1/cases "$AGENT" "$(body '.service_address += {country: "US", zone: "America/New_York"}')"
US=$(jqb .case_number)
windows() { api GET "/api/v1/cases/$1/remote-windows?from=$2" "$ADMIN"; }
windows "$BY" "2026-06-03T20:30:00%2B02:00"
expect_status 200 "remote windows of the Bavarian case"
expect_jq '[.windows[].opens] == ["2026-06-03T18:30:00Z", "2026-06-05T07:00:00Z",
    "2026-06-08T07:00:00Z", "2026-06-09T07:00:00Z", "2026-06-10T07:00:00Z"]' \
    "Bavaria: Corpus Christi skipped, the weekend skipped"
windows "$DE" "2026-06-03T20:30:00%2B02:00"
expect_jq '[.windows[].opens][1] == "2026-06-04T07:00:00Z"' "Germany: Corpus Christi is a working day"
windows "$BY" "2026-05-22T21:00:00%2B02:00"
expect_jq '.windows[0].opens == "2026-05-26T07:00:00Z"' \
    "Bavaria keeps the national Whit Monday: Friday 21:00 -> Tuesday 09:00 CEST"
windows "$US" "2026-07-02T21:00:00-04:00"
expect_jq '.windows[0].opens == "2026-07-06T13:00:00Z"' \
    "New York: Independence Day observed on Friday 2026-07-03 -> Monday 09:00 EDT"
windows "$US" "2026-10-30T21:00:00-04:00"
expect_jq '.windows[0].opens == "2026-11-02T14:00:00Z" and .windows[0].closes == "2026-11-03T02:00:00Z"' \
    "New York over the autumn change: Monday 09:00-21:00 EST"

finish

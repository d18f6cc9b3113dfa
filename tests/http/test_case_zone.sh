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
check "no refusal wrote a case" test "$(cases)" = "$C0"

# ---- holidays of the demo regions --------------------------------------------------------------
check "DE has its national holidays of 2026 and 2027" test "$(psql_t -c "
    SELECT count(*) FROM holiday WHERE region = 'DE'")" = 18
check "US federal holidays: Independence Day 2026 observed on Friday July 3" test "$(psql_t -c "
    SELECT count(*) FROM holiday WHERE region = 'US' AND day = '2026-07-03'")" = 1
check "GB holidays exist for 2026 and 2027" test "$(psql_t -c "
    SELECT count(DISTINCT extract(year FROM day)) FROM holiday WHERE region = 'GB'")" = 2

finish

-- Zones and holidays of service addresses (issue 3): remote sessions, on-site visits and the SLA
-- clocks run in the customer's local time (an IANA zone per service address) and not on the
-- holidays of the address's region.
--
-- service_case.addr_zone   IANA zone name ("Europe/Berlin"); the file under the zoneinfo
--                          directory is what rmad reads (db_tz_get), the name is checked here too
-- service_case.addr_region ISO 3166 country or subdivision ("DE", "DE-BY", "US-CA", "GB-SCT")
-- holiday                  the holidays of a region, as local dates.  A case in region "DE-BY"
--                          keeps the holidays of "DE-BY" and those of its country "DE"
--                          (db_case_calendar); a case in "DE" only those of "DE".
--
-- Cases registered before this migration get the zone of their country when it has only one
-- (the table of tz_country_zone in src/core/tz.c), else UTC, and their country as region.
BEGIN;

ALTER TABLE service_case ADD COLUMN addr_zone text, ADD COLUMN addr_region text;
UPDATE service_case SET
    addr_zone = CASE addr_country
        WHEN 'DE' THEN 'Europe/Berlin' WHEN 'AT' THEN 'Europe/Vienna'
        WHEN 'CH' THEN 'Europe/Zurich' WHEN 'FR' THEN 'Europe/Paris'
        WHEN 'GB' THEN 'Europe/London' WHEN 'IE' THEN 'Europe/Dublin'
        WHEN 'NL' THEN 'Europe/Amsterdam' WHEN 'BE' THEN 'Europe/Brussels'
        WHEN 'LU' THEN 'Europe/Luxembourg' WHEN 'IT' THEN 'Europe/Rome'
        WHEN 'ES' THEN 'Europe/Madrid' WHEN 'PL' THEN 'Europe/Warsaw'
        WHEN 'JP' THEN 'Asia/Tokyo' WHEN 'IN' THEN 'Asia/Kolkata'
        ELSE 'UTC' END,
    addr_region = addr_country;
ALTER TABLE service_case
    ALTER COLUMN addr_zone SET NOT NULL,
    ALTER COLUMN addr_region SET NOT NULL,
    ADD CONSTRAINT service_case_addr_zone_name CHECK (
        length(addr_zone) <= 64 AND addr_zone ~ '^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$'),
    ADD CONSTRAINT service_case_addr_region_code CHECK (
        addr_region ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$');

CREATE TABLE holiday (
    region text NOT NULL CHECK (region ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$'),
    day date NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    PRIMARY KEY (region, day)
);

INSERT INTO holiday (region, day, name) VALUES
    -- Germany, national holidays
    ('DE', '2026-01-01', 'Neujahr'),
    ('DE', '2026-04-03', 'Karfreitag'),
    ('DE', '2026-04-06', 'Ostermontag'),
    ('DE', '2026-05-01', 'Tag der Arbeit'),
    ('DE', '2026-05-14', 'Christi Himmelfahrt'),
    ('DE', '2026-05-25', 'Pfingstmontag'),
    ('DE', '2026-10-03', 'Tag der Deutschen Einheit'),
    ('DE', '2026-12-25', '1. Weihnachtstag'),
    ('DE', '2026-12-26', '2. Weihnachtstag'),
    ('DE', '2027-01-01', 'Neujahr'),
    ('DE', '2027-03-26', 'Karfreitag'),
    ('DE', '2027-03-29', 'Ostermontag'),
    ('DE', '2027-05-01', 'Tag der Arbeit'),
    ('DE', '2027-05-06', 'Christi Himmelfahrt'),
    ('DE', '2027-05-17', 'Pfingstmontag'),
    ('DE', '2027-10-03', 'Tag der Deutschen Einheit'),
    ('DE', '2027-12-25', '1. Weihnachtstag'),
    ('DE', '2027-12-26', '2. Weihnachtstag'),
    -- Bavaria, on top of the national ones
    ('DE-BY', '2026-01-06', 'Heilige Drei Koenige'),
    ('DE-BY', '2026-06-04', 'Fronleichnam'),
    ('DE-BY', '2026-08-15', 'Mariae Himmelfahrt'),
    ('DE-BY', '2026-11-01', 'Allerheiligen'),
    ('DE-BY', '2027-01-06', 'Heilige Drei Koenige'),
    ('DE-BY', '2027-05-27', 'Fronleichnam'),
    ('DE-BY', '2027-08-15', 'Mariae Himmelfahrt'),
    ('DE-BY', '2027-11-01', 'Allerheiligen'),
    -- United States, federal holidays as observed (Saturday: the Friday, Sunday: the Monday)
    ('US', '2026-01-01', 'New Year''s Day'),
    ('US', '2026-01-19', 'Birthday of Martin Luther King, Jr.'),
    ('US', '2026-02-16', 'Washington''s Birthday'),
    ('US', '2026-05-25', 'Memorial Day'),
    ('US', '2026-06-19', 'Juneteenth National Independence Day'),
    ('US', '2026-07-03', 'Independence Day (observed)'),
    ('US', '2026-09-07', 'Labor Day'),
    ('US', '2026-10-12', 'Columbus Day'),
    ('US', '2026-11-11', 'Veterans Day'),
    ('US', '2026-11-26', 'Thanksgiving Day'),
    ('US', '2026-12-25', 'Christmas Day'),
    ('US', '2027-01-01', 'New Year''s Day'),
    ('US', '2027-01-18', 'Birthday of Martin Luther King, Jr.'),
    ('US', '2027-02-15', 'Washington''s Birthday'),
    ('US', '2027-05-31', 'Memorial Day'),
    ('US', '2027-06-18', 'Juneteenth National Independence Day (observed)'),
    ('US', '2027-07-05', 'Independence Day (observed)'),
    ('US', '2027-09-06', 'Labor Day'),
    ('US', '2027-10-11', 'Columbus Day'),
    ('US', '2027-11-11', 'Veterans Day'),
    ('US', '2027-11-25', 'Thanksgiving Day'),
    ('US', '2027-12-24', 'Christmas Day (observed)'),
    ('US', '2027-12-31', 'New Year''s Day 2028 (observed)'),
    -- United Kingdom: the bank holidays of all four nations (substitute days when on a weekend)
    ('GB', '2026-01-01', 'New Year''s Day'),
    ('GB', '2026-04-03', 'Good Friday'),
    ('GB', '2026-05-04', 'Early May bank holiday'),
    ('GB', '2026-05-25', 'Spring bank holiday'),
    ('GB', '2026-12-25', 'Christmas Day'),
    ('GB', '2026-12-28', 'Boxing Day (substitute day)'),
    ('GB', '2027-01-01', 'New Year''s Day'),
    ('GB', '2027-03-26', 'Good Friday'),
    ('GB', '2027-05-03', 'Early May bank holiday'),
    ('GB', '2027-05-31', 'Spring bank holiday'),
    ('GB', '2027-12-27', 'Christmas Day (substitute day)'),
    ('GB', '2027-12-28', 'Boxing Day (substitute day)'),
    -- England and Wales
    ('GB-ENG', '2026-04-06', 'Easter Monday'),
    ('GB-ENG', '2026-08-31', 'Summer bank holiday'),
    ('GB-ENG', '2027-03-29', 'Easter Monday'),
    ('GB-ENG', '2027-08-30', 'Summer bank holiday'),
    ('GB-WLS', '2026-04-06', 'Easter Monday'),
    ('GB-WLS', '2026-08-31', 'Summer bank holiday'),
    ('GB-WLS', '2027-03-29', 'Easter Monday'),
    ('GB-WLS', '2027-08-30', 'Summer bank holiday'),
    -- Scotland
    ('GB-SCT', '2026-01-02', '2nd January'),
    ('GB-SCT', '2026-08-03', 'Summer bank holiday'),
    ('GB-SCT', '2026-11-30', 'St Andrew''s Day'),
    ('GB-SCT', '2027-01-04', '2nd January (substitute day)'),
    ('GB-SCT', '2027-08-02', 'Summer bank holiday'),
    ('GB-SCT', '2027-11-30', 'St Andrew''s Day'),
    -- Northern Ireland
    ('GB-NIR', '2026-03-17', 'St Patrick''s Day'),
    ('GB-NIR', '2026-04-06', 'Easter Monday'),
    ('GB-NIR', '2026-07-13', 'Battle of the Boyne (substitute day)'),
    ('GB-NIR', '2026-08-31', 'Summer bank holiday'),
    ('GB-NIR', '2027-03-17', 'St Patrick''s Day'),
    ('GB-NIR', '2027-03-29', 'Easter Monday'),
    ('GB-NIR', '2027-07-12', 'Battle of the Boyne'),
    ('GB-NIR', '2027-08-30', 'Summer bank holiday');

INSERT INTO schema_migrations (version) VALUES (8);
COMMIT;

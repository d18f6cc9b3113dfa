-- Demo data for trying rmad: one depot, four carriers, a small catalog with easy-install parts,
-- and an install base of serials with ship dates and warranty ends.  Idempotent: loading it
-- again changes nothing.  Not a migration: production databases do not get it.
BEGIN;

INSERT INTO depot (code, name, street, city, postcode, country, is_default)
VALUES ('DEP-FRA', 'rmad Demo Depot Frankfurt', 'Hanauer Landstrasse 200', 'Frankfurt am Main',
        '60314', 'DE', true)
ON CONFLICT (code) DO NOTHING;

INSERT INTO carrier (code, name, account, time_zone) VALUES
    ('UPS', 'UPS', 'A1B2C3', 'Europe/Berlin'),
    ('DHL', 'DHL Express', '950000001', 'Europe/Berlin'),
    ('FEDEX', 'FedEx', '510087020', 'Europe/Berlin'),
    ('USPS', 'USPS', '9205590', 'Europe/Berlin')
ON CONFLICT (code) DO NOTHING;
-- tracking (issue 5): the zone a carrier's local times without an offset are read in (more
-- carriers: rmad carrier add --code CODE --name NAME --account ACCOUNT --zone ZONE)
UPDATE carrier SET zone = 'America/New_York' WHERE code = 'UPS' AND zone IS NULL;
UPDATE carrier SET zone = 'Europe/Berlin' WHERE code = 'DHL' AND zone IS NULL;
UPDATE carrier SET zone = 'America/Chicago' WHERE code = 'FEDEX' AND zone IS NULL;
UPDATE carrier SET zone = 'America/New_York' WHERE code = 'USPS' AND zone IS NULL;

INSERT INTO product_model (code, name, product_line, serialised, easy_install, sold_separately,
                           handling_marks) VALUES
    ('SRV-R740', 'Rack server R740', 'servers', true, false, false, '{FRAGILE,ESD}'),
    ('NB-X13', 'Notebook X13', 'notebooks', true, false, false, '{FRAGILE,LITHIUM BATTERY}'),
    ('SSD-960', 'Hot-swap SSD 960 GB', 'storage', true, true, true, '{ESD}'),
    ('PSU-750', 'Hot-swap power supply 750 W', 'servers', true, true, true, '{ESD}'),
    ('MEM-32G', 'Memory module 32 GB', 'servers', true, true, true, '{ESD}'),
    ('KB-US', 'Keyboard US', 'accessories', false, true, true, '{}'),
    ('MOUSE-OPT', 'Optical mouse', 'accessories', false, true, true, '{}'),
    ('CBL-PWR', 'Power cable C13', 'accessories', false, true, true, '{}')
ON CONFLICT (code) DO NOTHING;

INSERT INTO install_base (serial_number, product_model, ship_date, warranty_end, contract) VALUES
    ('SRV7400001', 'SRV-R740', '2025-03-14', '2028-03-13', 'ProSupport 3Y NBD'),
    ('SRV7400002', 'SRV-R740', '2025-03-14', '2028-03-13', 'ProSupport 3Y NBD'),
    ('SRV7400003', 'SRV-R740', '2021-06-01', '2024-05-31', NULL),
    ('NBX130001', 'NB-X13', '2026-01-20', '2027-01-19', NULL),
    ('NBX130002', 'NB-X13', '2026-02-02', '2027-02-01', NULL),
    ('NBX130003', 'NB-X13', '2023-09-09', '2024-09-08', NULL),
    ('SSD9600001', 'SSD-960', '2025-11-11', '2030-11-10', 'Keep Your Drive'),
    ('SSD9600002', 'SSD-960', '2025-11-11', '2030-11-10', 'Keep Your Drive'),
    ('PSU7500001', 'PSU-750', '2025-03-14', '2028-03-13', NULL),
    ('PSU7500002', 'PSU-750', '2025-03-14', '2028-03-13', NULL),
    ('MEM32G0001', 'MEM-32G', '2025-03-14', '2030-03-13', NULL)
ON CONFLICT (serial_number) DO NOTHING;

-- Prices for quotes and charges, install guides for spares, data-bearing drives (schema 2).
UPDATE product_model SET repair_price_cents = v.repair, part_price_cents = v.part,
       data_bearing = v.data_bearing, install_guide = v.guide
  FROM (VALUES
    ('SRV-R740', 45000, 0, false, NULL),
    ('NB-X13', 18000, 0, false, NULL),
    ('SSD-960', 0, 29000, true,
     'Press the release button, pull the carrier, insert the new drive until it clicks; the array rebuilds by itself.'),
    ('PSU-750', 0, 21000, false,
     'Unplug the power cord of the failed supply, press the tab and pull; slide the new supply in until it latches, plug in.'),
    ('MEM-32G', 0, 15000, false,
     'Power off and unplug; open the latches of the slot, press the new module in until both latches close.'),
    ('KB-US', 0, 3500, false, 'Plug the keyboard into any USB port.'),
    ('MOUSE-OPT', 0, 1500, false, 'Plug the mouse into any USB port.'),
    ('CBL-PWR', 0, 900, false, NULL)) AS v(code, repair, part, data_bearing, guide)
 WHERE product_model.code = v.code AND product_model.repair_price_cents = 0
   AND product_model.part_price_cents = 0;

INSERT INTO spare_unit (serial_number, product_model) VALUES
    ('SPSU7500901', 'PSU-750'), ('SPSU7500902', 'PSU-750'), ('SPSU7500903', 'PSU-750'),
    ('SSSD9600901', 'SSD-960'), ('SSSD9600902', 'SSD-960'),
    ('SMEM32G0901', 'MEM-32G'), ('SMEM32G0902', 'MEM-32G'),
    ('SNBX130901', 'NB-X13'), ('SSRV7400901', 'SRV-R740')
ON CONFLICT (serial_number) DO NOTHING;

INSERT INTO spare_bin (product_model, on_hand) VALUES
    ('KB-US', 40), ('MOUSE-OPT', 60), ('CBL-PWR', 200)
ON CONFLICT (product_model) DO NOTHING;

-- Service engineers (issue 3): skills per product line and how many open cases each takes.  No
-- token: link an engineer's own token with POST /api/v1/engineers {"name", "token"}.
INSERT INTO engineer (name, email, product_lines, max_open_cases) VALUES
    ('eva.berg', 'eva.berg@example.com', '{servers,storage}', 8),
    ('nils.kraus', 'nils.kraus@example.com', '{notebooks,accessories}', 10),
    ('sam.okafor', 'sam.okafor@example.com', '{servers,notebooks,storage,accessories}', 5)
ON CONFLICT (name) DO NOTHING;

COMMIT;

-- Carrier pickup manifests (issue 5).  Closing a pickup puts every packed, labelled outbound
-- parcel of a carrier that is on no open manifest onto one new manifest, stores the XML bytes
-- it wrote (fetched again unchanged) with their SHA-256, and moves each parcel's outbound leg
-- packed -> manifested.  A voided manifest stays stored; its parcels go back to packed and may
-- be manifested again.  Rule: a parcel is on at most one manifest that is not voided
-- (manifest_parcel_once).
BEGIN;

-- Further accounts of a carrier; carrier.account stays the carrier's default account.
CREATE TABLE carrier_account (
    id bigserial PRIMARY KEY,
    carrier_id bigint NOT NULL REFERENCES carrier (id),
    account_number text NOT NULL CHECK (account_number ~ '^[A-Za-z0-9_-]{1,64}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (carrier_id, account_number)
);

CREATE SEQUENCE manifest_no_seq;
CREATE TABLE manifest (
    id bigserial PRIMARY KEY,
    manifest_no text NOT NULL UNIQUE,
    carrier_id bigint NOT NULL REFERENCES carrier (id),
    account text NOT NULL,
    pickup_date date NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'voided')),
    format_version text NOT NULL,
    parcel_count integer NOT NULL CHECK (parcel_count > 0),
    xml bytea NOT NULL,
    sha256 bytea NOT NULL CHECK (length(sha256) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint NOT NULL REFERENCES api_token (id),
    voided_at timestamptz,
    voided_by bigint REFERENCES api_token (id),
    void_reason text,
    CHECK ((status = 'voided') = (voided_at IS NOT NULL AND void_reason IS NOT NULL))
);
CREATE INDEX manifest_carrier_day ON manifest (carrier_id, pickup_date);

-- The parcels of each manifest; active until the manifest is voided.
CREATE TABLE manifest_parcel (
    manifest_id bigint NOT NULL REFERENCES manifest (id),
    parcel_id bigint NOT NULL REFERENCES parcel (id),
    position integer NOT NULL CHECK (position > 0),
    active boolean NOT NULL DEFAULT true,
    PRIMARY KEY (manifest_id, parcel_id)
);
CREATE UNIQUE INDEX manifest_parcel_once ON manifest_parcel (parcel_id) WHERE active;

-- The stored document never changes: only the status and the void columns may.
CREATE FUNCTION rmad_manifest_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.xml IS DISTINCT FROM OLD.xml OR NEW.sha256 IS DISTINCT FROM OLD.sha256
       OR NEW.manifest_no IS DISTINCT FROM OLD.manifest_no THEN
        RAISE EXCEPTION 'a manifest document never changes' USING ERRCODE = 'RM001';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER manifest_frozen BEFORE UPDATE ON manifest
    FOR EACH ROW EXECUTE FUNCTION rmad_manifest_frozen();
CREATE TRIGGER manifest_no_delete BEFORE DELETE ON manifest
    FOR EACH ROW EXECUTE FUNCTION rmad_append_only();

-- The candidates of a close: packed outbound parcels of a carrier on no open manifest.
CREATE INDEX parcel_packed_outbound ON parcel (carrier_id, id)
    WHERE direction = 'outbound' AND state = 'packed';

INSERT INTO schema_migrations (version) VALUES (13);
COMMIT;

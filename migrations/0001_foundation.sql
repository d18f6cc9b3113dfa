-- rmad foundation: tokens, catalog, cases, RMAs with lines, legs and parcels, the append-only
-- event log, scans, documents and idempotency keys.  The RMA status is not stored: it is derived
-- from the legs (src/core/rma.c).
BEGIN;

CREATE TABLE server_secret (
    name text PRIMARY KEY,
    value bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE carrier (
    id bigserial PRIMARY KEY,
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    account text NOT NULL,
    time_zone text NOT NULL DEFAULT 'UTC'
);

CREATE TABLE api_token (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'agent', 'engineer', 'depot', 'carrier')),
    token_hash bytea NOT NULL UNIQUE,
    carrier_id bigint REFERENCES carrier (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CHECK ((role = 'carrier') = (carrier_id IS NOT NULL))
);

CREATE TABLE depot (
    id bigserial PRIMARY KEY,
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    street text NOT NULL,
    city text NOT NULL,
    postcode text NOT NULL,
    country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    is_default boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX depot_one_default ON depot (is_default) WHERE is_default;

CREATE TABLE product_model (
    code text PRIMARY KEY,
    name text NOT NULL,
    product_line text NOT NULL,
    serialised boolean NOT NULL DEFAULT true,
    easy_install boolean NOT NULL DEFAULT false,
    sold_separately boolean NOT NULL DEFAULT false,
    handling_marks text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE install_base (
    serial_number text PRIMARY KEY,
    product_model text NOT NULL REFERENCES product_model (code),
    ship_date date NOT NULL,
    warranty_end date NOT NULL,
    contract text
);

CREATE SEQUENCE case_number_seq;
CREATE TABLE service_case (
    id bigserial PRIMARY KEY,
    case_number text NOT NULL UNIQUE
        DEFAULT 'C' || lpad(nextval('case_number_seq')::text, 8, '0'),
    channel text NOT NULL
        CHECK (channel IN ('hotline', 'email', 'designated_contact', 'web', 'api')),
    status text NOT NULL DEFAULT 'new',
    product_model text NOT NULL REFERENCES product_model (code),
    serial_number text NOT NULL,
    configuration jsonb,
    error_messages jsonb NOT NULL DEFAULT '[]',
    fault_description text NOT NULL,
    contact_name text NOT NULL,
    contact_phone text,
    contact_email text,
    addr_name text NOT NULL,
    addr_street text NOT NULL,
    addr_city text NOT NULL,
    addr_postcode text NOT NULL,
    addr_postcode_norm text NOT NULL,
    addr_country text NOT NULL,
    created_by bigint NOT NULL REFERENCES api_token (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_case_serial ON service_case (serial_number);

CREATE SEQUENCE rma_number_seq;
CREATE TABLE rma (
    id bigserial PRIMARY KEY,
    rma_number text NOT NULL UNIQUE,
    case_id bigint NOT NULL REFERENCES service_case (id),
    type text NOT NULL CHECK (type IN ('repair', 'advance_replacement', 'exchange',
                                       'replacement_no_return', 'factory')),
    depot_id bigint NOT NULL REFERENCES depot (id),
    authorized boolean NOT NULL,
    closed_at timestamptz,
    close_reason text,
    created_by bigint NOT NULL REFERENCES api_token (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rma_case ON rma (case_id);

-- The screening decision is a record of its own, kept even if inspection overturns it.
CREATE TABLE screening (
    id bigserial PRIMARY KEY,
    rma_id bigint NOT NULL REFERENCES rma (id),
    outcome text NOT NULL CHECK (outcome IN ('eligible', 'out_of_warranty', 'misuse_suspected',
                                             'not_a_fault', 'ineligible')),
    reason text NOT NULL,
    evidence jsonb NOT NULL DEFAULT '{}',
    entitlement jsonb NOT NULL,
    decided_by bigint NOT NULL REFERENCES api_token (id),
    decided_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX screening_rma ON screening (rma_id);

CREATE TABLE rma_line (
    id bigserial PRIMARY KEY,
    rma_id bigint NOT NULL REFERENCES rma (id),
    line_no integer NOT NULL CHECK (line_no > 0),
    product_model text NOT NULL REFERENCES product_model (code),
    serial_number text,
    quantity integer NOT NULL CHECK (quantity > 0),
    received_quantity integer NOT NULL DEFAULT 0 CHECK (received_quantity >= 0),
    open boolean NOT NULL DEFAULT true,
    UNIQUE (rma_id, line_no),
    CHECK (serial_number IS NULL OR quantity = 1)
);
-- Rule 2: a serial number has at most one open RMA line.
CREATE UNIQUE INDEX rma_line_open_serial ON rma_line (serial_number)
    WHERE open AND serial_number IS NOT NULL;

CREATE TABLE leg (
    id bigserial PRIMARY KEY,
    line_id bigint NOT NULL REFERENCES rma_line (id),
    kind text NOT NULL CHECK (kind IN ('inbound', 'repair', 'outbound')),
    state text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (line_id, kind)
);

CREATE TABLE parcel (
    id bigserial PRIMARY KEY,
    rma_id bigint NOT NULL REFERENCES rma (id),
    line_id bigint REFERENCES rma_line (id),
    direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    parcel_no integer NOT NULL CHECK (parcel_no > 0),
    parcel_count integer NOT NULL CHECK (parcel_count >= parcel_no),
    state text NOT NULL,
    sscc text UNIQUE CHECK (sscc ~ '^[0-9]{18}$'),
    carrier_id bigint REFERENCES carrier (id),
    tracking_number text,
    announced_at timestamptz,
    received_at timestamptz,
    received_station text,
    UNIQUE (rma_id, direction, parcel_no)
);
CREATE INDEX parcel_tracking ON parcel (tracking_number) WHERE tracking_number IS NOT NULL;

-- Rule 8: every transition has an actor and writes exactly one row here.  Append-only.
CREATE TABLE event (
    id bigserial PRIMARY KEY,
    case_id bigint REFERENCES service_case (id),
    rma_id bigint REFERENCES rma (id),
    line_id bigint REFERENCES rma_line (id),
    parcel_id bigint REFERENCES parcel (id),
    leg text,
    kind text NOT NULL,
    from_state text,
    to_state text,
    actor text NOT NULL,
    actor_token_id bigint REFERENCES api_token (id),
    channel text NOT NULL,
    reason text,
    evidence jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (case_id IS NOT NULL OR rma_id IS NOT NULL)
);
CREATE INDEX event_rma ON event (rma_id, id);
CREATE INDEX event_case ON event (case_id, id);

-- Every scan at a station, whatever it resolved to (the station lists the last ones).
CREATE TABLE scan (
    id bigserial PRIMARY KEY,
    code text NOT NULL,
    station text NOT NULL,
    outcome text NOT NULL,
    parcel_id bigint REFERENCES parcel (id),
    rma_id bigint REFERENCES rma (id),
    actor_token_id bigint REFERENCES api_token (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scan_station ON scan (station, id);

-- Imported documents, keyed by (sender, type, ID) with a hash of the body.
CREATE TABLE document (
    id bigserial PRIMARY KEY,
    sender text NOT NULL,
    doc_type text NOT NULL,
    doc_id text NOT NULL,
    body_sha256 bytea NOT NULL,
    status integer NOT NULL,
    response jsonb NOT NULL,
    created_by bigint NOT NULL REFERENCES api_token (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (sender, doc_type, doc_id)
);

CREATE TABLE advance_notice (
    id bigserial PRIMARY KEY,
    document_id bigint NOT NULL REFERENCES document (id),
    rma_id bigint NOT NULL REFERENCES rma (id),
    line_id bigint NOT NULL REFERENCES rma_line (id),
    parcel_id bigint REFERENCES parcel (id),
    serial_number text,
    sscc text,
    quantity integer NOT NULL CHECK (quantity > 0)
);

-- Idempotency-Key of POST requests: the stored answer is replayed.
CREATE TABLE idempotency_key (
    token_id bigint NOT NULL REFERENCES api_token (id),
    key text NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    request_sha256 bytea NOT NULL,
    status integer,
    content_type text,
    response bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_id, key)
);

CREATE FUNCTION rmad_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'RM001';
END
$$;
CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event
    FOR EACH ROW EXECUTE FUNCTION rmad_append_only();
CREATE TRIGGER screening_append_only BEFORE UPDATE OR DELETE ON screening
    FOR EACH ROW EXECUTE FUNCTION rmad_append_only();
CREATE TRIGGER scan_append_only BEFORE UPDATE OR DELETE ON scan
    FOR EACH ROW EXECUTE FUNCTION rmad_append_only();
CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event
    FOR EACH STATEMENT EXECUTE FUNCTION rmad_append_only();
CREATE TRIGGER screening_no_truncate BEFORE TRUNCATE ON screening
    FOR EACH STATEMENT EXECUTE FUNCTION rmad_append_only();
CREATE TRIGGER scan_no_truncate BEFORE TRUNCATE ON scan
    FOR EACH STATEMENT EXECUTE FUNCTION rmad_append_only();

-- The dock scan of an inbound parcel, in one round trip.  The first scan receives the parcel and
-- moves its line's inbound leg from one of p_from (the states core's transition table allows) to
-- p_to with one event; any later scan of the same parcel is a duplicate that changes nothing but
-- the scan log.  The parcel row lock makes racing scans wait, then see the parcel received.
CREATE FUNCTION rmad_receive_parcel(p_parcel bigint, p_from text[], p_to text, p_station text,
                                    p_actor text, p_token bigint, p_code text)
RETURNS TABLE (outcome text, leg_from text, received_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    v_rma bigint;
    v_line bigint;
    v_from text;
    v_at timestamptz;
BEGIN
    UPDATE parcel p SET received_at = now(), received_station = p_station, state = p_to
     WHERE p.id = p_parcel AND p.direction = 'inbound' AND p.received_at IS NULL
    RETURNING p.rma_id, p.line_id, p.received_at INTO v_rma, v_line, v_at;
    IF NOT FOUND THEN
        SELECT p.rma_id, p.received_at INTO v_rma, v_at FROM parcel p WHERE p.id = p_parcel;
        INSERT INTO scan (code, station, outcome, parcel_id, rma_id, actor_token_id)
        VALUES (p_code, p_station, 'duplicate', p_parcel, v_rma, p_token);
        RETURN QUERY SELECT 'duplicate'::text, NULL::text, v_at;
        RETURN;
    END IF;
    SELECT l.state INTO v_from FROM leg l WHERE l.line_id = v_line AND l.kind = 'inbound'
       FOR UPDATE;
    IF v_from IS NULL OR NOT (v_from = ANY (p_from)) THEN
        RAISE EXCEPTION 'inbound leg is %', coalesce(v_from, 'missing') USING ERRCODE = 'RM409';
    END IF;
    UPDATE leg SET state = p_to, updated_at = now() WHERE line_id = v_line AND kind = 'inbound';
    UPDATE rma_line SET received_quantity = quantity WHERE id = v_line;
    INSERT INTO event (rma_id, line_id, parcel_id, leg, kind, from_state, to_state, actor,
                       actor_token_id, channel, evidence)
    VALUES (v_rma, v_line, p_parcel, 'inbound', 'receive', v_from, p_to, p_actor, p_token,
            'dock_scan', jsonb_build_object('station', p_station));
    INSERT INTO scan (code, station, outcome, parcel_id, rma_id, actor_token_id)
    VALUES (p_code, p_station, 'received', p_parcel, v_rma, p_token);
    RETURN QUERY SELECT 'received'::text, v_from, v_at;
END
$$;

INSERT INTO schema_migrations (version) VALUES (1);
COMMIT;

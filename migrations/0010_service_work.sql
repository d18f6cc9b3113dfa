-- Remote support, on-site visits, the service log and the customer's authorizations (issue 3).
-- Every row names its case, its actor (name and token) and its times, so the archive can copy
-- it as it is.  Authorizations and service log entries are append-only; a remote session is
-- ended once (its end columns are set once), a visit moves proposed -> confirmed -> completed
-- (or rescheduled, cancelled) and each move is also an event row of the case.
-- Instants are timestamptz; the offset a time was given in is kept beside it (*_offset, seconds
-- east of UTC; 0 for rmad's own clock)
-- (DESIGN.md rule 9: an offset is never dropped).
BEGIN;

CREATE TABLE case_authorization (
    id bigserial PRIMARY KEY,
    case_id bigint NOT NULL REFERENCES service_case (id),
    scope text NOT NULL CHECK (scope IN ('remote_session', 'high_risk_steps', 'onsite_access')),
    given_by text NOT NULL,
    method text NOT NULL CHECK (method IN ('phone', 'email', 'written', 'in_person')),
    given_at timestamptz NOT NULL,
    given_at_offset integer NOT NULL, -- seconds east of UTC, as written
    valid_until timestamptz,
    valid_until_offset integer,
    note text,
    actor text NOT NULL,
    actor_token_id bigint NOT NULL REFERENCES api_token (id),
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (valid_until IS NULL OR valid_until > given_at),
    CHECK ((valid_until IS NULL) = (valid_until_offset IS NULL))
);
CREATE INDEX case_authorization_case ON case_authorization (case_id, scope, id);
CREATE TRIGGER case_authorization_append_only BEFORE UPDATE OR DELETE ON case_authorization
    FOR EACH ROW EXECUTE FUNCTION rmad_append_only();
CREATE TRIGGER case_authorization_no_truncate BEFORE TRUNCATE ON case_authorization
    FOR EACH STATEMENT EXECUTE FUNCTION rmad_append_only();

CREATE TABLE remote_session (
    id bigserial PRIMARY KEY,
    case_id bigint NOT NULL REFERENCES service_case (id),
    session_no integer NOT NULL,
    authorization_id bigint NOT NULL REFERENCES case_authorization (id),
    starts_at timestamptz NOT NULL,
    starts_at_offset integer NOT NULL,
    zone text NOT NULL,              -- the customer's zone the window was checked in
    tool text,
    purpose text NOT NULL,
    actor text NOT NULL,             -- the engineer who runs it
    actor_token_id bigint NOT NULL REFERENCES api_token (id),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    ended_at timestamptz,
    ended_at_offset integer,
    outcome text CHECK (outcome IN ('fixed', 'not_fixed')),
    end_notes text,
    overran boolean,                 -- ended after the window it started in had closed
    ended_by text,
    ended_by_token_id bigint REFERENCES api_token (id),
    end_recorded_at timestamptz,
    UNIQUE (case_id, session_no),
    CHECK ((ended_at IS NULL) = (outcome IS NULL)),
    CHECK ((ended_at IS NULL) = (ended_at_offset IS NULL)),
    CHECK (ended_at IS NULL OR (ended_at >= starts_at AND ended_by IS NOT NULL
                                AND ended_by_token_id IS NOT NULL AND end_recorded_at IS NOT NULL))
);

CREATE TABLE onsite_visit (
    id bigserial PRIMARY KEY,
    case_id bigint NOT NULL REFERENCES service_case (id),
    visit_no integer NOT NULL,
    status text NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'confirmed', 'cancelled', 'completed')),
    starts_at timestamptz NOT NULL,
    starts_at_offset integer NOT NULL,
    ends_at timestamptz NOT NULL,
    duration_minutes integer NOT NULL CHECK (duration_minutes > 0),
    zone text NOT NULL,
    preparation jsonb NOT NULL CHECK (jsonb_typeof(preparation) = 'array'
                                      AND jsonb_array_length(preparation) > 0),
    engineer text NOT NULL,          -- who goes on site
    actor text NOT NULL,             -- who proposed it
    actor_token_id bigint NOT NULL REFERENCES api_token (id),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    confirmed_by text,               -- the customer's name
    confirm_method text CHECK (confirm_method IN ('phone', 'email', 'written', 'in_person')),
    confirmed_at timestamptz,
    reschedules integer NOT NULL DEFAULT 0,
    closed_reason text,              -- cancel reason or completion notes
    updated_by text NOT NULL,
    updated_by_token_id bigint NOT NULL REFERENCES api_token (id),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (case_id, visit_no),
    CHECK (ends_at > starts_at),
    CHECK (status <> 'confirmed' OR confirmed_at IS NOT NULL)
);

CREATE TABLE service_log (
    id bigserial PRIMARY KEY,
    case_id bigint NOT NULL REFERENCES service_case (id),
    entry_no integer NOT NULL,
    kind text NOT NULL CHECK (kind IN ('symptom', 'root_cause', 'step', 'resolution')),
    text text NOT NULL,
    action text,
    performed_at timestamptz,
    performed_at_offset integer,
    high_risk boolean NOT NULL DEFAULT false,
    authorization_id bigint REFERENCES case_authorization (id),
    actor text NOT NULL,
    actor_token_id bigint NOT NULL REFERENCES api_token (id),
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (case_id, entry_no),
    CHECK ((kind = 'step') = (action IS NOT NULL)),
    CHECK ((action IS NULL) = (performed_at IS NULL)),
    CHECK (NOT high_risk OR authorization_id IS NOT NULL)
);
CREATE TRIGGER service_log_append_only BEFORE UPDATE OR DELETE ON service_log
    FOR EACH ROW EXECUTE FUNCTION rmad_append_only();
CREATE TRIGGER service_log_no_truncate BEFORE TRUNCATE ON service_log
    FOR EACH STATEMENT EXECUTE FUNCTION rmad_append_only();

-- The rows as the API (and the archive) shows them: instants in UTC ("2026-12-04T19:59:00Z").
CREATE FUNCTION service_utc(t timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
CREATE FUNCTION service_authorization_json(a case_authorization) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', a.id, 'scope', a.scope, 'given_by', a.given_by,
        'method', a.method, 'given_at', service_utc(a.given_at),
        'given_at_offset', (CASE WHEN a.given_at_offset < 0 THEN '-' ELSE '+' END)
            || to_char(make_interval(secs => abs(a.given_at_offset)), 'HH24:MI'),
        'valid_until', service_utc(a.valid_until), 'note', a.note, 'recorded_by', a.actor,
        'recorded_at', service_utc(a.recorded_at))
$$;
CREATE FUNCTION service_session_json(s remote_session) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('session_no', s.session_no, 'starts_at', service_utc(s.starts_at),
        'zone', s.zone, 'tool', s.tool, 'purpose', s.purpose, 'engineer', s.actor,
        'authorization_id', s.authorization_id, 'created_at', service_utc(s.created_at),
        'ended_at', service_utc(s.ended_at), 'outcome', s.outcome, 'notes', s.end_notes,
        'overran', s.overran, 'ended_by', s.ended_by,
        'end_recorded_at', service_utc(s.end_recorded_at))
$$;
CREATE FUNCTION service_visit_json(v onsite_visit) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('visit_no', v.visit_no, 'status', v.status,
        'starts_at', service_utc(v.starts_at), 'ends_at', service_utc(v.ends_at),
        'duration_minutes', v.duration_minutes, 'zone', v.zone, 'preparation', v.preparation,
        'engineer', v.engineer, 'proposed_by', v.actor, 'proposed_at', service_utc(v.created_at),
        'confirmed_by', v.confirmed_by, 'confirm_method', v.confirm_method,
        'confirmed_at', service_utc(v.confirmed_at), 'reschedules', v.reschedules,
        'reason', v.closed_reason, 'updated_by', v.updated_by,
        'updated_at', service_utc(v.updated_at))
$$;
CREATE FUNCTION service_log_json(l service_log) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('entry_no', l.entry_no, 'kind', l.kind, 'text', l.text,
        'step', CASE WHEN l.action IS NULL THEN NULL
                ELSE json_build_object('action', l.action,
                    'performed_at', service_utc(l.performed_at), 'high_risk', l.high_risk,
                    'authorization_id', l.authorization_id) END,
        'recorded_by', l.actor, 'recorded_at', service_utc(l.recorded_at))
$$;

INSERT INTO schema_migrations (version) VALUES (10);
COMMIT;

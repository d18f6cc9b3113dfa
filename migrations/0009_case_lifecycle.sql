-- The life of a service case (issue 3): status checked against the states of
-- src/core/case.c, the state an on-hold case was held in, engineers with their skills (product
-- lines) and capacity, the history of who was assigned to a case, the engineer's contacts with
-- the customer and the fault isolation records an escalation needs, and the service manager's
-- role.  Every move of a case is one row of event (kind "case_<event>", src/db/db_lifecycle.c);
-- the SLA clocks read those rows (case_hold / case_resume pause and restart them).
BEGIN;

ALTER TABLE api_token DROP CONSTRAINT api_token_role_check;
ALTER TABLE api_token ADD CONSTRAINT api_token_role_check
    CHECK (role IN ('admin', 'agent', 'engineer', 'depot', 'carrier', 'manager'));

ALTER TABLE service_case
    ADD COLUMN held_from text,
    ADD COLUMN priority text NOT NULL DEFAULT 'normal'
        CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT service_case_status_check CHECK (status IN (
        'new', 'registered', 'assigned', 'troubleshooting', 'on_hold', 'resolved_remotely',
        'onsite_planned', 'rma_requested', 'factory_escalated', 'work_complete', 'follow_up',
        'closed', 'archived', 'cancelled')),
    ADD CONSTRAINT service_case_held_from_check CHECK ((status = 'on_hold') = (held_from IS NOT NULL)
        AND (held_from IS NULL OR held_from IN ('registered', 'assigned', 'troubleshooting',
                                                'onsite_planned', 'rma_requested',
                                                'factory_escalated')));
CREATE INDEX service_case_status ON service_case (status, id);

-- product_lines: product_model.product_line values the engineer has the skill for.
CREATE TABLE engineer (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    email text CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
    token_id bigint UNIQUE REFERENCES api_token (id),
    product_lines text[] NOT NULL DEFAULT '{}',
    max_open_cases integer NOT NULL DEFAULT 10 CHECK (max_open_cases BETWEEN 1 AND 100000),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Who worked on a case, and when; a reassignment closes the current row (unassigned_at).
CREATE TABLE case_assignment (
    id bigserial PRIMARY KEY,
    case_id bigint NOT NULL REFERENCES service_case (id),
    engineer_id bigint NOT NULL REFERENCES engineer (id),
    assigned_at timestamptz NOT NULL DEFAULT now(),
    unassigned_at timestamptz,
    assigned_by bigint NOT NULL REFERENCES api_token (id),
    reason text,
    CHECK (unassigned_at IS NULL OR unassigned_at >= assigned_at)
);
CREATE UNIQUE INDEX case_assignment_current ON case_assignment (case_id)
    WHERE unassigned_at IS NULL;
CREATE INDEX case_assignment_engineer ON case_assignment (engineer_id)
    WHERE unassigned_at IS NULL;

-- An engineer's contact with the customer (phone or e-mail, reached or not).
CREATE TABLE case_contact (
    id bigserial PRIMARY KEY,
    case_id bigint NOT NULL REFERENCES service_case (id),
    engineer_id bigint REFERENCES engineer (id),
    method text NOT NULL CHECK (method IN ('phone', 'email')),
    summary text NOT NULL,
    reached boolean NOT NULL,
    recorded_by bigint NOT NULL REFERENCES api_token (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_contact_case ON case_contact (case_id, id);

-- Fault isolation: what was found and what it needs; an escalation to the depot needs one.
CREATE TABLE fault_isolation (
    id bigserial PRIMARY KEY,
    case_id bigint NOT NULL REFERENCES service_case (id),
    engineer_id bigint REFERENCES engineer (id),
    method text NOT NULL CHECK (method IN ('phone', 'remote', 'onsite')),
    findings text NOT NULL,
    suspected_part text,
    conclusion text NOT NULL
        CHECK (conclusion IN ('fixed', 'needs_onsite', 'needs_depot', 'needs_factory')),
    recorded_by bigint NOT NULL REFERENCES api_token (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fault_isolation_case ON fault_isolation (case_id, id);

INSERT INTO schema_migrations (version) VALUES (9);
COMMIT;

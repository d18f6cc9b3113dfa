-- Follow-up, feedback, e-mail intake and the outbox (issue 3).
--
-- email_intake: one row per raw e-mail delivered to POST /api/v1/intake/email that carried a
--   Message-ID, with the answer given, so that a second delivery of the same message gets the
--   same answer and never a second case or a second reply.  No personal data: the Message-ID,
--   the case made (or none) and the JSON answer (case number or the list of missing fields).
-- outbox: every e-mail rmad sends.  message_id is made once, at enqueue, and goes out in the
--   Message-ID header of every attempt, so a receiver can drop a duplicate in the one case the
--   sender cannot rule out (src/http/outbox.c).  queued -> sending (claimed_by, claimed_until:
--   the lease) -> sent | back to queued (next_attempt_at, last_error) | failed.
-- follow_up: one per case, opened when the work is complete (channel email or phone, due date).
-- follow_up_attempt: each phone or e-mail contact attempt, with its actor.
-- feedback: the customer's rating (1-5) and comment; recording it closes the case.
BEGIN;

CREATE TABLE email_intake (
    id bigserial PRIMARY KEY,
    message_id text NOT NULL UNIQUE CHECK (length(message_id) BETWEEN 1 AND 998),
    case_id bigint REFERENCES service_case (id),
    status integer NOT NULL CHECK (status IN (201, 422)),
    response jsonb NOT NULL,
    actor text NOT NULL,
    actor_token_id bigint REFERENCES api_token (id),
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_intake_case ON email_intake (case_id);

CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    case_id bigint REFERENCES service_case (id),
    kind text NOT NULL
        CHECK (kind IN ('intake_ack', 'intake_missing', 'follow_up', 'other')),
    to_addr text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    in_reply_to text,
    message_id text NOT NULL UNIQUE
        DEFAULT '<' || gen_random_uuid()::text || '.rmad@rmad.invalid>',
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_by text,
    claimed_until timestamptz,
    sent_at timestamptz,
    last_error text,
    actor text NOT NULL,
    actor_token_id bigint REFERENCES api_token (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'sending') = (claimed_until IS NOT NULL)),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX outbox_sending ON outbox (claimed_until, id) WHERE status = 'sending';
CREATE INDEX outbox_case ON outbox (case_id, id);

CREATE TABLE follow_up (
    id bigserial PRIMARY KEY,
    case_id bigint NOT NULL UNIQUE REFERENCES service_case (id),
    channel text NOT NULL CHECK (channel IN ('email', 'phone')),
    summary text NOT NULL,
    due_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'closed_no_feedback')),
    outbox_id bigint REFERENCES outbox (id),
    actor text NOT NULL,
    actor_token_id bigint REFERENCES api_token (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    closed_at timestamptz,
    close_reason text,
    closed_by text,
    closed_by_token_id bigint REFERENCES api_token (id),
    CHECK ((status = 'open') = (closed_at IS NULL))
);

CREATE TABLE follow_up_attempt (
    id bigserial PRIMARY KEY,
    follow_up_id bigint NOT NULL REFERENCES follow_up (id),
    case_id bigint NOT NULL REFERENCES service_case (id),
    channel text NOT NULL CHECK (channel IN ('email', 'phone')),
    outcome text NOT NULL CHECK (outcome IN ('reached', 'no_answer', 'sent')),
    note text,
    actor text NOT NULL,
    actor_token_id bigint REFERENCES api_token (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX follow_up_attempt_case ON follow_up_attempt (case_id, id);

CREATE TABLE feedback (
    id bigserial PRIMARY KEY,
    case_id bigint NOT NULL UNIQUE REFERENCES service_case (id),
    follow_up_id bigint NOT NULL REFERENCES follow_up (id),
    rating integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment text,
    actor text NOT NULL,
    actor_token_id bigint REFERENCES api_token (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO schema_migrations (version) VALUES (11);
COMMIT;

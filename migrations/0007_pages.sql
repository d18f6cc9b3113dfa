-- Staff users and sessions of the pages (issue 7): the depot scan station and, later, other
-- staff pages.  A user signs in with a name and a password (argon2id, libsodium's
-- crypto_pwhash_str); a session is a random cookie secret stored as its SHA-256 with a CSRF
-- token of its own.  Every user has an api_token row of its own that no one can present (its
-- hash is of random bytes that were thrown away): it is the user's actor in events, scans and
-- idempotency keys, so the audit trail and the Idempotency-Key rules work unchanged.
BEGIN;

CREATE TABLE staff_user (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    role text NOT NULL CHECK (role IN ('admin', 'agent', 'engineer', 'depot')),
    password_hash text NOT NULL,
    token_id bigint NOT NULL UNIQUE REFERENCES api_token (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);

CREATE TABLE staff_session (
    token_hash bytea PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES staff_user (id),
    csrf text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    ended_at timestamptz
);
CREATE INDEX staff_session_user ON staff_session (user_id);

INSERT INTO schema_migrations (version) VALUES (7);
COMMIT;

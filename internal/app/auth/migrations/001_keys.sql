-- API keys: the key as JSON (never its secret), looked up by its hashes.
CREATE TABLE auth_keys (
    id         text        PRIMARY KEY,
    hash       text        NOT NULL UNIQUE,
    prev_hash  text,
    created_at timestamptz NOT NULL,
    doc        jsonb       NOT NULL
);
CREATE INDEX auth_keys_prev_hash ON auth_keys (prev_hash) WHERE prev_hash IS NOT NULL;

-- Usage per key and UTC day; source statuses in their own rows so replicas
-- add to them with plain upserts.
CREATE TABLE auth_usage (
    key_id  text   NOT NULL,
    day     date   NOT NULL,
    lookups bigint NOT NULL DEFAULT 0,
    cached  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, day)
);
CREATE TABLE auth_usage_status (
    key_id text   NOT NULL,
    day    date   NOT NULL,
    status text   NOT NULL,
    n      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, day, status)
);

-- The key-hash secret when neither auth.secret nor cache.secret is set:
-- generated once, shared by every replica.
CREATE TABLE auth_secret (
    id     integer PRIMARY KEY CHECK (id = 1),
    secret bytea   NOT NULL
);

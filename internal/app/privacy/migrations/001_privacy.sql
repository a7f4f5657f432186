CREATE TABLE privacy_suppressions (
    id         text PRIMARY KEY,
    reason     text NOT NULL DEFAULT '',
    actor      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);
CREATE TABLE privacy_suppressed_subjects (
    subject        text PRIMARY KEY,
    suppression_id text NOT NULL REFERENCES privacy_suppressions (id) ON DELETE CASCADE
);
CREATE INDEX privacy_suppressed_subjects_by_id ON privacy_suppressed_subjects (suppression_id);
CREATE TABLE privacy_receipts (
    id       text PRIMARY KEY,
    subjects text[] NOT NULL,
    at       timestamptz NOT NULL,
    body     jsonb NOT NULL
);
CREATE INDEX privacy_receipts_by_subject ON privacy_receipts USING gin (subjects);

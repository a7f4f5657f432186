-- The audit trail: subjects are keyed hashes (package subject), never raw.
CREATE TABLE audit_entries (
    id        bigserial   PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor     text        NOT NULL,
    operation text        NOT NULL,
    purpose   text        NOT NULL DEFAULT '',
    subjects  text[]      NOT NULL DEFAULT '{}',
    sources   text[]      NOT NULL DEFAULT '{}',
    outcome   text        NOT NULL,
    status    integer     NOT NULL DEFAULT 0,
    target    text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_entries_at ON audit_entries (at);
CREATE INDEX audit_entries_actor ON audit_entries (actor, id);
CREATE INDEX audit_entries_subjects ON audit_entries USING gin (subjects);

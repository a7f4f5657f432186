-- Jobs shared by every replica (database_url). A job's record is JSON (the
-- same record the embedded store keeps); its input is kept twice: as
-- uploaded, in 1 MiB chunks (jobs_input: downloads echo it), and as rows
-- (jobs_rows: what replicas claim, under a lease). Results are unique per
-- (job, row): a row taken over after its replica died is written once.
CREATE TABLE jobs (
	id              text        PRIMARY KEY,
	created_at      timestamptz NOT NULL,
	state           text        NOT NULL,
	idempotency_key text        UNIQUE,
	record          jsonb       NOT NULL
);
CREATE INDEX jobs_active ON jobs (created_at) WHERE state IN ('queued', 'running');

CREATE TABLE jobs_input (
	job_id text    NOT NULL,
	seq    integer NOT NULL,
	data   bytea   NOT NULL,
	PRIMARY KEY (job_id, seq)
);

CREATE TABLE jobs_rows (
	job_id      text        NOT NULL,
	n           bigint      NOT NULL,
	input       bytea       NOT NULL,
	err_line    integer,
	err_reason  text,
	done        boolean     NOT NULL DEFAULT false,
	owner       text,
	lease_until timestamptz,
	PRIMARY KEY (job_id, n)
);
CREATE INDEX jobs_rows_pending ON jobs_rows (job_id, n) WHERE NOT done;

CREATE TABLE jobs_results (
	job_id text   NOT NULL,
	n      bigint NOT NULL,
	status text   NOT NULL,
	result bytea  NOT NULL,
	PRIMARY KEY (job_id, n)
);

CREATE TABLE jobs_dedup (
	job_id text   NOT NULL,
	key    bytea  NOT NULL,
	n      bigint NOT NULL,
	PRIMARY KEY (job_id, key)
);

-- Replicas working jobs, each seen at its last poll (serve logs how many).
CREATE TABLE jobs_replicas (
	name    text        PRIMARY KEY,
	seen_at timestamptz NOT NULL
);

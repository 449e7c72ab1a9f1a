-- Proof that erasures happened (no personal data: no user key, only the receipt) and a record
-- of every retention sweep (issue 6).

CREATE TABLE erasure_audit (
    receipt_id     uuid PRIMARY KEY,
    erased_at      timestamptz NOT NULL,
    actor_key_id   text NOT NULL,
    actor_role     text NOT NULL,
    reason         text NOT NULL,
    complete       boolean NOT NULL,
    stores         jsonb NOT NULL
);

CREATE TABLE retention_runs (
    run_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ran_at      timestamptz NOT NULL DEFAULT now(),
    data_class  text NOT NULL,
    period      text NOT NULL,
    cutoff      timestamptz NOT NULL,
    removed     integer NOT NULL
);

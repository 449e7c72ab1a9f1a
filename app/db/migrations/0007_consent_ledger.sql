-- Consent ledger (issue 6): one row per change, never updated. The current state of a user and
-- purpose is its latest row (view consent_current). Rows may only be deleted by a GDPR erasure
-- or a retention sweep, which first run `SET LOCAL headwater.maintenance = 'on'` in their
-- transaction; any other UPDATE or DELETE is refused by the trigger.

CREATE TABLE consent_ledger (
    change_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_key     text NOT NULL CHECK (user_key ~ '^u_[0-9a-f]{32}$'),
    purpose      text NOT NULL CHECK (purpose IN ('analytics', 'personalization', 'marketing')),
    granted      boolean NOT NULL,
    changed_at   timestamptz NOT NULL,
    source       text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    -- A redelivered change (at-least-once from consent.changes) is recorded once.
    CONSTRAINT consent_ledger_once UNIQUE (user_key, purpose, changed_at, source)
);

CREATE INDEX consent_ledger_latest_idx
    ON consent_ledger (user_key, purpose, changed_at DESC, change_id DESC);

CREATE VIEW consent_current AS
SELECT DISTINCT ON (user_key, purpose) user_key, purpose, granted, changed_at, source
FROM consent_ledger
ORDER BY user_key, purpose, changed_at DESC, change_id DESC;

CREATE FUNCTION headwater_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('headwater.maintenance', true), '') = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING HINT = 'only GDPR erasure and the retention sweep may remove rows '
                     '(SET LOCAL headwater.maintenance = ''on'')';
END
$$;

CREATE TRIGGER consent_ledger_append_only
    BEFORE UPDATE OR DELETE ON consent_ledger
    FOR EACH ROW EXECUTE FUNCTION headwater_append_only();

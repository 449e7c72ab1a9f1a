-- Access log (issue 6): who read or wrote which personal fields of which user, when and why.
-- Append-only like the consent ledger (same trigger function); an erasure clears user_key
-- (the log keeps who accessed, not whom), the retention sweep deletes old rows.

CREATE TABLE access_log (
    access_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_key_id  text NOT NULL,
    actor_role    text NOT NULL,
    action        text NOT NULL CHECK (action IN ('read', 'write', 'export', 'erase')),
    user_key      text,
    fields        text[] NOT NULL,
    purpose       text NOT NULL
);

CREATE INDEX access_log_at_idx ON access_log (at);
CREATE INDEX access_log_user_idx ON access_log (user_key) WHERE user_key IS NOT NULL;

CREATE TRIGGER access_log_append_only
    BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION headwater_append_only();

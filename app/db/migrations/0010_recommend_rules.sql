-- Recommendation rule sets and item flags (app/recommend/rule_store.py).
-- `revision` increases on every change to a rule set or to its flags; workers poll it and
-- reload without a restart.
CREATE TABLE rec_rulesets (
    name       text PRIMARY KEY,
    config     jsonb NOT NULL DEFAULT '{}'::jsonb,
    revision   bigint NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rec_item_flags (
    ruleset text NOT NULL REFERENCES rec_rulesets (name) ON DELETE CASCADE,
    item_id text NOT NULL,
    action  text NOT NULL CHECK (action IN ('pin', 'boost', 'bury')),
    -- pin: position (lower first); boost: score factor; bury: unused.
    value   double precision NOT NULL DEFAULT 1,
    PRIMARY KEY (ruleset, item_id, action)
);

CREATE FUNCTION rec_rulesets_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        NEW.revision := OLD.revision + 1;
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER rec_rulesets_bump BEFORE UPDATE ON rec_rulesets
    FOR EACH ROW EXECUTE FUNCTION rec_rulesets_bump();

CREATE FUNCTION rec_item_flags_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rec_rulesets SET updated_at = now()
     WHERE name IN (
        SELECT CASE WHEN TG_OP = 'DELETE' THEN OLD.ruleset ELSE NEW.ruleset END
        UNION SELECT CASE WHEN TG_OP = 'UPDATE' THEN OLD.ruleset END
     );
    RETURN NULL;
END $$;

CREATE TRIGGER rec_item_flags_bump AFTER INSERT OR UPDATE OR DELETE ON rec_item_flags
    FOR EACH ROW EXECUTE FUNCTION rec_item_flags_bump();

INSERT INTO rec_rulesets (name, config) VALUES ('default', '{}'::jsonb);

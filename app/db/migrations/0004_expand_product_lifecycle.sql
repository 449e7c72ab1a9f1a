-- EXPAND step (blue-green): products.lifecycle replaces products.active.
-- Old workers read and write `active` only; new workers use `lifecycle`. Until the contract
-- migration drops `active`, this trigger keeps the two in step whichever version wrote.
ALTER TABLE products
    ADD COLUMN lifecycle text NOT NULL DEFAULT 'active'
        CHECK (lifecycle IN ('draft', 'active', 'discontinued'));

UPDATE products SET lifecycle = 'discontinued' WHERE NOT active;

CREATE FUNCTION products_lifecycle_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- An old writer sets only `active`; a new writer sets only `lifecycle`.
        IF NOT NEW.active AND NEW.lifecycle = 'active' THEN
            NEW.lifecycle := 'discontinued';
        ELSE
            NEW.active := NEW.lifecycle = 'active';
        END IF;
    ELSIF NEW.lifecycle IS DISTINCT FROM OLD.lifecycle THEN
        NEW.active := NEW.lifecycle = 'active';
    ELSIF NEW.active IS DISTINCT FROM OLD.active THEN
        NEW.lifecycle := CASE WHEN NEW.active THEN 'active' ELSE 'discontinued' END;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER products_lifecycle_sync BEFORE INSERT OR UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION products_lifecycle_sync();

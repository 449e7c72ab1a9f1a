-- Audit trail, transactional outbox and change-id idempotency, all written by the same
-- row trigger so that plain SQL changes are audited and published like service-layer ones.

CREATE TABLE audit_log (
    audit_id    bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor       text NOT NULL,
    txid        bigint NOT NULL,
    table_name  text NOT NULL,
    op          text NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    row_key     text NOT NULL,
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_log_table_key ON audit_log (table_name, row_key);
CREATE INDEX audit_log_txid ON audit_log (txid);

CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    change_id    uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    entity       text NOT NULL,
    entity_id    text NOT NULL,
    op           text NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    payload      jsonb,
    txid         bigint NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    published_at timestamptz
);
-- The relay scans only what is left to publish.
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

-- A service-layer change id is applied once: the row is inserted in the same transaction.
CREATE TABLE applied_changes (
    change_id   uuid PRIMARY KEY,
    kind        text NOT NULL,
    entity_id   text NOT NULL,
    result      jsonb,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- TG_ARGV[0]: the column whose value is the entity id in the outbox (the product id for
-- product-scoped tables, so Kafka keeps one product's changes in order);
-- TG_ARGV[1]: the column(s), comma separated, that identify the row in the audit log.
CREATE FUNCTION catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before_row jsonb := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;
    after_row  jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;
    any_row    jsonb := coalesce(after_row, before_row);
    op_name    text := lower(TG_OP);
    row_key    text;
BEGIN
    IF TG_OP = 'UPDATE' AND before_row = after_row THEN
        RETURN NULL;  -- a no-op update is neither audited nor published
    END IF;
    SELECT string_agg(any_row ->> trim(k), '/')
      INTO row_key
      FROM unnest(string_to_array(TG_ARGV[1], ',')) AS k;
    INSERT INTO audit_log (actor, txid, table_name, op, row_key, before, after)
    VALUES (coalesce(nullif(current_setting('headwater.actor', true), ''), current_user),
            txid_current(), TG_TABLE_NAME, op_name, row_key, before_row, after_row);
    INSERT INTO outbox (entity, entity_id, op, payload, txid)
    VALUES (TG_TABLE_NAME, any_row ->> TG_ARGV[0], op_name, any_row, txid_current());
    -- Delivered at commit only; identical payloads are folded into one per transaction.
    PERFORM pg_notify('catalog_changes', '');
    RETURN NULL;
END $$;

CREATE TRIGGER catalog_change AFTER INSERT OR UPDATE OR DELETE ON taxonomy
    FOR EACH ROW EXECUTE FUNCTION catalog_change('category_id', 'category_id');
CREATE TRIGGER catalog_change AFTER INSERT OR UPDATE OR DELETE ON attribute_definitions
    FOR EACH ROW EXECUTE FUNCTION catalog_change('category_id', 'category_id,name');
CREATE TRIGGER catalog_change AFTER INSERT OR UPDATE OR DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION catalog_change('product_id', 'product_id');
CREATE TRIGGER catalog_change AFTER INSERT OR UPDATE OR DELETE ON variants
    FOR EACH ROW EXECUTE FUNCTION catalog_change('product_id', 'sku');
CREATE TRIGGER catalog_change AFTER INSERT OR UPDATE OR DELETE ON locations
    FOR EACH ROW EXECUTE FUNCTION catalog_change('location_id', 'location_id');
CREATE TRIGGER catalog_change AFTER INSERT OR UPDATE OR DELETE ON inventory
    FOR EACH ROW EXECUTE FUNCTION catalog_change('product_id', 'sku,location_id');
CREATE TRIGGER catalog_change AFTER INSERT OR UPDATE OR DELETE ON prices
    FOR EACH ROW EXECUTE FUNCTION catalog_change('product_id', 'price_id');
CREATE TRIGGER catalog_change AFTER INSERT OR UPDATE OR DELETE ON media_assets
    FOR EACH ROW EXECUTE FUNCTION catalog_change('product_id', 'media_id');
CREATE TRIGGER catalog_change AFTER INSERT OR UPDATE OR DELETE ON prescription_attributes
    FOR EACH ROW EXECUTE FUNCTION catalog_change('product_id', 'product_id');

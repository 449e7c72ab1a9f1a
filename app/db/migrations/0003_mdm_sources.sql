-- Master-data management: the latest record of each source feed per product. The golden
-- record is the products row; its per-field lineage is products.lineage.
CREATE TABLE source_records (
    source      text NOT NULL CHECK (source ~ '^[a-z][a-z0-9_]*$'),
    product_id  text NOT NULL,
    observed_at timestamptz NOT NULL,
    payload     jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (product_id, source)
);

-- Catalog master data: taxonomy, attribute definitions, products, variants, locations,
-- inventory, prices, media, prescription attributes, API keys.

CREATE TABLE taxonomy (
    category_id text PRIMARY KEY CHECK (category_id ~ '^[a-z0-9][a-z0-9_-]*$'),
    parent_id   text REFERENCES taxonomy (category_id),
    name        text NOT NULL CHECK (name <> ''),
    -- Built from the immutable ids of the ancestors, so renaming never changes a path.
    path        text NOT NULL UNIQUE,
    depth       int  NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION taxonomy_path() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent_path text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.category_id IS DISTINCT FROM OLD.category_id
           OR NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
            RAISE EXCEPTION 'taxonomy %: category_id and parent_id are immutable so paths stay '
                'stable; create a new category and move the products to it', OLD.category_id;
        END IF;
        NEW.path := OLD.path;
        NEW.depth := OLD.depth;
        RETURN NEW;
    END IF;
    IF NEW.parent_id IS NULL THEN
        NEW.path := NEW.category_id;
        NEW.depth := 0;
    ELSE
        SELECT path INTO parent_path FROM taxonomy WHERE category_id = NEW.parent_id;
        NEW.path := parent_path || '/' || NEW.category_id;
        NEW.depth := array_length(string_to_array(NEW.path, '/'), 1) - 1;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER taxonomy_path BEFORE INSERT OR UPDATE ON taxonomy
    FOR EACH ROW EXECUTE FUNCTION taxonomy_path();

-- One row per attribute a category allows; categories inherit their ancestors' definitions.
CREATE TABLE attribute_definitions (
    category_id text NOT NULL REFERENCES taxonomy (category_id),
    name        text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]*$'),
    type        text NOT NULL CHECK (type IN ('text', 'number', 'integer', 'boolean', 'enum')),
    required    boolean NOT NULL DEFAULT false,
    allowed     jsonb CHECK (allowed IS NULL OR jsonb_typeof(allowed) = 'array'),
    min_value   numeric,
    max_value   numeric,
    unit        text,
    PRIMARY KEY (category_id, name),
    CHECK (type <> 'enum' OR allowed IS NOT NULL)
);

CREATE TABLE products (
    product_id            text PRIMARY KEY CHECK (product_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    name                  text NOT NULL CHECK (name <> ''),
    brand                 text,
    description           text,
    category_id           text NOT NULL REFERENCES taxonomy (category_id),
    attributes            jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    requires_prescription boolean NOT NULL DEFAULT false,
    active                boolean NOT NULL DEFAULT true,
    -- Where each golden-record field came from (source, observed_at); see app/catalog/mdm.py.
    lineage               jsonb NOT NULL DEFAULT '{}',
    version               int NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_category ON products (category_id);

CREATE TABLE variants (
    sku         text PRIMARY KEY CHECK (sku ~ '^[A-Za-z0-9_-]{1,64}$'),
    product_id  text NOT NULL REFERENCES products (product_id) ON DELETE CASCADE,
    color       text,
    size        text,
    barcode     text UNIQUE,
    attributes  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- Target of the composite keys below: a price or a stock row cannot name the wrong product.
    UNIQUE (sku, product_id)
);
CREATE INDEX variants_product ON variants (product_id);

CREATE TABLE locations (
    location_id text PRIMARY KEY CHECK (location_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('store', 'warehouse', 'online')),
    country     char(2) NOT NULL
);

CREATE TABLE inventory (
    sku         text NOT NULL,
    product_id  text NOT NULL,
    location_id text NOT NULL REFERENCES locations (location_id),
    -- No CHECK (quantity >= 0): back-orders can drive it negative; quality.py reports them.
    quantity    int NOT NULL,
    reserved    int NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    version     int NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sku, location_id),
    FOREIGN KEY (sku, product_id) REFERENCES variants (sku, product_id) ON DELETE CASCADE
);
CREATE INDEX inventory_product ON inventory (product_id);

-- Price history: a row is never changed except to close its window once (see trigger).
CREATE TABLE prices (
    price_id    bigserial PRIMARY KEY,
    sku         text NOT NULL,
    product_id  text NOT NULL,
    currency    char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount      numeric(12, 2) NOT NULL CHECK (amount > 0),
    valid_from  timestamptz NOT NULL DEFAULT now(),
    valid_to    timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_to >= valid_from),
    FOREIGN KEY (sku, product_id) REFERENCES variants (sku, product_id) ON DELETE CASCADE
);
-- At most one open price per SKU and currency.
CREATE UNIQUE INDEX prices_one_open ON prices (sku, currency) WHERE valid_to IS NULL;
CREATE INDEX prices_product ON prices (product_id) WHERE valid_to IS NULL;

CREATE FUNCTION prices_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.valid_to IS NOT NULL
       OR (to_jsonb(NEW) - 'valid_to') IS DISTINCT FROM (to_jsonb(OLD) - 'valid_to') THEN
        RAISE EXCEPTION 'price % of sku %: price rows are history and never updated in place; '
            'close the open window (set valid_to) and insert a new row', OLD.price_id, OLD.sku;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER prices_append_only BEFORE UPDATE ON prices
    FOR EACH ROW EXECUTE FUNCTION prices_append_only();

CREATE TABLE media_assets (
    media_id    bigserial PRIMARY KEY,
    product_id  text NOT NULL REFERENCES products (product_id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('image', 'video', 'model_3d', 'document')),
    url         text NOT NULL CHECK (url ~ '^https?://'),
    position    int NOT NULL DEFAULT 0,
    alt_text    text,
    UNIQUE (product_id, position)
);

-- Optical data for products that need a prescription (frames with lenses, contact lenses).
CREATE TABLE prescription_attributes (
    product_id    text PRIMARY KEY REFERENCES products (product_id) ON DELETE CASCADE,
    lens_type     text NOT NULL CHECK (lens_type IN (
                      'single_vision', 'bifocal', 'progressive', 'toric', 'multifocal', 'plano')),
    power_min     numeric(5, 2) NOT NULL CHECK (power_min BETWEEN -30 AND 30),
    power_max     numeric(5, 2) NOT NULL CHECK (power_max BETWEEN -30 AND 30),
    cylinder_min  numeric(5, 2),
    cylinder_max  numeric(5, 2),
    base_curve_mm numeric(4, 2),
    diameter_mm   numeric(4, 2),
    CHECK (power_min <= power_max),
    CHECK (mod(power_min * 100, 25) = 0 AND mod(power_max * 100, 25) = 0),
    CHECK (cylinder_min IS NULL OR cylinder_max IS NULL OR cylinder_min <= cylinder_max)
);

CREATE TABLE api_keys (
    key_id      text PRIMARY KEY,
    key_hash    text NOT NULL CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    role        text NOT NULL CHECK (role IN ('ingest', 'service', 'analyst', 'admin')),
    label       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

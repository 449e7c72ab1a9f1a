-- User profiles, prescriptions and service history (issue 6). Users appear only as their HMAC
-- pseudonym (app/privacy/pseudonym.py). Every personal field is encrypted by the application
-- (app/profiles/crypto.py) and stored as text 'kid:nonce:ciphertext' (base64url parts); the
-- CHECK constraints refuse anything else, so clear text cannot be written by mistake.
-- Columns kept in clear are those needed to run the system without decrypting: keys, times
-- (retention), and the kind of service (a fixed vocabulary).

CREATE TABLE user_profiles (
    user_key        text PRIMARY KEY CHECK (user_key ~ '^u_[0-9a-f]{32}$'),
    full_name       text,
    email           text,
    phone           text,
    birth_date      text,
    gender          text,
    postal_code     text,
    preferences     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_active_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_profiles_encrypted CHECK (
        (full_name   IS NULL OR full_name   ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$') AND
        (email       IS NULL OR email       ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$') AND
        (phone       IS NULL OR phone       ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$') AND
        (birth_date  IS NULL OR birth_date  ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$') AND
        (gender      IS NULL OR gender      ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$') AND
        (postal_code IS NULL OR postal_code ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$') AND
        (preferences IS NULL OR preferences ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$')
    )
);

-- The retention sweep looks for profiles inactive since a cut-off.
CREATE INDEX user_profiles_last_active_idx ON user_profiles (last_active_at);

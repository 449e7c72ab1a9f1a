-- The current prescription of a user (one row) and the services they received (issue 6).
-- Same encryption rule as 0005: 'kid:nonce:ciphertext' or NULL.

CREATE TABLE prescriptions (
    user_key        text PRIMARY KEY REFERENCES user_profiles (user_key) ON DELETE CASCADE,
    right_sphere    text,
    right_cylinder  text,
    right_axis      text,
    left_sphere     text,
    left_cylinder   text,
    left_axis       text,
    lens_type       text,
    expires_on      text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT prescriptions_encrypted CHECK (
        (right_sphere   IS NULL OR right_sphere   ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$') AND
        (right_cylinder IS NULL OR right_cylinder ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$') AND
        (right_axis     IS NULL OR right_axis     ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$') AND
        (left_sphere    IS NULL OR left_sphere    ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$') AND
        (left_cylinder  IS NULL OR left_cylinder  ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$') AND
        (left_axis      IS NULL OR left_axis      ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$') AND
        (lens_type      IS NULL OR lens_type      ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$') AND
        (expires_on     IS NULL OR expires_on     ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$')
    )
);

CREATE TABLE service_history (
    service_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_key     text NOT NULL REFERENCES user_profiles (user_key) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN (
                     'eye_exam', 'fitting', 'repair', 'adjustment', 'return', 'consultation')),
    occurred_at  timestamptz NOT NULL,
    store_id     text,
    notes        text CHECK (notes IS NULL OR notes ~ '^[A-Za-z0-9-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$')
);

CREATE INDEX service_history_user_idx ON service_history (user_key, occurred_at);
-- The retention sweep deletes by age.
CREATE INDEX service_history_occurred_idx ON service_history (occurred_at);

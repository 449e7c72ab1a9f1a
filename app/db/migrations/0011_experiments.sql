-- A/B experiments (app/recommend/experiments.py, experiments_pg.py): definitions, exposures
-- and the outcome events of exposed users. The report joins them in SQL.
CREATE TABLE rec_experiments (
    id             text PRIMARY KEY,
    name           text NOT NULL DEFAULT '',
    control        text NOT NULL,
    variants       jsonb NOT NULL,
    window_seconds double precision NOT NULL CHECK (window_seconds > 0),
    status         text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'stopped')),
    stop_reason    text,
    min_p_value    double precision NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    stopped_at     timestamptz
);

CREATE TABLE rec_exposures (
    id            bigserial PRIMARY KEY,
    experiment_id text NOT NULL REFERENCES rec_experiments (id) ON DELETE CASCADE,
    variant       text NOT NULL,
    user_key      text NOT NULL,
    items         text[] NOT NULL,
    ts            double precision NOT NULL
);
CREATE INDEX rec_exposures_experiment ON rec_exposures (experiment_id, variant);
CREATE INDEX rec_exposures_user ON rec_exposures (user_key, ts);

-- Only events of users with an exposure are kept (see log_event), so the table stays small.
CREATE TABLE rec_outcomes (
    id       bigserial PRIMARY KEY,
    user_key text NOT NULL,
    item_id  text NOT NULL,
    kind     text NOT NULL CHECK (kind IN ('click', 'cart', 'order')),
    ts       double precision NOT NULL
);
CREATE INDEX rec_outcomes_user ON rec_outcomes (user_key, ts);

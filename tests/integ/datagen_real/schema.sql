-- A small database with richer DDL than Chinook and Northwind (issue 13): an enum, a domain
-- with a CHECK, arrays, tsvector under GIN and GiST, jsonb, inet, interval, a range, bit,
-- expression and partial indexes, an identity column, a serial, a generated column, an exclusion
-- constraint, skewed foreign keys from two child tables to one
-- parent, a range-partitioned table with a default partition. Deterministic (setseed).
SELECT setseed(0.13);
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'ecstatic');
CREATE DOMAIN score AS integer CHECK (VALUE BETWEEN 0 AND 1000);
CREATE DOMAIN handle AS varchar(24) CHECK (VALUE ~ '^[a-z]');
CREATE TABLE users (
  id bigint PRIMARY KEY,
  name handle NOT NULL UNIQUE,
  mood mood NOT NULL,
  karma score NOT NULL,
  ip inet,
  tags text[],
  prefs jsonb NOT NULL,
  flags bit(4) NOT NULL,
  name_len integer GENERATED ALWAYS AS (length(name)) STORED
);
CREATE TABLE posts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  body_tsv tsvector NOT NULL,
  kind mood NOT NULL,
  took interval NOT NULL,
  valid int4range NOT NULL
);
CREATE TABLE badges (
  id serial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  label text NOT NULL
);
-- Range-partitioned by time, with a default partition; rows of 2024 land in it.
CREATE TABLE events (
  id bigint NOT NULL,
  user_id bigint NOT NULL REFERENCES users (id),
  at timestamptz NOT NULL,
  kind text NOT NULL,
  PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE events_2025h1 PARTITION OF events FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2025-07-01 00:00:00+00');
CREATE TABLE events_2025h2 PARTITION OF events FOR VALUES FROM ('2025-07-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');
CREATE TABLE events_other PARTITION OF events DEFAULT;
-- An exclusion constraint: no two bookings overlap.
CREATE TABLE bookings (
  id bigint PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  during tstzrange NOT NULL,
  EXCLUDE USING gist (during WITH &&)
);
CREATE INDEX events_user ON events (user_id);
CREATE INDEX posts_tsv_gin ON posts USING gin (body_tsv);
CREATE INDEX posts_tsv_gist ON posts USING gist (body_tsv);
CREATE INDEX users_tags_gin ON users USING gin (tags);
CREATE INDEX posts_user ON posts (user_id);
CREATE INDEX badges_user ON badges (user_id);
-- An expression index, a partial index, a jsonb_path_ops GIN (a non-default operator class)
-- and a unique partial index on an expression.
CREATE INDEX users_lang ON users ((prefs ->> 'lang'));
CREATE INDEX posts_happy ON posts (user_id) WHERE kind = 'happy';
CREATE INDEX users_prefs_gin ON users USING gin (prefs jsonb_path_ops);
CREATE UNIQUE INDEX users_name_lower ON users (lower(name)) WHERE karma > 10;
-- A view and a materialized view over the parent and a child table.
CREATE VIEW active_users AS SELECT u.id, u.name FROM users u WHERE u.karma > 500;
CREATE MATERIALIZED VIEW user_post_counts AS
  SELECT p.user_id, count(*) AS n FROM posts p GROUP BY p.user_id;
INSERT INTO users (id, name, mood, karma, ip, tags, prefs, flags)
SELECT g, 'u' || g, (ARRAY['sad','ok','ok','happy','happy','happy','ecstatic'])[1 + (g * 3) % 7]::mood,
       (g * 37) % 1001, CASE WHEN g % 5 = 0 THEN NULL ELSE ('10.' || g % 60 || '.0.1')::inet END,
       CASE g % 4 WHEN 0 THEN '{red}' WHEN 1 THEN '{red,blue}' WHEN 2 THEN '{green}' ELSE NULL END::text[],
       jsonb_build_object('lang', (ARRAY['en','fr','de'])[1 + g % 3], 'beta', g % 2 = 0),
       (g % 16)::bit(4)
FROM generate_series(1, 2000) g;
-- Heavy users are heavy in both child tables: user_id from the same skewed draw.
INSERT INTO posts OVERRIDING SYSTEM VALUE
SELECT g, 1 + floor(2000 * power(random(), 3))::bigint,
       to_tsvector('simple', (ARRAY['alpha beta','gamma','delta alpha','beta beta epsilon'])[1 + g % 4]),
       (ARRAY['sad','ok','happy'])[1 + g % 3]::mood, make_interval(mins => g % 90),
       int4range(g % 50, g % 50 + 10)
FROM generate_series(1, 20000) g;
INSERT INTO badges
SELECT g, 1 + floor(2000 * power(random(), 3))::bigint, (ARRAY['gold','silver','bronze','bronze'])[1 + g % 4]
FROM generate_series(1, 8000) g;
INSERT INTO events
SELECT g, 1 + floor(2000 * power(random(), 3))::bigint,
       timestamptz '2024-10-01 00:00:00+00' + (g % 450) * interval '1 day' + (g % 24) * interval '1 hour',
       (ARRAY['view','click','view','buy'])[1 + g % 4]
FROM generate_series(1, 12000) g;
INSERT INTO bookings
SELECT g, 1 + g % 2000, tstzrange(timestamptz '2025-01-01 00:00:00+00' + g * interval '2 hours',
       timestamptz '2025-01-01 00:00:00+00' + g * interval '2 hours' + interval '90 minutes')
FROM generate_series(1, 3000) g;
REFRESH MATERIALIZED VIEW user_post_counts;

-- A Stack-Exchange-like database for the correlated fan-out test (issue 13 item 6): users;
-- posts, comments and badges referencing users. Each user has one latent activity z ~ N(0,1)
-- (Box-Muller over a seeded random()); every child table's count per user is a lognormal in
-- that activity with its own noise, so heavy users are heavy everywhere, some users have no
-- posts, comments or badges, and the child rows are stored in random order (not by user).
SELECT setseed(0.42);
CREATE TABLE users (
    id integer PRIMARY KEY,
    reputation integer NOT NULL,
    created date NOT NULL
);
CREATE TEMP TABLE act AS
SELECT g AS id,
       sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z,
       sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS n1,
       sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS n2,
       sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS n3
FROM generate_series(1, 40000) g;
INSERT INTO users
SELECT id, greatest(1, round(exp(3 + 1.5 * z)))::int, date '2010-01-01' + (random() * 4000)::int
FROM act;
CREATE TABLE posts (
    id serial PRIMARY KEY,
    owner_user_id integer NOT NULL REFERENCES users (id),
    score integer NOT NULL,
    created timestamp NOT NULL
);
CREATE TABLE comments (
    id serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    score integer NOT NULL
);
CREATE TABLE badges (
    id serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    name text NOT NULL
);
INSERT INTO posts (owner_user_id, score, created)
SELECT a.id, (random() * 20)::int - 2, timestamp '2012-01-01' + random() * interval '3000 days'
FROM act a, generate_series(1, greatest(0, floor(exp(1.0 + 1.1 * a.z + 0.3 * a.n1) - 1.5))::int)
ORDER BY random();
INSERT INTO comments (user_id, score)
SELECT a.id, (random() * 5)::int
FROM act a, generate_series(1, greatest(0, floor(exp(1.3 + 1.1 * a.z + 0.3 * a.n2) - 2))::int)
ORDER BY random();
INSERT INTO badges (user_id, name)
SELECT a.id, (ARRAY['Teacher', 'Student', 'Editor', 'Supporter', 'Scholar'])[1 + (random() * 4)::int]
FROM act a, generate_series(1, greatest(0, floor(exp(0.5 + 0.9 * a.z + 0.3 * a.n3) - 0.8))::int)
ORDER BY random();
CREATE INDEX posts_owner ON posts (owner_user_id);
CREATE INDEX comments_user ON comments (user_id);
CREATE INDEX badges_user ON badges (user_id);

-- Query set of the datagen_real fixture (syntax: docs/datagen/plans.md): full-text search through
-- GIN, array containment, enum and domain filters, and joins of the two skewed child tables
-- through their shared parent.

-- query: posts_matching
SELECT count(*) FROM posts WHERE body_tsv @@ to_tsquery('simple', 'gamma');

-- query: users_tagged
SELECT count(*) FROM users WHERE tags @> '{red}';

-- query: users_in_mood
-- $1: users.mood
SELECT id, name FROM users WHERE mood = $1 ORDER BY karma DESC LIMIT 10;

-- query: posts_of_user
-- $1: posts.user_id
SELECT p.id, p.took FROM posts p WHERE p.user_id = $1;

-- query: user_activity
-- $1: users.mood
SELECT u.id, count(*) FROM users u JOIN posts p ON p.user_id = u.id
JOIN badges b ON b.user_id = u.id WHERE u.mood = $1 GROUP BY u.id ORDER BY 2 DESC LIMIT 5;

-- query: users_by_lang
SELECT count(*) FROM users WHERE prefs ->> 'lang' = 'fr';

-- query: happy_posts_of_user
-- $1: posts.user_id
SELECT count(*) FROM posts WHERE kind = 'happy' AND user_id = $1;

-- query: recent_events_of_user
-- Partition pruning: only events_2025h2 is scanned. The user id is sampled from posts:
-- plans reads parameters from a table's own statistics, which a partitioned table lacks.
-- $1: posts.user_id
SELECT count(*) FROM events WHERE at >= '2025-08-01' AND user_id = $1;

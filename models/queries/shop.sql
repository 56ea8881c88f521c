-- The reference shop's query set for `datagen plans` (syntax: docs/datagen/plans.md).
-- Each $n names the column its hot, median and cold values are drawn from; the values come
-- from the statistics of the database being checked, so a generated or masked database is
-- asked about its own hot category, not production's literal id.

-- query: listing
-- The listing query of the incident (docs/formats/shop-schema.sql).
-- $1: products.category_id
SELECT id, name, price FROM products
WHERE category_id = $1 AND active
ORDER BY featured DESC, created_at DESC
LIMIT 20;

-- A small catalog for the shop's integration tests (loaded after docs/formats/shop-schema.sql).
-- Product ids 1..300 in 10 categories; every 7th product is inactive; every 11th featured.
-- Stock is 5 everywhere except product 2 (1) and product 3 (no inventory row).
INSERT INTO categories (id, name) SELECT g, 'Category ' || g FROM generate_series(1, 10) g;
INSERT INTO products (id, category_id, name, description, price, active, featured, created_at)
SELECT g, 1 + g % 10, 'Product ' || g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'A "quoted" thing' END,
       (g % 50) + 0.99, g % 7 <> 0, g % 11 = 0,
       timestamptz '2026-01-01 00:00:00+00' + g * interval '1 hour'
FROM generate_series(1, 300) g;
INSERT INTO inventory (product_id, stock, updated_at)
SELECT g, CASE WHEN g = 2 THEN 1 ELSE 5 END, now() FROM generate_series(1, 300) g WHERE g <> 3;
INSERT INTO users (id, email, name, created_at)
SELECT g, 'user' || g || '@example.test', 'User ' || g, now() FROM generate_series(1, 20) g;

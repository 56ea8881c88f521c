-- Correlated columns under extended statistics (issue 13 item 6), deterministic (setseed).
-- addresses: zip -> city -> region -> country, each value of a level in one value of the
-- next (country 'C3' has regions 'C3-R..', ...); zips skewed. orders: status and channel
-- drawn jointly (in-store sales are all delivered, refunds come from the web, ...).
SELECT setseed(0.13);
CREATE TABLE addresses (
  id integer PRIMARY KEY,
  country text NOT NULL,
  region text NOT NULL,
  city text NOT NULL,
  zip text NOT NULL,
  street text NOT NULL
);
-- 4000 zips, 10 per city (400 cities), 8 cities per region (50 regions), 5 regions per
-- country (10 countries); a zip's popularity ~ 1 / rank^0.8 (a skewed chain).
INSERT INTO addresses
SELECT i, 'C' || (z / 400), 'C' || (z / 400) || '-R' || (z / 80), 'City ' || (z / 10),
       lpad((10007 * z % 90000 + 10000)::text, 5, '0'), 'Street ' || (i % 977)
FROM (SELECT i, floor(4000 * power(random(), 2.5))::int AS z FROM generate_series(1, 40000) i) s;
CREATE STATISTICS addr_chain (ndistinct, dependencies) ON country, region, city, zip FROM addresses;
-- An expression: recorded and recreated, not reproduced (said with its share).
CREATE STATISTICS addr_expr ON (lower(city)), zip FROM addresses;

CREATE TABLE orders (
  id integer PRIMARY KEY,
  status text NOT NULL,
  channel text NOT NULL,
  amount numeric(10, 2) NOT NULL
);
INSERT INTO orders
SELECT i,
       CASE WHEN c = 'store' THEN (CASE WHEN r2 < 0.97 THEN 'delivered' ELSE 'returned' END)
            WHEN c = 'web' THEN (CASE WHEN r2 < 0.55 THEN 'delivered' WHEN r2 < 0.75 THEN 'shipped'
                                      WHEN r2 < 0.87 THEN 'refunded' WHEN r2 < 0.95 THEN 'pending'
                                      ELSE 'cancelled' END)
            WHEN c = 'app' THEN (CASE WHEN r2 < 0.50 THEN 'shipped' WHEN r2 < 0.80 THEN 'pending'
                                      ELSE 'delivered' END)
            ELSE (CASE WHEN r2 < 0.6 THEN 'pending' ELSE 'cancelled' END) END,
       c, round((random() * 200)::numeric, 2)
FROM (SELECT i, random() AS r2,
             CASE WHEN r1 < 0.45 THEN 'web' WHEN r1 < 0.75 THEN 'store' WHEN r1 < 0.95 THEN 'app'
                  ELSE 'phone' END AS c
      FROM (SELECT i, random() AS r1 FROM generate_series(1, 30000) i) a) b;
CREATE STATISTICS orders_sc (mcv, ndistinct) ON status, channel FROM orders;

-- The reference shop's catalog: what `datagen fill --shape models/shapes/shop.json` creates
-- and what `fixtures/shop` serves. Keep the two in step. Indexes beyond primary keys are the
-- shape's business (the listing query's plan depends on them; see docs/datagen.md).
CREATE TABLE categories (
    id         integer PRIMARY KEY,
    name       text NOT NULL,
    parent_id  integer REFERENCES categories (id)
);
CREATE TABLE products (
    id          bigint PRIMARY KEY,
    category_id integer NOT NULL REFERENCES categories (id),
    name        text NOT NULL,
    description text,
    price       numeric(10,2) NOT NULL CHECK (price >= 0),
    active      boolean NOT NULL,
    featured    boolean NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE TABLE inventory (
    product_id bigint PRIMARY KEY REFERENCES products (id),
    stock      integer NOT NULL CHECK (stock >= 0),
    updated_at timestamptz NOT NULL
);
CREATE TABLE users (
    id         bigint PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    name       text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE orders (
    id         bigint PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    status     text NOT NULL,
    total      numeric(12,2) NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE order_items (
    order_id   bigint NOT NULL REFERENCES orders (id),
    line       smallint NOT NULL,
    product_id bigint NOT NULL REFERENCES products (id),
    qty        integer NOT NULL CHECK (qty > 0),
    price      numeric(10,2) NOT NULL,
    PRIMARY KEY (order_id, line)
);
-- The listing query of the incident:
--   SELECT id, name, price FROM products
--   WHERE category_id = $1 AND active ORDER BY featured DESC, created_at DESC LIMIT 20;
-- The index that makes it cheap at production scale:
--   CREATE INDEX products_listing_idx ON products (category_id, active, featured DESC, created_at DESC);

-- Northwind query set for `datagen plans` (syntax: docs/datagen/plans.md). Northwind ships with
-- primary keys only, so most plans are scans and hash joins: the set checks that the
-- generated copy keeps them, and where the primary keys come into play.

-- query: customer_orders
-- $1: orders.customer_id
SELECT o.order_id, o.order_date FROM orders o WHERE o.customer_id = $1
ORDER BY o.order_date DESC LIMIT 10;

-- query: category_best_sellers
-- $1: products.category_id
SELECT p.product_name, sum(od.quantity) FROM order_details od
JOIN products p ON p.product_id = od.product_id
WHERE p.category_id = $1 GROUP BY p.product_name ORDER BY 2 DESC LIMIT 10;

-- query: unshipped_by_shipper
-- $1: orders.ship_via
SELECT count(*) FROM orders WHERE ship_via = $1 AND shipped_date IS NULL;

-- query: employee_customers
-- $1: orders.employee_id
SELECT c.company_name, count(*) FROM orders o
JOIN customers c ON c.customer_id = o.customer_id
WHERE o.employee_id = $1 GROUP BY c.company_name ORDER BY 2 DESC LIMIT 5;

-- query: order_lines
-- $1: order_details.order_id
SELECT od.product_id, od.unit_price, od.quantity FROM order_details od WHERE od.order_id = $1;

-- query: order_with_lines
-- $1: orders.order_id
SELECT o.order_id, p.product_name, od.quantity FROM orders o
JOIN order_details od ON od.order_id = o.order_id
JOIN products p ON p.product_id = od.product_id
WHERE o.order_id = $1;

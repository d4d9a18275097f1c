-- Inputs of QueryPlannerGoldenTest: pg_get_viewdef(view, true) output of PostgreSQL 15 and 18
-- (captured from real servers) for the defining queries of stream tables over
--   orders(id, customer_id, region, amount numeric, order_date timestamp, payload jsonb,
--          product_id, qty, flag boolean), customers(customer_id, name, tier, active),
--   items(id, order_id, sku, price), "Order Items"("Qty", "Order Id", note), other.orders(id, x)
-- Each case starts with a line "-- <name> [<server version>]"; a name with two versions must plan
-- to equal models. The expected plans are in planner.golden.txt.

-- simple_filter pg15
 SELECT orders.id,
    orders.customer_id,
    orders.region
   FROM orders
  WHERE orders.amount > 10::numeric;

-- simple_filter pg18
 SELECT id,
    customer_id,
    region
   FROM orders
  WHERE amount > 10::numeric;

-- customer_lifetime_value
 SELECT c.customer_id,
    c.name,
    count(o.id) AS total_orders,
    COALESCE(sum(o.amount), 0::numeric) AS lifetime_value
   FROM customers c
     LEFT JOIN orders o ON o.customer_id = c.customer_id
  GROUP BY c.customer_id, c.name;

-- hourly_events pg15
 SELECT date_trunc('hour'::text, orders.order_date::timestamp with time zone) AS hour,
    orders.region,
    count(*) AS event_count
   FROM orders
  GROUP BY (date_trunc('hour'::text, orders.order_date::timestamp with time zone)), orders.region;

-- hourly_events pg18
 SELECT date_trunc('hour'::text, order_date::timestamp with time zone) AS hour,
    region,
    count(*) AS event_count
   FROM orders
  GROUP BY (date_trunc('hour'::text, order_date::timestamp with time zone)), region;

-- latest_per_customer pg15
 SELECT DISTINCT ON (orders.customer_id) orders.customer_id,
    orders.region,
    orders.payload AS st
   FROM orders
  WHERE orders.region = ANY (ARRAY['a'::text, 'b'::text])
  ORDER BY orders.customer_id, orders.order_date DESC;

-- latest_per_customer pg18
 SELECT DISTINCT ON (customer_id) customer_id,
    region,
    payload AS st
   FROM orders
  WHERE region = ANY (ARRAY['a'::text, 'b'::text])
  ORDER BY customer_id, order_date DESC;

-- comma_join
 SELECT o.id,
    c.name,
    (o.payload ->> 'amount'::text)::numeric AS amt
   FROM orders o,
    customers c
  WHERE o.customer_id = c.customer_id AND c.tier IS NOT NULL AND o.region ~~ 'E%'::text AND o.amount >= 1::numeric AND o.amount <= 5::numeric;

-- global_totals pg15
 SELECT count(*) AS n,
    sum(orders.amount) AS s
   FROM orders;

-- global_totals pg18
 SELECT count(*) AS n,
    sum(amount) AS s
   FROM orders;

-- distinct_pairs pg15
 SELECT DISTINCT orders.region,
    orders.product_id
   FROM orders;

-- distinct_pairs pg18
 SELECT DISTINCT region,
    product_id
   FROM orders;

-- three_way_join
 SELECT o.id,
    c.name
   FROM orders o
     JOIN customers c ON c.customer_id = o.customer_id
     JOIN items i ON i.order_id = o.id;

-- schema_outside_search_path
 SELECT x.id,
    x.x,
    o.region
   FROM other.orders x
     JOIN orders o ON o.id = x.id;

-- quoted_names pg15
 SELECT oi."Qty" * 2 AS "Double Qty",
    oi."Order Id"
   FROM "Order Items" oi
  WHERE oi.note IS NOT NULL;

-- quoted_names pg18
 SELECT "Qty" * 2 AS "Double Qty",
    "Order Id"
   FROM "Order Items" oi
  WHERE note IS NOT NULL;

-- quoted_table_without_alias pg15
 SELECT "Order Items"."Qty",
    "Order Items".note
   FROM "Order Items"
  WHERE "Order Items"."Order Id" > 0;

-- quoted_table_without_alias pg18
 SELECT "Qty",
    note
   FROM "Order Items"
  WHERE "Order Id" > 0;

-- having_and_order_by pg15
 SELECT orders.region,
    count(*) AS n,
    avg(orders.amount) AS a,
    min(orders.order_date) AS first_order,
    max(orders.order_date) AS last_order
   FROM orders
  GROUP BY orders.region
 HAVING count(*) > 5 AND sum(orders.amount) > 100::numeric
  ORDER BY (count(*)) DESC NULLS LAST;

-- having_and_order_by pg18
 SELECT region,
    count(*) AS n,
    avg(amount) AS a,
    min(order_date) AS first_order,
    max(order_date) AS last_order
   FROM orders
  GROUP BY region
 HAVING count(*) > 5 AND sum(amount) > 100::numeric
  ORDER BY (count(*)) DESC NULLS LAST;

-- case_coalesce_nullif pg15
 SELECT orders.id,
        CASE
            WHEN orders.amount > 100::numeric THEN 'big'::text
            WHEN orders.amount > 10::numeric THEN 'mid'::text
            ELSE 'small'::text
        END AS size,
    COALESCE(orders.region, 'none'::text) AS region,
    NULLIF(orders.qty, 0) AS q
   FROM orders
  WHERE orders.flag;

-- case_coalesce_nullif pg18
 SELECT id,
        CASE
            WHEN amount > 100::numeric THEN 'big'::text
            WHEN amount > 10::numeric THEN 'mid'::text
            ELSE 'small'::text
        END AS size,
    COALESCE(region, 'none'::text) AS region,
    NULLIF(qty, 0) AS q
   FROM orders
  WHERE flag;

-- json_and_strings pg15
 SELECT orders.id,
    orders.payload -> 'a'::text AS a,
    orders.payload ->> 'b'::text AS b,
    orders.payload #>> '{c,d}'::text[] AS cd,
    (upper(orders.region) || '-'::text) || lower(orders.region) AS r,
    SUBSTRING(orders.region FROM 1 FOR 2) AS r2
   FROM orders
  WHERE orders.region ~~* 'e%'::text AND orders.region !~~ '%x'::text AND orders.payload ? 'a'::text;

-- json_and_strings pg18
 SELECT id,
    payload -> 'a'::text AS a,
    payload ->> 'b'::text AS b,
    payload #>> '{c,d}'::text[] AS cd,
    (upper(region) || '-'::text) || lower(region) AS r,
    SUBSTRING(region FROM 1 FOR 2) AS r2
   FROM orders
  WHERE region ~~* 'e%'::text AND region !~~ '%x'::text AND payload ? 'a'::text;

-- cross_join
 SELECT o.id,
    c.name
   FROM orders o
     CROSS JOIN customers c
  WHERE o.customer_id IS DISTINCT FROM c.customer_id;

-- nested_join
 SELECT o.id,
    i.sku
   FROM orders o
     LEFT JOIN (customers c
     JOIN items i ON i.order_id = c.customer_id) ON c.customer_id = o.customer_id;

-- group_by_expressions
 SELECT lower(c.tier) AS tier,
    date_trunc('day'::text, o.order_date) AS day,
    sum(o.amount * o.qty::numeric) AS revenue,
    count(o.id) AS orders
   FROM orders o
     JOIN customers c ON c.customer_id = o.customer_id
  GROUP BY (lower(c.tier)), (date_trunc('day'::text, o.order_date));

-- stable_functions pg15
 SELECT orders.id,
    now() AS t,
    CURRENT_DATE AS d
   FROM orders
  WHERE orders.order_date > (now() - '1 day'::interval);

-- stable_functions pg18
 SELECT id,
    now() AS t,
    CURRENT_DATE AS d
   FROM orders
  WHERE order_date > (now() - '1 day'::interval);

-- casts pg15
 SELECT orders.id::text AS id_text,
    orders.amount::numeric(10,2) AS amt,
    orders.order_date::date AS day,
    (orders.payload ->> 'n'::text)::integer AS n
   FROM orders
  WHERE orders.amount::integer = ANY (ARRAY[1, 2, 3]);

-- casts pg18
 SELECT id::text AS id_text,
    amount::numeric(10,2) AS amt,
    order_date::date AS day,
    (payload ->> 'n'::text)::integer AS n
   FROM orders
  WHERE amount::integer = ANY (ARRAY[1, 2, 3]);

-- distinct_on_expression pg15
 SELECT DISTINCT ON ((lower(orders.region))) lower(orders.region) AS r,
    orders.id
   FROM orders
  ORDER BY (lower(orders.region)), orders.amount DESC NULLS LAST, orders.id;

-- distinct_on_expression pg18
 SELECT DISTINCT ON ((lower(region))) lower(region) AS r,
    id
   FROM orders
  ORDER BY (lower(region)), amount DESC NULLS LAST, id;

-- aggregate_without_group_by pg15
 SELECT count(orders.customer_id) AS n,
    sum(orders.qty) AS total
   FROM orders
  WHERE orders.flag IS NOT TRUE;

-- aggregate_without_group_by pg18
 SELECT count(customer_id) AS n,
    sum(qty) AS total
   FROM orders
  WHERE flag IS NOT TRUE;

-- count_whole_row
 SELECT c.customer_id,
    count(o.*) AS n
   FROM customers c
     LEFT JOIN orders o ON o.customer_id = c.customer_id
  GROUP BY c.customer_id;

-- negations pg15
 SELECT orders.id
   FROM orders
  WHERE (orders.amount < 1::numeric OR orders.amount > 5::numeric) AND (orders.region <> ALL (ARRAY['a'::text, 'b'::text])) AND NOT orders.flag AND orders.region !~~* 'x%'::text;

-- negations pg18
 SELECT id
   FROM orders
  WHERE (amount < 1::numeric OR amount > 5::numeric) AND (region <> ALL (ARRAY['a'::text, 'b'::text])) AND NOT flag AND region !~~* 'x%'::text;

-- having_without_group_by pg15
 SELECT sum(orders.amount) AS s
   FROM orders
 HAVING count(*) > 0;

-- having_without_group_by pg18
 SELECT sum(amount) AS s
   FROM orders
 HAVING count(*) > 0;

-- self_join_distinct_aliases
 SELECT a.id,
    b.id AS other_id
   FROM orders a
     JOIN orders b ON b.customer_id = a.customer_id AND b.id <> a.id;

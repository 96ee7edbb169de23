-- The same rows as order_rows.sql for :b orders at once, set-based: the checkout of :b orders in
-- one transaction, their :b notifications recorded in one statement, and matched in one
-- transaction (one matcher at a time, as Talat's payments worker). What PostgreSQL alone would
-- spend per order if Talat grouped concurrent checkouts and notifications into batches of :b.
-- Variables as order_rows.sql, and b.
\set iter random(1, 2000000000)
BEGIN;
WITH v AS (SELECT (:vmin)::bigint + (random() * ((:vmax)::bigint - (:vmin)::bigint))::bigint AS vid FROM generate_series(1, (:b)::int)),
locked AS (SELECT id FROM catalog_variant WHERE id IN (SELECT vid FROM v) ORDER BY id FOR UPDATE),
taken AS (UPDATE catalog_variant c SET available = available - 1, reserved = reserved + 1 FROM locked WHERE c.id = locked.id),
o AS (INSERT INTO orders_order (created_at, updated_at, uid, channel, channel_order_number, status, partner_status, buyer_name, buyer_email, buyer_country, currency, total_minor, placed_at, carrier, tracking_number, note, enterprise_id, address_line, buyer_phone, district_code, paid_at, postal_code, province_code, refunded_minor, shipping_method, shipping_minor, subdistrict_code, vat_minor) SELECT now(), now(), gen_random_uuid(), channel, 'PB-' || (:client_id)::int || '-' || (:iter)::bigint || '-' || g, 'awaiting_payment', partner_status, buyer_name, buyer_email, buyer_country, currency, total_minor, now(), carrier, tracking_number, note, ((:shops)::bigint[])[1 + floor(random() * (:nshops)::int)::int], address_line, buyer_phone, district_code, NULL, postal_code, province_code, 0, shipping_method, shipping_minor, subdistrict_code, vat_minor FROM orders_order s, generate_series(1, (:b)::int) g WHERE s.id = (:order_row)::bigint RETURNING id, total_minor, channel_order_number),
lines AS (INSERT INTO orders_orderline (sku, name, quantity, unit_price_minor, order_id, variant_id) SELECT s.sku, s.name, 1, s.unit_price_minor, o.id, s.variant_id FROM o, orders_orderline s WHERE s.id = (:line_row)::bigint),
moves AS (INSERT INTO catalog_stockmovement (reason, on_hand_delta, reserved_delta, reference, at, variant_id) SELECT 'reserved', 0, 1, 'storefront-PB-0123456789', now(), s.variant_id FROM o, orders_orderline s WHERE s.id = (:line_row)::bigint),
events AS (INSERT INTO orders_orderevent (from_status, to_status, amount_minor, note, at, order_id) SELECT '', 'awaiting_payment', 0, '', now(), o.id FROM o),
requests AS (INSERT INTO payments_paymentrequest (created_at, updated_at, uid, reference_1, reference_2, amount_minor, payload, status, review_reason) SELECT now(), now(), gen_random_uuid(), 'R' || o.channel_order_number, s.reference_2, o.total_minor, s.payload, 'pending', '' FROM o, payments_paymentrequest s WHERE s.id = (:payment_row)::bigint RETURNING id, reference_1)
INSERT INTO payments_paymentrequest_orders (paymentrequest_id, order_id) SELECT requests.id, o.id FROM requests JOIN o ON requests.reference_1 = 'R' || o.channel_order_number;
SELECT size FROM core_auditlogstate WHERE id = 1 FOR UPDATE
\gset
WITH e AS (INSERT INTO core_auditentry (index, kind, at, leaf) SELECT (:size)::bigint + g, s.kind, now(), s.leaf FROM core_auditentry s, generate_series(0, (:b)::int - 1) g WHERE s.id = (:audit_row)::bigint RETURNING index)
INSERT INTO core_auditnode (level, position, hash) SELECT 0, e.index, s.hash FROM e, core_auditnode s WHERE s.id = (:node_row)::bigint UNION ALL SELECT 1, e.index / 2, s.hash FROM e, core_auditnode s WHERE s.id = (:node_row)::bigint AND e.index % 2 = 1;
UPDATE core_auditlogstate SET size = (:size)::bigint + (:b)::bigint, last_leaf_hash = sha256(last_leaf_hash) WHERE id = 1;
END;
INSERT INTO payments_banktransaction (uid, transaction_id, event_id, amount_minor, reference_1, reference_2, payer_name, paid_at, received_at, notifications, outcome, applied_minor, resolution, resolution_note, returned_minor) SELECT gen_random_uuid(), 'T' || r.reference_1, 'E' || r.reference_1, r.amount_minor, r.reference_1, s.reference_2, s.payer_name, now(), now(), 1, 'received', 0, '', '', 0 FROM payments_paymentrequest r, payments_banktransaction s WHERE s.id = (:tx_row)::bigint AND r.reference_1 IN (SELECT 'RPB-' || (:client_id)::int || '-' || (:iter)::bigint || '-' || g FROM generate_series(1, (:b)::int) g);
BEGIN;
SELECT pg_advisory_xact_lock(7);
WITH t AS (SELECT id, reference_1 FROM payments_banktransaction WHERE transaction_id IN (SELECT 'TRPB-' || (:client_id)::int || '-' || (:iter)::bigint || '-' || g FROM generate_series(1, (:b)::int) g) FOR UPDATE),
p AS (SELECT r.id, r.reference_1 FROM payments_paymentrequest r JOIN t USING (reference_1) FOR UPDATE OF r),
o AS (SELECT ord.id, ord.uid, ord.enterprise_id, ord.channel_order_number FROM orders_order ord JOIN payments_paymentrequest_orders po ON po.order_id = ord.id JOIN p ON p.id = po.paymentrequest_id FOR UPDATE OF ord),
paid AS (UPDATE orders_order u SET status = 'paid', paid_at = now(), updated_at = now() FROM o WHERE u.id = o.id),
events AS (INSERT INTO orders_orderevent (from_status, to_status, amount_minor, note, at, order_id) SELECT 'awaiting_payment', 'paid', 0, '', now(), o.id FROM o),
entries AS (INSERT INTO ledger_entry (key, kind, reference, memo, created_at, enterprise_id) SELECT 'payment-' || o.uid, 'payment', o.channel_order_number, '', now(), o.enterprise_id FROM o RETURNING id),
transfers AS (INSERT INTO ledger_transfer (entry_id, kind, debit_id, credit_id, amount_satang) SELECT entries.id, s.kind, s.debit_id, s.credit_id, s.amount_satang FROM entries, ledger_transfer s WHERE s.entry_id = (:entry_row)::bigint),
series AS (UPDATE invoicing_documentseries d SET last_number = last_number + n.count FROM (SELECT enterprise_id, count(*) FROM o GROUP BY 1) n WHERE d.enterprise_id = n.enterprise_id),
receipts AS (INSERT INTO invoicing_taxdocument (created_at, updated_at, uid, kind, title, number, issued_at, order_uid, order_number, total_minor, vat_minor, buyer_email, content, enterprise_id) SELECT now(), now(), gen_random_uuid(), s.kind, s.title, 'PB' || o.channel_order_number, now(), o.uid, s.order_number, s.total_minor, s.vat_minor, s.buyer_email, s.content, o.enterprise_id FROM o, invoicing_taxdocument s WHERE s.id = (:document_row)::bigint),
requests AS (UPDATE payments_paymentrequest u SET status = 'paid', paid_at = now(), updated_at = now() FROM p WHERE u.id = p.id)
UPDATE payments_banktransaction b SET outcome = 'matched', payment_id = p.id FROM t JOIN p USING (reference_1) WHERE b.id = t.id;
SELECT size FROM core_auditlogstate WHERE id = 1 FOR UPDATE
\gset
WITH e AS (INSERT INTO core_auditentry (index, kind, at, leaf) SELECT (:size)::bigint + g, s.kind, now(), s.leaf FROM core_auditentry s, generate_series(0, (:b)::int - 1) g WHERE s.id = (:audit_row)::bigint RETURNING index)
INSERT INTO core_auditnode (level, position, hash) SELECT 0, e.index, s.hash FROM e, core_auditnode s WHERE s.id = (:node_row)::bigint UNION ALL SELECT 1, e.index / 2, s.hash FROM e, core_auditnode s WHERE s.id = (:node_row)::bigint AND e.index % 2 = 1;
UPDATE core_auditlogstate SET size = (:size)::bigint + (:b)::bigint, last_leaf_hash = sha256(last_leaf_hash) WHERE id = 1;
END;

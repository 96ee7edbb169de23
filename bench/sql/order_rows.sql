-- An order's rows from checkout to paid, written by PostgreSQL alone (pgbench's C client, no
-- Python): what Talat writes for one storefront order today, in its three transactions (the
-- checkout; the bank notification recorded; the match, paid). Wide values are copied from sample
-- rows the benchmark made (encrypted buyer fields, QR payload, receipt content), so rows are as
-- wide as Talat's. A lower bound: the audit tree gets 1.5 nodes a leaf (Talat's has 2), and no
-- row is read back. Variables (pgbench -D): vmin, vmax (SKU ids), shops (an array of shop ids),
-- nshops, and the sample rows order_row, line_row, payment_row, tx_row, audit_row, node_row,
-- entry_row, document_row.
\set v random(:vmin, :vmax)
\set k random(1, :nshops)
BEGIN;
UPDATE catalog_variant SET available = available - 1, reserved = reserved + 1 WHERE id = (:v)::bigint AND available >= 1;
INSERT INTO orders_order (created_at, updated_at, uid, channel, channel_order_number, status, partner_status, buyer_name, buyer_email, buyer_country, currency, total_minor, placed_at, carrier, tracking_number, note, enterprise_id, address_line, buyer_phone, district_code, paid_at, postal_code, province_code, refunded_minor, shipping_method, shipping_minor, subdistrict_code, vat_minor) SELECT now(), now(), gen_random_uuid(), channel, 'PB-' || substr(md5(random()::text), 1, 16), 'awaiting_payment', partner_status, buyer_name, buyer_email, buyer_country, currency, total_minor, now(), carrier, tracking_number, note, ((:shops)::bigint[])[(:k)::int], address_line, buyer_phone, district_code, NULL, postal_code, province_code, 0, shipping_method, shipping_minor, subdistrict_code, vat_minor FROM orders_order WHERE id = (:order_row)::bigint RETURNING id AS order_id, uid AS order_uid, enterprise_id AS shop, total_minor AS total
\gset
INSERT INTO orders_orderline (sku, name, quantity, unit_price_minor, order_id, variant_id) SELECT sku, name, 1, unit_price_minor, (:order_id)::bigint, variant_id FROM orders_orderline WHERE id = (:line_row)::bigint;
INSERT INTO catalog_stockmovement (reason, on_hand_delta, reserved_delta, reference, at, variant_id) SELECT 'reserved', 0, 1, 'storefront-PB-0123456789', now(), variant_id FROM orders_orderline WHERE id = (:line_row)::bigint;
INSERT INTO orders_orderevent (from_status, to_status, amount_minor, note, at, order_id) VALUES ('', 'awaiting_payment', 0, '', now(), (:order_id)::bigint);
INSERT INTO payments_paymentrequest (created_at, updated_at, uid, reference_1, reference_2, amount_minor, payload, status, review_reason) SELECT now(), now(), gen_random_uuid(), 'PB' || substr(md5(random()::text), 1, 16), reference_2, (:total)::bigint, payload, 'pending', '' FROM payments_paymentrequest WHERE id = (:payment_row)::bigint RETURNING id AS payment_id, reference_1 AS ref
\gset
INSERT INTO payments_paymentrequest_orders (paymentrequest_id, order_id) VALUES ((:payment_id)::bigint, (:order_id)::bigint);
SELECT size FROM core_auditlogstate WHERE id = 1 FOR UPDATE
\gset
INSERT INTO core_auditentry (index, kind, at, leaf) SELECT (:size)::bigint, kind, now(), leaf FROM core_auditentry WHERE id = (:audit_row)::bigint;
INSERT INTO core_auditnode (level, position, hash) SELECT 0, (:size)::bigint, hash FROM core_auditnode WHERE id = (:node_row)::bigint;
\if :size % 2 = 1
INSERT INTO core_auditnode (level, position, hash) SELECT 1, (:size)::bigint / 2, hash FROM core_auditnode WHERE id = (:node_row)::bigint;
\endif
UPDATE core_auditlogstate SET size = (:size)::bigint + 1, last_leaf_hash = sha256(last_leaf_hash) WHERE id = 1;
END;
INSERT INTO payments_banktransaction (uid, transaction_id, event_id, amount_minor, reference_1, reference_2, payer_name, paid_at, received_at, notifications, outcome, applied_minor, resolution, resolution_note, returned_minor) SELECT gen_random_uuid(), 'PBT' || md5(random()::text), 'PBE' || md5(random()::text), (:total)::bigint, (:ref)::text, reference_2, payer_name, now(), now(), 1, 'received', 0, '', '', 0 FROM payments_banktransaction WHERE id = (:tx_row)::bigint RETURNING id AS tx
\gset
BEGIN;
SELECT id FROM payments_banktransaction WHERE id = (:tx)::bigint FOR UPDATE;
SELECT id FROM payments_paymentrequest WHERE id = (:payment_id)::bigint FOR UPDATE;
SELECT id FROM orders_order WHERE id = (:order_id)::bigint FOR UPDATE;
UPDATE orders_order SET status = 'paid', paid_at = now(), updated_at = now() WHERE id = (:order_id)::bigint;
INSERT INTO orders_orderevent (from_status, to_status, amount_minor, note, at, order_id) VALUES ('awaiting_payment', 'paid', 0, '', now(), (:order_id)::bigint);
INSERT INTO ledger_entry (key, kind, reference, memo, created_at, enterprise_id) VALUES ('payment-' || (:order_uid)::text, 'payment', 'PB', '', now(), (:shop)::bigint) RETURNING id AS entry
\gset
INSERT INTO ledger_transfer (entry_id, kind, debit_id, credit_id, amount_satang) SELECT (:entry)::bigint, kind, debit_id, credit_id, amount_satang FROM ledger_transfer WHERE entry_id = (:entry_row)::bigint;
UPDATE invoicing_documentseries SET last_number = last_number + 1 WHERE id = (SELECT min(id) FROM invoicing_documentseries WHERE enterprise_id = (:shop)::bigint) RETURNING last_number AS n
\gset
INSERT INTO invoicing_taxdocument (created_at, updated_at, uid, kind, title, number, issued_at, order_uid, order_number, total_minor, vat_minor, buyer_email, content, enterprise_id) SELECT now(), now(), gen_random_uuid(), kind, title, 'PB' || (:n)::bigint || '-' || substr(md5(random()::text), 1, 8), now(), (:order_uid)::uuid, order_number, total_minor, vat_minor, buyer_email, content, (:shop)::bigint FROM invoicing_taxdocument WHERE id = (:document_row)::bigint;
UPDATE payments_paymentrequest SET status = 'paid', paid_at = now(), updated_at = now() WHERE id = (:payment_id)::bigint;
UPDATE payments_banktransaction SET outcome = 'matched', payment_id = (:payment_id)::bigint WHERE id = (:tx)::bigint;
SELECT size FROM core_auditlogstate WHERE id = 1 FOR UPDATE
\gset
INSERT INTO core_auditentry (index, kind, at, leaf) SELECT (:size)::bigint, kind, now(), leaf FROM core_auditentry WHERE id = (:audit_row)::bigint;
INSERT INTO core_auditnode (level, position, hash) SELECT 0, (:size)::bigint, hash FROM core_auditnode WHERE id = (:node_row)::bigint;
\if :size % 2 = 1
INSERT INTO core_auditnode (level, position, hash) SELECT 1, (:size)::bigint / 2, hash FROM core_auditnode WHERE id = (:node_row)::bigint;
\endif
UPDATE core_auditlogstate SET size = (:size)::bigint + 1, last_leaf_hash = sha256(last_leaf_hash) WHERE id = 1;
END;

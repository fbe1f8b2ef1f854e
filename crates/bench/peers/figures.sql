-- Every seller's account health figures as of one instant, from the data set's
-- CSV tables, in SQL that DuckDB and SQLite both run. The peer fills in
-- {T} (the instant, seconds since the epoch) and {div} (integer division: // in
-- DuckDB, / in SQLite), and expands LOCAL_DAY(x, m), the day number of instant
-- x in marketplace m's calendar, and TODAY(m), that of T (issue 17: days are
-- the marketplace's local days). The rules are SPEC §2-§3, as crates/metrics
-- implements them; one row per seller and marketplace.
WITH
first_confirmation AS (
  SELECT seller_id, order_id, min(confirmed_at) AS first_confirmed_at
  FROM shipments GROUP BY seller_id, order_id
),
-- The earliest cancellation before the first shipment, per order.
cancellation AS (
  SELECT seller_id, order_id, cancelled_at, initiator FROM (
    SELECT c.seller_id, c.order_id, c.cancelled_at, c.initiator,
           row_number() OVER (PARTITION BY c.seller_id, c.order_id ORDER BY c.cancelled_at) AS n
    FROM cancellations c
    LEFT JOIN first_confirmation f ON f.seller_id = c.seller_id AND f.order_id = c.order_id
    WHERE f.first_confirmed_at IS NULL OR c.cancelled_at < f.first_confirmed_at
  ) ranked WHERE n = 1
),
-- The feedback shown on each order at T: the newest left by then.
current_feedback AS (
  SELECT seller_id, order_id, left_at, stars, fulfillment_related FROM (
    SELECT seller_id, order_id, left_at, stars, fulfillment_related,
           row_number() OVER (PARTITION BY seller_id, order_id ORDER BY left_at DESC) AS n
    FROM feedback WHERE left_at <= {T}
  ) ranked WHERE n = 1
),
negative_feedback AS (
  SELECT f.seller_id, f.order_id
  FROM current_feedback f
  JOIN orders o ON o.seller_id = f.seller_id AND o.order_id = f.order_id
  WHERE f.stars <= 2
    AND NOT (o.channel = 'AFN' AND f.fulfillment_related = 1)
    AND NOT EXISTS (
      SELECT 1 FROM feedback_updates u
      WHERE u.seller_id = f.seller_id AND u.order_id = f.order_id
        AND u.action IN ('REMOVED', 'STRUCK_THROUGH')
        AND u.updated_at >= f.left_at AND u.updated_at <= {T})
),
-- Claims filed by T whose latest decision by T is not DENIED.
claim_decision AS (
  SELECT seller_id, order_id, claim_id, outcome FROM (
    SELECT seller_id, order_id, claim_id, outcome,
           row_number() OVER (PARTITION BY seller_id, order_id, claim_id ORDER BY decided_at DESC) AS n
    FROM claims WHERE decided_at IS NOT NULL AND decided_at <= {T}
  ) ranked WHERE n = 1
),
open_claim AS (
  SELECT DISTINCT c.seller_id, c.order_id
  FROM (SELECT DISTINCT seller_id, order_id, claim_id FROM claims WHERE filed_at <= {T}) c
  LEFT JOIN claim_decision d
    ON d.seller_id = c.seller_id AND d.order_id = c.order_id AND d.claim_id = c.claim_id
  WHERE d.outcome IS NULL OR d.outcome <> 'DENIED'
),
service_chargeback AS (
  SELECT DISTINCT seller_id, order_id FROM chargebacks WHERE service_related = 1 AND received_at <= {T}
),
refunded AS (
  SELECT DISTINCT seller_id, order_id FROM refunds WHERE refunded_at <= {T}
),
-- MFN shipments confirmed by T, with their tracking's first scan and delivery by T.
scan_times AS (
  SELECT seller_id, tracking_number, min(first_scan_at) AS first_scan_at, min(delivered_at) AS delivered_at
  FROM scans GROUP BY seller_id, tracking_number
),
shipment AS (
  SELECT s.seller_id, s.order_id, o.marketplace_id, s.units,
         LOCAL_DAY(s.confirmed_at, o.marketplace_id) AS confirmed_day,
         LOCAL_DAY(o.promised_latest_at, o.marketplace_id) AS promised_day,
         CASE WHEN t.first_scan_at <= {T} THEN t.first_scan_at END AS first_scan_at,
         CASE WHEN t.delivered_at <= {T} THEN t.delivered_at END AS delivered_at
  FROM shipments s
  JOIN orders o ON o.seller_id = s.seller_id AND o.order_id = s.order_id
  LEFT JOIN scan_times t ON t.seller_id = s.seller_id AND t.tracking_number = s.tracking_number
  WHERE o.channel = 'MFN' AND o.purchased_at <= {T} AND s.confirmed_at <= {T}
),
-- A unit is on time when its shipment is (SPEC §3): valid tracking by T,
-- delivered by the promised day, not first scanned after the delivery.
units_delivered_on_time AS (
  SELECT seller_id, order_id,
         sum(CASE WHEN first_scan_at IS NOT NULL AND delivered_at IS NOT NULL AND first_scan_at <= delivered_at
                   AND LOCAL_DAY(delivered_at, marketplace_id) <= promised_day THEN units ELSE 0 END) AS units
  FROM shipment GROUP BY seller_id, order_id
),
-- One row per order with everything the order-based rates need.
order_state AS (
  SELECT o.seller_id, o.marketplace_id, o.channel, o.units,
         LOCAL_DAY(o.purchased_at, o.marketplace_id) AS purchase_day,
         LOCAL_DAY(o.latest_ship_at, o.marketplace_id) AS ship_day,
         LOCAL_DAY(o.promised_latest_at, o.marketplace_id) AS promised_day,
         CASE WHEN n.order_id IS NULL THEN 0 ELSE 1 END AS negative,
         CASE WHEN c.order_id IS NULL THEN 0 ELSE 1 END AS claim,
         CASE WHEN b.order_id IS NULL THEN 0 ELSE 1 END AS chargeback,
         CASE WHEN r.order_id IS NULL THEN 0 ELSE 1 END AS refund,
         CASE WHEN x.cancelled_at <= {T} THEN 1 ELSE 0 END AS cancelled,
         CASE WHEN x.cancelled_at <= {T} AND x.initiator IN ('SELLER', 'SYSTEM_UNSHIPPED') THEN 1 ELSE 0 END
           AS seller_cancelled,
         CASE WHEN {T} > o.latest_ship_at
               AND (f.first_confirmed_at IS NULL OR f.first_confirmed_at > o.latest_ship_at) THEN 1 ELSE 0 END
           AS late,
         CASE WHEN u.units IS NULL THEN 0 WHEN u.units < o.units THEN u.units ELSE o.units END AS units_on_time
  FROM orders o
  LEFT JOIN first_confirmation f ON f.seller_id = o.seller_id AND f.order_id = o.order_id
  LEFT JOIN cancellation x ON x.seller_id = o.seller_id AND x.order_id = o.order_id
  LEFT JOIN negative_feedback n ON n.seller_id = o.seller_id AND n.order_id = o.order_id
  LEFT JOIN open_claim c ON c.seller_id = o.seller_id AND c.order_id = o.order_id
  LEFT JOIN service_chargeback b ON b.seller_id = o.seller_id AND b.order_id = o.order_id
  LEFT JOIN refunded r ON r.seller_id = o.seller_id AND r.order_id = o.order_id
  LEFT JOIN units_delivered_on_time u ON u.seller_id = o.seller_id AND u.order_id = o.order_id
  WHERE o.purchased_at <= {T}
),
order_figures AS (
  SELECT seller_id, marketplace_id,
    sum(CASE WHEN channel = 'MFN' AND purchase_day BETWEEN TODAY(marketplace_id) - 73 AND TODAY(marketplace_id) - 14
             AND negative + claim + chargeback > 0 THEN 1 ELSE 0 END) AS odr_mfn_defective,
    sum(CASE WHEN channel = 'MFN' AND purchase_day BETWEEN TODAY(marketplace_id) - 73 AND TODAY(marketplace_id) - 14 THEN 1 ELSE 0 END) AS odr_mfn_orders,
    sum(CASE WHEN channel = 'MFN' AND purchase_day BETWEEN TODAY(marketplace_id) - 73 AND TODAY(marketplace_id) - 14 THEN negative ELSE 0 END)
      AS odr_mfn_negative,
    sum(CASE WHEN channel = 'MFN' AND purchase_day BETWEEN TODAY(marketplace_id) - 73 AND TODAY(marketplace_id) - 14 THEN claim ELSE 0 END)
      AS odr_mfn_claims,
    sum(CASE WHEN channel = 'MFN' AND purchase_day BETWEEN TODAY(marketplace_id) - 73 AND TODAY(marketplace_id) - 14 THEN chargeback ELSE 0 END)
      AS odr_mfn_chargebacks,
    sum(CASE WHEN channel = 'AFN' AND purchase_day BETWEEN TODAY(marketplace_id) - 73 AND TODAY(marketplace_id) - 14
             AND negative + claim + chargeback > 0 THEN 1 ELSE 0 END) AS odr_afn_defective,
    sum(CASE WHEN channel = 'AFN' AND purchase_day BETWEEN TODAY(marketplace_id) - 73 AND TODAY(marketplace_id) - 14 THEN 1 ELSE 0 END) AS odr_afn_orders,
    sum(CASE WHEN channel = 'AFN' AND purchase_day BETWEEN TODAY(marketplace_id) - 73 AND TODAY(marketplace_id) - 14 THEN negative ELSE 0 END)
      AS odr_afn_negative,
    sum(CASE WHEN channel = 'AFN' AND purchase_day BETWEEN TODAY(marketplace_id) - 73 AND TODAY(marketplace_id) - 14 THEN claim ELSE 0 END)
      AS odr_afn_claims,
    sum(CASE WHEN channel = 'AFN' AND purchase_day BETWEEN TODAY(marketplace_id) - 73 AND TODAY(marketplace_id) - 14 THEN chargeback ELSE 0 END)
      AS odr_afn_chargebacks,
    sum(CASE WHEN channel = 'MFN' AND purchase_day BETWEEN TODAY(marketplace_id) - 6 AND TODAY(marketplace_id) THEN seller_cancelled ELSE 0 END)
      AS cancel_seller,
    sum(CASE WHEN channel = 'MFN' AND purchase_day BETWEEN TODAY(marketplace_id) - 6 AND TODAY(marketplace_id) THEN 1 ELSE 0 END) AS cancel_orders,
    sum(CASE WHEN channel = 'MFN' AND cancelled = 0 AND ship_day BETWEEN TODAY(marketplace_id) - 9 AND TODAY(marketplace_id) THEN late ELSE 0 END)
      AS lsr10_late,
    sum(CASE WHEN channel = 'MFN' AND cancelled = 0 AND ship_day BETWEEN TODAY(marketplace_id) - 9 AND TODAY(marketplace_id) THEN 1 ELSE 0 END)
      AS lsr10_due,
    sum(CASE WHEN channel = 'MFN' AND cancelled = 0 AND ship_day BETWEEN TODAY(marketplace_id) - 29 AND TODAY(marketplace_id) THEN late ELSE 0 END)
      AS lsr30_late,
    sum(CASE WHEN channel = 'MFN' AND cancelled = 0 AND ship_day BETWEEN TODAY(marketplace_id) - 29 AND TODAY(marketplace_id) THEN 1 ELSE 0 END)
      AS lsr30_due,
    sum(CASE WHEN channel = 'MFN' AND cancelled = 0 AND promised_day BETWEEN TODAY(marketplace_id) - 29 AND TODAY(marketplace_id)
             THEN units_on_time ELSE 0 END) AS uotdr_units_on_time,
    sum(CASE WHEN channel = 'MFN' AND cancelled = 0 AND promised_day BETWEEN TODAY(marketplace_id) - 29 AND TODAY(marketplace_id)
             THEN units ELSE 0 END) AS uotdr_units,
    sum(CASE WHEN purchase_day BETWEEN TODAY(marketplace_id) - 29 AND TODAY(marketplace_id) THEN refund ELSE 0 END) AS refund_refunded,
    sum(CASE WHEN purchase_day BETWEEN TODAY(marketplace_id) - 29 AND TODAY(marketplace_id) THEN 1 ELSE 0 END) AS refund_orders
  FROM order_state GROUP BY seller_id, marketplace_id
),
shipment_figures AS (
  SELECT seller_id, marketplace_id,
    sum(CASE WHEN confirmed_day BETWEEN TODAY(marketplace_id) - 29 AND TODAY(marketplace_id) AND first_scan_at IS NOT NULL THEN 1 ELSE 0 END)
      AS vtr_valid,
    sum(CASE WHEN confirmed_day BETWEEN TODAY(marketplace_id) - 29 AND TODAY(marketplace_id) THEN 1 ELSE 0 END) AS vtr_confirmed,
    sum(CASE WHEN promised_day BETWEEN TODAY(marketplace_id) - 29 AND TODAY(marketplace_id) AND first_scan_at IS NOT NULL
             AND delivered_at IS NOT NULL AND first_scan_at <= delivered_at
             AND LOCAL_DAY(delivered_at, marketplace_id) <= promised_day THEN 1 ELSE 0 END) AS otdr_on_time,
    sum(CASE WHEN promised_day BETWEEN TODAY(marketplace_id) - 29 AND TODAY(marketplace_id) AND first_scan_at IS NOT NULL THEN 1 ELSE 0 END)
      AS otdr_tracked
  FROM shipment GROUP BY seller_id, marketplace_id
),
-- Return requests by T, by the order's marketplace; dissatisfied once answered
-- later than 48 h (or unanswered past it), rejected against policy, or given
-- negative return feedback.
return_state AS (
  SELECT r.seller_id, o.marketplace_id, LOCAL_DAY(r.requested_at, o.marketplace_id) AS requested_day,
    CASE WHEN ({T} > r.requested_at + 172800
               AND NOT (r.responded_at IS NOT NULL AND r.responded_at <= r.requested_at + 172800))
           OR (r.outcome = 'REJECTED_INVALID' AND r.responded_at <= {T})
           OR (r.negative_feedback = 1 AND coalesce(r.responded_at, r.requested_at) <= {T})
         THEN 1 ELSE 0 END AS dissatisfied
  FROM returns r JOIN orders o ON o.seller_id = r.seller_id AND o.order_id = r.order_id
  WHERE r.requested_at <= {T}
),
return_figures AS (
  SELECT seller_id, marketplace_id,
    sum(CASE WHEN requested_day BETWEEN TODAY(marketplace_id) - 59 AND TODAY(marketplace_id) THEN dissatisfied ELSE 0 END) AS rdr_dissatisfied,
    sum(CASE WHEN requested_day BETWEEN TODAY(marketplace_id) - 59 AND TODAY(marketplace_id) THEN 1 ELSE 0 END) AS rdr_requests
  FROM return_state GROUP BY seller_id, marketplace_id
),
-- Buyer messages by T over the three response-time windows: answered within
-- 24 h, late (answered after, or unanswered past it), or pending.
response_windows AS (SELECT 7 AS window_days UNION ALL SELECT 30 UNION ALL SELECT 90),
message_state AS (
  SELECT m.seller_id, m.marketplace_id, w.window_days,
    CASE WHEN m.first_replied_at <= {T} THEN m.first_replied_at - m.received_at END AS seconds,
    CASE WHEN m.first_replied_at <= {T} AND m.first_replied_at <= m.received_at + 86400 THEN 1 ELSE 0 END AS on_time,
    CASE WHEN (m.first_replied_at <= {T} AND m.first_replied_at > m.received_at + 86400)
           OR ((m.first_replied_at IS NULL OR m.first_replied_at > {T}) AND {T} > m.received_at + 86400)
         THEN 1 ELSE 0 END AS late
  FROM messages m JOIN response_windows w
    ON LOCAL_DAY(m.received_at, m.marketplace_id) BETWEEN TODAY(m.marketplace_id) - w.window_days + 1
                                                      AND TODAY(m.marketplace_id)
  WHERE m.received_at <= {T}
),
message_figures AS (
  SELECT seller_id, marketplace_id, window_days,
    sum(on_time) AS on_time, sum(late) AS late, count(*) - sum(on_time) - sum(late) AS pending,
    count(seconds) AS answered, sum(seconds) AS seconds
  FROM message_state GROUP BY seller_id, marketplace_id, window_days
),
-- The 90th percentile in whole hours: the smallest h with at least 90% of the
-- answers within h hours (rounded up, pooled at 2880).
response_hours AS (
  SELECT seller_id, marketplace_id, window_days, hours, count(*) AS answers FROM (
    SELECT seller_id, marketplace_id, window_days,
           CASE WHEN (seconds + 3599) {div} 3600 > 2880 THEN 2880 ELSE (seconds + 3599) {div} 3600 END AS hours
    FROM message_state WHERE seconds IS NOT NULL
  ) answered GROUP BY seller_id, marketplace_id, window_days, hours
),
p90 AS (
  SELECT seller_id, marketplace_id, window_days, min(hours) AS hours FROM (
    SELECT seller_id, marketplace_id, window_days, hours,
           sum(answers) OVER (PARTITION BY seller_id, marketplace_id, window_days ORDER BY hours) AS seen,
           sum(answers) OVER (PARTITION BY seller_id, marketplace_id, window_days) AS answered
    FROM response_hours
  ) cumulative WHERE seen * 10 >= answered * 9 GROUP BY seller_id, marketplace_id, window_days
),
response_figures AS (
  SELECT f.seller_id, f.marketplace_id, f.window_days, f.on_time, f.late, f.pending, f.answered, f.seconds,
         p.hours AS p90_hours
  FROM message_figures f
  LEFT JOIN p90 p ON p.seller_id = f.seller_id AND p.marketplace_id = f.marketplace_id AND p.window_days = f.window_days
)
SELECT o.seller_id, o.marketplace_id,
  o.odr_mfn_defective, o.odr_mfn_orders, o.odr_mfn_negative, o.odr_mfn_claims, o.odr_mfn_chargebacks,
  o.odr_afn_defective, o.odr_afn_orders, o.odr_afn_negative, o.odr_afn_claims, o.odr_afn_chargebacks,
  o.cancel_seller, o.cancel_orders,
  o.lsr10_late, o.lsr10_due, o.lsr30_late, o.lsr30_due,
  coalesce(s.vtr_valid, 0), coalesce(s.vtr_confirmed, 0),
  coalesce(s.otdr_on_time, 0), coalesce(s.otdr_tracked, 0),
  o.uotdr_units_on_time, o.uotdr_units,
  coalesce(r.rdr_dissatisfied, 0), coalesce(r.rdr_requests, 0),
  o.refund_refunded, o.refund_orders,
  coalesce(m7.on_time, 0), coalesce(m7.late, 0), coalesce(m7.pending, 0),
  coalesce(m7.answered, 0), coalesce(m7.seconds, 0), m7.p90_hours,
  coalesce(m30.on_time, 0), coalesce(m30.late, 0), coalesce(m30.pending, 0),
  coalesce(m30.answered, 0), coalesce(m30.seconds, 0), m30.p90_hours,
  coalesce(m90.on_time, 0), coalesce(m90.late, 0), coalesce(m90.pending, 0),
  coalesce(m90.answered, 0), coalesce(m90.seconds, 0), m90.p90_hours
FROM order_figures o
LEFT JOIN shipment_figures s ON s.seller_id = o.seller_id AND s.marketplace_id = o.marketplace_id
LEFT JOIN return_figures r ON r.seller_id = o.seller_id AND r.marketplace_id = o.marketplace_id
LEFT JOIN response_figures m7
  ON m7.seller_id = o.seller_id AND m7.marketplace_id = o.marketplace_id AND m7.window_days = 7
LEFT JOIN response_figures m30
  ON m30.seller_id = o.seller_id AND m30.marketplace_id = o.marketplace_id AND m30.window_days = 30
LEFT JOIN response_figures m90
  ON m90.seller_id = o.seller_id AND m90.marketplace_id = o.marketplace_id AND m90.window_days = 90
ORDER BY o.seller_id, o.marketplace_id

//! A book's orders found by order id and by tracking number, without a copy
//! of either: the tables hold positions in the book's orders, and the ids are
//! read from the records themselves (issue 16: a `HashMap<String, u32>` kept
//! a second allocation of every order id and tracking number, about 80 bytes
//! an order).

use std::sync::atomic::{AtomicU32, Ordering};

use hashbrown::HashTable;

use super::OrderRecord;

/// Positions of orders by their id, and of shipments by tracking number, in
/// the book's `orders`. Every method is given those orders: an entry's key is
/// read from them (to compare, and to hash again when a table grows).
#[derive(Debug, Default)]
pub(crate) struct OrderIds {
    /// Seeded per process against crafted collisions, as the book's maps are.
    hasher: foldhash::fast::RandomState,
    /// The position of each order.
    by_id: HashTable<u32>,
    /// (order position, shipment position) of each confirmed shipment.
    by_tracking: HashTable<(u32, u32)>,
    /// The position of the order found last by its id, and by a tracking
    /// number: where the next search starts ([`search_from_last`]).
    last_by_id: AtomicU32,
    last_by_tracking: AtomicU32,
}

impl Clone for OrderIds {
    fn clone(&self) -> Self {
        OrderIds {
            hasher: self.hasher.clone(),
            by_id: self.by_id.clone(),
            by_tracking: self.by_tracking.clone(),
            last_by_id: AtomicU32::new(self.last_by_id.load(Ordering::Relaxed)),
            last_by_tracking: AtomicU32::new(self.last_by_tracking.load(Ordering::Relaxed)),
        }
    }
}

/// How many orders from the one found last a search compares before it
/// probes a table.
const ORDERS_AHEAD: u32 = 4;

/// The position of the order `is_it` picks out: looked for first among the
/// [`ORDERS_AHEAD`] orders from the one found `last` on, then by `probe` (a
/// table), and remembered in `last` for the next search.
///
/// The rows of a table (shipments, scans, feedback, an export's lines)
/// mostly name orders in the order they were placed, a few at a time: the
/// order is then found in records next to each other in memory, not by a
/// probe of a table of every id and a record anywhere (on 10,000,000
/// orders, finding orders took 16% of a batch run, nearly all of it
/// waiting on memory). Any other order costs that many comparisons more.
fn search_from_last(
    orders: &[OrderRecord],
    last: &AtomicU32,
    is_it: impl Fn(&OrderRecord) -> bool,
    probe: impl FnOnce() -> Option<u32>,
) -> Option<u32> {
    let from = last.load(Ordering::Relaxed);
    let to = from.saturating_add(ORDERS_AHEAD).min(u32::try_from(orders.len()).unwrap_or(u32::MAX));
    let found = (from..to).find(|&i| order_at(orders, i).is_some_and(&is_it)).or_else(probe);
    if let Some(position) = found {
        last.store(position, Ordering::Relaxed);
    }
    found
}

/// The order at `position`.
fn order_at(orders: &[OrderRecord], position: u32) -> Option<&OrderRecord> {
    orders.get(position as usize)
}

/// The id of the order at `position` ("" past the end: never an order's id).
fn id_at(orders: &[OrderRecord], position: u32) -> &str {
    order_at(orders, position).map_or("", |record| record.order.order_id.as_str())
}

/// The tracking number of shipment `shipment` of the order at `order` ("" if none).
fn tracking_at(orders: &[OrderRecord], (order, shipment): (u32, u32)) -> &str {
    order_at(orders, order)
        .and_then(|record| record.shipments.get(shipment as usize))
        .map_or("", |s| s.tracking_number.as_str())
}

impl OrderIds {
    /// Room for `orders` orders and `shipments` shipments.
    pub(crate) fn with_capacity(orders: usize, shipments: usize) -> OrderIds {
        OrderIds {
            by_id: HashTable::with_capacity(orders),
            by_tracking: HashTable::with_capacity(shipments),
            ..OrderIds::default()
        }
    }

    fn hash(&self, key: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.hasher, key)
    }

    /// The position of the order `order_id` ([`search_from_last`]).
    pub(crate) fn order(&self, orders: &[OrderRecord], order_id: &str) -> Option<u32> {
        let probe = || self.probe_id(orders, order_id);
        search_from_last(orders, &self.last_by_id, |record| record.order.order_id == order_id, probe)
    }

    /// Whether an order has the id `order_id`, asked of the table alone: a
    /// new order's id is checked so, and is never among the orders found
    /// last (searching there first read four records for nothing).
    pub(crate) fn has_order(&self, orders: &[OrderRecord], order_id: &str) -> bool {
        self.probe_id(orders, order_id).is_some()
    }

    fn probe_id(&self, orders: &[OrderRecord], order_id: &str) -> Option<u32> {
        self.by_id.find(self.hash(order_id), |&i| id_at(orders, i) == order_id).copied()
    }

    /// Records the order at `position` (already in `orders`; its id not yet recorded).
    pub(crate) fn add_order(&mut self, orders: &[OrderRecord], position: u32) {
        let hash = self.hash(id_at(orders, position));
        let hasher = &self.hasher;
        self.by_id.insert_unique(hash, position, |&i| std::hash::BuildHasher::hash_one(hasher, id_at(orders, i)));
    }

    /// Forgets the order `order_id` (still in `orders`); its position.
    pub(crate) fn remove_order(&mut self, orders: &[OrderRecord], order_id: &str) -> Option<u32> {
        let found = self.by_id.find_entry(self.hash(order_id), |&i| id_at(orders, i) == order_id).ok()?;
        Some(found.remove().0)
    }

    /// After the order at `removed` left the book's orders: every later
    /// position is one less.
    pub(crate) fn close_gap(&mut self, removed: u32) {
        let later = |position: &mut u32| {
            if *position > removed {
                *position = position.saturating_sub(1);
            }
        };
        self.by_id.iter_mut().for_each(later);
        self.by_tracking.iter_mut().for_each(|(order, _)| later(order));
    }

    /// The position of the order whose shipment has `tracking_number`
    /// ([`search_from_last`]).
    pub(crate) fn order_shipped(&self, orders: &[OrderRecord], tracking_number: &str) -> Option<u32> {
        let probe = || self.probe_tracking(orders, tracking_number);
        let shipped_it = |record: &OrderRecord| record.shipments.iter().any(|s| s.tracking_number == tracking_number);
        search_from_last(orders, &self.last_by_tracking, shipped_it, probe)
    }

    /// Whether a shipment has `tracking_number`, asked of the table alone
    /// ([`OrderIds::has_order`]'s reason: a new shipment's number is checked so).
    pub(crate) fn has_tracking(&self, orders: &[OrderRecord], tracking_number: &str) -> bool {
        self.probe_tracking(orders, tracking_number).is_some()
    }

    fn probe_tracking(&self, orders: &[OrderRecord], tracking_number: &str) -> Option<u32> {
        let eq = |&at: &(u32, u32)| tracking_at(orders, at) == tracking_number;
        self.by_tracking.find(self.hash(tracking_number), eq).map(|&(order, _)| order)
    }

    /// Records the last shipment of the order at `order` (already in its record).
    pub(crate) fn add_shipment(&mut self, orders: &[OrderRecord], order: u32) {
        let shipments = order_at(orders, order).map_or(0, |record| record.shipments.len());
        // A book's orders hold far fewer than 4 billion shipments.
        let at = (order, u32::try_from(shipments.saturating_sub(1)).unwrap_or(u32::MAX));
        let hash = self.hash(tracking_at(orders, at));
        let hasher = &self.hasher;
        self.by_tracking
            .insert_unique(hash, at, |&at| std::hash::BuildHasher::hash_one(hasher, tracking_at(orders, at)));
    }

    /// Forgets the shipment with `tracking_number` (still in its record).
    pub(crate) fn remove_shipment(&mut self, orders: &[OrderRecord], tracking_number: &str) {
        let eq = |&at: &(u32, u32)| tracking_at(orders, at) == tracking_number;
        if let Ok(found) = self.by_tracking.find_entry(self.hash(tracking_number), eq) {
            found.remove();
        }
    }
}

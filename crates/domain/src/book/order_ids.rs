//! A book's orders found by order id and by tracking number, without a copy
//! of either: the tables hold positions in the book's orders, and the ids are
//! read from the records themselves (issue 16: a `HashMap<String, u32>` kept
//! a second allocation of every order id and tracking number, about 80 bytes
//! an order).

use hashbrown::HashTable;

use super::OrderRecord;

/// Positions of orders by their id, and of shipments by tracking number, in
/// the book's `orders`. Every method is given those orders: an entry's key is
/// read from them (to compare, and to hash again when a table grows).
#[derive(Debug, Clone, Default)]
pub(crate) struct OrderIds {
    /// Seeded per process against crafted collisions, as the book's maps are.
    hasher: foldhash::fast::RandomState,
    /// The position of each order.
    by_id: HashTable<u32>,
    /// (order position, shipment position) of each confirmed shipment.
    by_tracking: HashTable<(u32, u32)>,
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

    /// The position of the order `order_id`.
    pub(crate) fn order(&self, orders: &[OrderRecord], order_id: &str) -> Option<u32> {
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

    /// The position of the order whose shipment has `tracking_number`.
    pub(crate) fn order_shipped(&self, orders: &[OrderRecord], tracking_number: &str) -> Option<u32> {
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

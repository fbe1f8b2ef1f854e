//! The gRPC services, one module each.

pub mod account_health;
pub mod feedback;
pub mod ingest;
pub mod reviews;
mod watch;

use sellerhealth_domain::{Applied, Instant, Policy, SellerBook, validate};
use sellerhealth_proto::v1 as pb;
use sellerhealth_store::Store;
use tonic::Status;

use crate::auth::{Grant, Role};
use crate::figures::blocking;
use crate::status;

/// Checks a required id in a request by the rules of ids in facts
/// ([`validate::id`]).
pub(crate) fn required_id<'a>(field: &str, value: &'a str) -> Result<&'a str, Status> {
    validate::id(field, value).map_err(status::from_domain)?;
    Ok(value)
}

/// The seller, marketplace and instant a read is about, once `grant` may read
/// that seller; `as_of` unset means now.
pub(crate) fn scope<'a>(
    grant: &Grant,
    seller_id: &'a str,
    marketplace_id: &'a str,
    as_of: Option<&prost_types::Timestamp>,
) -> Result<(&'a str, &'a str, sellerhealth_domain::Instant), Status> {
    let seller_id = required_id("seller_id", seller_id)?;
    let marketplace_id = required_id("marketplace_id", marketplace_id)?;
    let as_of = crate::convert::as_of(as_of, chrono::Utc::now())?;
    grant.allow(seller_id, Role::Read)?;
    Ok((seller_id, marketplace_id, as_of))
}

/// INVALID_ARGUMENT when a call carries more than `max` events.
pub(crate) fn check_batch(events: usize, max: usize) -> Result<(), Status> {
    if events > max {
        return Err(status::invalid(
            "events",
            format!("{events} events in one call; at most {max} (--max-batch-events): split the batch"),
        ));
    }
    Ok(())
}

/// Default page size of list calls.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 50;
/// Largest page size of list calls.
pub(crate) const MAX_PAGE_SIZE: usize = 500;

/// A page of a list: where it starts and how long it is. The token is the offset
/// of the next item, opaque to callers.
pub(crate) struct Page {
    offset: usize,
    size: usize,
}

impl Page {
    /// Reads `page_size` (0: default) and `page_token` (empty: first page).
    pub(crate) fn parse(page_size: i32, page_token: &str) -> Result<Page, Status> {
        let size = match usize::try_from(page_size) {
            Ok(0) => DEFAULT_PAGE_SIZE,
            Ok(size) if size <= MAX_PAGE_SIZE => size,
            _ => return Err(status::invalid("page_size", format!("must be 0 to {MAX_PAGE_SIZE}"))),
        };
        let offset = if page_token.is_empty() {
            0
        } else {
            page_token
                .strip_prefix("o")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| status::invalid("page_token", "not a token from a previous response"))?
        };
        Ok(Page { offset, size })
    }

    /// This page's items of `all`, and the next page's token (empty on the last page).
    pub(crate) fn cut<'a, T>(&self, all: &'a [T]) -> (&'a [T], String) {
        let start = self.offset.min(all.len());
        let end = start.saturating_add(self.size).min(all.len());
        let next = if end < all.len() { format!("o{end}") } else { String::new() };
        (all.get(start..end).unwrap_or_default(), next)
    }
}

/// Facts sent inline to be evaluated, not stored: `EvaluateAccountHealth`'s
/// fields, or an `InlineFacts`.
pub(crate) struct Inline<'a> {
    pub seller_id: &'a str,
    pub marketplace_id: &'a str,
    pub as_of: Option<&'a prost_types::Timestamp>,
    pub events: &'a [pb::Event],
}

impl<'a> Inline<'a> {
    /// The fields of an `InlineFacts`; an unset message is one without a seller.
    pub(crate) fn of(facts: Option<&'a pb::InlineFacts>) -> Inline<'a> {
        match facts {
            Some(f) => Inline {
                seller_id: &f.seller_id,
                marketplace_id: &f.marketplace_id,
                as_of: f.as_of.as_ref(),
                events: &f.events,
            },
            None => Inline { seller_id: "", marketplace_id: "", as_of: None, events: &[] },
        }
    }

    /// Folds the facts into a fresh book by the stored path's rules, then runs
    /// `evaluate` on it (both on the blocking pool): the what-if of every
    /// summary. `grant` must read the seller; at most `max_batch_events` events;
    /// a refused event refuses the call, naming `events[i]`. Field paths are
    /// prefixed with `prefix` (`facts.` inside an `InlineFacts`).
    pub(crate) async fn evaluate<T: Send + 'static>(
        &self,
        grant: &Grant,
        prefix: &str,
        policy: Policy,
        max_batch_events: usize,
        evaluate: impl FnOnce(&SellerBook, &Policy, &str, Instant) -> T + Send + 'static,
    ) -> Result<T, Status> {
        let checked = self.check(grant, prefix, max_batch_events)?;
        let book = SellerBook::new(&checked.seller_id);
        checked.evaluate_on(book, policy, evaluate).await
    }

    /// The same as [`Inline::evaluate`] with the facts folded in on top of the
    /// seller's stored facts, as if they had been ingested after them (nothing
    /// is stored): the what-if of a live account. NOT_FOUND for a seller with
    /// nothing stored.
    pub(crate) async fn evaluate_on_stored<T: Send + 'static>(
        &self,
        grant: &Grant,
        prefix: &str,
        store: &Store,
        max_batch_events: usize,
        evaluate: impl FnOnce(&SellerBook, &Policy, &str, Instant) -> T + Send + 'static,
    ) -> Result<T, Status> {
        let checked = self.check(grant, prefix, max_batch_events)?;
        let book = store.read(&checked.seller_id, |book, _| book.clone()).await.map_err(status::from_store)?;
        checked.evaluate_on(book, store.policy().clone(), evaluate).await
    }

    /// The checks every evaluation makes before it reads anything: ids, the
    /// grant, the batch size and each event's fields.
    fn check(&self, grant: &Grant, prefix: &str, max_batch_events: usize) -> Result<Checked, Status> {
        let field = |name: &str| format!("{prefix}{name}");
        let seller_id = required_id(&field("seller_id"), self.seller_id)?.to_owned();
        grant.allow(&seller_id, Role::Read)?;
        let marketplace_id = required_id(&field("marketplace_id"), self.marketplace_id)?.to_owned();
        let now = chrono::Utc::now();
        let as_of = crate::convert::as_of(self.as_of, now)?;
        let within = |status: Status| Status::new(status.code(), format!("{prefix}{}", status.message()));
        check_batch(self.events.len(), max_batch_events).map_err(within)?;
        let events = crate::convert::events(self.events).map_err(within)?;
        Ok(Checked { seller_id, marketplace_id, now, as_of, events, prefix: prefix.to_owned() })
    }
}

/// Inline facts that passed [`Inline::check`], ready to fold into a book.
struct Checked {
    seller_id: String,
    marketplace_id: String,
    now: Instant,
    as_of: Instant,
    events: Vec<sellerhealth_domain::Event>,
    prefix: String,
}

impl Checked {
    /// Folds the events into `book` by the stored path's rules, then runs
    /// `evaluate` on it, both on the blocking pool.
    async fn evaluate_on<T: Send + 'static>(
        self,
        mut book: SellerBook,
        policy: Policy,
        evaluate: impl FnOnce(&SellerBook, &Policy, &str, Instant) -> T + Send + 'static,
    ) -> Result<T, Status> {
        let Checked { seller_id, marketplace_id, now, as_of, events, prefix } = self;
        blocking(move || {
            for (index, mut event) in events.into_iter().enumerate() {
                // Inline facts may leave the seller implicit.
                if event.seller_id.is_empty() {
                    event.seller_id.clone_from(&seller_id);
                }
                match book.apply(&event, now, &policy) {
                    Ok(Applied::Accepted | Applied::Duplicate) => {}
                    Err(error) => {
                        return Err(status::from_domain(error.within(format!("{prefix}events[{index}]"))));
                    }
                }
            }
            Ok(evaluate(&book, &policy, &marketplace_id, as_of))
        })
        .await
    }
}

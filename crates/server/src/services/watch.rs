//! Watchers of one seller's account health share one evaluation: a write
//! re-evaluates a watched seller and marketplace once, however many watch it,
//! and the number of watchers is bounded (`--max-watchers`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use chrono::Utc;
use sellerhealth_metrics::AccountHealthReport;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, watch};
use tonic::Status;

use crate::figures::Figures;
use crate::status;

/// How often a watched seller is re-evaluated without being told of a change:
/// time moves windows, and writes by other server processes on a shared
/// database are not announced to this one.
const WATCH_POLL: std::time::Duration = std::time::Duration::from_secs(30);

/// The latest evaluation of a watched seller and marketplace; `None` before the
/// first change.
pub(crate) type Latest = Option<Result<Arc<AccountHealthReport>, Status>>;

/// The watched sellers of this process.
pub(crate) struct Watchers {
    figures: Arc<Figures>,
    permits: Arc<Semaphore>,
    max: u32,
    topics: Mutex<HashMap<(String, String), Weak<Topic>>>,
}

/// One watched seller and marketplace: the task that re-evaluates it, ended
/// when its last watcher leaves.
pub(crate) struct Topic {
    latest: watch::Receiver<Latest>,
    task: tokio::task::AbortHandle,
}

impl Drop for Topic {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A watcher's share: its slot among `--max-watchers`, the topic it follows
/// and the evaluations it has not seen yet.
pub(crate) struct Subscription {
    /// Evaluations published after the subscription was taken.
    pub(crate) latest: watch::Receiver<Latest>,
    _topic: Arc<Topic>,
    _permit: OwnedSemaphorePermit,
}

impl Watchers {
    /// Watchers of the reports of `figures`, at most `max` at once.
    pub(crate) fn new(figures: Arc<Figures>, max: u32) -> Watchers {
        let permits = Arc::new(Semaphore::new(usize::try_from(max).unwrap_or(usize::MAX).min(Semaphore::MAX_PERMITS)));
        Watchers { figures, permits, max, topics: Mutex::new(HashMap::new()) }
    }

    /// Joins the watchers of `seller_id` in `marketplace_id`: every evaluation
    /// from now on reaches the subscription. RESOURCE_EXHAUSTED when
    /// `--max-watchers` watchers are open.
    pub(crate) fn subscribe(&self, seller_id: &str, marketplace_id: &str) -> Result<Subscription, Status> {
        let permit = Arc::clone(&self.permits).try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!("{} watchers open (--max-watchers); retry later", self.max))
        })?;
        let mut topics = self.topics.lock().unwrap_or_else(PoisonError::into_inner);
        topics.retain(|_, topic| topic.strong_count() > 0);
        let key = (seller_id.to_owned(), marketplace_id.to_owned());
        let live = topics.get(&key).and_then(Weak::upgrade).filter(|topic| !topic.task.is_finished());
        let topic = match live {
            Some(topic) => topic,
            None => {
                let topic = Arc::new(self.start(seller_id, marketplace_id));
                topics.insert(key, Arc::downgrade(&topic));
                topic
            }
        };
        let mut latest = topic.latest.clone();
        latest.mark_unchanged();
        Ok(Subscription { latest, _topic: topic, _permit: permit })
    }

    /// Starts following a seller and marketplace: told of this process's
    /// writes from this instant on (subscribed before the task starts).
    fn start(&self, seller_id: &str, marketplace_id: &str) -> Topic {
        let changes = self.figures.store().subscribe();
        let (sender, latest) = watch::channel(None);
        let task = tokio::spawn(follow(
            Arc::clone(&self.figures),
            seller_id.to_owned(),
            marketplace_id.to_owned(),
            changes,
            sender,
        ));
        Topic { latest, task: task.abort_handle() }
    }
}

/// Re-evaluates after each write that touches the seller and every
/// [`WATCH_POLL`], publishing each evaluation; stops after a failed one.
async fn follow(
    figures: Arc<Figures>,
    seller_id: String,
    marketplace_id: String,
    mut changes: broadcast::Receiver<String>,
    sender: watch::Sender<Latest>,
) {
    let mut poll = tokio::time::interval_at(tokio::time::Instant::now() + WATCH_POLL, WATCH_POLL);
    loop {
        tokio::select! {
            _ = poll.tick() => {}
            changed = changes.recv() => match changed {
                Ok(seller) if seller != seller_id => continue,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            },
        }
        let evaluated = figures.account_health(&seller_id, &marketplace_id, Utc::now()).await;
        let failed = evaluated.is_err();
        sender.send_replace(Some(evaluated.map(|evaluated| Arc::new(evaluated.report))));
        if failed {
            break;
        }
    }
    tracing::debug!(seller = %status::cut(&seller_id), "watch topic ended");
}

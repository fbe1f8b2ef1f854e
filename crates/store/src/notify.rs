//! Other processes' writes, on PostgreSQL: each write transaction notifies
//! [`WRITES_CHANNEL`](crate::write::WRITES_CHANNEL) with its origin and seller
//! (see [`raise_versions`](crate::write::raise_versions)); this task LISTENs
//! and passes the sellers other processes wrote on to this process's
//! subscribers, so their watchers re-evaluate at once instead of at their poll.
//! Reports need no notification: they read the seller's version on every call.

use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::broadcast;

use crate::write::WRITES_CHANNEL;

/// How long to wait before listening again after the connection failed.
const RETRY: Duration = Duration::from_secs(1);

/// Runs until aborted (when the store is dropped).
pub(crate) async fn forward_other_writes(url: String, origin: String, changes: broadcast::Sender<String>) {
    loop {
        let mut listener = match listen(&url).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for other servers' writes; watchers rely on their poll");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        loop {
            match listener.recv().await {
                Ok(notification) => {
                    let (from, seller) = notification.payload().split_once(' ').unwrap_or_default();
                    if from != origin && !seller.is_empty() {
                        // No receiver is not an error: nobody is watching.
                        let _ = changes.send(seller.to_owned());
                    }
                }
                Err(error) => {
                    // Notifications sent while disconnected are lost: watchers' poll covers them.
                    tracing::warn!(%error, "lost the notification connection; listening again");
                    tokio::time::sleep(RETRY).await;
                    break;
                }
            }
        }
    }
}

async fn listen(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(WRITES_CHANNEL).await?;
    Ok(listener)
}

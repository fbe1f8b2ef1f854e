//! Where the command line sends its calls: a running server, or the embedded
//! store served in this process for the length of the command.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::ingest_service_client::IngestServiceClient;
use sellerhealth_server::InProcessServer;
use tonic::transport::Channel;

use crate::files::{Parsed, Rejection};

/// A connection for the length of one command.
pub struct Connection {
    /// The channel calls go over.
    pub channel: Channel,
    embedded: Option<InProcessServer>,
}

impl Connection {
    /// Connects to `server` (`http://host:port`), or, without one, serves the
    /// embedded store at `database_url` on a loopback port of this process.
    pub async fn open(server: Option<&str>, database_url: &str) -> anyhow::Result<Connection> {
        if let Some(server) = server {
            // `host:port` is a server too: plain gRPC unless a scheme says otherwise.
            let url = if server.contains("://") { server.to_owned() } else { format!("http://{server}") };
            let channel = Channel::from_shared(url)
                .with_context(|| format!("{server:?} is not a server address (host:port or http://host:port)"))?
                .connect()
                .await
                .with_context(|| format!("cannot reach the server at {server}"))?;
            return Ok(Connection { channel, embedded: None });
        }
        let embedded = InProcessServer::start(database_url).await.context("opening the embedded store")?;
        let channel = embedded.channel().await?;
        Ok(Connection { channel, embedded: Some(embedded) })
    }

    /// Stops the embedded store, if any, after its calls finished.
    pub async fn close(self) -> anyhow::Result<()> {
        match self.embedded {
            Some(embedded) => embedded.stop().await,
            None => Ok(()),
        }
    }
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Data lines read.
    pub rows: usize,
    /// The encoding the file was read in (`UTF-8`, `Windows-1252`, …), so a
    /// garbled name can be traced to a file saved in another encoding.
    pub read_as: Option<String>,
    /// Events stored now.
    pub accepted: i64,
    /// Events already stored (re-imports change nothing).
    pub duplicates: i64,
    /// Lines or events refused, with line numbers and reasons, in line order.
    pub rejected: Vec<Rejection>,
    /// What the file could not say (rows skipped, data missing), from the importer.
    pub notes: Vec<String>,
}

impl ImportSummary {
    /// The summary for a person: counts, the importer's notes, then each rejection.
    pub fn render(&self) -> String {
        let read_as = self.read_as.as_ref().map(|encoding| format!(" as {encoding}")).unwrap_or_default();
        let mut out = format!(
            "{} rows read{read_as}: {} events accepted, {} duplicates, {} rejected\n",
            self.rows,
            self.accepted,
            self.duplicates,
            self.rejected.len()
        );
        for note in &self.notes {
            out.push_str(note);
            out.push('\n');
        }
        for rejection in &self.rejected {
            out.push_str(&format!("  line {}: {}\n", rejection.line, rejection.reason));
        }
        out
    }
}

/// Events per bulk stream call: one progress step each.
const EVENTS_PER_CALL: usize = 500;

/// Sends a parsed file's events through `StreamEvents`, showing progress with
/// rate and ETA (when `progress`), and sums up what happened to every line.
pub async fn import(channel: Channel, parsed: Parsed, progress: bool) -> anyhow::Result<ImportSummary> {
    let mut summary =
        ImportSummary { rows: parsed.rows, rejected: parsed.rejected, notes: parsed.notes, ..ImportSummary::default() };
    let bar = if progress { ProgressBar::new(parsed.events.len() as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} events  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut client = IngestServiceClient::new(channel);
    for batch in parsed.events.chunks(EVENTS_PER_CALL) {
        let events: Vec<pb::Event> = batch.iter().map(|(_, event)| event.clone()).collect();
        let request = tokio_stream::once(pb::StreamEventsRequest { events });
        let answer = client.stream_events(request).await.context("sending events")?.into_inner();
        summary.accepted = summary.accepted.saturating_add(answer.accepted);
        summary.duplicates = summary.duplicates.saturating_add(answer.duplicates);
        for rejection in answer.rejections {
            let line = usize::try_from(rejection.index).ok().and_then(|i| batch.get(i)).map_or(0, |(line, _)| *line);
            let reason = if rejection.field.is_empty() {
                rejection.reason
            } else {
                format!("{}: {}", rejection.field, rejection.reason)
            };
            summary.rejected.push(Rejection { line, reason });
        }
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    summary.rejected.sort_by_key(|r| r.line);
    Ok(summary)
}

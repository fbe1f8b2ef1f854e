//! The server run inside another program on a free loopback port, for tools
//! that need the service without a separate process (the command line's
//! embedded store, the benchmarks).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::bail;
use clap::Parser;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Channel;

use crate::{Config, serve_on};

/// A server serving the database at a URL from this process until stopped.
#[derive(Debug)]
pub struct InProcessServer {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl InProcessServer {
    /// Serves `database_url` on a free loopback port and waits until it answers;
    /// an error if it could not start within 30 s (with the server's own error).
    pub async fn start(database_url: &str) -> anyhow::Result<InProcessServer> {
        // Bound here and handed over: the port stays this server's from the start.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let config = Config::try_parse_from([
            "sellerhealth-server",
            "--listen",
            &addr.to_string(),
            "--database-url",
            database_url,
        ])?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_on(config, Some(listener), async {
            let _ = stopped.await;
        }));
        let server = InProcessServer { addr, stop, task };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.channel().await.is_err() {
            if server.task.is_finished() {
                return match server.task.await? {
                    Err(error) => Err(error.context("the in-process server did not start")),
                    Ok(()) => bail!("the in-process server stopped at once"),
                };
            }
            if Instant::now() > deadline {
                bail!("the in-process server did not start on {addr} in 30 s");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(server)
    }

    /// A new connection to the server.
    pub async fn channel(&self) -> anyhow::Result<Channel> {
        Ok(Channel::from_shared(format!("http://{}", self.addr))?.connect().await?)
    }

    /// Stops the server after its in-flight calls and returns how serving ended.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await?
    }
}

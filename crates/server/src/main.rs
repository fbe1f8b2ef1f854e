//! The `sellerhealth-server` binary: parses flags, sets up logging, serves until
//! SIGINT or SIGTERM, then drains in-flight calls.

use std::io::IsTerminal;

use clap::Parser;
use sellerhealth_server::{Command, Config, LogFormat, print_counters, rebuild, serve, shutdown_signal};
use tracing_subscriber::EnvFilter;

/// mimalloc: folding many facts into a book allocates and frees many small
/// strings, which it does about twice as fast as the system allocator
/// (docs/BENCHMARKS.md, batch evaluation).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour only for a person at a terminal: a log file or a collector gets
    // plain text (issue 19).
    let colour = std::io::stderr().is_terminal();
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour);
    match config.log_format {
        LogFormat::Human => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    match config.command {
        Some(Command::Rebuild) => rebuild(config).await,
        Some(Command::Counters { ref seller, ref marketplace }) => {
            print_counters(&config, seller, marketplace.as_deref(), &mut std::io::stdout().lock()).await
        }
        None => serve(config, shutdown_signal()).await,
    }
}

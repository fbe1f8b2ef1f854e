//! `sellerhealth`: Seller Central files in, account health reports and charts out.
//!
//! It never panics: flags are range-checked by clap (exit 2 naming the range),
//! files are read by importers that reject bad lines, and output to a closed
//! pipe ends the command quietly.

#![deny(clippy::arithmetic_side_effects)]

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Days, NaiveDate, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use sellerhealth_cli::client::{Connection, ImportSummary, import};
use sellerhealth_cli::files::{self, DateOrder, Decoded, FileError, MAX_HANDLING_DAYS, Parsed};
use sellerhealth_cli::{batch, chart, reconcile, table, wire_json};
use sellerhealth_metrics::sp_api;
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_client::AccountHealthServiceClient;

/// mimalloc: folding many facts into a book allocates and frees many small
/// strings, which it does about twice as fast as the system allocator
/// (docs/BENCHMARKS.md, batch evaluation).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Account health of marketplace sellers from their orders, feedback and other
/// facts. Talks to a running server (--server), or to the embedded database.
#[derive(Parser)]
#[command(name = "sellerhealth", version)]
struct Cli {
    /// Server to talk to (http://host:50051); default: the embedded database.
    #[arg(long, global = true, env = "SELLERHEALTH_SERVER")]
    server: Option<String>,
    /// Embedded database directory (as the server's --data-dir).
    #[arg(long, global = true, env = "SELLERHEALTH_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// Embedded database URL; default: sellerhealth.db in --data-dir.
    #[arg(long, global = true, env = "SELLERHEALTH_DATABASE_URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import a file of facts.
    #[command(subcommand)]
    Import(Import),
    /// Every seller's and marketplace's account health from a data set on
    /// files, with no server or database: one report per line on standard
    /// output, refused rows on standard error (exit 1 if any).
    Batch(BatchArgs),
    /// Everything else: questions to the store.
    #[command(flatten)]
    Query(Query),
}

#[derive(Subcommand)]
enum Query {
    /// The account health report of a seller.
    Report {
        /// Seller id.
        seller: String,
        /// Evaluation date (YYYY-MM-DD, 1970-01-01 to 2199-12-31, the end of that day in the
        /// marketplace's time zone); default: now.
        #[arg(long, value_parser = day_arg)]
        as_of: Option<NaiveDate>,
        /// Marketplace id.
        #[arg(long, default_value = "ATVPDKIKX0DER")]
        marketplace: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// A metric's daily rate as a chart.
    History {
        /// Seller id.
        seller: String,
        /// The metric whose days to chart.
        #[arg(long, value_enum)]
        metric: MetricName,
        /// First day (YYYY-MM-DD, 1970-01-01 to 2199-12-31); default: 29 days before --to.
        #[arg(long, value_parser = day_arg)]
        from: Option<NaiveDate>,
        /// Last day (YYYY-MM-DD, 1970-01-01 to 2199-12-31); default: today.
        #[arg(long, value_parser = day_arg)]
        to: Option<NaiveDate>,
        /// Marketplace id.
        #[arg(long, default_value = "ATVPDKIKX0DER")]
        marketplace: String,
        /// Also write the chart as an SVG file.
        #[arg(long)]
        svg: Option<PathBuf>,
    },
    /// Amazon's GET_V2_SELLER_PERFORMANCE_REPORT beside ours, metric by metric.
    Reconcile {
        /// Seller id.
        seller: String,
        /// The report downloaded from Amazon (JSON).
        amazon_report: PathBuf,
        /// Marketplace id.
        #[arg(long, default_value = "ATVPDKIKX0DER")]
        marketplace: String,
        /// Evaluation date of ours (YYYY-MM-DD, 1970-01-01 to 2199-12-31, the end of that day in the
        /// marketplace's time zone); default: now.
        #[arg(long, value_parser = day_arg)]
        as_of: Option<NaiveDate>,
    },
}

#[derive(Subcommand)]
enum Import {
    /// Seller Central's order report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL).
    Orders {
        /// The tab-separated file.
        file: PathBuf,
        /// Seller the orders belong to.
        #[arg(long)]
        seller: String,
        /// Marketplace id for every order; default: from each row's sales-channel.
        #[arg(long)]
        marketplace: Option<String>,
        /// Days from purchase to the latest ship date (the file does not carry it), 0 to 30.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_HANDLING_DAYS)))]
        handling_days: u32,
    },
    /// The shipment confirmation file uploaded to Seller Central (Flat.File.ShippingConfirm).
    Shipments {
        /// The tab-separated file (or a spreadsheet's comma-separated copy).
        file: PathBuf,
        /// Seller the shipments belong to.
        #[arg(long)]
        seller: String,
    },
    /// A returns report: FBA customer returns or seller-fulfilled returns (told apart by the header).
    Returns {
        /// The tab-separated file (or a spreadsheet's comma-separated copy).
        file: PathBuf,
        /// Seller the returns belong to.
        #[arg(long)]
        seller: String,
    },
    /// Seller Central's feedback file (GET_SELLER_FEEDBACK_DATA).
    Feedback {
        /// The tab-separated file.
        file: PathBuf,
        /// Seller the feedback belongs to.
        #[arg(long)]
        seller: String,
        /// Order of the date's parts: mdy (amazon.com), dmy (Europe), ymd (Japan).
        #[arg(long, value_enum, default_value = "mdy")]
        date_order: DateOrder,
    },
    /// JSON lines, one contract Event each (any fact).
    Events {
        /// The file.
        file: PathBuf,
    },
}

#[derive(clap::Args)]
struct BatchArgs {
    /// A directory of CSV tables (orders.csv, shipments.csv, …, as
    /// `sellerhealth-bench generate` writes them; docs/BATCH.md), or a file of
    /// JSON-lines contract events (as `import events` reads).
    input: PathBuf,
    /// Evaluation instant: an RFC 3339 instant for every marketplace, or a day
    /// (YYYY-MM-DD: the end of it in each marketplace's time zone, as `report
    /// --as-of`), 1970 to 2199; default: now.
    #[arg(long, value_parser = as_of_arg)]
    as_of: Option<batch::AsOf>,
    /// Output: the contract's JSON of each report, one a line (as `report
    /// --format json`), or the table of figures the batch benchmark compares.
    #[arg(long, value_enum, default_value = "json")]
    format: BatchFormat,
    /// Worker threads, 1 to 1024; default: one per core.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Policy profile JSON, as the server's --policy; default: the built-in amazon profile.
    #[arg(long)]
    policy: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum BatchFormat {
    /// One report per line, as the contract's JSON.
    Json,
    /// A header, then the 41 figures of each report, tab-separated.
    Table,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A table for people.
    Table,
    /// The contract's JSON (as grpcurl prints it).
    Json,
    /// SP-API GET_V2_SELLER_PERFORMANCE_REPORT JSON.
    SpApi,
}

/// A date flag: `YYYY-MM-DD` in the supported range (1970-01-01 to 2199-12-31).
fn day_arg(text: &str) -> Result<NaiveDate, String> {
    let day: NaiveDate = text.parse().map_err(|e| format!("{e} (expected YYYY-MM-DD)"))?;
    sellerhealth_domain::time::check_day("date", day)
        .map_err(|_| format!("{day} is outside the supported range 1970-01-01 to 2199-12-31"))
}

/// `batch --as-of`: `YYYY-MM-DD` (the end of that day in each marketplace's
/// time zone) or an RFC 3339 instant, in the supported range.
fn as_of_arg(text: &str) -> Result<batch::AsOf, String> {
    if text.parse::<NaiveDate>().is_ok() {
        return day_arg(text).map(batch::AsOf::EndOfDay);
    }
    let at = DateTime::parse_from_rfc3339(text)
        .map_err(|e| format!("{e} (expected YYYY-MM-DD or an RFC 3339 instant such as 2026-10-01T00:00:00Z)"))?
        .with_timezone(&Utc);
    sellerhealth_domain::time::check_instant("as_of", at)
        .map(batch::AsOf::Instant)
        .map_err(|_| format!("{at} is outside the supported range 1970-01-01 to 2199-12-31"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(error) => {
            // A refusal by the server reads as its message and code, not tonic's Debug.
            let message = match error.downcast_ref::<tonic::Status>() {
                Some(status) => format!("error: {} ({:?})", status.message(), status.code()),
                None => format!("error: {error:#}"),
            };
            // Nowhere to say it if standard error is closed too: the exit code tells.
            let _ = writeln!(std::io::stderr(), "{message}");
            ExitCode::from(2)
        }
    }
}

/// Writes `text` to standard output; a reader that went away (`| head`) ends
/// the output quietly instead of failing the command.
fn print_out(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(error).context("writing to standard output")
        }
        _ => Ok(()),
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let database_url = cli
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", cli.data_dir.join("sellerhealth.db").display()));
    let query = match cli.command {
        Command::Import(what) => {
            // Read the file before connecting: a refused file changes nothing.
            let (parsed, decoded) = read_import(&what)?;
            let connection = Connection::open(cli.server.as_deref(), &database_url).await?;
            let summary = import(connection.channel.clone(), parsed, std::io::stderr().is_terminal()).await;
            connection.close().await?;
            let summary = ImportSummary { read_as: Some(decoded.to_string()), ..summary? };
            print_out(&summary.render())?;
            return Ok(if summary.rejected.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) });
        }
        Command::Batch(args) => return batch(&args),
        Command::Query(query) => query,
    };
    let connection = Connection::open(cli.server.as_deref(), &database_url).await?;
    let outcome = run_query(&query, &connection).await;
    connection.close().await?;
    print_out(&outcome?)?;
    Ok(ExitCode::SUCCESS)
}

/// `sellerhealth batch`: reads the data set, evaluates every seller, prints
/// the reports, and the summary with every refused row on standard error.
fn batch(args: &BatchArgs) -> anyhow::Result<ExitCode> {
    let clock = Utc::now();
    let as_of = args.as_of.unwrap_or(batch::AsOf::Instant(clock));
    // The latest instant reports are as of: every time zone's end of a day is
    // before the end of the next day in UTC.
    let latest = match as_of {
        batch::AsOf::Instant(at) => at,
        batch::AsOf::EndOfDay(day) => {
            day.succ_opt().and_then(|next| next.and_hms_opt(23, 59, 59)).map_or(clock, |end| end.and_utc())
        }
    };
    let policy = match &args.policy {
        None => sellerhealth_domain::Policy::amazon(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the policy profile {}", path.display()))?;
            sellerhealth_domain::Policy::from_json(&text)
                .with_context(|| format!("loading the policy profile {}", path.display()))?
        }
    };
    let threads = match args.threads {
        Some(n) => usize::from(n),
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let format = match args.format {
        BatchFormat::Json => batch::Format::Json,
        BatchFormat::Table => batch::Format::Table,
    };
    let progress = std::io::stderr().is_terminal();
    let data = batch::DataSet::open(&args.input, progress, threads)?;
    let options = batch::Options { as_of, now: clock.max(latest), policy, format, threads };
    let evaluated = data.evaluate(&options, progress)?;
    let mut out = String::new();
    if format == batch::Format::Table {
        out.push_str(&batch::figures::header());
        out.push('\n');
    }
    for line in &evaluated.lines {
        out.push_str(line);
        out.push('\n');
    }
    print_out(&out)?;
    // Nowhere to say it if standard error is closed: the exit code tells.
    let _ = std::io::stderr().lock().write_all(evaluated.summary(as_of).as_bytes());
    Ok(if evaluated.rejected.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Reads and parses the file to import; the text is given back without its
/// body, only how it was read.
fn read_import(what: &Import) -> anyhow::Result<(Parsed, Decoded)> {
    let read = |file: &PathBuf| -> anyhow::Result<Decoded> {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        Ok(files::decode(&bytes))
    };
    let (parsed, decoded): (Result<Parsed, FileError>, Decoded) = match what {
        Import::Orders { file, seller, marketplace, handling_days } => {
            let decoded = read(file)?;
            (files::parse_order_report(&decoded.text, seller, marketplace.as_deref(), *handling_days), decoded)
        }
        Import::Shipments { file, seller } => {
            let decoded = read(file)?;
            (files::parse_shipment_confirmations(&decoded.text, seller), decoded)
        }
        Import::Returns { file, seller } => {
            let decoded = read(file)?;
            (files::parse_returns_report(&decoded.text, seller), decoded)
        }
        Import::Feedback { file, seller, date_order } => {
            let decoded = read(file)?;
            (files::parse_feedback_file(&decoded.text, seller, *date_order), decoded)
        }
        Import::Events { file } => {
            let decoded = read(file)?;
            (Ok(files::parse_event_lines(&decoded.text)), decoded)
        }
    };
    let parsed = parsed.with_context(|| format!("the file (read as {decoded}) is refused"))?;
    Ok((parsed, Decoded { text: String::new(), ..decoded }))
}

/// The end of `day` (its last second) in `marketplace`'s time zone under
/// the built-in profile, or now.
fn as_of(day: Option<NaiveDate>, marketplace: &str) -> Option<prost_types::Timestamp> {
    let calendar = sellerhealth_domain::Policy::amazon().calendar(marketplace);
    day.map(|d| prost_types::Timestamp { seconds: calendar.end_of(d).timestamp(), nanos: 0 })
}

fn wire_date(day: NaiveDate) -> pb::Date {
    use chrono::Datelike;
    pb::Date { year: day.year(), month: day.month() as i32, day: day.day() as i32 }
}

/// The metrics a history charts, by the names `--metric` takes: every one is
/// listed in `--help` and in the error for an unknown name, with the nearest
/// suggested; a few names people reach for first are aliases.
#[derive(Clone, Copy, ValueEnum)]
enum MetricName {
    #[value(name = "order-defect-rate-mfn", alias = "odr", alias = "odr-mfn")]
    OrderDefectRateMfn,
    #[value(name = "order-defect-rate-afn", alias = "odr-afn")]
    OrderDefectRateAfn,
    #[value(name = "pre-fulfillment-cancel-rate", alias = "cancellation-rate", alias = "cancel-rate")]
    PreFulfillmentCancelRate,
    #[value(name = "late-shipment-rate-10d")]
    LateShipmentRate10d,
    #[value(name = "late-shipment-rate-30d", alias = "late-shipment-rate")]
    LateShipmentRate30d,
    #[value(name = "valid-tracking-rate")]
    ValidTrackingRate,
    #[value(name = "on-time-delivery-rate")]
    OnTimeDeliveryRate,
    #[value(name = "unit-on-time-delivery-rate")]
    UnitOnTimeDeliveryRate,
    #[value(name = "contact-response-time-7d")]
    ContactResponseTime7d,
    #[value(name = "contact-response-time-30d")]
    ContactResponseTime30d,
    #[value(name = "contact-response-time-90d")]
    ContactResponseTime90d,
    #[value(name = "return-dissatisfaction-rate")]
    ReturnDissatisfactionRate,
    #[value(name = "refund-rate")]
    RefundRate,
    #[value(name = "customer-service-dissatisfaction-rate")]
    CustomerServiceDissatisfactionRate,
    #[value(name = "invoice-defect-rate")]
    InvoiceDefectRate,
}

impl MetricName {
    /// The contract's metric of that name.
    fn wire(self) -> pb::Metric {
        use pb::Metric as M;
        match self {
            MetricName::OrderDefectRateMfn => M::OrderDefectRateMfn,
            MetricName::OrderDefectRateAfn => M::OrderDefectRateAfn,
            MetricName::PreFulfillmentCancelRate => M::PreFulfillmentCancelRate,
            MetricName::LateShipmentRate10d => M::LateShipmentRate10d,
            MetricName::LateShipmentRate30d => M::LateShipmentRate30d,
            MetricName::ValidTrackingRate => M::ValidTrackingRate,
            MetricName::OnTimeDeliveryRate => M::OnTimeDeliveryRate,
            MetricName::UnitOnTimeDeliveryRate => M::UnitOnTimeDeliveryRate,
            MetricName::ContactResponseTime7d => M::ContactResponseTime7d,
            MetricName::ContactResponseTime30d => M::ContactResponseTime30d,
            MetricName::ContactResponseTime90d => M::ContactResponseTime90d,
            MetricName::ReturnDissatisfactionRate => M::ReturnDissatisfactionRate,
            MetricName::RefundRate => M::RefundRate,
            MetricName::CustomerServiceDissatisfactionRate => M::CustomerServiceDissatisfactionRate,
            MetricName::InvoiceDefectRate => M::InvoiceDefectRate,
        }
    }
}

async fn run_query(command: &Query, connection: &Connection) -> anyhow::Result<String> {
    let mut client = AccountHealthServiceClient::new(connection.channel.clone());
    match command {
        Query::Report { seller, as_of: day, marketplace, format: Format::SpApi } => {
            let request = pb::GetSellerPerformanceReportRequest {
                seller_id: seller.clone(),
                marketplace_id: marketplace.clone(),
                as_of: as_of(*day, marketplace),
            };
            let json = client.get_seller_performance_report(request).await?.into_inner().json;
            let value: serde_json::Value = serde_json::from_str(&json)?;
            Ok(format!("{}\n", serde_json::to_string_pretty(&value)?))
        }
        Query::Report { seller, as_of: day, marketplace, format } => {
            let request = pb::GetAccountHealthRequest {
                seller_id: seller.clone(),
                marketplace_id: marketplace.clone(),
                as_of: as_of(*day, marketplace),
            };
            let report = client.get_account_health(request).await?.into_inner().report.context("no report")?;
            Ok(match format {
                Format::Json => {
                    let json = wire_json::to_json(&report, "sellerhealth.v1.AccountHealthReport")
                        .map_err(anyhow::Error::msg)?;
                    format!("{}\n", serde_json::to_string_pretty(&json)?)
                }
                _ => table::render(&report, colour()),
            })
        }
        Query::History { seller, metric, from, to, marketplace, svg } => {
            let metric = metric.wire();
            let to = to.unwrap_or_else(|| Utc::now().date_naive());
            let from = from.unwrap_or_else(|| to.checked_sub_days(Days::new(29)).unwrap_or(to));
            let request = pb::GetMetricHistoryRequest {
                seller_id: seller.clone(),
                marketplace_id: marketplace.clone(),
                metrics: vec![metric as i32],
                from: Some(wire_date(from)),
                to: Some(wire_date(to)),
            };
            let history = client.get_metric_history(request).await?.into_inner();
            let history = history.histories.into_iter().next().context("no history for that metric")?;
            let report_request = pb::GetAccountHealthRequest {
                seller_id: seller.clone(),
                marketplace_id: marketplace.clone(),
                as_of: as_of(Some(to), marketplace),
            };
            let report = client.get_account_health(report_request).await?.into_inner().report.context("no report")?;
            let target = report.rates().find(|m| m.metric == metric as i32).map_or(0.0, |m| m.target_value);
            let points = chart::points(&history);
            let title = format!("{} of {seller}, {from} .. {to}", table::metric_label(metric));
            if let Some(path) = svg {
                chart::svg(path, &title, &points, target)?;
            }
            let mut out = chart::terminal(&title, &points, target);
            if let Some(path) = svg {
                out.push_str(&format!("SVG written to {}\n", path.display()));
            }
            Ok(out)
        }
        Query::Reconcile { seller, amazon_report, marketplace, as_of: day } => {
            let bytes = std::fs::read(amazon_report).with_context(|| format!("reading {}", amazon_report.display()))?;
            let (amazon, _) = reconcile::read_report(&bytes)
                .map_err(|reason| anyhow::anyhow!("{}: {reason}", amazon_report.display()))?;
            let request = pb::GetSellerPerformanceReportRequest {
                seller_id: seller.clone(),
                marketplace_id: marketplace.clone(),
                as_of: as_of(*day, marketplace),
            };
            let json = client.get_seller_performance_report(request).await?.into_inner().json;
            // Ours is read by the same reader as Amazon's: a shape it refuses is our bug.
            let ours = sp_api::from_str(&json).context("reading our own SP-API report")?;
            let comparison = reconcile::compare(&amazon, &ours, Some(marketplace))
                .map_err(|reason| anyhow::anyhow!("{}: {reason}", amazon_report.display()))?;
            Ok(reconcile::render(&comparison))
        }
    }
}

/// Colour when standard output is a terminal and NO_COLOR is not set.
fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

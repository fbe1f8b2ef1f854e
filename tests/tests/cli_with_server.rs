//! The command line against a running server (`--server`) rather than the
//! embedded store: an order file imported over gRPC, then the report.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::process::Command;

use common::{Server, workspace_binary};

#[tokio::test]
async fn the_command_line_imports_and_reports_through_a_server() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let url = format!("http://{}", server.addr);
    let orders = data.path().join("orders.txt");
    // Two MFN orders on 2026-05-01 and 05-02 (one on two item rows) and one AFN.
    std::fs::write(
        &orders,
        "amazon-order-id\tpurchase-date\tfulfillment-channel\tsales-channel\tquantity\n\
         112-1\t2026-05-01T09:00:00+00:00\tMerchant\tAmazon.com\t1\n\
         112-1\t2026-05-01T09:00:00+00:00\tMerchant\tAmazon.com\t1\n\
         112-2\t2026-05-02T09:00:00+00:00\tMerchant\tAmazon.com\t1\n\
         112-3\t2026-05-02T10:00:00+00:00\tAmazon\tAmazon.com\t1\n",
    )
    .unwrap();
    // The CLI must not fall back to an embedded store: point it at an empty directory.
    let elsewhere = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| {
        let output = Command::new(workspace_binary("sellerhealth", "sellerhealth-cli"))
            .args(["--server", &url, "--data-dir"])
            .arg(elsewhere.path())
            .args(args)
            .output()
            .unwrap();
        (output.status.code(), String::from_utf8(output.stdout).unwrap())
    };
    let (code, out) = cli(&["import", "orders", orders.to_str().unwrap(), "--seller", "via-server"]);
    assert_eq!(
        (code, out.as_str()),
        (
            Some(0),
            "4 rows read as UTF-8: 3 events accepted, 0 duplicates, 0 rejected\n\
             2 merchant-fulfilled orders without shipment data (the order report has no ship dates): they count in \
             no shipping metric — import the shipment confirmation file\n"
        )
    );

    // As of 2026-06-30 the ODR window is 2026-04-18 .. 2026-06-16: 2 MFN orders, 1 AFN.
    let (code, out) = cli(&["report", "via-server", "--as-of", "2026-06-30", "--format", "json"]);
    assert_eq!(code, Some(0));
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["orderDefectRateMfn"]["rate"]["denominator"], "2");
    assert_eq!(report["orderDefectRateAfn"]["rate"]["denominator"], "1");
    // Issue 19: `--server host:port`, without the scheme, reaches it too.
    let output = Command::new(workspace_binary("sellerhealth", "sellerhealth-cli"))
        .args(["--server", &server.addr, "--data-dir"])
        .arg(elsewhere.path())
        .args(["report", "via-server", "--as-of", "2026-06-30", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), out);
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0, "no embedded database was created");
    server.stop().await;
}

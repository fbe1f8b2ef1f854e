//! The contract outside Rust: a Python client generated from `proto/` with
//! grpcio-tools (`clients/python/example.py`, the README's snippet) ingests a
//! scenario and reads the report from the real server. Skipped, saying why,
//! where Python's grpcio-tools is missing; `.ci/run` installs it and sets
//! SELLERHEALTH_REQUIRE_PYTHON so it cannot skip there.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{Server, available_or_skip};

fn python_has_grpc_tools() -> bool {
    Command::new("python3")
        .args(["-c", "import grpc, grpc_tools.protoc"])
        .output()
        .is_ok_and(|output| output.status.success())
}

#[tokio::test]
#[ignore = "needs Python grpcio and grpcio-tools: pip install grpcio grpcio-tools, then cargo test --workspace -- --ignored"]
async fn the_generated_python_client_ingests_and_reads_a_report() {
    let why = "python3 cannot import grpc and grpc_tools (pip install grpcio grpcio-tools)";
    if !available_or_skip(python_has_grpc_tools(), "python client test", "SELLERHEALTH_REQUIRE_PYTHON", why) {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let generated = tempfile::tempdir().unwrap();
    let protos: Vec<_> = std::fs::read_dir(root.join("proto/sellerhealth/v1"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "proto"))
        .collect();
    let status = Command::new("python3")
        .args(["-m", "grpc_tools.protoc", "-I"])
        .arg(root.join("proto"))
        .arg(format!("--python_out={}", generated.path().display()))
        .arg(format!("--grpc_python_out={}", generated.path().display()))
        .args(&protos)
        .status()
        .unwrap();
    assert!(status.success(), "grpc_tools.protoc failed");

    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let run = || {
        let output = Command::new("python3")
            .arg(root.join("clients/python/example.py"))
            .arg(&server.addr)
            .env("PYTHONPATH", generated.path())
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    // Orders o1..o3 on 2026-05-01..03, 1 star on o2. As of 2026-06-30 the ODR
    // window is 2026-04-18 .. 2026-06-16: 1 defective order of 3.
    let expected = "order defect rate MFN 1/3 = 0.3333 METRIC_STATUS_BAD\naccount status ACCOUNT_STATUS_AT_RISK\n";
    assert_eq!(run(), format!("accepted 4 duplicates 0\n{expected}"));
    // Sent again: idempotent.
    assert_eq!(run(), format!("accepted 0 duplicates 4\n{expected}"));
    server.stop().await;
}

//! The binary's start-up behaviour. Having an integration test here also makes
//! `cargo test --workspace` rebuild the binary the end-to-end tests in `tests/` run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::process::Command;

fn server() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sellerhealth-server"))
}

#[test]
fn help_lists_every_setting() {
    let output = server().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in ["--listen", "--data-dir", "--database-url", "--policy", "--drain-timeout", "--log-format"] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn a_bad_policy_profile_stops_start_up_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut profile: serde_json::Value =
        serde_json::from_str(include_str!("../../../docs/policy-amazon.json")).unwrap();
    profile["order_defect_rate"]["target"] = 2.into();
    let path = dir.path().join("policy.json");
    std::fs::write(&path, profile.to_string()).unwrap();
    let output = server()
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .arg("--policy")
        .arg(&path)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("policy profile field order_defect_rate.target: must be a ratio from 0 to 1"), "{stderr}");
}

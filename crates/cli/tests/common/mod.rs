//! What the command line's tests share: the built binary run on the embedded
//! store in a data directory of the test's, and the fixtures.

use std::path::Path;
use std::process::{Command, Output};

/// The fixtures' folder.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// `sellerhealth --data-dir DATA ARGS…`, with no server or database URL from the environment.
pub fn sellerhealth(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sellerhealth"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("SELLERHEALTH_SERVER")
        .env_remove("SELLERHEALTH_DATABASE_URL")
        .output()
        .unwrap()
}

/// The path of the fixture `name`.
pub fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

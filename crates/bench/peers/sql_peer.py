#!/usr/bin/env python3
"""The SQL side of `sellerhealth-bench batch`: loads a data set's CSV tables into
DuckDB or SQLite, then, for each `run PATH` line on stdin, computes every
seller's figures with figures.sql, writes them to PATH as tab-separated rows and
prints the time the query took as a JSON line. `reload` drops the database and
loads the tables into a new one, printing the load's time (the end-to-end
comparison times load plus query). `quit` prints the peak memory.

Times are measured around the query and the fetch of its rows only; loading is
timed apart, around the creation of the database and the load of every table.
Both engines get their defaults: DuckDB uses every core, SQLite one, with an
index on every join key.
"""

import argparse
import csv
import gc
import json
import re
import sys
import time

INTEGER_COLUMNS = {
    "units", "stars", "helpful_votes", "business_order", "fulfillment_related",
    "service_related", "negative_feedback", "verified",
}
# The columns each table is joined on.
KEYS = {
    "orders": ["seller_id", "order_id"],
    "shipments": ["seller_id", "order_id"],
    "scans": ["seller_id", "tracking_number"],
    "cancellations": ["seller_id", "order_id"],
    "feedback": ["seller_id", "order_id"],
    "feedback_updates": ["seller_id", "order_id"],
    "claims": ["seller_id", "order_id"],
    "chargebacks": ["seller_id", "order_id"],
    "refunds": ["seller_id", "order_id"],
    "returns": ["seller_id", "order_id"],
    "messages": ["seller_id", "message_id"],
    "reviews": ["seller_id", "review_id"],
}
FIGURES = 26  # integer figures before the three response-time windows


def column_type(name):
    if name.endswith("_at"):
        return "BIGINT"
    return "INTEGER" if name in INTEGER_COLUMNS else "VARCHAR"


def header(data, table):
    with open(f"{data}/{table}.csv", newline="") as f:
        return next(csv.reader(f))


def create_table(cursor, data, table):
    columns = ", ".join(f"{c} {column_type(c)}" for c in header(data, table))
    cursor.execute(f"CREATE TABLE {table} ({columns})")


def load_duckdb(data):
    import duckdb

    connection = duckdb.connect(":memory:")
    cursor = connection.cursor()
    for table in KEYS:
        create_table(cursor, data, table)
        cursor.execute(f"COPY {table} FROM '{data}/{table}.csv' (HEADER, NULLSTR '')")
    threads = cursor.execute("SELECT current_setting('threads')").fetchone()[0]
    return connection, "//", f"DuckDB {duckdb.__version__}, {threads} threads"


def load_sqlite(data):
    import sqlite3

    connection = sqlite3.connect(":memory:")
    cursor = connection.cursor()
    cursor.execute("PRAGMA cache_size = -4000000")
    cursor.execute("PRAGMA temp_store = MEMORY")
    for table in KEYS:
        create_table(cursor, data, table)
        columns = header(data, table)
        integer = [column_type(c) != "VARCHAR" for c in columns]
        marks = ", ".join("?" for _ in columns)
        with open(f"{data}/{table}.csv", newline="") as f:
            rows = csv.reader(f)
            next(rows)
            cursor.executemany(
                f"INSERT INTO {table} VALUES ({marks})",
                ([None if v == "" else int(v) if i else v for v, i in zip(row, integer)] for row in rows),
            )
        cursor.execute(f"CREATE INDEX {table}_key ON {table} ({', '.join(KEYS[table])})")
    connection.commit()
    cursor.execute("ANALYZE")
    return connection, "/", f"SQLite {sqlite3.sqlite_version}, 1 thread"


def peak_rss_mib():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def average_hours(seconds, answered):
    return "" if answered == 0 else f"{seconds / answered / 3600.0:.9f}"


def row_text(row):
    seller, marketplace, *values = row
    fields = [seller, marketplace] + [str(int(v)) for v in values[:FIGURES]]
    windows = values[FIGURES:]
    for w in range(0, len(windows), 6):
        on_time, late, pending, answered, seconds, p90 = windows[w:w + 6]
        fields += [str(int(on_time)), str(int(late)), str(int(pending)),
                   average_hours(int(seconds), int(answered)), "" if p90 is None else str(int(p90))]
    return "\t".join(fields)


def offset_of(steps, expression):
    """SQL for the UTC offset, in seconds, at the instant `expression` given a
    marketplace's offset steps [[from, offset], ...] (sorted by `from`)."""
    branches = " ".join(f"WHEN {expression} < {start} THEN {previous}"
                        for (start, _), (_, previous) in zip(steps[1:], steps))
    return f"CASE {branches} ELSE {steps[-1][1]} END" if branches else str(steps[-1][1])


def local_days(sql, zones, as_of, div):
    """Expands LOCAL_DAY(x, m) (the day number of instant x in marketplace m's
    calendar) and TODAY(m) (that of the evaluation instant) into arithmetic
    that DuckDB and SQLite both run: days are the marketplace's local days
    (issue 17); a marketplace without offsets counts UTC days."""
    def local_day(match):
        expression, marketplace = match.group(1).strip(), match.group(2).strip()
        cases = " ".join(f"WHEN '{m}' THEN {offset_of(steps, expression)}" for m, steps in zones.items())
        offset = f"CASE {marketplace} {cases} ELSE 0 END" if cases else "0"
        return f"(({expression}) + {offset}) {div} 86400"

    def today(match):
        marketplace = match.group(1).strip()
        days = []
        for m, steps in zones.items():
            offset = [o for start, o in steps if start <= as_of][-1] if steps else 0
            days.append(f"WHEN '{m}' THEN {(as_of + offset) // 86400}")
        return f"(CASE {marketplace} {' '.join(days)} ELSE {as_of // 86400} END)" if days else str(as_of // 86400)

    sql = re.sub(r"LOCAL_DAY\(([^,()]+),([^()]+)\)", local_day, sql)
    return re.sub(r"TODAY\(([^()]+)\)", today, sql)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["duckdb", "sqlite"], required=True)
    parser.add_argument("--data", required=True, help="directory of the data set's CSV files")
    parser.add_argument("--sql", required=True, help="figures.sql")
    parser.add_argument("--as-of", type=int, required=True, help="seconds since the epoch")
    parser.add_argument("--zones", help="UTC offsets per marketplace: {id: [[from, offset], ...]}")
    args = parser.parse_args()
    zones = {}
    if args.zones:
        with open(args.zones) as f:
            zones = json.load(f)

    load = load_duckdb if args.engine == "duckdb" else load_sqlite
    started = time.perf_counter()
    connection, div, engine = load(args.data)
    loaded = time.perf_counter() - started
    with open(args.sql) as f:
        sql = local_days(f.read().format(T=args.as_of, D=args.as_of // 86400, div=div), zones, args.as_of, div)
    print(json.dumps({"engine": engine, "load_seconds": loaded, "peak_rss_mib": peak_rss_mib()}), flush=True)

    for line in sys.stdin:
        command = line.split(maxsplit=1)
        if command[0] == "quit":
            break
        if command[0] == "reload":
            connection.close()
            connection = None
            gc.collect()
            started = time.perf_counter()
            connection, div, engine = load(args.data)
            print(json.dumps({"load_seconds": time.perf_counter() - started}), flush=True)
            continue
        cursor = connection.cursor()
        started = time.perf_counter()
        cursor.execute(sql)
        rows = cursor.fetchall()
        seconds = time.perf_counter() - started
        with open(command[1].strip(), "w") as out:
            for row in rows:
                out.write(row_text(row) + "\n")
        print(json.dumps({"seconds": seconds, "rows": len(rows)}), flush=True)
    try:
        print(json.dumps({"peak_rss_mib": peak_rss_mib()}), flush=True)
    except BrokenPipeError:
        pass  # the harness stopped early (it says why)


if __name__ == "__main__":
    main()

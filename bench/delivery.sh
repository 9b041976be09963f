#!/usr/bin/env bash
# Delivery under pressure: imports generated rows into the stand-in, throttled to a rate the
# client is not told, and prints for each mode the rows per second, the share of requests
# answered 429 and the retries. Everything runs on 127.0.0.1.
#
#   bench/delivery.sh [ROWS] [THROTTLE]      (defaults: 20000 rows, 500 requests a second)
set -euo pipefail
cd "$(dirname "$0")/.."

rows=${1:-20000}
throttle=${2:-500}
cargo build --release --quiet
bin=$PWD/target/release/fq-import
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

python3 - "$work/rows.csv" "$rows" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("Email,First Name,Last Name,Company,Employees\n")
    for i in range(1, n + 1):
        f.write(f"user{i}@example.com,First{i},Last{i},Company {i % 97},{i % 5000}\n")
PY
cat >"$work/rows.toml" <<'TOML'
[contact]
email = "Email"
name = "{First Name} {Last Name}"

[company]
name = "Company"
employeesCount = "Employees"
TOML

# Start a stand-in with the faults in mock_args; sets mock_pid and base.
start_mock() {
    : >"$work/mock.url"
    "$bin" mock --listen 127.0.0.1:0 "${mock_args[@]}" >"$work/mock.url" 2>/dev/null &
    mock_pid=$!
    for _ in $(seq 50); do
        [ -s "$work/mock.url" ] && break
        sleep 0.1
    done
    base=$(head -1 "$work/mock.url")
}

# One import; prints a table row from the stand-in's own counts and the summary.
run() {
    local label=$1
    shift
    start_mock
    local started ended
    started=$(date +%s.%N)
    "$bin" import "$work/rows.csv" -m "$work/rows.toml" \
        --url "$base/v5/imports/imp_bench/trigger/bench" --report "$work/report.csv" \
        "$@" 2>"$work/stderr" || true
    ended=$(date +%s.%N)
    local stats
    stats=$(curl -s "$base/_mock/stats")
    kill "$mock_pid"
    wait "$mock_pid" 2>/dev/null || true
    python3 - "$label" "$rows" "$started" "$ended" "$stats" "$work/stderr" "$work/report.csv" <<'PY'
import csv, json, re, sys
label, rows, started, ended, stats, stderr, report = sys.argv[1:]
stats = json.loads(stats)
seconds = float(ended) - float(started)
summary = open(stderr).read()
retries = re.search(r"(\d+) retries", summary)
with open(report) as f:
    outcomes = [r["outcome"] for r in csv.DictReader(f)]
imported = outcomes.count("imported")
share = 100 * stats["throttled"] / max(1, stats["received"])
print(f"| {label:<28} | {imported / seconds:8.0f} | {share:6.2f}% | {retries.group(1) if retries else 0:>7} "
      f"| {imported:>8} | {seconds:6.1f}s |")
PY
}

echo "fq-import delivery benchmark: $rows rows, stand-in throttled to $throttle requests/s"
echo "machine: $(nproc) cores, $(uname -sr); $(date -u +%Y-%m-%d)"
echo
echo "| mode                         |   rows/s |    429s | retries | imported |   time |"
echo "|------------------------------|----------|---------|---------|----------|--------|"
mock_args=(--throttle "$throttle")
run "--concurrency auto" --concurrency auto
run "--concurrency 32" --concurrency 32
run "--rate $throttle --concurrency 32" --rate "$throttle" --concurrency 32
mock_args=(--fail-rate 0.2)
run "--fail-rate 0.2, concurrency 32" --concurrency 32 --retry-delay 50ms --max-retries 10
mock_args=()
run "no limit, auto" --concurrency auto
run "no limit, concurrency 8" --concurrency 8
run "no limit, concurrency 32" --concurrency 32
mock_args=(--latency 50)
run "50ms latency, auto" --concurrency auto
run "50ms latency, concurrency 8" --concurrency 8
run "50ms latency, concurrency 32" --concurrency 32
echo
echo "targets: auto >= $((throttle * 95 / 100)) rows/s with <= 5% answered 429;"
echo "         --rate $throttle >= $((throttle * 97 / 100)) rows/s with no 429; fail-rate 0.2: every row imported"

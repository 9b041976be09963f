#!/usr/bin/env bash
# Speed and memory, side by side with a reference HTTP client, in one run on one machine.
#
# Generates a CRM-like export of 200,000 rows and one of 1,000,000, starts a fast local
# endpoint that answers like the webhook (nginx with a fixed JSON answer when nginx is
# installed, else fq-import's own stand-in), and runs against it, at the same concurrency:
# the reference client (oha, else wrk) posting a body of the same size; fq-import importing
# the 200,000 rows; fq-import's dry run of the same file; fq-import importing the 1,000,000
# rows. Then the state (--state): the 1,000,000 rows imported into a new state file, the
# dry run of them, and the same import again, every row unchanged and nothing sent, whose
# time beyond the dry run is what checking the rows against the state costs. Prints one
# table: rows/s, CPU seconds per 100,000 rows, peak RSS, and fq-import's rate as a share of
# the reference client's. Everything runs on 127.0.0.1.
#
#   bench/run.sh [CONCURRENCY]        (default 32)
#
# Needs python3 and GNU time (/usr/bin/time); nginx (Debian: nginx-light) and oha
# (`cargo install --locked oha`) or wrk (Debian: wrk) for the reference.
set -euo pipefail
cd "$(dirname "$0")/.."

concurrency=${1:-32}
small=200000
large=1000000

for tool in python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is needed" >&2; exit 2; }
done

cargo build --release --quiet
bin=$PWD/target/release/fq-import
work=$(mktemp -d)
endpoint_pid=
cleanup() {
    [ -n "$endpoint_pid" ] && kill "$endpoint_pid" 2>/dev/null || true
    [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# --- inputs -----------------------------------------------------------------------------
python3 - "$work" "$small" "$large" <<'PY'
import random, sys
work, sizes = sys.argv[1], [int(n) for n in sys.argv[2:]]
first = ["Jane", "Omar", "Li", "Ana", "Pierre", "Fatima", "John", "Mei", "Kofi", "Sara", "Raj", "Elena"]
last = ["Doe", "Haddad", "Wei", "Silva", "Martin", "Khan", "Smith", "Chen", "Mensah", "Berg", "Patel", "Ivanova"]
titles = ["CTO", "Account Manager", "VP Sales", "Software Engineer", "Head of Marketing", "Founder", "Analyst"]
levels = ["executive", "senior", "mid", "junior", "Senior", "Mid"]
industries = ["Software", "SaaS", "Manufacturing", "Retail", "Finance", "Healthcare", "Logistics"]
cities = ["Berlin", "Austin", "Lagos", "Pune", "Lyon", "Osaka", "Toronto"]
header = ("Record ID,First Name,Last Name,Email,Phone Number,Job Title,Seniority,Company Name,"
          "Company Domain Name,Website URL,Number of Employees,Annual Revenue,Industry,City,"
          "Country/Region,LinkedIn URL,Lifecycle Stage,Create Date\n")
for n in sizes:
    rnd = random.Random(6)
    with open(f"{work}/rows-{n}.csv", "w", newline="") as f:
        f.write(header)
        for i in range(1, n + 1):
            fn, ln = rnd.choice(first), rnd.choice(last)
            company = f"Company {i % 9973}"
            domain = f"company{i % 9973}.example"
            inds = ";".join(rnd.sample(industries, rnd.randint(1, 3)))
            f.write(
                f'{i},{fn},{ln},{fn.lower()}.{ln.lower()}{i}@{domain},+1 555 {i % 10000:04d},'
                f'{rnd.choice(titles)},{rnd.choice(levels)},"{company}, Inc.",{domain},'
                f'https://www.{domain}/,"{rnd.randint(1, 50000):,}",{rnd.randint(10**5, 10**9)},'
                f'{inds},{rnd.choice(cities)},US,https://www.linkedin.com/in/{fn.lower()}-{ln.lower()}-{i},'
                f'customer,2024-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}\n'
            )
PY
cat >"$work/mapping.toml" <<'TOML'
# A CRM export: templates, a split list, whole numbers, transforms.
[contact]
email = { column = "Email", transform = "lower" }
name = "{First Name} {Last Name}"
location = "{City}, {Country/Region}"
linkedInHandle = { column = "LinkedIn URL", transform = "handle" }
note = "Stage: {Lifecycle Stage}, created {Create Date}"

[employment]
title = "Job Title"
seniority = "Seniority"

[company]
name = "Company Name"
domain = "Company Domain Name"
website = "Website URL"
employeesCount = "Number of Employees"
annualRevenue = "Annual Revenue"
industries = { column = "Industry", split = ";" }
TOML

# --- the endpoint -----------------------------------------------------------------------
if command -v nginx >/dev/null; then
    endpoint="nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), one worker, a fixed JSON answer"
    mkdir -p "$work/nginx"
    cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 10000000;
    client_body_buffer_size 64k;
    client_body_temp_path $work/nginx/body;
    server {
        listen 127.0.0.1:0;
        location /v5/imports/ {
            default_type application/json;
            return 200 '{"id":"row_01j9z6v6yq8f","status":"PENDING"}';
        }
    }
}
NGINX
    # nginx cannot listen on port 0 and say which port it got: find a free one first.
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    sed -i "s/listen 127.0.0.1:0;/listen 127.0.0.1:$port;/" "$work/nginx/nginx.conf"
    nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -e "$work/nginx/error.log"
    for _ in $(seq 50); do [ -s "$work/nginx/nginx.pid" ] && break; sleep 0.1; done
    base="http://127.0.0.1:$port"
    worker=$(pgrep -P "$(cat "$work/nginx/nginx.pid")" | head -1)
else
    endpoint="fq-import mock (nginx not installed)"
    "$bin" mock --listen 127.0.0.1:0 >"$work/mock.url" 2>/dev/null &
    endpoint_pid=$!
    for _ in $(seq 50); do [ -s "$work/mock.url" ] && break; sleep 0.1; done
    base=$(head -1 "$work/mock.url")
    worker=$endpoint_pid
fi
url="$base/v5/imports/imp_bench/trigger/bench"

# CPU seconds the endpoint has used so far.
endpoint_cpu() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$worker/stat"
}

# --- the runs ---------------------------------------------------------------------------
: >"$work/runs"
# run NAME ROWS COMMAND...: time one command, and note its numbers and the endpoint's CPU.
# Its stdout goes to $stdout: a file, or /dev/null for the dry run.
stdout=$work/stdout
run() {
    local name=$1 rows=$2
    shift 2
    local before after
    before=$(endpoint_cpu)
    /usr/bin/time -v -o "$work/time" "$@" >"$stdout" 2>"$work/stderr" || {
        echo "bench: $name failed:" >&2
        tail -5 "$work/stderr" >&2
        exit 1
    }
    after=$(endpoint_cpu)
    python3 - "$work/time" "$name" "$rows" "$before" "$after" >>"$work/runs" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def field(label):
    return re.search(re.escape(label) + r":\s*(.+)", text).group(1).strip()
clock = [float(x) for x in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
wall = sum(x * 60 ** i for i, x in enumerate(reversed(clock)))
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
rss = int(field("Maximum resident set size (kbytes)"))
name, rows, before, after = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
print(f"{name}\t{rows}\t{wall:.3f}\t{cpu:.3f}\t{rss}\t{after - before:.2f}")
PY
}

# A body of the size fq-import sends: the median of the dry run's bodies.
"$bin" import "$work/rows-$small.csv" -m "$work/mapping.toml" --dry-run -q \
    --report "$work/dry.report.csv" | python3 -c '
import sys
lines = sorted(sys.stdin.buffer.read().splitlines(), key=len)
sys.stdout.buffer.write(lines[len(lines) // 2])' >"$work/body.json"

if command -v oha >/dev/null; then
    reference="oha $(oha --version | awk '{print $2}')"
    run "$reference" "$small" oha -n "$small" -c "$concurrency" -m POST --no-tui \
        -H 'content-type: application/json' -D "$work/body.json" "$url"
elif command -v wrk >/dev/null; then
    reference="wrk"
    cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/body.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA
    threads=$(( $(nproc) < concurrency ? $(nproc) : concurrency ))
    run "$reference" 0 wrk -t "$threads" -c "$concurrency" -d 10s -s "$work/post.lua" "$url"
    sent=$(awk '/requests in/ { print $1 }' "$work/stdout")
    sed -i "\$s/^\([^\t]*\)\t0\t/\1\t$sent\t/" "$work/runs"
else
    reference=
    echo "bench: neither oha nor wrk is installed: no reference client" >&2
fi

run "fq-import import" "$small" "$bin" import "$work/rows-$small.csv" -m "$work/mapping.toml" \
    --url "$url" --concurrency "$concurrency" --report "$work/small.report.csv" -q
stdout=/dev/null
run "fq-import --dry-run" "$small" "$bin" import "$work/rows-$small.csv" \
    -m "$work/mapping.toml" --dry-run --report "$work/dry.report.csv" -q
stdout=$work/stdout
run "fq-import import" "$large" "$bin" import "$work/rows-$large.csv" -m "$work/mapping.toml" \
    --url "$url" --concurrency "$concurrency" --report "$work/large.report.csv" -q

report_rows=$(($(wc -l <"$work/large.report.csv") - 1))
imported=$(grep -c ',imported,' "$work/large.report.csv" || true)

state=$work/large.state
run "fq-import import --state, new state" "$large" "$bin" import "$work/rows-$large.csv" \
    -m "$work/mapping.toml" --url "$url" --concurrency "$concurrency" --state "$state" \
    --report "$work/state-1.report.csv" -q
stdout=/dev/null
run "fq-import --dry-run" "$large" "$bin" import "$work/rows-$large.csv" \
    -m "$work/mapping.toml" --dry-run --report "$work/dry-large.report.csv" -q
run "fq-import import --state, all unchanged" "$large" "$bin" import "$work/rows-$large.csv" \
    -m "$work/mapping.toml" --url "$url" --concurrency "$concurrency" --state "$state" \
    --report "$work/state-2.report.csv" -q
stdout=$work/stdout
unchanged=$(grep -c ',unchanged,' "$work/state-2.report.csv" || true)
state_size=$(du -b "$state" | cut -f1)

# --- the table --------------------------------------------------------------------------
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
echo "endpoint: $endpoint, at $base; concurrency $concurrency"
echo
python3 - "$work/runs" "$reference" <<'PY'
import sys
runs = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
reference = sys.argv[2]
ref_rate = None
rows_out = []
for name, rows, wall, cpu, rss, endpoint in runs:
    rows, wall, cpu, rss, endpoint = int(rows), float(wall), float(cpu), int(rss), float(endpoint)
    rate = rows / wall
    if name == reference:
        ref_rate = rate
    rows_out.append((name, rows, wall, rate, cpu / rows * 100_000, rss / 1024, endpoint / wall))
print("| run | rows | seconds | rows/s | CPU s per 100k rows | peak RSS | endpoint busy | vs reference |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name, rows, wall, rate, cpu, rss, busy in rows_out:
    sends = not ("dry-run" in name or "unchanged" in name)
    share = "" if ref_rate is None or name == reference or not sends else f"{rate / ref_rate:.2f}×"
    busy = f"{busy:.0%}" if sends else "–"
    print(f"| {name} | {rows:,} | {wall:.2f} | {rate:,.0f} | {cpu:.2f} | {rss:.1f} MiB | {busy} | {share} |")
PY
echo
echo "1,000,000-row report: $report_rows lines after the header, $imported imported"
[ "$report_rows" -eq "$large" ] || { echo "bench: the report is not complete" >&2; exit 1; }
echo "state: $unchanged of $large rows unchanged on the second run; state file $((state_size / 1048576)) MiB"
python3 - "$work/runs" "$large" <<'PY'
import sys
walls = {(name, int(rows)): float(wall) for name, rows, wall, *_ in
         (line.rstrip("\n").split("\t") for line in open(sys.argv[1]))}
large = int(sys.argv[2])
extra = walls[("fq-import import --state, all unchanged", large)] - walls[("fq-import --dry-run", large)]
print(f"checking {large:,} unchanged rows against the state: {extra:.2f} s beyond the dry run (target: under 5 s)")
PY
[ "$unchanged" -eq "$large" ] || { echo "bench: not every row was unchanged" >&2; exit 1; }


use builtin;
use str;

set edit:completion:arg-completer[fq-import] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'fq-import'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'fq-import'= {
            cand --color 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set'
            cand -v 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand --verbose 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand import 'Map every row of a CSV or JSONL file and send it to the import webhook'
            cand check 'Map every row without sending and list every problem, grouped by kind'
            cand mapping 'Work with mapping files'
            cand state 'Look into a state file (--state), or make it forget contacts'
            cand mock 'Run a local stand-in of the import webhook, for rehearsals and tests'
            cand completions 'Print a shell completion script to stdout'
            cand man 'Print the manual page (roff) to stdout: `fq-import man > fq-import.1`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'fq-import;import'= {
            cand --format 'The input''s format. [default: from the extension: .csv, .tsv, .jsonl, .ndjson, .json]'
            cand --delimiter 'The CSV delimiter: a character, or tab, comma, semicolon, pipe. [default: found from the header line]'
            cand --skip-lines 'Skip this many lines before the header. [default: lines of notes before the header are found and skipped]'
            cand --encoding 'The input''s encoding, any WHATWG label: windows-1252, latin1, utf-16le, shift_jis… [default: UTF-8, or what a BOM says]'
            cand --max-record-bytes 'The most bytes one record may take, as 1MiB, 512KiB or 65536: a larger one (a quote that never closes, a giant JSON line) is `invalid`, and memory stays bounded'
            cand -m 'The mapping file (TOML) that turns a row into the webhook''s body'
            cand --mapping 'The mapping file (TOML) that turns a row into the webhook''s body'
            cand --url 'The import''s webhook URL: https://…/v5/imports/{importId}/trigger/{hash}. Its hash is a credential, which a command line leaves in shell history and process lists: prefer --url-file or the FQ_WEBHOOK_URL environment variable. [default: --url-file, else $FQ_WEBHOOK_URL]'
            cand --url-file 'Read the webhook URL from FILE: its first line that is not blank or a # comment. Keep the file readable by you only. Without --url or --url-file, the URL is taken from FQ_WEBHOOK_URL'
            cand --ca-cert 'Trust the certificate authority in FILE (PEM) as well as the system''s, as a company proxy that inspects TLS needs'
            cand --state 'Remember in FILE what the webhook accepted for each contact, and send only the rows that are new or changed since: a row whose body the webhook accepted before is `unchanged` and not sent. FILE is an SQLite database, created on the first run; several processes (shards) may share it. See `fq-import state`'
            cand --key 'The field that tells contacts apart: in the report''s key column, for --dedupe and for --state, such as contact.externalIdApollo. A row without it is `invalid`'
            cand --limit 'Handle only the first N rows, as a trial; a later --resume carries on. [default: every row]'
            cand --shard 'Handle only rows K, K+N, K+2N…, so that N processes split one file; each writes its own report'
            cand --rejects 'Write the rows that end invalid or failed to FILE, in the input''s format with its header, to fix and import again'
            cand --report 'Where to write the report; JSON lines when the name ends in .jsonl. [default: <INPUT>.report.csv]'
            cand -c 'How many requests may be in flight at once, or `auto` to find the endpoint''s pace: start low, grow while answers come back fast and clean, back off on 429, 503 and timeouts, and pace by rate once the endpoint has shown its limit'
            cand --concurrency 'How many requests may be in flight at once, or `auto` to find the endpoint''s pace: start low, grow while answers come back fast and clean, back off on 429, 503 and timeouts, and pace by rate once the endpoint has shown its limit'
            cand --max-concurrency 'With --concurrency auto, the most requests in flight'
            cand --rate 'At most N requests a second, across all workers, retries included. [default: no limit]'
            cand --burst 'With --rate, how many requests may go at once after a quiet spell. [default: 1]'
            cand --timeout 'How long one request may take, e.g. 500ms, 30s, 5m'
            cand --max-retries 'How many times a row is retried after a retryable answer (see below)'
            cand --retry-for 'The most time one row may spend retrying; then it is `failed` with its last answer'
            cand --retry-delay 'The first retry''s delay; each later one doubles it, with jitter'
            cand --max-retry-wait 'The longest wait a Retry-After may ask for; a longer one is capped here, with a warning'
            cand --give-up-after 'Give up, exit 3, after this long of nothing but connection errors, timeouts and 5xx; meanwhile the endpoint is probed at a slow pace and no new rows are sent'
            cand --max-errors 'Abort, exit 3, once more rows than N (or N% of the rows, after the first 100) are invalid or failed. [default: no limit]'
            cand --progress 'How to show progress on stderr: `auto` is a bar on a terminal and status lines otherwise; `lines` prints a line of counts, rate and ETA every --progress-interval, readable in a cron mail or a CI log'
            cand --progress-interval 'With status lines, how often to print one'
            cand --summary-json 'When the run ends, write a JSON summary to FILE (`-` for stdout): the counts of each outcome, retries, elapsed time, the exit code and its meaning, the first error of each kind. Written whatever the outcome, usage errors included'
            cand --color 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set'
            cand --allow-http 'Send to a plain http:// URL on another machine, unencrypted. Without it, only loopback hosts (localhost, 127.0.0.0/8, ::1) may be reached over http'
            cand --sandbox 'Start a local stand-in of the webhook on a free loopback port and import into it. The stand-in is used even when FQ_WEBHOOK_URL is set'
            cand --dry-run 'Map and check every row without sending; the bodies go to stdout as JSON lines'
            cand --resume 'Carry on from the report of an earlier run: rows already imported are skipped, every other row is sent. With no report yet, it starts from the first row'
            cand --force 'With --resume, carry on even when the input, the mapping or the shard changed'
            cand --dedupe 'Send each contact once: a later row with the same key (see --key; email addresses ignoring case and spaces) is `duplicate` and not sent'
            cand -q 'Print nothing but errors: no progress, no summary'
            cand --quiet 'Print nothing but errors: no progress, no summary'
            cand -v 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand --verbose 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'fq-import;check'= {
            cand --format 'The input''s format. [default: from the extension: .csv, .tsv, .jsonl, .ndjson, .json]'
            cand --delimiter 'The CSV delimiter: a character, or tab, comma, semicolon, pipe. [default: found from the header line]'
            cand --skip-lines 'Skip this many lines before the header. [default: lines of notes before the header are found and skipped]'
            cand --encoding 'The input''s encoding, any WHATWG label: windows-1252, latin1, utf-16le, shift_jis… [default: UTF-8, or what a BOM says]'
            cand --max-record-bytes 'The most bytes one record may take, as 1MiB, 512KiB or 65536: a larger one (a quote that never closes, a giant JSON line) is `invalid`, and memory stays bounded'
            cand -m 'The mapping file (TOML) that turns a row into the webhook''s body'
            cand --mapping 'The mapping file (TOML) that turns a row into the webhook''s body'
            cand --preview 'Show the first N bodies beside the rows they come from'
            cand --examples 'How many rows to show for each kind of problem'
            cand --color 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set'
            cand -v 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand --verbose 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'fq-import;mapping'= {
            cand --color 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set'
            cand -v 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand --verbose 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
            cand init 'Suggest a mapping for an input from its header, written to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'fq-import;mapping;init'= {
            cand --format 'The input''s format. [default: from the extension: .csv, .tsv, .jsonl, .ndjson, .json]'
            cand --delimiter 'The CSV delimiter: a character, or tab, comma, semicolon, pipe. [default: found from the header line]'
            cand --skip-lines 'Skip this many lines before the header. [default: lines of notes before the header are found and skipped]'
            cand --encoding 'The input''s encoding, any WHATWG label: windows-1252, latin1, utf-16le, shift_jis… [default: UTF-8, or what a BOM says]'
            cand --max-record-bytes 'The most bytes one record may take, as 1MiB, 512KiB or 65536: a larger one (a quote that never closes, a giant JSON line) is `invalid`, and memory stays bounded'
            cand --color 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set'
            cand -v 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand --verbose 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'fq-import;mapping;help'= {
            cand init 'Suggest a mapping for an input from its header, written to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'fq-import;mapping;help;init'= {
        }
        &'fq-import;mapping;help;help'= {
        }
        &'fq-import;state'= {
            cand --color 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set'
            cand -v 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand --verbose 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
            cand show 'How many contacts a state file holds, what it keys them by, and its oldest and newest entries'
            cand forget 'Forget contacts, so that the next run with --state sends them again'
            cand export 'Write every entry to stdout as CSV: key, fingerprint (SHA-256 of the body sent), last_sent (UTC) and row_id'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'fq-import;state;show'= {
            cand --color 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set'
            cand -v 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand --verbose 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'fq-import;state;forget'= {
            cand --color 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set'
            cand -v 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand --verbose 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'fq-import;state;export'= {
            cand --color 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set'
            cand -v 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand --verbose 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'fq-import;state;help'= {
            cand show 'How many contacts a state file holds, what it keys them by, and its oldest and newest entries'
            cand forget 'Forget contacts, so that the next run with --state sends them again'
            cand export 'Write every entry to stdout as CSV: key, fingerprint (SHA-256 of the body sent), last_sent (UTC) and row_id'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'fq-import;state;help;show'= {
        }
        &'fq-import;state;help;forget'= {
        }
        &'fq-import;state;help;export'= {
        }
        &'fq-import;state;help;help'= {
        }
        &'fq-import;mock'= {
            cand --listen 'The address to listen on; port 0 picks a free port'
            cand --record 'Append every accepted body to this file as a JSON line'
            cand --fail-rate 'The share of requests, from 0 to 1, that get a 500'
            cand --throttle 'Accept at most N requests a second; the rest get 429 with Retry-After'
            cand --latency 'Wait this many milliseconds before answering each request'
            cand --hash 'Accept only this hash in the URL; any other gets 404. [default: any hash]'
            cand --color 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set'
            cand -v 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand --verbose 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'fq-import;completions'= {
            cand --color 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set'
            cand -v 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand --verbose 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'fq-import;man'= {
            cand --color 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set'
            cand -v 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand --verbose 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'fq-import;help'= {
            cand import 'Map every row of a CSV or JSONL file and send it to the import webhook'
            cand check 'Map every row without sending and list every problem, grouped by kind'
            cand mapping 'Work with mapping files'
            cand state 'Look into a state file (--state), or make it forget contacts'
            cand mock 'Run a local stand-in of the import webhook, for rehearsals and tests'
            cand completions 'Print a shell completion script to stdout'
            cand man 'Print the manual page (roff) to stdout: `fq-import man > fq-import.1`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'fq-import;help;import'= {
        }
        &'fq-import;help;check'= {
        }
        &'fq-import;help;mapping'= {
            cand init 'Suggest a mapping for an input from its header, written to stdout'
        }
        &'fq-import;help;mapping;init'= {
        }
        &'fq-import;help;state'= {
            cand show 'How many contacts a state file holds, what it keys them by, and its oldest and newest entries'
            cand forget 'Forget contacts, so that the next run with --state sends them again'
            cand export 'Write every entry to stdout as CSV: key, fingerprint (SHA-256 of the body sent), last_sent (UTC) and row_id'
        }
        &'fq-import;help;state;show'= {
        }
        &'fq-import;help;state;forget'= {
        }
        &'fq-import;help;state;export'= {
        }
        &'fq-import;help;mock'= {
        }
        &'fq-import;help;completions'= {
        }
        &'fq-import;help;man'= {
        }
        &'fq-import;help;help'= {
        }
    ]
    $completions[$command]
}

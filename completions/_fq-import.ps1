
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'fq-import' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'fq-import'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'fq-import' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Map every row of a CSV or JSONL file and send it to the import webhook')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Map every row without sending and list every problem, grouped by kind')
            [CompletionResult]::new('mapping', 'mapping', [CompletionResultType]::ParameterValue, 'Work with mapping files')
            [CompletionResult]::new('state', 'state', [CompletionResultType]::ParameterValue, 'Look into a state file (--state), or make it forget contacts')
            [CompletionResult]::new('mock', 'mock', [CompletionResultType]::ParameterValue, 'Run a local stand-in of the import webhook, for rehearsals and tests')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff) to stdout: `fq-import man > fq-import.1`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'fq-import;import' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'The input''s format. [default: from the extension: .csv, .tsv, .jsonl, .ndjson, .json]')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'The CSV delimiter: a character, or tab, comma, semicolon, pipe. [default: found from the header line]')
            [CompletionResult]::new('--skip-lines', '--skip-lines', [CompletionResultType]::ParameterName, 'Skip this many lines before the header. [default: lines of notes before the header are found and skipped]')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'The input''s encoding, any WHATWG label: windows-1252, latin1, utf-16le, shift_jis… [default: UTF-8, or what a BOM says]')
            [CompletionResult]::new('--max-record-bytes', '--max-record-bytes', [CompletionResultType]::ParameterName, 'The most bytes one record may take, as 1MiB, 512KiB or 65536: a larger one (a quote that never closes, a giant JSON line) is `invalid`, and memory stays bounded')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'The mapping file (TOML) that turns a row into the webhook''s body')
            [CompletionResult]::new('--mapping', '--mapping', [CompletionResultType]::ParameterName, 'The mapping file (TOML) that turns a row into the webhook''s body')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The import''s webhook URL: https://…/v5/imports/{importId}/trigger/{hash}. Its hash is a credential, which a command line leaves in shell history and process lists: prefer --url-file or the FQ_WEBHOOK_URL environment variable. [default: --url-file, else $FQ_WEBHOOK_URL]')
            [CompletionResult]::new('--url-file', '--url-file', [CompletionResultType]::ParameterName, 'Read the webhook URL from FILE: its first line that is not blank or a # comment. Keep the file readable by you only. Without --url or --url-file, the URL is taken from FQ_WEBHOOK_URL')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the certificate authority in FILE (PEM) as well as the system''s, as a company proxy that inspects TLS needs')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Remember in FILE what the webhook accepted for each contact, and send only the rows that are new or changed since: a row whose body the webhook accepted before is `unchanged` and not sent. FILE is an SQLite database, created on the first run; several processes (shards) may share it. See `fq-import state`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The field that tells contacts apart: in the report''s key column, for --dedupe and for --state, such as contact.externalIdApollo. A row without it is `invalid`')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Handle only the first N rows, as a trial; a later --resume carries on. [default: every row]')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Handle only rows K, K+N, K+2N…, so that N processes split one file; each writes its own report')
            [CompletionResult]::new('--rejects', '--rejects', [CompletionResultType]::ParameterName, 'Write the rows that end invalid or failed to FILE, in the input''s format with its header, to fix and import again')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Where to write the report; JSON lines when the name ends in .jsonl. [default: <INPUT>.report.csv]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'How many requests may be in flight at once, or `auto` to find the endpoint''s pace: start low, grow while answers come back fast and clean, back off on 429, 503 and timeouts, and pace by rate once the endpoint has shown its limit')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many requests may be in flight at once, or `auto` to find the endpoint''s pace: start low, grow while answers come back fast and clean, back off on 429, 503 and timeouts, and pace by rate once the endpoint has shown its limit')
            [CompletionResult]::new('--max-concurrency', '--max-concurrency', [CompletionResultType]::ParameterName, 'With --concurrency auto, the most requests in flight')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'At most N requests a second, across all workers, retries included. [default: no limit]')
            [CompletionResult]::new('--burst', '--burst', [CompletionResultType]::ParameterName, 'With --rate, how many requests may go at once after a quiet spell. [default: 1]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long one request may take, e.g. 500ms, 30s, 5m')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'How many times a row is retried after a retryable answer (see below)')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'The most time one row may spend retrying; then it is `failed` with its last answer')
            [CompletionResult]::new('--retry-delay', '--retry-delay', [CompletionResultType]::ParameterName, 'The first retry''s delay; each later one doubles it, with jitter')
            [CompletionResult]::new('--max-retry-wait', '--max-retry-wait', [CompletionResultType]::ParameterName, 'The longest wait a Retry-After may ask for; a longer one is capped here, with a warning')
            [CompletionResult]::new('--give-up-after', '--give-up-after', [CompletionResultType]::ParameterName, 'Give up, exit 3, after this long of nothing but connection errors, timeouts and 5xx; meanwhile the endpoint is probed at a slow pace and no new rows are sent')
            [CompletionResult]::new('--max-errors', '--max-errors', [CompletionResultType]::ParameterName, 'Abort, exit 3, once more rows than N (or N% of the rows, after the first 100) are invalid or failed. [default: no limit]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr: `auto` is a bar on a terminal and status lines otherwise; `lines` prints a line of counts, rate and ETA every --progress-interval, readable in a cron mail or a CI log')
            [CompletionResult]::new('--progress-interval', '--progress-interval', [CompletionResultType]::ParameterName, 'With status lines, how often to print one')
            [CompletionResult]::new('--summary-json', '--summary-json', [CompletionResultType]::ParameterName, 'When the run ends, write a JSON summary to FILE (`-` for stdout): the counts of each outcome, retries, elapsed time, the exit code and its meaning, the first error of each kind. Written whatever the outcome, usage errors included')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set')
            [CompletionResult]::new('--allow-http', '--allow-http', [CompletionResultType]::ParameterName, 'Send to a plain http:// URL on another machine, unencrypted. Without it, only loopback hosts (localhost, 127.0.0.0/8, ::1) may be reached over http')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Start a local stand-in of the webhook on a free loopback port and import into it. The stand-in is used even when FQ_WEBHOOK_URL is set')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Map and check every row without sending; the bodies go to stdout as JSON lines')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Carry on from the report of an earlier run: rows already imported are skipped, every other row is sent. With no report yet, it starts from the first row')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'With --resume, carry on even when the input, the mapping or the shard changed')
            [CompletionResult]::new('--dedupe', '--dedupe', [CompletionResultType]::ParameterName, 'Send each contact once: a later row with the same key (see --key; email addresses ignoring case and spaces) is `duplicate` and not sent')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors: no progress, no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors: no progress, no summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'fq-import;check' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'The input''s format. [default: from the extension: .csv, .tsv, .jsonl, .ndjson, .json]')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'The CSV delimiter: a character, or tab, comma, semicolon, pipe. [default: found from the header line]')
            [CompletionResult]::new('--skip-lines', '--skip-lines', [CompletionResultType]::ParameterName, 'Skip this many lines before the header. [default: lines of notes before the header are found and skipped]')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'The input''s encoding, any WHATWG label: windows-1252, latin1, utf-16le, shift_jis… [default: UTF-8, or what a BOM says]')
            [CompletionResult]::new('--max-record-bytes', '--max-record-bytes', [CompletionResultType]::ParameterName, 'The most bytes one record may take, as 1MiB, 512KiB or 65536: a larger one (a quote that never closes, a giant JSON line) is `invalid`, and memory stays bounded')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'The mapping file (TOML) that turns a row into the webhook''s body')
            [CompletionResult]::new('--mapping', '--mapping', [CompletionResultType]::ParameterName, 'The mapping file (TOML) that turns a row into the webhook''s body')
            [CompletionResult]::new('--preview', '--preview', [CompletionResultType]::ParameterName, 'Show the first N bodies beside the rows they come from')
            [CompletionResult]::new('--examples', '--examples', [CompletionResultType]::ParameterName, 'How many rows to show for each kind of problem')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'fq-import;mapping' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Suggest a mapping for an input from its header, written to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'fq-import;mapping;init' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'The input''s format. [default: from the extension: .csv, .tsv, .jsonl, .ndjson, .json]')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'The CSV delimiter: a character, or tab, comma, semicolon, pipe. [default: found from the header line]')
            [CompletionResult]::new('--skip-lines', '--skip-lines', [CompletionResultType]::ParameterName, 'Skip this many lines before the header. [default: lines of notes before the header are found and skipped]')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'The input''s encoding, any WHATWG label: windows-1252, latin1, utf-16le, shift_jis… [default: UTF-8, or what a BOM says]')
            [CompletionResult]::new('--max-record-bytes', '--max-record-bytes', [CompletionResultType]::ParameterName, 'The most bytes one record may take, as 1MiB, 512KiB or 65536: a larger one (a quote that never closes, a giant JSON line) is `invalid`, and memory stays bounded')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'fq-import;mapping;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Suggest a mapping for an input from its header, written to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'fq-import;mapping;help;init' {
            break
        }
        'fq-import;mapping;help;help' {
            break
        }
        'fq-import;state' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'How many contacts a state file holds, what it keys them by, and its oldest and newest entries')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Forget contacts, so that the next run with --state sends them again')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every entry to stdout as CSV: key, fingerprint (SHA-256 of the body sent), last_sent (UTC) and row_id')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'fq-import;state;show' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'fq-import;state;forget' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'fq-import;state;export' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'fq-import;state;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'How many contacts a state file holds, what it keys them by, and its oldest and newest entries')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Forget contacts, so that the next run with --state sends them again')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every entry to stdout as CSV: key, fingerprint (SHA-256 of the body sent), last_sent (UTC) and row_id')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'fq-import;state;help;show' {
            break
        }
        'fq-import;state;help;forget' {
            break
        }
        'fq-import;state;help;export' {
            break
        }
        'fq-import;state;help;help' {
            break
        }
        'fq-import;mock' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'The address to listen on; port 0 picks a free port')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Append every accepted body to this file as a JSON line')
            [CompletionResult]::new('--fail-rate', '--fail-rate', [CompletionResultType]::ParameterName, 'The share of requests, from 0 to 1, that get a 500')
            [CompletionResult]::new('--throttle', '--throttle', [CompletionResultType]::ParameterName, 'Accept at most N requests a second; the rest get 429 with Retry-After')
            [CompletionResult]::new('--latency', '--latency', [CompletionResultType]::ParameterName, 'Wait this many milliseconds before answering each request')
            [CompletionResult]::new('--hash', '--hash', [CompletionResultType]::ParameterName, 'Accept only this hash in the URL; any other gets 404. [default: any hash]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'fq-import;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'fq-import;man' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr: -v adds each retry and each failed row with its status and the answer''s X-Request-Id; -vv each request and its timing. RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'fq-import;help' {
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Map every row of a CSV or JSONL file and send it to the import webhook')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Map every row without sending and list every problem, grouped by kind')
            [CompletionResult]::new('mapping', 'mapping', [CompletionResultType]::ParameterValue, 'Work with mapping files')
            [CompletionResult]::new('state', 'state', [CompletionResultType]::ParameterValue, 'Look into a state file (--state), or make it forget contacts')
            [CompletionResult]::new('mock', 'mock', [CompletionResultType]::ParameterValue, 'Run a local stand-in of the import webhook, for rehearsals and tests')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff) to stdout: `fq-import man > fq-import.1`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'fq-import;help;import' {
            break
        }
        'fq-import;help;check' {
            break
        }
        'fq-import;help;mapping' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Suggest a mapping for an input from its header, written to stdout')
            break
        }
        'fq-import;help;mapping;init' {
            break
        }
        'fq-import;help;state' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'How many contacts a state file holds, what it keys them by, and its oldest and newest entries')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Forget contacts, so that the next run with --state sends them again')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every entry to stdout as CSV: key, fingerprint (SHA-256 of the body sent), last_sent (UTC) and row_id')
            break
        }
        'fq-import;help;state;show' {
            break
        }
        'fq-import;help;state;forget' {
            break
        }
        'fq-import;help;state;export' {
            break
        }
        'fq-import;help;mock' {
            break
        }
        'fq-import;help;completions' {
            break
        }
        'fq-import;help;man' {
            break
        }
        'fq-import;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}

# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_fq_import_global_optspecs
    string join \n v/verbose color= h/help V/version
end

function __fish_fq_import_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_fq_import_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_fq_import_using_subcommand
    set -l cmd (__fish_fq_import_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c fq-import -n "__fish_fq_import_needs_command" -l color -d 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c fq-import -n "__fish_fq_import_needs_command" -s v -l verbose -d 'Say more on stderr: -v adds each retry and each failed row with its status and the answer\'s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
complete -c fq-import -n "__fish_fq_import_needs_command" -s h -l help -d 'Print help'
complete -c fq-import -n "__fish_fq_import_needs_command" -s V -l version -d 'Print version'
complete -c fq-import -n "__fish_fq_import_needs_command" -f -a "import" -d 'Map every row of a CSV or JSONL file and send it to the import webhook'
complete -c fq-import -n "__fish_fq_import_needs_command" -f -a "check" -d 'Map every row without sending and list every problem, grouped by kind'
complete -c fq-import -n "__fish_fq_import_needs_command" -f -a "mapping" -d 'Work with mapping files'
complete -c fq-import -n "__fish_fq_import_needs_command" -f -a "state" -d 'Look into a state file (--state), or make it forget contacts'
complete -c fq-import -n "__fish_fq_import_needs_command" -f -a "mock" -d 'Run a local stand-in of the import webhook, for rehearsals and tests'
complete -c fq-import -n "__fish_fq_import_needs_command" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c fq-import -n "__fish_fq_import_needs_command" -f -a "man" -d 'Print the manual page (roff) to stdout: `fq-import man > fq-import.1`'
complete -c fq-import -n "__fish_fq_import_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l format -d 'The input\'s format. [default: from the extension: .csv, .tsv, .jsonl, .ndjson, .json]' -r -f -a "csv\t'Comma-separated values with a header row'
tsv\t'Tab-separated values with a header row'
jsonl\t'One JSON object per line'
json\t'JSON lines, a top-level array of objects, or one document, told apart by content'"
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l delimiter -d 'The CSV delimiter: a character, or tab, comma, semicolon, pipe. [default: found from the header line]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l skip-lines -d 'Skip this many lines before the header. [default: lines of notes before the header are found and skipped]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l encoding -d 'The input\'s encoding, any WHATWG label: windows-1252, latin1, utf-16le, shift_jis… [default: UTF-8, or what a BOM says]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l max-record-bytes -d 'The most bytes one record may take, as 1MiB, 512KiB or 65536: a larger one (a quote that never closes, a giant JSON line) is `invalid`, and memory stays bounded' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -s m -l mapping -d 'The mapping file (TOML) that turns a row into the webhook\'s body' -r -F
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l url -d 'The import\'s webhook URL: https://…/v5/imports/{importId}/trigger/{hash}. Its hash is a credential, which a command line leaves in shell history and process lists: prefer --url-file or the FQ_WEBHOOK_URL environment variable. [default: --url-file, else $FQ_WEBHOOK_URL]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l url-file -d 'Read the webhook URL from FILE: its first line that is not blank or a # comment. Keep the file readable by you only. Without --url or --url-file, the URL is taken from FQ_WEBHOOK_URL' -r -F
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l ca-cert -d 'Trust the certificate authority in FILE (PEM) as well as the system\'s, as a company proxy that inspects TLS needs' -r -F
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l state -d 'Remember in FILE what the webhook accepted for each contact, and send only the rows that are new or changed since: a row whose body the webhook accepted before is `unchanged` and not sent. FILE is an SQLite database, created on the first run; several processes (shards) may share it. See `fq-import state`' -r -F
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l key -d 'The field that tells contacts apart: in the report\'s key column, for --dedupe and for --state, such as contact.externalIdApollo. A row without it is `invalid`' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l limit -d 'Handle only the first N rows, as a trial; a later --resume carries on. [default: every row]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l shard -d 'Handle only rows K, K+N, K+2N…, so that N processes split one file; each writes its own report' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l rejects -d 'Write the rows that end invalid or failed to FILE, in the input\'s format with its header, to fix and import again' -r -F
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l report -d 'Where to write the report; JSON lines when the name ends in .jsonl. [default: <INPUT>.report.csv]' -r -F
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -s c -l concurrency -d 'How many requests may be in flight at once, or `auto` to find the endpoint\'s pace: start low, grow while answers come back fast and clean, back off on 429, 503 and timeouts, and pace by rate once the endpoint has shown its limit' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l max-concurrency -d 'With --concurrency auto, the most requests in flight' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l rate -d 'At most N requests a second, across all workers, retries included. [default: no limit]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l burst -d 'With --rate, how many requests may go at once after a quiet spell. [default: 1]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l timeout -d 'How long one request may take, e.g. 500ms, 30s, 5m' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l max-retries -d 'How many times a row is retried after a retryable answer (see below)' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l retry-for -d 'The most time one row may spend retrying; then it is `failed` with its last answer' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l retry-delay -d 'The first retry\'s delay; each later one doubles it, with jitter' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l max-retry-wait -d 'The longest wait a Retry-After may ask for; a longer one is capped here, with a warning' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l give-up-after -d 'Give up, exit 3, after this long of nothing but connection errors, timeouts and 5xx; meanwhile the endpoint is probed at a slow pace and no new rows are sent' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l max-errors -d 'Abort, exit 3, once more rows than N (or N% of the rows, after the first 100) are invalid or failed. [default: no limit]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l progress -d 'How to show progress on stderr: `auto` is a bar on a terminal and status lines otherwise; `lines` prints a line of counts, rate and ETA every --progress-interval, readable in a cron mail or a CI log' -r -f -a "auto\t'A bar on a terminal, status lines otherwise'
bar\t'A bar'
lines\t'A status line every --progress-interval'
none\t'Nothing until the summary'"
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l progress-interval -d 'With status lines, how often to print one' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l summary-json -d 'When the run ends, write a JSON summary to FILE (`-` for stdout): the counts of each outcome, retries, elapsed time, the exit code and its meaning, the first error of each kind. Written whatever the outcome, usage errors included' -r -F
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l color -d 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l allow-http -d 'Send to a plain http:// URL on another machine, unencrypted. Without it, only loopback hosts (localhost, 127.0.0.0/8, ::1) may be reached over http'
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l sandbox -d 'Start a local stand-in of the webhook on a free loopback port and import into it. The stand-in is used even when FQ_WEBHOOK_URL is set'
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l dry-run -d 'Map and check every row without sending; the bodies go to stdout as JSON lines'
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l resume -d 'Carry on from the report of an earlier run: rows already imported are skipped, every other row is sent. With no report yet, it starts from the first row'
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l force -d 'With --resume, carry on even when the input, the mapping or the shard changed'
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -l dedupe -d 'Send each contact once: a later row with the same key (see --key; email addresses ignoring case and spaces) is `duplicate` and not sent'
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -s q -l quiet -d 'Print nothing but errors: no progress, no summary'
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -s v -l verbose -d 'Say more on stderr: -v adds each retry and each failed row with its status and the answer\'s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
complete -c fq-import -n "__fish_fq_import_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fq-import -n "__fish_fq_import_using_subcommand check" -l format -d 'The input\'s format. [default: from the extension: .csv, .tsv, .jsonl, .ndjson, .json]' -r -f -a "csv\t'Comma-separated values with a header row'
tsv\t'Tab-separated values with a header row'
jsonl\t'One JSON object per line'
json\t'JSON lines, a top-level array of objects, or one document, told apart by content'"
complete -c fq-import -n "__fish_fq_import_using_subcommand check" -l delimiter -d 'The CSV delimiter: a character, or tab, comma, semicolon, pipe. [default: found from the header line]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand check" -l skip-lines -d 'Skip this many lines before the header. [default: lines of notes before the header are found and skipped]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand check" -l encoding -d 'The input\'s encoding, any WHATWG label: windows-1252, latin1, utf-16le, shift_jis… [default: UTF-8, or what a BOM says]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand check" -l max-record-bytes -d 'The most bytes one record may take, as 1MiB, 512KiB or 65536: a larger one (a quote that never closes, a giant JSON line) is `invalid`, and memory stays bounded' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand check" -s m -l mapping -d 'The mapping file (TOML) that turns a row into the webhook\'s body' -r -F
complete -c fq-import -n "__fish_fq_import_using_subcommand check" -l preview -d 'Show the first N bodies beside the rows they come from' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand check" -l examples -d 'How many rows to show for each kind of problem' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand check" -l color -d 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c fq-import -n "__fish_fq_import_using_subcommand check" -s v -l verbose -d 'Say more on stderr: -v adds each retry and each failed row with its status and the answer\'s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
complete -c fq-import -n "__fish_fq_import_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and not __fish_seen_subcommand_from init help" -l color -d 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and not __fish_seen_subcommand_from init help" -s v -l verbose -d 'Say more on stderr: -v adds each retry and each failed row with its status and the answer\'s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and not __fish_seen_subcommand_from init help" -s h -l help -d 'Print help'
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and not __fish_seen_subcommand_from init help" -f -a "init" -d 'Suggest a mapping for an input from its header, written to stdout'
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and not __fish_seen_subcommand_from init help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and __fish_seen_subcommand_from init" -l format -d 'The input\'s format. [default: from the extension: .csv, .tsv, .jsonl, .ndjson, .json]' -r -f -a "csv\t'Comma-separated values with a header row'
tsv\t'Tab-separated values with a header row'
jsonl\t'One JSON object per line'
json\t'JSON lines, a top-level array of objects, or one document, told apart by content'"
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and __fish_seen_subcommand_from init" -l delimiter -d 'The CSV delimiter: a character, or tab, comma, semicolon, pipe. [default: found from the header line]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and __fish_seen_subcommand_from init" -l skip-lines -d 'Skip this many lines before the header. [default: lines of notes before the header are found and skipped]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and __fish_seen_subcommand_from init" -l encoding -d 'The input\'s encoding, any WHATWG label: windows-1252, latin1, utf-16le, shift_jis… [default: UTF-8, or what a BOM says]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and __fish_seen_subcommand_from init" -l max-record-bytes -d 'The most bytes one record may take, as 1MiB, 512KiB or 65536: a larger one (a quote that never closes, a giant JSON line) is `invalid`, and memory stays bounded' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and __fish_seen_subcommand_from init" -l color -d 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and __fish_seen_subcommand_from init" -s v -l verbose -d 'Say more on stderr: -v adds each retry and each failed row with its status and the answer\'s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and __fish_seen_subcommand_from help" -f -a "init" -d 'Suggest a mapping for an input from its header, written to stdout'
complete -c fq-import -n "__fish_fq_import_using_subcommand mapping; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and not __fish_seen_subcommand_from show forget export help" -l color -d 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and not __fish_seen_subcommand_from show forget export help" -s v -l verbose -d 'Say more on stderr: -v adds each retry and each failed row with its status and the answer\'s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and not __fish_seen_subcommand_from show forget export help" -s h -l help -d 'Print help'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and not __fish_seen_subcommand_from show forget export help" -f -a "show" -d 'How many contacts a state file holds, what it keys them by, and its oldest and newest entries'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and not __fish_seen_subcommand_from show forget export help" -f -a "forget" -d 'Forget contacts, so that the next run with --state sends them again'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and not __fish_seen_subcommand_from show forget export help" -f -a "export" -d 'Write every entry to stdout as CSV: key, fingerprint (SHA-256 of the body sent), last_sent (UTC) and row_id'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and not __fish_seen_subcommand_from show forget export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and __fish_seen_subcommand_from show" -l color -d 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more on stderr: -v adds each retry and each failed row with its status and the answer\'s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and __fish_seen_subcommand_from forget" -l color -d 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and __fish_seen_subcommand_from forget" -s v -l verbose -d 'Say more on stderr: -v adds each retry and each failed row with its status and the answer\'s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and __fish_seen_subcommand_from forget" -s h -l help -d 'Print help'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and __fish_seen_subcommand_from export" -l color -d 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Say more on stderr: -v adds each retry and each failed row with its status and the answer\'s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "show" -d 'How many contacts a state file holds, what it keys them by, and its oldest and newest entries'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "forget" -d 'Forget contacts, so that the next run with --state sends them again'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write every entry to stdout as CSV: key, fingerprint (SHA-256 of the body sent), last_sent (UTC) and row_id'
complete -c fq-import -n "__fish_fq_import_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fq-import -n "__fish_fq_import_using_subcommand mock" -l listen -d 'The address to listen on; port 0 picks a free port' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand mock" -l record -d 'Append every accepted body to this file as a JSON line' -r -F
complete -c fq-import -n "__fish_fq_import_using_subcommand mock" -l fail-rate -d 'The share of requests, from 0 to 1, that get a 500' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand mock" -l throttle -d 'Accept at most N requests a second; the rest get 429 with Retry-After' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand mock" -l latency -d 'Wait this many milliseconds before answering each request' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand mock" -l hash -d 'Accept only this hash in the URL; any other gets 404. [default: any hash]' -r
complete -c fq-import -n "__fish_fq_import_using_subcommand mock" -l color -d 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c fq-import -n "__fish_fq_import_using_subcommand mock" -s v -l verbose -d 'Say more on stderr: -v adds each retry and each failed row with its status and the answer\'s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
complete -c fq-import -n "__fish_fq_import_using_subcommand mock" -s h -l help -d 'Print help'
complete -c fq-import -n "__fish_fq_import_using_subcommand completions" -l color -d 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c fq-import -n "__fish_fq_import_using_subcommand completions" -s v -l verbose -d 'Say more on stderr: -v adds each retry and each failed row with its status and the answer\'s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
complete -c fq-import -n "__fish_fq_import_using_subcommand completions" -s h -l help -d 'Print help'
complete -c fq-import -n "__fish_fq_import_using_subcommand man" -l color -d 'Colour the messages: `auto` on a terminal, unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c fq-import -n "__fish_fq_import_using_subcommand man" -s v -l verbose -d 'Say more on stderr: -v adds each retry and each failed row with its status and the answer\'s X-Request-Id; -vv each request and its timing. RUST_LOG overrides'
complete -c fq-import -n "__fish_fq_import_using_subcommand man" -s h -l help -d 'Print help'
complete -c fq-import -n "__fish_fq_import_using_subcommand help; and not __fish_seen_subcommand_from import check mapping state mock completions man help" -f -a "import" -d 'Map every row of a CSV or JSONL file and send it to the import webhook'
complete -c fq-import -n "__fish_fq_import_using_subcommand help; and not __fish_seen_subcommand_from import check mapping state mock completions man help" -f -a "check" -d 'Map every row without sending and list every problem, grouped by kind'
complete -c fq-import -n "__fish_fq_import_using_subcommand help; and not __fish_seen_subcommand_from import check mapping state mock completions man help" -f -a "mapping" -d 'Work with mapping files'
complete -c fq-import -n "__fish_fq_import_using_subcommand help; and not __fish_seen_subcommand_from import check mapping state mock completions man help" -f -a "state" -d 'Look into a state file (--state), or make it forget contacts'
complete -c fq-import -n "__fish_fq_import_using_subcommand help; and not __fish_seen_subcommand_from import check mapping state mock completions man help" -f -a "mock" -d 'Run a local stand-in of the import webhook, for rehearsals and tests'
complete -c fq-import -n "__fish_fq_import_using_subcommand help; and not __fish_seen_subcommand_from import check mapping state mock completions man help" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c fq-import -n "__fish_fq_import_using_subcommand help; and not __fish_seen_subcommand_from import check mapping state mock completions man help" -f -a "man" -d 'Print the manual page (roff) to stdout: `fq-import man > fq-import.1`'
complete -c fq-import -n "__fish_fq_import_using_subcommand help; and not __fish_seen_subcommand_from import check mapping state mock completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fq-import -n "__fish_fq_import_using_subcommand help; and __fish_seen_subcommand_from mapping" -f -a "init" -d 'Suggest a mapping for an input from its header, written to stdout'
complete -c fq-import -n "__fish_fq_import_using_subcommand help; and __fish_seen_subcommand_from state" -f -a "show" -d 'How many contacts a state file holds, what it keys them by, and its oldest and newest entries'
complete -c fq-import -n "__fish_fq_import_using_subcommand help; and __fish_seen_subcommand_from state" -f -a "forget" -d 'Forget contacts, so that the next run with --state sends them again'
complete -c fq-import -n "__fish_fq_import_using_subcommand help; and __fish_seen_subcommand_from state" -f -a "export" -d 'Write every entry to stdout as CSV: key, fingerprint (SHA-256 of the body sent), last_sent (UTC) and row_id'

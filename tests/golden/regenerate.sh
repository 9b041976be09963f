#!/usr/bin/env bash
# Rewrite the golden help texts from the built binary, after a deliberate change to a flag,
# a default or an example. tests/golden_help.rs fails while they differ from the code.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --quiet
bin=target/debug/fq-import
export COLUMNS=100
"$bin" --help >tests/golden/fq-import.help
for sub in import check mock completions man; do
    "$bin" "$sub" --help >"tests/golden/$sub.help"
done
"$bin" mapping init --help >tests/golden/mapping-init.help
for sub in show forget export; do
    "$bin" state "$sub" --help >"tests/golden/state-$sub.help"
done

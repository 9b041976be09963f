#!/usr/bin/env bash
# Regenerate the committed completion scripts from the command-line definition.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/fq-import
"$bin" completions bash >completions/fq-import.bash
"$bin" completions zsh >completions/_fq-import
"$bin" completions fish >completions/fq-import.fish
"$bin" completions powershell >completions/_fq-import.ps1
"$bin" completions elvish >completions/fq-import.elv

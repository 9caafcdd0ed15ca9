#!/usr/bin/env bash
# All checks and tests: formatting, lints, unit tests, and the integration tests (which install
# and start the local AWS emulator themselves). This is the command .ci/run runs. The test-only
# `fake` feature lets the binary run on the in-memory account, for the CLI tests that need no
# emulator; lints and tests build with the same features, so nothing is built twice.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo fmt --check
python3 scripts/check-layers.py
cargo clippy --all-targets --locked --features fake -- -D warnings
cargo test --locked --features fake

#!/usr/bin/env bash
# All checks and tests: formatting, lints, unit tests, and the integration tests (which install
# and start the local AWS emulator themselves). This is the command .ci/run runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo fmt --check
python3 scripts/check-layers.py
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked

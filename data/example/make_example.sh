#!/usr/bin/env bash
# Regenerate the synthetic example study (4 organisations x 375 respondents) byte-identically.
#
# Usage: bash data/example/make_example.sh [OUTPUT_DIR]     (default: this folder)
# Uses .venv/bin/drivers of this checkout (or `drivers` on PATH, or $DRIVERS).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$here}"
DRIVERS="${DRIVERS:-$root/.venv/bin/drivers}"
if [ ! -x "$DRIVERS" ]; then DRIVERS="$(command -v drivers)"; fi

"$DRIVERS" simulate --orgs 4 --n-per-org 375 --seed 2011 -o "$out/responses.csv" -o "$out/responses.sav" --truth "$out/truth.json"
"$DRIVERS" codebook --format md -o "$out/codebook.md"
"$DRIVERS" codebook --format json -o "$out/codebook.json"

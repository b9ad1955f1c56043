#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-system.sh [BATS-OPTIONS…] [FILES…]: run the bats system tests (default: every
# tests/system/*.bats, in name order) and print TAP on stdout. Exits non-zero if a test
# failed, or, in CI (CI=true), if a test was skipped without a reason.
#
#   CUTTLE_BUILD=DIR   the build to test (default: REPO/build); see tests/system/helpers.bash
#
# Examples:
#   tests/run-system.sh
#   tests/run-system.sh --filter 'delete' tests/system/000-smoke.bats
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
export CUTTLE_BUILD=${CUTTLE_BUILD:-$repo/build}

if ! command -v bats >/dev/null; then
        echo "run-system.sh: bats is not installed (apt-get install bats)" >&2
        exit 1
fi
for f in "${CUTTLE_RUNTIME:-$CUTTLE_BUILD/cuttle-runtime}" \
        "${PROBE:-$CUTTLE_BUILD/tests/payload/probe}"; do
        [ -x "$f" ] || echo "run-system.sh: warning: $f is missing; the tests will fail" >&2
done
if [ "$(id -u)" != 0 ]; then
        echo "run-system.sh: warning: not root; most tests need root" >&2
fi

opts=()
files=()
while [ $# -gt 0 ]; do
        case "$1" in
        --filter | -f | --jobs | -j | --formatter | -F | --output | -o)
                opts+=("$1" "$2")
                shift 2
                ;;
        -*)
                opts+=("$1")
                shift
                ;;
        *)
                files+=("$1")
                shift
                ;;
        esac
done
if [ ${#files[@]} -eq 0 ]; then
        files=("$here"/system/*.bats)
fi

tap=$(mktemp)
trap 'rm -f "$tap"' EXIT

bats --tap "${opts[@]}" "${files[@]}" | tee "$tap"
rc=${PIPESTATUS[0]}

# A skip must say why (bats prints a bare "# skip" when it does not): in CI, that fails.
bare=$(grep -E '^ok [0-9]+ .* # skip$' "$tap" || true)
if [ -n "$bare" ] && [ "${CI:-}" = true ]; then
        echo "# FAIL: tests skipped without a reason (not allowed in CI):"
        printf '#   %s\n' "${bare//$'\n'/$'\n'#   }"
        [ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"

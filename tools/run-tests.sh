#!/bin/bash
# Runs every test: unit tests (plain and under ASan/UBSan) and the bats
# system tests.  Builds first.  Ends with one line: "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
LOGDIR=${LOGDIR:-$REPO/build-logs}
mkdir -p "$LOGDIR"

passed=0 failed=0 skipped=0
failures=()

count_tap() { # name file
        local name=$1 file=$2 ok notok skip
        ok=$(grep -cE '^ok [0-9]+' "$file" | tr -d ' ')
        skip=$(grep -cE '^ok [0-9]+.*# (skip|SKIP)' "$file" | tr -d ' ')
        notok=$(grep -cE '^not ok [0-9]+' "$file" | tr -d ' ')
        passed=$((passed + ok - skip))
        skipped=$((skipped + skip))
        failed=$((failed + notok))
        if [ "$notok" -gt 0 ]; then
                while IFS= read -r l; do failures+=("$name: $l"); done < <(grep -E '^not ok' "$file")
        fi
}

build() { # dir [meson options…]
        local dir=$1; shift
        if [ ! -f "$dir/build.ninja" ]; then
                meson setup "$dir" "$@" >"$LOGDIR/setup-$(basename "$dir").log" 2>&1 || {
                        cat "$LOGDIR/setup-$(basename "$dir").log"; return 1; }
        fi
        ninja -C "$dir" >"$LOGDIR/build-$(basename "$dir").log" 2>&1 || {
                tail -50 "$LOGDIR/build-$(basename "$dir").log"; return 1; }
}

run_unit() { # builddir label
        local dir=$1 label=$2
        meson test -C "$dir" --suite unit --no-rebuild >"$LOGDIR/unit-$label.log" 2>&1
        # Each unit test prints TAP; meson keeps the output in testlog.json.
        local t
        for t in "$dir"/meson-logs/testlog.json; do
                python3 - "$t" "$LOGDIR/unit-$label.tap" <<'PY'
import json, sys
out = open(sys.argv[2], "w")
for line in open(sys.argv[1]):
    r = json.loads(line)
    name = r.get("name", "?")
    stdout = r.get("stdout") or ""
    seen = False
    for l in stdout.splitlines():
        if l.startswith("ok ") or l.startswith("not ok "):
            out.write(f"{l}  [{name}]\n"); seen = True
    if r.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP") and not any(
            l.startswith("not ok") for l in stdout.splitlines()):
        out.write(f"not ok 0 {name}: {r.get('result')}\n")
    elif not seen and r.get("result") == "OK":
        out.write(f"ok 0 {name}\n")
PY
        done
        count_tap "unit($label)" "$LOGDIR/unit-$label.tap"
}

echo "== build"
build "$BUILD" -Dtests=true || { echo "0 passed, 1 failed"; exit 1; }
echo "== unit tests"
run_unit "$BUILD" plain
if [ "${SKIP_ASAN:-0}" != 1 ]; then
        echo "== unit tests under ASan/UBSan"
        if build "$ASAN_BUILD" -Dtests=true -Db_sanitize=address,undefined -Db_lundef=false; then
                ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 run_unit "$ASAN_BUILD" asan
        else
                failed=$((failed + 1)); failures+=("asan build failed")
        fi
fi

if [ "${SKIP_FUZZ:-0}" != 1 ] && command -v clang >/dev/null; then
        echo "== fuzz targets: corpus replay and a short run"
        if [ ! -f build-fuzz/build.ninja ]; then
                # The libraries get coverage instrumentation too (fuzzer-no-link),
                # or the fuzzer only sees the target's own edges.
                CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false \
                        -Db_sanitize=address -Dc_args=-fsanitize=fuzzer-no-link -Db_lundef=false \
                        >"$LOGDIR/setup-fuzz.log" 2>&1
        fi
        if ninja -C build-fuzz >"$LOGDIR/build-fuzz.log" 2>&1; then
                for f in build-fuzz/src/*/fuzz-*; do
                        [ -f "$f" ] && [ -x "$f" ] || continue
                        name=${f##*/fuzz-}
                        layer=$(basename "$(dirname "$f")")
                        corpus=src/$layer/fuzz-corpus/${name#"$layer"-}
                        work=$(mktemp -d)
                        [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
                        if "$f" -max_total_time="${FUZZ_SECONDS:-10}" -timeout=10 "$work" \
                                >"$LOGDIR/fuzz-$name.log" 2>&1; then
                                passed=$((passed + 1))
                        else
                                failed=$((failed + 1)); failures+=("fuzz $name: see $LOGDIR/fuzz-$name.log")
                        fi
                        rm -rf "$work"
                done
        else
                failed=$((failed + 1)); failures+=("fuzz build failed")
        fi
fi

echo "== system tests"
export CUTTLE_BUILD="$REPO/$BUILD"
if [ -x tests/run-system.sh ]; then
        tests/run-system.sh >"$LOGDIR/system.tap" 2>"$LOGDIR/system.err"
        count_tap system "$LOGDIR/system.tap"
        grep -E '^(not ok|# )' "$LOGDIR/system.tap" | head -200
else
        echo "tests/run-system.sh missing"; failed=$((failed + 1))
fi

if [ ${#failures[@]} -gt 0 ]; then
        echo "== failures"
        printf '%s\n' "${failures[@]}"
fi
if [ "$skipped" -gt 0 ]; then
        echo "$passed passed, $failed failed, $skipped skipped"
else
        echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]

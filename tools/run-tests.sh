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

# Elapsed seconds of each phase, printed before the summary line.
phase_names=() phase_secs=()
phase_start=$SECONDS run_start=$SECONDS
phase_done() { # name
        phase_names+=("$1")
        phase_secs+=($((SECONDS - phase_start)))
        phase_start=$SECONDS
}

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

# build DIR [--only unit] [meson options…]: configure DIR once, then build it; with
# --only unit, just the unit-test executables (and what they depend on), not the binaries,
# payloads and man pages that only the system tests use.
build() {
        local dir=$1 only="" targets=() log
        shift
        if [ "${1:-}" = --only ]; then
                only=$2
                shift 2
        fi
        log=$LOGDIR/build-$(basename "$dir").log
        if [ ! -f "$dir/build.ninja" ]; then
                meson setup "$dir" "$@" >"$LOGDIR/setup-$(basename "$dir").log" 2>&1 || {
                        cat "$LOGDIR/setup-$(basename "$dir").log"; return 1; }
        fi
        if [ -n "$only" ]; then
                mapfile -t targets < <(build_targets "$dir" "$only")
                if [ ${#targets[@]} -eq 0 ]; then
                        echo "run-tests.sh: no $only targets found in $dir; building everything" >"$log"
                fi
        fi
        ninja -C "$dir" "${targets[@]}" >>"$log" 2>&1 || {
                tail -50 "$log"; return 1; }
}

# build_targets DIR unit|fuzz: the ninja targets (paths relative to DIR) of the unit tests'
# executables, their declared dependencies and every other executable (a unit test may run
# one without declaring it: test-network-setup runs cuttle-netfw), but not the man pages
# (pandoc) or payloads; or the fuzz-* executables. Nothing if meson cannot say (the caller
# then builds everything).
build_targets() {
        python3 - "$1" "$2" <<'PY' 2>/dev/null || true
import json, os, subprocess, sys
b, what = sys.argv[1], sys.argv[2]
ab = os.path.abspath(b)
def intro(arg):
    return json.loads(subprocess.check_output(["meson", "introspect", b, arg]))
targets = intro("--targets")
out = set()
if what == "unit":
    byid = {t["id"]: t for t in targets}
    for t in intro("--tests"):
        if not any(s.split(":")[-1] == "unit" for s in t["suite"]):
            continue
        for d in t.get("depends", []):
            out.update(byid[d]["filename"])
    for t in targets:
        if t["type"] == "executable":
            out.update(t["filename"])
else:
    for t in targets:
        if t["type"] == "executable" and t["name"].startswith("fuzz-"):
            out.update(t["filename"])
for f in sorted(out):
    print(os.path.relpath(f, ab))
PY
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
phase_done build
echo "== unit tests"
run_unit "$BUILD" plain
phase_done unit
if [ "${SKIP_ASAN:-0}" != 1 ]; then
        echo "== unit tests under ASan/UBSan"
        # Only the unit tests run from this build: build nothing else.
        if build "$ASAN_BUILD" --only unit -Dtests=true -Db_sanitize=address,undefined -Db_lundef=false; then
                phase_done asan-build
                ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 run_unit "$ASAN_BUILD" asan
                phase_done asan-unit
        else
                failed=$((failed + 1)); failures+=("asan build failed")
                phase_done asan-build
        fi
fi

# Each fuzz target replays its corpus, then fuzzes for FUZZ_SECONDS (default 3). The replay
# is the regression test; a few seconds of new inputs per target and run catch shallow
# breakage (10 s found no more and cost 84 s per run); long campaigns are run by hand.
if [ "${SKIP_FUZZ:-0}" != 1 ] && command -v clang >/dev/null; then
        echo "== fuzz targets: corpus replay and a short run (${FUZZ_SECONDS:-3} s each)"
        if [ ! -f build-fuzz/build.ninja ]; then
                # The libraries get coverage instrumentation too (fuzzer-no-link),
                # or the fuzzer only sees the target's own edges.
                CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false \
                        -Db_sanitize=address -Dc_args=-fsanitize=fuzzer-no-link -Db_lundef=false \
                        >"$LOGDIR/setup-fuzz.log" 2>&1
        fi
        # only the fuzz-* executables (not the CLI, runtime or man pages)
        fuzz_targets=()
        mapfile -t fuzz_targets < <(build_targets build-fuzz fuzz)
        fuzz_built=0
        ninja -C build-fuzz "${fuzz_targets[@]}" >"$LOGDIR/build-fuzz.log" 2>&1 && fuzz_built=1
        phase_done fuzz-build
        if [ "$fuzz_built" = 1 ]; then
                for f in build-fuzz/src/*/fuzz-*; do
                        [ -f "$f" ] && [ -x "$f" ] || continue
                        name=${f##*/fuzz-}
                        layer=$(basename "$(dirname "$f")")
                        corpus=src/$layer/fuzz-corpus/${name#"$layer"-}
                        work=$(mktemp -d)
                        [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
                        if "$f" -max_total_time="${FUZZ_SECONDS:-3}" -timeout=10 "$work" \
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
        phase_done fuzz-run
fi

echo "== system tests"
export CUTTLE_BUILD="$REPO/$BUILD"
if [ -x tests/run-system.sh ]; then
        # --timing: each test's line ends in "in N ms", to see where the time goes
        tests/run-system.sh --timing >"$LOGDIR/system.tap" 2>"$LOGDIR/system.err"
        count_tap system "$LOGDIR/system.tap"
        grep -E '^(not ok|# )' "$LOGDIR/system.tap" | head -200
else
        echo "tests/run-system.sh missing"; failed=$((failed + 1))
fi
phase_done system

echo "== elapsed seconds per phase"
for i in "${!phase_names[@]}"; do
        printf '%-12s %5d\n' "${phase_names[$i]}" "${phase_secs[$i]}"
done
printf '%-12s %5d\n' total $((SECONDS - run_start))

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

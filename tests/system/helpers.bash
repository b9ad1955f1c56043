# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2016 # jq filters use $ inside single quotes
#
# helpers.bash: loaded by every tests/system/*.bats file (`load helpers`).
#
# Environment:
#   CUTTLE_BUILD     build directory (default: REPO/build)
#   CUTTLE           the cuttle binary (default: $CUTTLE_BUILD/cuttle)
#   CUTTLE_RUNTIME   the OCI runtime (default: $CUTTLE_BUILD/cuttle-runtime)
#   PROBE            the static test payload (default: $CUTTLE_BUILD/tests/payload/probe)
#   CUTTLE_TIMEOUT   seconds allowed to every run_cuttle/run_runtime call (default 60)
#   CI               "true" in CI: a skip without a reason fails the test
#
# Per test (after cuttle_setup):
#   CUTTLE_TEST_DIR  the test's private directory ($BATS_TEST_TMPDIR)
#   BUNDLE           an OCI bundle made by tests/images/mkbundle.sh
#   CUTTLE_ROOT      the runtime's --root for this test
#   CID              a container id unique to this test and run; use "$CID", "$CID-2"…
#
# Functions (each documented where it is defined):
#   run_runtime [RC|?] ARGS…    cuttle-runtime --root $CUTTLE_ROOT ARGS…, checked like run_podman
#   run_cuttle [RC|?] ARGS…     cuttle ARGS…, the same way
#   run_in_container [RC|?] ARGS…   set process.args to ARGS and `run` the bundle as $CID
#   is ACTUAL EXPECTED [DESC]   exact, glob or whole-string regex match
#   assert_line_contains TEXT [DESC]
#   die MESSAGE…                fail the test
#   skip_if_no CMD [REASON]     skip (in CI: fail unless REASON is given)
#   bundle_jq FILTER [JQ-OPTS…], bundle_args ARGS…
#   container_status ID, wait_for_status ID STATUS [SECS], wait_for_file PATH [SECS],
#   wait_for_exit PID [SECS]
#   cuttle_setup [ARGS…], cuttle_teardown   (the default setup() and teardown() call them)
#
# A .bats file that needs its own setup/teardown calls cuttle_setup/cuttle_teardown from them.

CUTTLE_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CUTTLE_BUILD=${CUTTLE_BUILD:-$CUTTLE_REPO/build}
CUTTLE=${CUTTLE:-$CUTTLE_BUILD/cuttle}
CUTTLE_RUNTIME=${CUTTLE_RUNTIME:-$CUTTLE_BUILD/cuttle-runtime}
PROBE=${PROBE:-$CUTTLE_BUILD/tests/payload/probe}
CUTTLE_TIMEOUT=${CUTTLE_TIMEOUT:-60}
export CUTTLE_BUILD CUTTLE CUTTLE_RUNTIME PROBE CUTTLE_TIMEOUT

# bats-support only (its fail is used): bats sources this file again for every test, and
# bats-assert and bats-file, which no test uses, cost ~0.3 s of CPU per test to load. A file
# that wants them loads them itself (load /usr/lib/bats/bats-assert/load).
if [ -f /usr/lib/bats/bats-support/load.bash ]; then
        load /usr/lib/bats/bats-support/load
fi

# ---------------------------------------------------------------------------- failing

# die MESSAGE…: fail the current test with a boxed message on stderr.
die() {
        local line
        echo "#/vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv" >&2
        while IFS= read -r line; do
                echo "#| $line" >&2
        done <<<"FAIL: $*"
        echo "#\\^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^" >&2
        false
}

# _prefix_lines PREFIX TEXT: TEXT with PREFIX before each line (for multi-line messages).
_prefix_lines() {
        local prefix=$1 line first=1
        while IFS= read -r line; do
                if [ $first = 1 ]; then
                        echo "$prefix$line"
                        first=0
                else
                        printf '%*s%s\n' "${#prefix}" '' "$line"
                fi
        done <<<"$2"
}

# is ACTUAL EXPECTED [DESCRIPTION]: pass if ACTUAL equals EXPECTED, matches it as a glob, or
# matches it as a whole-string extended regex; an empty EXPECTED means "no output".
is() {
        local actual=$1 expect=$2
        local desc=${3:-${CUTTLE_LAST_COMMAND:-[no description]}}

        # shellcheck disable=SC2053 # the unquoted glob match is intended
        if [ -z "$expect" ]; then
                [ -z "$actual" ] && return 0
                expect='[no output]'
        elif [[ $actual == "$expect" ]]; then
                return 0
        elif [[ $actual == $expect ]]; then
                return 0
        elif [[ $actual =~ ^($expect)$ ]] 2>/dev/null; then
                return 0
        fi
        [ -n "$actual" ] || actual='[no output]'
        die "$(printf '%s\n%s\n%s' "$desc" \
                "$(_prefix_lines 'expected: ' "'$expect'")" \
                "$(_prefix_lines '  actual: ' "'$actual'")")"
}

# assert_line_contains TEXT [DESCRIPTION]: pass if some line of $output contains TEXT.
assert_line_contains() {
        local text=$1 desc=${2:-${CUTTLE_LAST_COMMAND:-[no description]}} l
        for l in "${lines[@]}"; do
                [[ $l == *"$text"* ]] && return 0
        done
        die "$(printf '%s\nno line contains: %s\n%s' "$desc" "'$text'" \
                "$(_prefix_lines '  output: ' "${output:-[no output]}")")"
}

# skip_if_no CMD [REASON]: skip the test unless CMD is on PATH. In CI (CI=true) a missing
# CMD fails the test unless REASON says why this machine cannot have it.
skip_if_no() {
        local cmd=$1 reason=${2:-}
        command -v "$cmd" >/dev/null 2>&1 && return 0
        if [ "${CI:-}" = true ] && [ -z "$reason" ]; then
                die "'$cmd' is not installed; in CI a skip needs a reason" \
                    "(install it, or: skip_if_no $cmd 'why this machine cannot have it')"
        fi
        skip "'$cmd' is not available${reason:+: $reason}"
}

# ---------------------------------------------------------------------------- running

# _run_checked EXPECTED_RC CMD…: run CMD under timeout, echo it and its output, set
# $output/$status/$lines like bats' `run`, fail the test if the exit code is not EXPECTED_RC
# ('' for any). Output goes through a file, not a pipe, so a detached container that keeps
# the runtime's stdout does not block us; $CUTTLE_OUTPUT_FILE names that file.
_run_checked() {
        local expected_rc=$1
        shift
        local dir=${CUTTLE_TEST_DIR:-$BATS_TEST_TMPDIR}

        _cuttle_run_count=$(( ${_cuttle_run_count:-0} + 1 ))
        CUTTLE_OUTPUT_FILE=$dir/output.$_cuttle_run_count
        CUTTLE_LAST_COMMAND="$*"
        echo "\$ $*"

        status=0
        timeout -v --kill-after=10 "$CUTTLE_TIMEOUT" "$@" \
                <"/dev/null" >"$CUTTLE_OUTPUT_FILE" 2>&1 3>/dev/null || status=$?
        output=$(<"$CUTTLE_OUTPUT_FILE")
        lines=()
        if [ -n "$output" ]; then
                IFS=$'\n' read -d '' -r -a lines <<<"$output" || true
                echo "$output"
        fi

        if [ "$status" -ne 0 ]; then
                if [ -z "$expected_rc" ] || [ "$status" -eq "$expected_rc" ]; then
                        echo "[ rc=$status (expected) ]"
                else
                        echo "[ rc=$status (** EXPECTED $expected_rc **) ]"
                fi
        fi
        if { [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; } &&
                [[ $output == *"timeout: sending signal"* ]]; then
                die "command timed out after ${CUTTLE_TIMEOUT}s: $*"
        fi
        if [ -n "$expected_rc" ] && [ "$status" -ne "$expected_rc" ]; then
                die "exit code is $status; expected $expected_rc: $*"
        fi
        return 0
}

# _expected_rc ARG: print the expected exit code an ARG names (N, or '' for '?'), or fail
# (rc 1) if ARG is not an exit code at all.
_expected_rc() {
        case "$1" in
        '?') echo "" ;;
        [0-9] | [0-9][0-9] | [0-9][0-9][0-9]) echo "$1" ;;
        *) return 1 ;;
        esac
}

# _take_rc ARG: like _expected_rc, without a subshell: sets $_rc to the expected exit code
# ARG names ('' for '?') and succeeds, or sets $_rc to 0 and fails if ARG is not one.
_take_rc() {
        case "$1" in
        '?') _rc="" ;;
        [0-9] | [0-9][0-9] | [0-9][0-9][0-9]) _rc=$1 ;;
        *) _rc=0; return 1 ;;
        esac
}

# run_runtime [EXPECTED_RC|?] ARGS…: run `cuttle-runtime --root $CUTTLE_ROOT ARGS…` (rc 0
# expected unless given); see _run_checked.
run_runtime() {
        local _rc
        ! _take_rc "${1:-}" || shift
        [ -n "${CUTTLE_ROOT:-}" ] || die "run_runtime: no CUTTLE_ROOT; call cuttle_setup first"
        _run_checked "$_rc" "$CUTTLE_RUNTIME" --root "$CUTTLE_ROOT" "$@"
}

# run_cuttle [EXPECTED_RC|?] ARGS…: run `cuttle ARGS…`; see _run_checked.
run_cuttle() {
        local _rc
        ! _take_rc "${1:-}" || shift
        _run_checked "$_rc" "$CUTTLE" "$@"
}

# run_in_container [EXPECTED_RC|?] ARGS…: set the bundle's process.args to ARGS and
# `run --bundle $BUNDLE $CID` it (rc 0 expected unless given).
run_in_container() {
        local _rc
        ! _take_rc "${1:-}" || shift
        bundle_args "$@"
        run_runtime "${_rc:-?}" run --bundle "$BUNDLE" "$CID"
}

# ---------------------------------------------------------------------------- bundles

# bundle_jq FILTER [JQ-OPTIONS…]: edit $BUNDLE/config.json in place with jq FILTER, e.g.
#   bundle_jq '.process.env += [$e]' --arg e FOO=bar
bundle_jq() {
        local filter=$1 cfg=$BUNDLE/config.json
        shift
        [ -f "$cfg" ] || die "bundle_jq: no $cfg; call cuttle_setup first"
        jq "$@" "$filter" "$cfg" >"$cfg.new" || die "bundle_jq: jq failed on: $filter"
        mv -f "$cfg.new" "$cfg"
}

# bundle_args ARGS…: set the bundle's process.args.
bundle_args() {
        local cfg=$BUNDLE/config.json
        [ -f "$cfg" ] || die "bundle_args: no $cfg; call cuttle_setup first"
        jq '.process.args = $ARGS.positional' "$cfg" --args -- "$@" >"$cfg.new" ||
                die "bundle_args: jq failed"
        mv -f "$cfg.new" "$cfg"
}

# container_status ID: print the status field of `state ID` (for "$(container_status ID)";
# the command and its output go to stderr, and a failing state fails the test).
container_status() {
        run_runtime 0 state "$1" >&2
        jq -r .status <<<"$output" || die "state $1 printed no JSON: $output"
}

# wait_for_status ID STATUS [SECONDS]: poll `state ID` until its status is STATUS.
wait_for_status() {
        local id=$1 want=$2 secs=${3:-10} got=
        local deadline=$(( SECONDS + secs ))
        while :; do
                got=$("$CUTTLE_RUNTIME" --root "$CUTTLE_ROOT" state "$id" 2>/dev/null |
                        jq -r .status 2>/dev/null) || true
                [ "$got" = "$want" ] && return 0
                [ "$SECONDS" -lt "$deadline" ] || break
                sleep 0.1
        done
        die "container $id: status '${got:-[no state]}' after ${secs}s; expected '$want'"
}

# wait_for_file PATH [SECONDS]: wait until PATH exists (a ready file a container writes).
wait_for_file() {
        local path=$1 secs=${2:-10}
        local deadline=$(( SECONDS + secs ))
        until [ -e "$path" ]; do
                [ "$SECONDS" -lt "$deadline" ] || die "$path did not appear within ${secs}s"
                sleep 0.05
        done
}

# wait_for_exit PID [SECONDS]: wait until process PID is gone (or a zombie, which is the
# business of its parent).
wait_for_exit() {
        local pid=$1 secs=${2:-10} stat=
        local deadline=$(( SECONDS + secs ))
        while [ -e "/proc/$pid" ]; do
                stat=$(cat "/proc/$pid/stat" 2>/dev/null) || true
                stat=${stat##*) }
                [ "${stat%% *}" = Z ] && return 0
                [ "$SECONDS" -lt "$deadline" ] || die "process $pid is still there after ${secs}s"
                sleep 0.05
        done
}

# ---------------------------------------------------------------------------- setup

# _bundle_template: print the path of a bundle that mkbundle.sh made once for this bats run
# (made under a lock, so that parallel jobs share it); copying it is much faster than making
# a bundle per test.
_bundle_template() {
        local tpl=$BATS_RUN_TMPDIR/cuttle-bundle
        if [ ! -f "$tpl/config.json" ]; then
                (
                        flock 9
                        if [ ! -f "$tpl/config.json" ]; then
                                "$CUTTLE_REPO/tests/images/mkbundle.sh" "$tpl.new" >&2 &&
                                        mv "$tpl.new" "$tpl"
                        fi
                ) 9>"$tpl.lock" || return 1
        fi
        echo "$tpl"
}

# cuttle_setup [ARGS…]: per-test directory, $BUNDLE (process.args = ARGS, default sh),
# $CUTTLE_ROOT and $CID. With CUTTLE_SETUP_BUNDLE=0 (engine_setup: the engine's tests make
# images, not bundles) $BUNDLE is named but not made; cuttle_bundle makes it.
# shellcheck disable=SC2120 # ARGS are optional
cuttle_setup() {
        [ -x "$CUTTLE_RUNTIME" ] || die "no runtime at $CUTTLE_RUNTIME (build it, or set CUTTLE_BUILD)"
        [ -x "$PROBE" ] || die "no probe at $PROBE (build with -Dtests=true, or set PROBE)"

        CUTTLE_TEST_DIR=${BATS_TEST_TMPDIR:?bats 1.4 or later is needed}
        BUNDLE=$CUTTLE_TEST_DIR/bundle
        CUTTLE_ROOT=$CUTTLE_TEST_DIR/state
        CID=cuttletest-$$-${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}
        export CUTTLE_TEST_DIR BUNDLE CUTTLE_ROOT CID
        mkdir -p "$CUTTLE_ROOT"
        [ "${CUTTLE_SETUP_BUNDLE:-1}" = 0 ] || cuttle_bundle "$@"
}

# cuttle_bundle [ARGS…]: make $BUNDLE (process.args = ARGS, default sh), a copy of the
# bundle template; cuttle_setup calls it unless CUTTLE_SETUP_BUNDLE=0.
# shellcheck disable=SC2120 # ARGS are optional
cuttle_bundle() {
        local tpl
        [ -n "${BUNDLE:-}" ] || die "cuttle_bundle: no BUNDLE; call cuttle_setup first"
        if [ -n "${BATS_RUN_TMPDIR:-}" ] && tpl=$(_bundle_template); then
                cp -a "$tpl" "$BUNDLE" || die "copying $tpl to $BUNDLE failed"
                if [ $# -gt 0 ]; then
                        bundle_args "$@"
                fi
        else
                "$CUTTLE_REPO/tests/images/mkbundle.sh" "$BUNDLE" "$@" ||
                        die "mkbundle.sh $BUNDLE failed"
        fi
}

# ---------------------------------------------------------------------------- teardown

# _runtime_quiet ARGS…: the runtime under timeout, output to stdout, never failing the test.
_runtime_quiet() {
        timeout --kill-after=5 "$CUTTLE_TIMEOUT" "$CUTTLE_RUNTIME" --root "$CUTTLE_ROOT" "$@" \
                </dev/null 2>/dev/null 3>/dev/null
}

# _container_ids: the ids the runtime lists in $CUTTLE_ROOT (or, if list fails, the
# directories there).
_container_ids() {
        local ids entries
        # nothing in the state directory: nothing to list (most tests of the engine)
        entries=("$CUTTLE_ROOT"/* "$CUTTLE_ROOT"/.[!.]*)
        [[ ${#entries[@]} -eq 2 && ! -e ${entries[0]} && ! -e ${entries[1]} ]] && return 0
        if ids=$(_runtime_quiet list -q); then
                printf '%s\n' "$ids" | sed '/^$/d'
        else
                find "$CUTTLE_ROOT" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null
        fi
}

# _leftover_pids: processes whose cwd, root or exe lies under $CUTTLE_TEST_DIR, and processes
# in another mount namespace whose mount table uses something under it (a container's
# processes: their root shows as "/") — "PID why" lines. Run it from outside that directory.
_leftover_pids() {
        local dir=$CUTTLE_TEST_DIR pid f ns ours fsroot mp rel
        [ -n "$dir" ] || return 0
        # find compares the link targets itself (-lname is a glob: escape the directory)
        local glob=${dir//\\/\\\\}
        glob=${glob//\*/\\*} glob=${glob//\?/\\?} glob=${glob//\[/\\[}
        find /proc -mindepth 2 -maxdepth 2 -path '/proc/[0-9]*/*' \
                \( -name cwd -o -name root -o -name exe \) \
                \( -lname "$glob" -o -lname "$glob/*" \) -printf '%h %f=%l\n' 2>/dev/null |
                sed 's|^/proc/||'

        # mountinfo's 4th field is the path inside the file system, so look for that.
        read -r fsroot mp < <(findmnt -n -o FSROOT,TARGET -T "$dir" 2>/dev/null) || return 0
        rel=${fsroot%/}/${dir#"${mp%/}"/}
        rel=/${rel#/}
        ours=$(readlink "/proc/$$/ns/mnt")
        grep -l -F -e " $rel/" -e " $rel " /proc/[0-9]*/mountinfo 2>/dev/null |
                while read -r f; do
                        pid=${f#/proc/}
                        pid=${pid%/mountinfo}
                        ns=$(readlink "/proc/$pid/ns/mnt" 2>/dev/null) || continue
                        if [ "$ns" != "$ours" ]; then
                                echo "$pid mount namespace uses $rel"
                        fi
                done
        return 0
}

# _leftover_mounts: lines of our mountinfo whose root or mount point is under $CUTTLE_TEST_DIR.
_leftover_mounts() {
        grep -F -e " $CUTTLE_TEST_DIR " -e " $CUTTLE_TEST_DIR/" /proc/self/mountinfo || true
}

# _leftover_cgroups: cgroup directories named after one of the test's container ids: ID
# directly under a controller (runc's default), ID under a cuttle* directory, cuttle*-ID and
# cuttle*-ID.scope anywhere, and any name ending in $CID (unique to this test) or with $CID-.
# Short ids chosen by a test ("c1") are never matched outside cuttle's own names.
_leftover_cgroups() {
        local id d expr=()
        for id in "${_cuttle_ids[@]}"; do
                expr+=(-o -name "cuttle*-$id" -o -name "cuttle*-$id.scope" -o -path "*/cuttle*/$id")
                for d in /sys/fs/cgroup/*/"$id"; do
                        [ -d "$d" ] && echo "$d"
                done
        done
        expr+=(-o -name "*$CID" -o -name "*$CID.scope" -o -name "*$CID-*")
        find /sys/fs/cgroup/ -mindepth 2 -maxdepth 6 -type d \( "${expr[@]:1}" \) -prune \
                -print 2>/dev/null
        return 0
}

# _cgroup_pids DIR: the processes in cgroup DIR and below.
_cgroup_pids() {
        find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u
}

# _clean_cgroup DIR: thaw, kill every process in DIR and below, then remove the tree.
_clean_cgroup() {
        local cg=$1 pid _
        if [ -w "$cg/freezer.state" ]; then
                echo THAWED >"$cg/freezer.state" 2>/dev/null || true
        fi
        if [ -w "$cg/cgroup.freeze" ]; then
                echo 0 >"$cg/cgroup.freeze" 2>/dev/null || true
        fi
        for _ in 1 2 3 4 5; do
                for pid in $(_cgroup_pids "$cg"); do
                        kill -KILL "$pid" 2>/dev/null || true
                done
                find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
                [ -d "$cg" ] || return 0
                sleep 0.2
        done
        return 0
}

# cuttle_teardown: force-delete every container in $CUTTLE_ROOT, then fail the test if any
# container, process, mount or cgroup of this test is left (after cleaning it up, so later
# tests are not affected).
cuttle_teardown() {
        [ -n "${CUTTLE_ROOT:-}" ] && [ -d "$CUTTLE_ROOT" ] || return 0
        local problems=() left=() id line mp pid pids why cg

        # Out of the test's directory, so that neither this shell nor the helpers it forks
        # count as leftovers.
        cd / || die "cd /"

        mapfile -t _cuttle_ids < <(_container_ids)
        for id in "${_cuttle_ids[@]}"; do
                _runtime_quiet delete --force "$id" >/dev/null ||
                        problems+=("delete --force $id failed")
        done
        if [ ${#_cuttle_ids[@]} -gt 0 ]; then
                mapfile -t left < <(_container_ids)
        fi
        for id in "${left[@]}"; do
                problems+=("container $id is still listed after delete --force")
        done
        _cuttle_ids+=("$CID")

        while read -r pid why; do
                [ -n "$pid" ] || continue
                problems+=("process $pid left: $why: $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" || true)")
                kill -KILL "$pid" 2>/dev/null || true
        done < <(_leftover_pids | sort -u -k1,1n)

        while read -r cg; do
                [ -n "$cg" ] || continue
                pids=$(_cgroup_pids "$cg" | tr '\n' ' ' || true)
                problems+=("cgroup left: $cg${pids:+ (processes: $pids)}")
                _clean_cgroup "$cg"
        done < <(_leftover_cgroups | sort -u)

        local mounts
        mounts=$(_leftover_mounts)
        if [ -n "$mounts" ]; then
                while read -r line; do
                        [ -n "$line" ] || continue
                        problems+=("mount left: $line")
                done <<<"$mounts"
                # Latest first; lazily, so that a busy mount cannot stop the cleanup.
                while read -r mp; do
                        mp=$(printf '%b' "${mp//\\/\\0}")
                        if [ "$mp" = "$CUTTLE_TEST_DIR" ] || [[ $mp == "$CUTTLE_TEST_DIR"/* ]]; then
                                umount -l "$mp" 2>/dev/null || true
                        fi
                done < <(awk '{print $5}' <<<"$mounts" | tac)
                if [ -n "$(_leftover_mounts)" ]; then
                        problems+=("could not unmount everything under $CUTTLE_TEST_DIR")
                fi
        fi

        if [ ${#problems[@]} -gt 0 ]; then
                die "$(printf 'teardown found leftovers of this test:\n'; printf '  %s\n' "${problems[@]}")"
        fi
}

# The default per-test hooks; a .bats file may define its own and call these from them.
# shellcheck disable=SC2119 # the default bundle runs sh
setup() {
        cuttle_setup
}

teardown() {
        cuttle_teardown
}

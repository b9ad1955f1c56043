# shellcheck shell=bash disable=SC2034  # CASE_*, CMD are read by run.sh
# Case runtime-run: the OCI runtime alone. `RUNTIME --root R run --bundle B ID`
# on the same bundle (/bin/true, no terminal): create the container, start it,
# wait for it, tear it down. Fresh container id every iteration; each contender
# keeps its state in its own --root.
#
# Sourced by bench/run.sh; see bench/README.md for the interface.

CASE_NAME=runtime-run
CASE_ORDER=10
CASE_TITLE='OCI runtime: run a /bin/true container from a bundle (create + start + wait + delete)'
CASE_CONTENDERS=(cuttle-runtime runc)

case_setup() {
	bench_make_bundle "$CASE_TMP/bundle" true || return 1
	mkdir -p "$CASE_TMP/root-cuttle" "$CASE_TMP/root-runc"
}

case_teardown() {
	local id
	# Containers left behind by an interrupted iteration.
	for id in "$CASE_TMP"/root-cuttle/*/; do
		[[ -d $id ]] || continue
		"$BENCH_BUILD/cuttle-runtime" --root "$CASE_TMP/root-cuttle" delete -f "$(basename "$id")" >/dev/null 2>&1 || true
	done
	for id in "$CASE_TMP"/root-runc/*/; do
		[[ -d $id ]] || continue
		runc --root "$CASE_TMP/root-runc" delete -f "$(basename "$id")" >/dev/null 2>&1 || true
	done
}

# --- cuttle-runtime --------------------------------------------------------
avail_cuttle_runtime() {
	[[ -x $BENCH_BUILD/cuttle-runtime ]] || { echo "not built ($BENCH_BUILD/cuttle-runtime)"; return 1; }
}
prepare_cuttle_runtime() {
	CID=bench-cr-$ITER-$RANDOM
	CMD=("$BENCH_BUILD/cuttle-runtime" --root "$CASE_TMP/root-cuttle" run --bundle "$CASE_TMP/bundle" "$CID")
}
cleanup_cuttle_runtime() {
	"$BENCH_BUILD/cuttle-runtime" --root "$CASE_TMP/root-cuttle" delete -f "$CID" >/dev/null 2>&1 || true
}

# --- runc ------------------------------------------------------------------
avail_runc() {
	bench_have runc || { echo "not installed"; return 1; }
}
prepare_runc() {
	CID=bench-runc-$ITER-$RANDOM
	CMD=(runc --root "$CASE_TMP/root-runc" run --bundle "$CASE_TMP/bundle" "$CID")
}
cleanup_runc() {
	runc --root "$CASE_TMP/root-runc" delete -f "$CID" >/dev/null 2>&1 || true
}

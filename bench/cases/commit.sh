# shellcheck shell=bash disable=SC2034  # CASE_*, CMD are read by run.sh
# Case commit: `ENGINE commit -q CTR IMG` of a container of a local busybox image whose
# changes are 100 MB (100 files of 1 MB in 10 directories plus 1000 small files, copied in
# during setup); the new image is removed after each run (untimed).  podman is driven with
# runc and a private containers.conf, as in run-rm.
#
# Sourced by bench/run.sh; see bench/README.md for the interface.

CASE_NAME=commit
CASE_ORDER=41
CASE_TITLE='Engine: commit of a container with 100 MB of changes'
CASE_CONTENDERS=(cuttle podman)

IMAGE=localhost/bench-busybox:latest

case_setup() {
	bench_make_rootfs "$CASE_TMP/rootfs" || return 1
	bench_rootfs_tar "$CASE_TMP/rootfs" "$CASE_TMP/rootfs.tar" || return 1
	printf '[containers]\ndefault_ulimits = []\n' >"$CASE_TMP/containers.conf"
	export CONTAINERS_CONF=$CASE_TMP/containers.conf
	local d i j
	for i in 0 1 2 3 4 5 6 7 8 9; do
		d=$CASE_TMP/tree/d$i
		mkdir -p "$d/small" || return 1
		for j in 0 1 2 3 4 5 6 7 8 9; do
			head -c 1048576 /dev/urandom >"$d/f$j" || return 1
		done
		for j in $(seq 0 99); do
			printf 'small file %s %s\n' "$i" "$j" >"$d/small/s$j"
		done
	done
}

case_teardown() {
	bench_umount_under "$CASE_TMP"
}

_commit_setup() {
	local -n eng=$1
	"${eng[@]}" import "$CASE_TMP/rootfs.tar" "$IMAGE" >/dev/null &&
		"${eng[@]}" create --name bench-commit "$IMAGE" true >/dev/null &&
		"${eng[@]}" cp "$CASE_TMP/tree" bench-commit:/data
}
_commit_teardown() {
	local -n eng=$1
	"${eng[@]}" rm -af >/dev/null 2>&1 || true
	"${eng[@]}" rmi -af >/dev/null 2>&1 || true
}

# --- cuttle ----------------------------------------------------------------
CUTTLE=()
avail_cuttle() {
	[[ -x $BENCH_BUILD/cuttle ]] || { echo "not built ($BENCH_BUILD/cuttle)"; return 1; }
	"$BENCH_BUILD/cuttle" commit --help >/dev/null 2>&1 || { echo "not implemented yet (cuttle commit)"; return 1; }
}
setup_cuttle() {
	CUTTLE=("$BENCH_BUILD/cuttle" --root "$CASE_TMP/cuttle/root" --runroot "$CASE_TMP/cuttle/run")
	mkdir -p "$CASE_TMP/cuttle"
	_commit_setup CUTTLE
}
prepare_cuttle() { CMD=("${CUTTLE[@]}" commit -q bench-commit "localhost/bench-committed:$ITER"); }
cleanup_cuttle() { "${CUTTLE[@]}" rmi "localhost/bench-committed:$ITER" >/dev/null 2>&1 || true; }
teardown_cuttle() { _commit_teardown CUTTLE; }

# --- podman ----------------------------------------------------------------
PODMAN=()
avail_podman() {
	bench_have podman || { echo "not installed"; return 1; }
	bench_have runc || { echo "runc not installed"; return 1; }
}
setup_podman() {
	PODMAN=(podman --root "$CASE_TMP/podman/root" --runroot "$CASE_TMP/podman/run"
		--tmpdir "$CASE_TMP/podman/tmp" --runtime runc)
	mkdir -p "$CASE_TMP/podman"
	_commit_setup PODMAN
}
prepare_podman() { CMD=("${PODMAN[@]}" commit -q bench-commit "localhost/bench-committed:$ITER"); }
cleanup_podman() { "${PODMAN[@]}" rmi "localhost/bench-committed:$ITER" >/dev/null 2>&1 || true; }
teardown_podman() { _commit_teardown PODMAN; }

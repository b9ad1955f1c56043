# shellcheck shell=bash disable=SC2034  # CASE_*, CMD are read by run.sh
# Case engine-ps: `ENGINE ps -a` with 1000 created containers of a local busybox image.
# podman is driven with runc and a private containers.conf (default_ulimits = []).

CASE_NAME=engine-ps
CASE_ORDER=22
CASE_TITLE='Engine: ps -a with 1000 created containers'
CASE_CONTENDERS=(cuttle podman)

IMAGE=localhost/bench-busybox:latest
N_CTRS=1000

case_setup() {
	bench_make_rootfs "$CASE_TMP/rootfs" || return 1
	bench_rootfs_tar "$CASE_TMP/rootfs" "$CASE_TMP/rootfs.tar" || return 1
	printf '[containers]\ndefault_ulimits = []\n' >"$CASE_TMP/containers.conf"
	export CONTAINERS_CONF=$CASE_TMP/containers.conf
}
case_teardown() { bench_umount_under "$CASE_TMP"; }

# N creates, 8 at a time.
_make_ctrs() {
	local i
	for ((i = 0; i < N_CTRS; i++)); do
		"$@" create --network none "$IMAGE" true >/dev/null || return 1 &
		if ((i % 8 == 7)); then wait || return 1; fi
	done
	wait
}

CUTTLE_ARGS=()
avail_cuttle() { "$BENCH_BUILD/cuttle" ps --help >/dev/null 2>&1 || { echo "not implemented yet (cuttle ps)"; return 1; }; }
setup_cuttle() {
	CUTTLE_ARGS=(--root "$CASE_TMP/cuttle/root" --runroot "$CASE_TMP/cuttle/run")
	mkdir -p "$CASE_TMP/cuttle"
	"$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" import "$CASE_TMP/rootfs.tar" "$IMAGE" >/dev/null &&
		_make_ctrs "$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}"
}
prepare_cuttle() { CMD=("$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" ps -a); }
cleanup_cuttle() { :; }
teardown_cuttle() {
	"$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" rm -af >/dev/null 2>&1 || true
	"$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" rmi -af >/dev/null 2>&1 || true
}

PODMAN_ARGS=()
avail_podman() {
	bench_have podman || { echo "not installed"; return 1; }
	bench_have runc || { echo "runc not installed"; return 1; }
}
setup_podman() {
	PODMAN_ARGS=(--root "$CASE_TMP/podman/root" --runroot "$CASE_TMP/podman/run"
		--tmpdir "$CASE_TMP/podman/tmp" --runtime runc --cgroup-manager cgroupfs)
	mkdir -p "$CASE_TMP/podman/tmp"
	podman "${PODMAN_ARGS[@]}" import "$CASE_TMP/rootfs.tar" "$IMAGE" >/dev/null &&
		_make_ctrs podman "${PODMAN_ARGS[@]}"
}
prepare_podman() { CMD=(podman "${PODMAN_ARGS[@]}" ps -a); }
cleanup_podman() { :; }
teardown_podman() {
	podman "${PODMAN_ARGS[@]}" rm -af >/dev/null 2>&1 || true
	podman "${PODMAN_ARGS[@]}" rmi -af >/dev/null 2>&1 || true
}

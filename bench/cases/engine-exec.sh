# shellcheck shell=bash disable=SC2034  # CASE_*, CMD are read by run.sh
# Case engine-exec: `ENGINE exec CTR true` in a running busybox container (sleep).
# podman is driven with runc and a private containers.conf (default_ulimits = []).

CASE_NAME=engine-exec
CASE_ORDER=21
CASE_TITLE='Engine: exec CTR true (running busybox container)'
CASE_CONTENDERS=(cuttle podman)

IMAGE=localhost/bench-busybox:latest

case_setup() {
	bench_make_rootfs "$CASE_TMP/rootfs" || return 1
	bench_rootfs_tar "$CASE_TMP/rootfs" "$CASE_TMP/rootfs.tar" || return 1
	printf '[containers]\ndefault_ulimits = []\n' >"$CASE_TMP/containers.conf"
	export CONTAINERS_CONF=$CASE_TMP/containers.conf
}
case_teardown() { bench_umount_under "$CASE_TMP"; }

CUTTLE_ARGS=()
avail_cuttle() { "$BENCH_BUILD/cuttle" exec --help >/dev/null 2>&1 || { echo "not implemented yet (cuttle exec)"; return 1; }; }
setup_cuttle() {
	CUTTLE_ARGS=(--root "$CASE_TMP/cuttle/root" --runroot "$CASE_TMP/cuttle/run")
	mkdir -p "$CASE_TMP/cuttle"
	"$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" import "$CASE_TMP/rootfs.tar" "$IMAGE" >/dev/null &&
		"$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" run -d --name bench-exec "$IMAGE" sleep 100000 >/dev/null
}
prepare_cuttle() { CMD=("$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" exec bench-exec true); }
cleanup_cuttle() { :; }
teardown_cuttle() {
	"$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" rm -af -t 0 >/dev/null 2>&1 || true
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
		podman "${PODMAN_ARGS[@]}" run -d --network none --name bench-exec "$IMAGE" sleep 100000 >/dev/null
}
prepare_podman() { CMD=(podman "${PODMAN_ARGS[@]}" exec bench-exec true); }
cleanup_podman() { :; }
teardown_podman() {
	podman "${PODMAN_ARGS[@]}" rm -af -t 0 >/dev/null 2>&1 || true
	podman "${PODMAN_ARGS[@]}" rmi -af >/dev/null 2>&1 || true
}

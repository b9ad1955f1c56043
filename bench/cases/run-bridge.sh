# shellcheck shell=bash disable=SC2034  # CASE_*, CMD are read by run.sh
# Case run-bridge: `ENGINE run --rm --network bridge IMAGE true` with a local
# busybox image imported from the same rootfs tarball, on each engine's default bridge
# network "podman" (10.88.0.0/16 on podman0): a network namespace, a veth pair on the
# bridge, an address lease, firewall rules, /etc/hosts and resolv.conf, and all of it torn
# down again after the exit.  Each engine keeps its
# images and containers in its own --root/--runroot under the case's temp dir.
# podman is driven with runc (`--runtime runc`); its containers.conf is a
# private one (CONTAINERS_CONF) with `default_ulimits = []`.
#
# Sourced by bench/run.sh; see bench/README.md for the interface.

CASE_NAME=run-bridge
CASE_ORDER=21
CASE_TITLE='Engine: run --rm IMAGE true on the default bridge network (podman 10.88.0.0/16)'
CASE_CONTENDERS=(cuttle podman)

IMAGE=localhost/bench-busybox:latest

case_setup() {
	bench_make_rootfs "$CASE_TMP/rootfs" || return 1
	bench_rootfs_tar "$CASE_TMP/rootfs" "$CASE_TMP/rootfs.tar" || return 1
	printf '[containers]\ndefault_ulimits = []\n' >"$CASE_TMP/containers.conf"
	export CONTAINERS_CONF=$CASE_TMP/containers.conf
}

case_teardown() {
	bench_umount_under "$CASE_TMP"
}

# --- cuttle ----------------------------------------------------------------
CUTTLE_ARGS=()
avail_cuttle() {
	[[ -x $BENCH_BUILD/cuttle ]] || { echo "not built ($BENCH_BUILD/cuttle)"; return 1; }
	"$BENCH_BUILD/cuttle" run --help >/dev/null 2>&1 || { echo "not implemented yet (cuttle run)"; return 1; }
	"$BENCH_BUILD/cuttle" import --help >/dev/null 2>&1 || { echo "not implemented yet (cuttle import)"; return 1; }
}
setup_cuttle() {
	CUTTLE_ARGS=(--root "$CASE_TMP/cuttle/root" --runroot "$CASE_TMP/cuttle/run")
	mkdir -p "$CASE_TMP/cuttle"
	"$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" import "$CASE_TMP/rootfs.tar" "$IMAGE"
}
prepare_cuttle() {
	CMD=("$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" run --rm --network bridge "$IMAGE" true)
}
cleanup_cuttle() { :; }
teardown_cuttle() {
	"$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" rm -af >/dev/null 2>&1 || true
	"$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" rmi -af >/dev/null 2>&1 || true
}

# --- podman ----------------------------------------------------------------
PODMAN_ARGS=()
avail_podman() {
	bench_have podman || { echo "not installed"; return 1; }
	bench_have runc || { echo "runc not installed"; return 1; }
}
setup_podman() {
	PODMAN_ARGS=(--root "$CASE_TMP/podman/root" --runroot "$CASE_TMP/podman/run"
		--tmpdir "$CASE_TMP/podman/tmp" --runtime runc)
	mkdir -p "$CASE_TMP/podman"
	podman "${PODMAN_ARGS[@]}" import "$CASE_TMP/rootfs.tar" "$IMAGE"
}
prepare_podman() {
	CMD=(podman "${PODMAN_ARGS[@]}" run --rm --network bridge "$IMAGE" true)
}
cleanup_podman() { :; }
teardown_podman() {
	podman "${PODMAN_ARGS[@]}" rm -af >/dev/null 2>&1 || true
	podman "${PODMAN_ARGS[@]}" rmi -af >/dev/null 2>&1 || true
}

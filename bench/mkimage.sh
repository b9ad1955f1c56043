#!/usr/bin/env bash
# bench/mkimage.sh OUT.tar NAME — a multi-layer docker-archive of about 100 MB for the
# image benchmarks: a busybox root filesystem, then three layers of files taken from this
# machine's /usr (many small files, a few big ones).  Deterministic for a given machine:
# the same files, sorted names, fixed mtimes and owners.
set -euo pipefail
out=$1
name=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

layer() { # N DIR… : tar of the given paths (relative to /) as layer N
        local n=$1
        shift
        tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@1700000000 \
                -C / -cf "$work/l$n.tar" "$@"
}

mkdir -p "$work/rootfs"
"$here/../tests/images/mkrootfs.sh" "$work/rootfs" >/dev/null 2>&1 ||
        { cp /bin/busybox "$work/rootfs/busybox"; }
tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@1700000000 \
        -C "$work/rootfs" -cf "$work/l1.tar" .
py=$(ls -d /usr/lib/python3.1[0-9] 2>/dev/null | head -n 1)
layer 2 "${py#/}"
layer 3 usr/share/locale/de usr/share/locale/fr usr/share/locale/es usr/share/locale/ja
layer 4 usr/bin
# Keep the total near 100 MB: trim layer 4 to its first files when /usr/bin is large.
size4=$(stat -c %s "$work/l4.tar")
if [ "$size4" -gt 25000000 ]; then
        (cd / && find usr/bin -maxdepth 1 -type f -size -2M | sort | head -n 150) >"$work/list4"
        tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@1700000000 \
                -C / -cf "$work/l4.tar" -T "$work/list4"
fi

diffs=()
layers=()
for n in 1 2 3 4; do
        d=$(sha256sum "$work/l$n.tar" | cut -d' ' -f1)
        mv "$work/l$n.tar" "$work/$d.tar"
        diffs+=("sha256:$d")
        layers+=("$d.tar")
done
jq -cn --args '{architecture: "amd64", os: "linux", created: "2023-11-14T22:13:20Z",
        config: {Cmd: ["/bin/sh"], Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        rootfs: {type: "layers", diff_ids: $ARGS.positional},
        history: [$ARGS.positional[] | {created: "2023-11-14T22:13:20Z", created_by: "bench layer"}]}' \
        "${diffs[@]}" >"$work/config.json"
cfg=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/$cfg.json"
jq -cn --arg c "$cfg.json" --arg n "$name" --args '[{Config: $c, RepoTags: [$n], Layers: $ARGS.positional}]' \
        "${layers[@]}" >"$work/manifest.json"
(cd "$work" && tar --numeric-owner --owner=0 --group=0 -cf "$out" manifest.json "$cfg.json" "${layers[@]}")

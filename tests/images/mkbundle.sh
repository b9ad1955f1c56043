#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mkbundle.sh DIR [ARGS...]: make (or refresh) an OCI bundle in DIR for the system tests.
#
#   DIR/rootfs       from mkrootfs.sh (busybox-static, probe, /etc files)
#   DIR/config.json  `$CUTTLE_RUNTIME spec` when that works (unless CUTTLE_EMBEDDED_SPEC=1),
#                    otherwise the runc-spec-like default embedded below; then edited with jq:
#                    process.args = ARGS (default: sh), process.terminal = false,
#                    root = {path: rootfs, readonly: false}
#
# CUTTLE_RUNTIME defaults to ${CUTTLE_BUILD:-REPO/build}/cuttle-runtime. The rootfs is writable
# so tests can leave marker files; a test wanting a read-only root sets root.readonly itself.
set -euo pipefail

die() {
        echo "mkbundle.sh: $*" >&2
        exit 1
}

[ $# -ge 1 ] || { echo "Usage: mkbundle.sh DIR [ARGS...]" >&2; exit 2; }
dir=$1
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
runtime=${CUTTLE_RUNTIME:-${CUTTLE_BUILD:-$repo/build}/cuttle-runtime}

command -v jq >/dev/null || die "jq is needed (apt-get install jq)"

"$here/mkrootfs.sh" "$dir/rootfs"

# A runc 1.1 `runc spec` equivalent: what a runtime gets when nobody customises anything.
embedded_config() {
        cat <<'EOF'
{
	"ociVersion": "1.0.2-dev",
	"process": {
		"terminal": true,
		"user": { "uid": 0, "gid": 0 },
		"args": [ "sh" ],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
			"effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
			"permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
			"ambient": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
		},
		"rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
		"noNewPrivileges": true
	},
	"root": { "path": "rootfs", "readonly": true },
	"hostname": "cuttle",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{
			"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
			"options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ]
		},
		{
			"destination": "/dev/pts", "type": "devpts", "source": "devpts",
			"options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ]
		},
		{
			"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
			"options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ]
		},
		{
			"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
			"options": [ "nosuid", "noexec", "nodev" ]
		},
		{
			"destination": "/sys", "type": "sysfs", "source": "sysfs",
			"options": [ "nosuid", "noexec", "nodev", "ro" ]
		},
		{
			"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
			"options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ]
		}
	],
	"linux": {
		"resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
		"namespaces": [
			{ "type": "pid" },
			{ "type": "network" },
			{ "type": "ipc" },
			{ "type": "uts" },
			{ "type": "mount" }
		],
		"maskedPaths": [
			"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
			"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
			"/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"
		]
	}
}
EOF
}

# The runtime's own default, if it has a working `spec`; empty output otherwise.
runtime_config() {
        local tmp
        [ "${CUTTLE_EMBEDDED_SPEC:-0}" != 1 ] && [ -x "$runtime" ] || return 0
        tmp=$(mktemp -d)
        if (cd "$tmp" && timeout 10 "$runtime" spec) >/dev/null 2>&1 &&
                jq -e '.ociVersion and .process and .root' "$tmp/config.json" >/dev/null 2>&1; then
                cat "$tmp/config.json"
        fi
        rm -rf "$tmp"
}

if [ $# -eq 0 ]; then
        set -- sh
fi
args_json=$(jq -cn '$ARGS.positional' --args -- "$@")

config=$(runtime_config)
if [ -z "$config" ]; then
        config=$(embedded_config)
fi
jq --argjson args "$args_json" \
        '.process.args = $args | .process.terminal = false |
         .root.path = "rootfs" | .root.readonly = false' \
        <<<"$config" >"$dir/config.json.tmp"
mv -f "$dir/config.json.tmp" "$dir/config.json"

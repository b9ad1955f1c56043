#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2016 # jq filters and container scripts use $ inside single quotes
#
# cuttle-runtime: linux.seccomp (the whole OCI section, and podman's default profile) and
# linux.sysctl, checked from inside the container (probe syscall, probe sysctl).

load helpers

PODMAN_SECCOMP=/usr/share/containers/seccomp.json

# The syscalls the static probe makes for `probe syscall getcwd` (strace), and execve for the
# runtime's last step: enough for a default-deny filter.
PROBE_SYSCALLS='["execve", "arch_prctl", "brk", "exit_group", "getrandom", "mprotect",
        "newfstatat", "prlimit64", "readlink", "rseq", "set_robust_list", "set_tid_address",
        "write"]'

# seccomp JSON: set linux.seccomp.
seccomp() {
        bundle_jq '.linux.seccomp = $s' --argjson s "$1"
}

# set_args ARGS…: process.args = ARGS (bundle_args would let jq take "-c" as its own option).
set_args() {
        local json
        json=$(jq -cn '$ARGS.positional' --args -- "$@") || die "set_args: jq failed"
        bundle_jq '.process.args = $a' --argjson a "$json"
}

# podman_profile CAPS-JSON: podman's seccomp.json as linux.seccomp for amd64 and a process with
# the capabilities CAPS, as podman turns it into a spec: the x86_64 architectures of archMap, and
# the rules whose includes/excludes (arches, caps) select them, without those fields.
podman_profile() {
        jq --argjson caps "$1" '
                def has($l; $x): ($l | index($x)) != null;
                {
                  defaultAction,
                  defaultErrnoRet,
                  architectures: (.archMap[] | select(.architecture == "SCMP_ARCH_X86_64")
                                  | [.architecture] + .subArchitectures),
                  syscalls: [ .syscalls[]
                    | select(((.includes.arches // []) | length) == 0
                             or has(.includes.arches; "amd64"))
                    | select((.includes.caps // []) | all(. as $c | has($caps; $c)))
                    | select((.excludes.arches // []) | has(.; "amd64") | not)
                    | select((.excludes.caps // []) | any(. as $c | has($caps; $c)) | not)
                    | del(.includes, .excludes, .comment, .errno) ]
                }' "$PODMAN_SECCOMP"
}

# ---------------------------------------------------------------------------- seccomp

@test "cuttle-runtime seccomp: defaultAction allow + SCMP_ACT_ERRNO with errnoRet" {
        seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18},
                  {"names": ["keyctl", "personality"], "action": "SCMP_ACT_ERRNO"}]}'
        set_args sh -c 'probe syscall getcwd; probe syscall keyctl; probe syscall personality
                        probe syscall socket; probe id'
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        is "${lines[0]}" "errno 18 EXDEV" "getcwd: the rule's errnoRet"
        is "${lines[1]}" "errno 1 EPERM" "keyctl: ERRNO without errnoRet is EPERM"
        is "${lines[2]}" "errno 1 EPERM" "personality: the second name of the rule"
        is "${lines[3]}" "ok" "socket: the default action"
        is "${lines[4]}" "uid=0 gid=0 groups=*" "everything else works"
}

@test "cuttle-runtime seccomp: default errno + a tiny allowlist runs the probe" {
        seccomp "$(jq -n --argjson a "$PROBE_SYSCALLS" '{"defaultAction": "SCMP_ACT_ERRNO",
                  "syscalls": [{"names": $a, "action": "SCMP_ACT_ALLOW"}]}')"
        run_in_container 0 probe syscall getcwd
        is "$output" "errno 1 EPERM" "getcwd is not in the allowlist"

        # defaultErrnoRet
        bundle_jq '.linux.seccomp.defaultErrnoRet = 38'
        run_in_container 0 probe syscall getcwd
        is "$output" "errno 38 ENOSYS" "defaultErrnoRet"

        # With getcwd allowed, it works.
        bundle_jq '.linux.seccomp.syscalls[0].names += ["getcwd"]'
        run_in_container 0 probe syscall getcwd
        is "$output" "ok" "getcwd allowed"
}

@test "cuttle-runtime seccomp: args conditions select the calls a rule applies to" {
        # personality(0xffffffff) is what `probe syscall personality` calls.
        seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
                   "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]}]}'
        run_in_container 0 probe syscall personality
        is "$output" "errno 22 EINVAL" "EQ 0xffffffff matches"

        bundle_jq '.linux.seccomp.syscalls[0].args[0].value = 0'
        run_in_container 0 probe syscall personality
        is "$output" "ok" "EQ 0 does not match"

        bundle_jq '.linux.seccomp.syscalls[0].args[0] = {"index": 0, "value": 255, "valueTwo": 255,
                                                          "op": "SCMP_CMP_MASKED_EQ"}'
        run_in_container 0 probe syscall personality
        is "$output" "errno 22 EINVAL" "MASKED_EQ 0xff/0xff matches"

        bundle_jq '.linux.seccomp.syscalls[0].args[0] = {"index": 0, "value": 4294967295,
                                                          "op": "SCMP_CMP_NE"}'
        run_in_container 0 probe syscall personality
        is "$output" "ok" "NE 0xffffffff does not match"
}

@test "cuttle-runtime seccomp: SCMP_ACT_KILL kills the container with SIGSYS (exit 159)" {
        seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["keyctl"], "action": "SCMP_ACT_KILL"}]}'
        run_in_container 159 probe syscall keyctl
        [[ $output != *errno* && $output != ok ]] || die "the probe survived: $output"

        # Only the caller dies: sh (which does not call keyctl) goes on.
        set_args sh -c 'echo before; probe syscall keyctl; echo after $?'
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        is "${lines[0]}" "before" "sh runs"
        is "${lines[-1]}" "after 159" "the probe died by SIGSYS"

        local action
        for action in SCMP_ACT_KILL_PROCESS SCMP_ACT_TRAP; do
                bundle_jq '.linux.seccomp.syscalls[0].action = $a' --arg a "$action"
                run_in_container 159 probe syscall keyctl
        done
}

@test "cuttle-runtime seccomp: a filter refusing execve: start/run fails and says so" {
        seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["execve", "execveat"], "action": "SCMP_ACT_ERRNO"}]}'
        # The init reports a failed execve back to start (through exec.fifo), as runc does.
        run_in_container 1 probe id
        assert_line_contains 'exec: "/usr/bin/probe": Operation not permitted'
}

@test "cuttle-runtime seccomp: SCMP_ACT_LOG and SCMP_ACT_TRACE" {
        seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["getcwd"], "action": "SCMP_ACT_LOG"},
                  {"names": ["keyctl"], "action": "SCMP_ACT_TRACE"}]}'
        set_args sh -c 'probe syscall getcwd; probe syscall keyctl'
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        is "${lines[0]}" "ok" "SCMP_ACT_LOG allows"
        # No tracer: the kernel fails the call with ENOSYS.
        is "${lines[1]}" "errno 38 ENOSYS" "SCMP_ACT_TRACE without a tracer"
}

@test "cuttle-runtime seccomp: flags and architectures are accepted" {
        seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
                  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                                    "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
                  "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                            "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
                  "syscalls": [{"names": ["getcwd", "arm_fadvise64_64"],
                                "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
        run_in_container 0 probe syscall getcwd
        is "$output" "errno 13 EACCES" "the filter works with flags and extra architectures"

        bundle_jq '.linux.seccomp.flags += ["SECCOMP_FILTER_FLAG_BOGUS"]'
        run_in_container 1 probe id
        assert_line_contains 'linux.seccomp.flags[3]: unknown flag "SECCOMP_FILTER_FLAG_BOGUS"'
}

@test "cuttle-runtime seccomp: the filter also applies without noNewPrivileges, and to exec" {
        seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}]}'
        bundle_jq '.process.noNewPrivileges = false'
        set_args sh -c 'probe nnp; probe syscall getcwd'
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        is "$output" $'0\nerrno 5 EIO' "no_new_privs unset, the filter loaded"

        bundle_jq '.process.noNewPrivileges = true'
        set_args probe sleep 600
        run_runtime 0 run --detach --bundle "$BUNDLE" "$CID"
        run_runtime 0 exec "$CID" probe syscall getcwd
        is "$output" "errno 5 EIO" "an exec'd process has the container's filter"
        run_runtime 0 delete --force "$CID"
}

@test "cuttle-runtime seccomp: a non-root process.user gets the filter" {
        seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}]}'
        bundle_jq '.process.user = {"uid": 1000, "gid": 1000}'
        set_args sh -c 'probe id; probe syscall getcwd'
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        is "$output" $'uid=1000 gid=1000 groups=*\nerrno 5 EIO' "uid 1000 with the filter"
}

@test "cuttle-runtime seccomp: an unknown syscall name fails create, naming the field" {
        seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"},
                  {"names": ["read", "write", "no_such_syscall"], "action": "SCMP_ACT_ERRNO"}]}'
        run_in_container 1 probe id
        assert_line_contains 'linux.seccomp.syscalls[1].names[2]: unknown syscall "no_such_syscall"'
        run_runtime 0 list -q
        is "$output" "" "no container is left"

        # A syscall of another architecture only is fine.
        bundle_jq '.linux.seccomp.syscalls[1].names = ["arm_fadvise64_64"]'
        run_in_container 0 probe syscall getcwd
        is "$output" "errno 1 EPERM" "the filter works"

        bundle_jq '.linux.seccomp.syscalls[0].action = "SCMP_ACT_BOGUS"'
        run_in_container 1 probe id
        assert_line_contains 'linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_BOGUS"'

        bundle_jq '.linux.seccomp.syscalls[0].action = "SCMP_ACT_ERRNO"
                   | .linux.seccomp.syscalls[0].args = [{"index": 0, "value": 1, "op": "SCMP_CMP_BOGUS"}]'
        run_in_container 1 probe id
        assert_line_contains 'linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_BOGUS"'
}

@test "cuttle-runtime seccomp: podman's default profile runs the probe and blocks what it says" {
        [ -f "$PODMAN_SECCOMP" ] || skip "no $PODMAN_SECCOMP (containers-common) on this host"
        local caps profile
        caps=$(jq -c '.process.capabilities.bounding' "$BUNDLE/config.json")
        profile=$(podman_profile "$caps")
        # What the profile says for a process without CAP_SYS_CHROOT: chroot fails with EPERM
        # (errnoRet 1), personality is allowed for 0xffffffff only.
        is "$(jq -c '[.syscalls[] | select(.names | index("chroot")) | [.action, .errnoRet]]' \
                <<<"$profile")" '[["SCMP_ACT_ERRNO",1]]' "the profile's chroot rule"
        # Give the process CAP_SYS_CHROOT, so that only the filter can refuse chroot.
        bundle_jq '.process.capabilities |= map_values(. + ["CAP_SYS_CHROOT"])'
        set_args sh -c 'probe id; probe cwd; probe ls / | grep -c .; probe fork 3
                        probe syscall chroot; probe syscall personality; probe syscall socket
                        probe syscall unshare'
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        local without=("${lines[@]}")
        is "${without[4]}" "ok" "chroot works with CAP_SYS_CHROOT and no filter"

        seccomp "$profile"
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        is "${lines[0]}" "uid=0 gid=0 groups=*" "probe id under the profile"
        is "${lines[1]}" "/" "probe cwd under the profile"
        is "${lines[2]}" "${without[2]}" "probe ls / under the profile"
        is "${lines[3]}" "3" "probe fork under the profile"
        is "${lines[4]}" "errno 1 EPERM" "chroot is refused by the profile"
        is "${lines[5]}" "ok" "personality(0xffffffff) is allowed by an args rule"
        is "${lines[6]}" "ok" "socket(AF_INET) is allowed"
        # unshare is in the profile's allow list: it fails for want of CAP_SYS_ADMIN only.
        is "${lines[7]}" "${without[7]}" "unshare as without the filter"
}

# ---------------------------------------------------------------------------- sysctl

@test "cuttle-runtime sysctl: namespaced sysctls are applied inside the container only" {
        local somaxconn shmmax
        somaxconn=$(cat /proc/sys/net/core/somaxconn)
        shmmax=$(cat /proc/sys/kernel/shmmax)
        bundle_jq '.linux.sysctl = {"net.core.somaxconn": "1234", "net.ipv4.ip_forward": "1",
                                    "kernel.shmmax": "123456789", "fs.mqueue.msg_max": "20",
                                    "net/ipv4/ping_group_range": "0 0"}'
        set_args sh -c 'for k in net.core.somaxconn net.ipv4.ip_forward kernel.shmmax \
                                 fs.mqueue.msg_max net.ipv4.ping_group_range; do
                                probe sysctl $k; done'
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        is "${lines[0]}" "1234" "net.core.somaxconn (network namespace)"
        is "${lines[1]}" "1" "net.ipv4.ip_forward (network namespace)"
        is "${lines[2]}" "123456789" "kernel.shmmax (ipc namespace)"
        is "${lines[3]}" "20" "fs.mqueue.msg_max (ipc namespace)"
        is "${lines[4]}" $'0\t0' "net/ipv4/ping_group_range (slash form)"
        is "$(cat /proc/sys/net/core/somaxconn)" "$somaxconn" "the host's somaxconn is unchanged"
        is "$(cat /proc/sys/kernel/shmmax)" "$shmmax" "the host's shmmax is unchanged"
}

@test "cuttle-runtime sysctl: sysctls outside the container's namespaces are refused" {
        bundle_jq '.linux.sysctl = {"vm.swappiness": "10"}'
        run_in_container 1 probe id
        assert_line_contains '"vm.swappiness" is not in a separate kernel namespace'

        bundle_jq '.linux.sysctl = {"kernel.panic": "10"}'
        run_in_container 1 probe id
        assert_line_contains '"kernel.panic" is not in a separate kernel namespace'

        # net.* needs the container's own network namespace.
        bundle_jq '.linux.namespaces |= map(select(.type != "network"))
                   | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
        run_in_container 1 probe id
        assert_line_contains '"net.ipv4.ip_forward" needs a new network namespace'

        bundle_jq '.linux.sysctl = {"net.ipv4.conf.all/../../../../kernel.panic": "1"}'
        run_in_container 1 probe id
        assert_line_contains 'linux.sysctl: invalid key'

        run_runtime 0 list -q
        is "$output" "" "no container is left"
}

@test "cuttle-runtime sysctl: a bad key or value fails create with the key named" {
        bundle_jq '.linux.sysctl = {"net.ipv4.no_such_key": "1"}'
        run_in_container 1 probe id
        assert_line_contains '"net.ipv4.no_such_key"'

        bundle_jq '.linux.sysctl = {"net.ipv4.ip_forward": "bogus"}'
        run_in_container 1 probe id
        assert_line_contains '"net.ipv4.ip_forward" to "bogus"'
}

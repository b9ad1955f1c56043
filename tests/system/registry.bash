# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# registry.bash: a private OCI registry for the bats tests (`load registry`).
# Debian's docker-registry listens on 127.0.0.1 on a free port, with its storage
# in a temporary directory, anonymous or with htpasswd Basic auth; skopeo seeds it.
#
# Functions:
#   registry_start [--auth USER PASS]
#         starts a registry and waits until GET /v2/ answers.  Sets and exports
#         REGISTRY_HOST (127.0.0.1:PORT), REGISTRY_PORT, REGISTRY_DIR, REGISTRY_PID,
#         and REGISTRY_USER/REGISTRY_PASS with --auth (bcrypt, `htpasswd -B`).
#   registry_stop
#         kills it (TERM, then KILL) and removes REGISTRY_DIR.  Safe to call twice;
#         call it from teardown().
#   registry_seed SOURCE REPO[:TAG]
#         pushes an image into the registry with skopeo.  SOURCE is an OCI layout
#         directory ("DIR" or "DIR:REF") or a docker-archive tarball ("*.tar",
#         "*.tar:REF").  Uses --dest-creds when the registry has credentials.
#   registry_has REPO:TAG     succeeds when the registry serves that manifest.
#
# Needs: docker-registry, skopeo, apache2-utils (htpasswd, for --auth only).

REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}

# _registry_port_free PORT: nothing listens on 127.0.0.1:PORT.
_registry_port_free() {
        ! (exec {_fd}<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# _registry_answers: GET /v2/ gets an HTTP status line back.
_registry_answers() {
        local line fd
        exec {fd}<>"/dev/tcp/127.0.0.1/$REGISTRY_PORT" || return 1
        printf 'GET /v2/ HTTP/1.0\r\nHost: %s\r\n\r\n' "$REGISTRY_HOST" >&"$fd"
        IFS= read -r -t 2 line <&"$fd"
        exec {fd}<&- # (bats owns fd 3: never use fixed numbers here)
        [[ $line == HTTP/1.?" "[24]0[01]* ]]
}

registry_start() {
        local user="" pass=""
        if [[ ${1:-} == --auth ]]; then
                user=$2
                pass=$3
                command -v htpasswd >/dev/null || die "registry_start --auth needs htpasswd (apache2-utils)"
        fi
        [[ -x $REGISTRY_BIN ]] || die "$REGISTRY_BIN is missing (Debian package docker-registry)"
        REGISTRY_DIR=$(mktemp -d /tmp/cuttle-registry-XXXXXX)
        if [[ -n $user ]]; then
                htpasswd -Bbn "$user" "$pass" >"$REGISTRY_DIR/htpasswd" || die "htpasswd failed"
        fi
        for _ in 1 2 3 4 5; do
                REGISTRY_PORT=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
                _registry_port_free "$REGISTRY_PORT" || continue
                REGISTRY_HOST=127.0.0.1:$REGISTRY_PORT
                {
                        printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n'
                        printf 'storage:\n  filesystem:\n    rootdirectory: %s/data\n' "$REGISTRY_DIR"
                        printf '  delete:\n    enabled: true\nhttp:\n  addr: %s\n' "$REGISTRY_HOST"
                        if [[ -n $user ]]; then
                                printf 'auth:\n  htpasswd:\n    realm: cuttle-test\n    path: %s/htpasswd\n' \
                                        "$REGISTRY_DIR"
                        fi
                } >"$REGISTRY_DIR/config.yml"
                # REGISTRY_* variables override the registry's configuration (REGISTRY_AUTH_FILE,
                # podman's auth file, would become its "auth" section): hide them.
                env $(compgen -e | sed -n 's/^REGISTRY_/-u REGISTRY_/p') "$REGISTRY_BIN" serve "$REGISTRY_DIR/config.yml" >"$REGISTRY_DIR/log" 2>&1 &
                REGISTRY_PID=$!
                for _ in $(seq 1 100); do
                        if _registry_answers 2>/dev/null; then
                                REGISTRY_USER=$user REGISTRY_PASS=$pass
                                export REGISTRY_HOST REGISTRY_PORT REGISTRY_DIR REGISTRY_PID
                                export REGISTRY_USER REGISTRY_PASS
                                return 0
                        fi
                        kill -0 "$REGISTRY_PID" 2>/dev/null || break # exited (port taken?)
                        sleep 0.1
                done
                kill -KILL "$REGISTRY_PID" 2>/dev/null || true
                wait "$REGISTRY_PID" 2>/dev/null || true
                REGISTRY_PID=
        done
        local log
        log=$(cat "$REGISTRY_DIR/log" 2>/dev/null)
        rm -rf "$REGISTRY_DIR"
        REGISTRY_DIR=
        die "docker-registry did not start: $log"
}

registry_stop() {
        if [[ -n ${REGISTRY_PID:-} ]]; then
                kill -TERM "$REGISTRY_PID" 2>/dev/null || true
                for _ in $(seq 1 50); do
                        kill -0 "$REGISTRY_PID" 2>/dev/null || break
                        sleep 0.1
                done
                kill -KILL "$REGISTRY_PID" 2>/dev/null || true
                wait "$REGISTRY_PID" 2>/dev/null || true
                REGISTRY_PID=
        fi
        if [[ -n ${REGISTRY_DIR:-} && $REGISTRY_DIR == /tmp/cuttle-registry-* ]]; then
                rm -rf "$REGISTRY_DIR"
        fi
        REGISTRY_DIR=
}

registry_seed() {
        local src=$1 dest=$2 transport
        [[ -n ${REGISTRY_HOST:-} ]] || die "registry_seed: no registry (call registry_start)"
        if [[ ${src%%:*} == *.tar || $src == *.tar:* ]]; then
                transport=docker-archive
        else
                transport=oci
        fi
        local creds=()
        if [[ -n ${REGISTRY_USER:-} ]]; then
                creds=(--dest-creds "$REGISTRY_USER:$REGISTRY_PASS")
        fi
        local out
        out=$(skopeo --insecure-policy copy --quiet --dest-tls-verify=false "${creds[@]}" \
                "$transport:$src" "docker://$REGISTRY_HOST/$dest" 2>&1) ||
                die "skopeo copy $transport:$src docker://$REGISTRY_HOST/$dest failed: $out"
}

registry_has() {
        local creds=()
        if [[ -n ${REGISTRY_USER:-} ]]; then
                creds=(--creds "$REGISTRY_USER:$REGISTRY_PASS")
        fi
        skopeo inspect --raw --tls-verify=false "${creds[@]}" "docker://$REGISTRY_HOST/$1" >/dev/null 2>&1
}

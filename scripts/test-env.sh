#!/usr/bin/env bash
# Prepares what the tests need: a running Docker engine and the locally built test images.
# Idempotent and quiet when everything is already there; installs and starts only what is missing.
# Needs root on a machine without the engine (Debian 12: docker.io and busybox-static from apt).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
images="$root/test/images"
socket=/var/run/docker.sock
if [ "$(id -u)" = 0 ]; then default_log=/var/log/sparkctl-dockerd.log; else default_log=/tmp/sparkctl-dockerd.log; fi
dockerd_log=${SPARKCTL_DOCKERD_LOG:-$default_log}
wait_seconds=${SPARKCTL_DOCKERD_WAIT:-60}
hash_label=io.sparkctl.context-hash
# --browser: also Debian's chromium, which only the dashboard's browser tests need (npm test passes it).
want_browser=0
[ "${1:-}" = --browser ] && want_browser=1

say() { printf 'test-env: %s\n' "$*" >&2; }
die() { printf 'test-env: error: %s\n' "$*" >&2; exit 1; }

# Runs a command, showing its output only when it fails.
quiet() {
  local out
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" >&2
    die "'$*' failed"
  fi
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else die "'$*' needs root"; fi
}

apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install $* by hand"
  say "installing $* (apt-get)"
  quiet as_root apt-get update -q
  quiet as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" </dev/null
}

busybox_bin() {
  local b
  for b in /bin/busybox /usr/bin/busybox; do
    if [ -x "$b" ] && "$b" --list 2>/dev/null | grep -qx sh; then printf '%s' "$b"; return 0; fi
  done
  return 1
}

# The image must be self-contained: only a statically linked busybox works in an empty rootfs.
busybox_static() {
  local b
  b=$(busybox_bin) || return 1
  if command -v file >/dev/null && ! file -L "$b" | grep -q 'statically linked'; then return 1; fi
  if command -v ldd >/dev/null && ldd "$b" >/dev/null 2>&1; then return 1; fi
  printf '%s' "$b"
}

ensure_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  busybox_static >/dev/null || missing+=(busybox-static)
  # The dashboard's browser tests drive Debian's chromium (no browser download).
  if [ "$want_browser" = 1 ]; then command -v chromium >/dev/null || missing+=(chromium); fi
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
  command -v docker >/dev/null || die "the docker client is missing after installing docker.io"
}

ensure_engine() {
  if docker info >/dev/null 2>&1; then return 0; fi
  if [ -S "$socket" ] && [ ! -w "$socket" ] && [ "$(id -u)" != 0 ]; then
    die "no permission on $socket: run as root or add $(id -un) to the docker group"
  fi
  if command -v pidof >/dev/null && pidof dockerd >/dev/null 2>&1; then
    say "dockerd is running but does not answer yet; waiting"
  else
    say "starting dockerd (log: $dockerd_log)"
    mkdir -p "$(dirname "$dockerd_log")"
    as_root nohup dockerd --bridge=none --iptables=false --ip-masq=false >>"$dockerd_log" 2>&1 </dev/null &
  fi
  local i
  for ((i = 0; i < wait_seconds * 2; i++)); do
    if docker info >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  tail -n 20 "$dockerd_log" >&2 2>/dev/null || true
  die "the Docker engine did not answer on $socket within ${wait_seconds}s; see $dockerd_log"
}

# A short content hash of the named files (paths and bytes), used to rebuild images only on change.
hash_files() {
  local f
  for f in "$@"; do
    printf '%s\n' "${f#"$root"/}"
    sha256sum <"$f"
  done | sha256sum | cut -c1-16
}

current_hash() {
  docker image inspect -f "{{ index .Config.Labels \"$hash_label\" }}" "$1" 2>/dev/null || true
}

build_busybox() {
  local name=sparkctl/busybox:test bb hash tmp applet
  bb=$(busybox_static) || die "no statically linked busybox found (install busybox-static)"
  hash=$(hash_files "$bb" "$images/busybox/applets.txt")
  [ "$(current_hash "$name")" = "$hash" ] && return 0
  say "building $name"
  tmp=$(mktemp -d)
  mkdir -p "$tmp/rootfs/bin" "$tmp/rootfs/tmp" "$tmp/rootfs/etc" "$tmp/rootfs/root" "$tmp/rootfs/proc" "$tmp/rootfs/sys" "$tmp/rootfs/dev"
  chmod 1777 "$tmp/rootfs/tmp"
  cp "$bb" "$tmp/rootfs/bin/busybox"
  while IFS= read -r applet; do
    case "$applet" in '' | '#'*) continue ;; esac
    ln -s busybox "$tmp/rootfs/bin/$applet"
  done <"$images/busybox/applets.txt"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$tmp/rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/rootfs/etc/group"
  tar -C "$tmp/rootfs" --numeric-owner --owner=0 --group=0 -c . |
    quiet docker import \
      --change "LABEL $hash_label=$hash" \
      --change 'ENV PATH=/bin' \
      --change 'CMD ["/bin/sh"]' \
      - "$name"
  rm -rf "$tmp"
}

build_spark_fake() {
  local name=sparkctl/spark-fake:test context="$images/spark-fake" hash files
  mapfile -t files < <(find "$context" -type f | LC_ALL=C sort)
  hash=$(printf '%s %s' "$(current_hash sparkctl/busybox:test)" "$(hash_files "${files[@]}")" | sha256sum | cut -c1-16)
  [ "$(current_hash "$name")" = "$hash" ] && return 0
  say "building $name"
  chmod 0755 "$context/spark-submit"
  quiet env DOCKER_BUILDKIT=0 docker build --label "$hash_label=$hash" -t "$name" "$context"
}

ensure_packages
ensure_engine
build_busybox
build_spark_fake

#!/usr/bin/env bash
# `edgecrew doctor` with every section (services included) against a shell script that looks at
# the same things one command after another, as the origin diagnostic script did (cat, ls,
# sysctl, stat, ldconfig, ctr and curl on the sockets where it used crictl and podman). Both run
# on the same host with a private Podman service (busybox image, one running service probed by
# a real Redis on loopback) and a private containerd 1.6 CRI, which the script starts and stops.
# Prints a Markdown table; run as root.
#   bench/doctor_compare.sh [ROUNDS]     (default 5; best and median wall time)
#   EDGECREW=path/to/edgecrew bench/doctor_compare.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
edgecrew="${EDGECREW:-$root/build/edgecrew}"
rounds="${1:-5}"
[ -x "$edgecrew" ] || { echo "build first: ./scripts/build.sh (or set EDGECREW)"; exit 1; }
for p in podman containerd ctr runc busybox redis-server redis-cli curl; do
  command -v "$p" >/dev/null || { echo "$p is not installed: run scripts/setup.sh --test"; exit 1; }
done

work="$(mktemp -d /tmp/edgecrew-doctor-bench-XXXXXX)"
# A CDI device for the stack's "GPU" service on a host without GPUs (cdiVersion 0.3.0, which
# Podman 4.3 resolves): services.cdi and smoke then follow the same path as with GPUs.
cdi_spec="/var/run/cdi/edgecrew-bench-$$.yaml"
pids=()
cleanup() {
  set +e
  (cd "$work/project" 2>/dev/null && "$edgecrew" down >/dev/null 2>&1)
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  podman rm -af -t 0 >/dev/null 2>&1
  rm -f "$cdi_spec"
  rm -rf "$work"
}
trap cleanup EXIT

# Podman: private storage, a busybox image, the API service on a private socket.
. "$root/tests/podman/private_podman.sh"
image=localhost/edgecrew-bench/busybox:1
private_podman "$work" "$image" sh sleep
podman system service --time=0 "unix://$work/podman.sock" >/dev/null 2>&1 &
pids+=($!)
export CONTAINER_HOST="unix://$work/podman.sock"

# containerd's CRI: its own root, state and socket; handlers runc and nvidia; no CNI.
mkdir -p "$work/cni/conf" "$work/cni/bin"
cat >"$work/containerd.toml" <<CONF
version = 2
root = "$work/ctd-root"
state = "$work/ctd-state"
[grpc]
  address = "$work/containerd.sock"
[ttrpc]
  address = "$work/containerd.sock.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  restrict_oom_score_adj = true
  disable_apparmor = true
  disable_tcp_service = true
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".cni]
  conf_dir = "$work/cni/conf"
  bin_dir = "$work/cni/bin"
CONF
containerd --config "$work/containerd.toml" >"$work/containerd.log" 2>&1 &
pids+=($!)
export CONTAINER_RUNTIME_ENDPOINT="unix://$work/containerd.sock"

# A real Redis on loopback, and a stack whose service is up and probed through it.
pass="bench-redis-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
port=16479
redis-server --port "$port" --bind 127.0.0.1 --requirepass "$pass" --save '' >/dev/null &
pids+=($!)
mkdir -p "$work/project" /var/run/cdi
cat >"$cdi_spec" <<YAML
cdiVersion: "0.3.0"
kind: "edgecrew.bench/gpu"
devices:
- name: gpu0
  containerEdits:
    deviceNodes:
    - path: /dev/zero
YAML
cat >"$work/project/compose.yaml" <<YAML
name: ecdoctorbench
services:
  redis:
    image: $image
    command: [sleep, "1000"]
    network_mode: host
    stop_grace_period: 1s
    x-edgecrew:
      probe:
        redis:
          url: redis://:\${REDIS_PASSWORD}@127.0.0.1:$port/0
  gpu:
    image: $image
    command: [sleep, "1000"]
    network_mode: host
    stop_grace_period: 1s
    devices: [edgecrew.bench/gpu=gpu0]
    x-edgecrew:
      runtime: nvidia
YAML
export REDIS_PASSWORD="$pass" HOME="$work/home"
for _ in $(seq 100); do
  curl -s --unix-socket "$work/podman.sock" http://d/v4.0.0/libpod/_ping >/dev/null 2>&1 &&
    ctr --address "$work/containerd.sock" version >/dev/null 2>&1 && break
  sleep 0.1
done
(cd "$work/project" && "$edgecrew" up >/dev/null)

# The same ground, one command at a time.
shell_checks() {
  local sock="$work/containerd.sock" psock="$work/podman.sock" api=http://d/v4.0.0/libpod
  cat /proc/driver/nvidia/version
  ls -l /dev/nvidia*
  ls /proc/driver/nvidia/gpus
  ldconfig -p | grep libnvidia-ml
  ls -l /etc/cdi /var/run/cdi
  cat /etc/cdi/*.yaml /etc/cdi/*.json /var/run/cdi/*.yaml /var/run/cdi/*.json
  grep -rn /dev/dri /etc/cdi /var/run/cdi
  curl -s --unix-socket "$psock" "$api/version"
  stat -c '%A %U:%G' "$sock"
  ctr --address "$sock" version
  ctr --address "$sock" plugins ls
  ctr --address "$sock" namespaces ls
  cat /etc/crio/crio.conf /etc/crio/crio.conf.d/*.conf
  ls -l /usr/bin/runc /usr/sbin/runc /usr/bin/nvidia-container-runtime
  ls /usr/share/containers/oci/hooks.d
  cat "${CONTAINERS_STORAGE_CONF:-/etc/containers/storage.conf}"
  curl -s --unix-socket "$psock" "$api/info"
  df -h /var/lib/containers/storage "$work/storage"
  cat /etc/containers/registries.conf
  sysctl net.ipv4.ip_forward
  sysctl net.ipv6.conf.all.forwarding
  lsmod | grep br_netfilter
  sysctl net.bridge.bridge-nf-call-iptables
  ls /etc/cni/net.d /opt/cni/bin
  curl -s --unix-socket "$psock" "$api/images/$image/exists" -o /dev/null -w '%{http_code}\n'
  ctr --address "$sock" -n k8s.io images ls
  curl -s --unix-socket "$psock" "$api/containers/json?all=true"
  id=$(curl -s --unix-socket "$psock" "$api/containers/json?all=true" | grep -o '"Id":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
  curl -s --unix-socket "$psock" "$api/containers/$id/json" | grep -o '"OCIConfigPath":"[^"]*"'
  REDISCLI_AUTH="$pass" redis-cli -p "$port" ping
  REDISCLI_AUTH="$pass" redis-cli -p "$port" config get protected-mode
}

now() { date +%s.%N; }
best() { sort -n | head -1; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
doc_times=() smoke_times=() sh_times=() nosock_times=()
for _ in $(seq "$rounds"); do
  t0=$(now)
  (cd "$work/project" && "$edgecrew" doctor --check-services >"$work/doctor.txt" 2>&1) || true
  t1=$(now)
  (cd "$work/project" && "$edgecrew" doctor --check-services --smoke >"$work/smoke.txt" 2>&1) || true
  t2=$(now)
  shell_checks >"$work/shell.txt" 2>&1 || true
  t3=$(now)
  # No socket answers (CONTAINER_HOST unset, no system socket): the doctor starts the private
  # service `up` would start, on the same store, for its run.
  (cd "$work/project" && env -u CONTAINER_HOST "$edgecrew" doctor --check-services \
    >"$work/nosock.txt" 2>&1) || true
  t4=$(now)
  nosock_times+=("$(echo "$t4 - $t3" | bc)")
  doc_times+=("$(echo "$t1 - $t0" | bc)")
  smoke_times+=("$(echo "$t2 - $t1" | bc)")
  sh_times+=("$(echo "$t3 - $t2" | bc)")
done
checks=$(grep -cE '^ *[✔!✘-] [a-z-]+\.' "$work/doctor.txt" || true)
summary=$(tail -1 "$work/doctor.txt")
printf '| what | best (s) | median (s) | what it gives |\n|---|---|---|---|\n'
printf '| `edgecrew doctor --check-services` (%s checks, parallel) | %.3f | %.3f | %s |\n' "$checks" \
  "$(printf '%s\n' "${doc_times[@]}" | best)" "$(printf '%s\n' "${doc_times[@]}" | median)" "$summary"
printf '| `edgecrew doctor --check-services --smoke` (every section) | %.3f | %.3f | %s |\n' \
  "$(printf '%s\n' "${smoke_times[@]}" | best)" "$(printf '%s\n' "${smoke_times[@]}" | median)" "$(tail -1 "$work/smoke.txt")"
printf '| `edgecrew doctor --check-services`, no Podman socket: starts the private service | %.3f | %.3f | %s |\n' \
  "$(printf '%s\n' "${nosock_times[@]}" | best)" "$(printf '%s\n' "${nosock_times[@]}" | median)" "$(tail -1 "$work/nosock.txt")"
printf '| the same ground as a sequential shell script (31 commands) | %.3f | %.3f | raw output to read |\n' \
  "$(printf '%s\n' "${sh_times[@]}" | best)" "$(printf '%s\n' "${sh_times[@]}" | median)"
if [ -n "${SHOW:-}" ]; then cat "$work/smoke.txt"; fi

#!/usr/bin/env bash
# Side by side on real Podman, in one run and one private storage root: edgecrew, podman-compose
# (Debian's package) and a raw `podman run -d` loop, on the same stack of N services whose PID 1
# ignores SIGTERM (so every stop waits its 10 s grace period). Prints a Markdown table.
#   bench/podman_compare.sh [N]        (default 10; needs ./scripts/build.sh first)
#   EDGECREW=path/to/edgecrew bench/podman_compare.sh 50   (another build)
#   EDGECREW_ONLY=1 bench/podman_compare.sh 10             (edgecrew's rows only, while tuning)
#   NO_PODMAN_COMPOSE=1 bench/podman_compare.sh 50         (without podman-compose: its down of
#                                                          50 services alone takes ~10 minutes)
set -euo pipefail
n="${1:-10}"
root="$(cd "$(dirname "$0")/.." && pwd)"
edgecrew="${EDGECREW:-$root/build/edgecrew}"
[ -x "$edgecrew" ] || { echo "build edgecrew first: ./scripts/build.sh"; exit 1; }
command -v podman-compose >/dev/null || apt-get install -y -qq podman-compose >/dev/null
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null

work="$(mktemp -d /tmp/edgecrew-bench-XXXXXX)"
service_pid=""
finish() {
  podman rm -af -t 0 >/dev/null 2>&1 || true
  [ -n "$service_pid" ] && kill "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null
  pkill -KILL -f "conmon .*$work" 2>/dev/null || true
  rm -rf "$work"
}
trap finish EXIT

. "$root/tests/podman/private_podman.sh"
image=localhost/edgecrew-bench/busybox:1
private_podman "$work" "$image" sh sleep
export XDG_CONFIG_HOME="$work/config"

podman system service --time=0 "unix://$work/podman.sock" &
service_pid=$!
export CONTAINER_HOST="unix://$work/podman.sock"
for _ in $(seq 50); do [ -S "$work/podman.sock" ] && break; sleep 0.1; done

mkdir -p "$work/stack"
{
  echo "name: bench"
  echo "services:"
  for i in $(seq "$n"); do
    printf '  s%d:\n    image: %s\n    command: ["sleep", "3600"]\n' \
      "$i" "$image"
  done
} >"$work/stack/compose.yaml"
cd "$work/stack"

ms() { date +%s%N; }
# time_of CMD...: milliseconds the command took (its output discarded; a failure stops the bench).
time_of() {
  local start end
  start=$(ms)
  "$@" >/dev/null 2>"$work/last.err" || { echo "failed: $*" >&2; cat "$work/last.err" >&2; exit 1; }
  end=$(ms)
  echo $(((end - start) / 1000000))
}

# expect_running FILTER: every one of the N containers must be running, or the figures mean nothing.
expect_running() {
  local count
  count=$(podman ps -q --filter "$1" | wc -l)
  [ "$count" -eq "$n" ] || { echo "only $count of $n containers running ($1)"; exit 1; }
}

# Peak RSS (KiB) of each edgecrew command, from GNU time, written beside the timing.
rss() { /usr/bin/time -o "$work/rss.$1" -f %M "${@:2}"; }
ec_up=$(time_of rss up "$edgecrew" up)
expect_running label=io.edgecrew.project=bench
ec_up2=$(time_of rss up2 "$edgecrew" up)
ec_ps=$(time_of rss ps "$edgecrew" ps)
ec_down=$(time_of rss down "$edgecrew" down)
left=$(podman ps -aq --filter label=io.edgecrew.project=bench | wc -l)
[ "$left" -eq 0 ] || { echo "edgecrew down left $left containers"; exit 1; }

if [ -n "${EDGECREW_ONLY:-}" ]; then
  echo "up $ec_up ms, up again $ec_up2 ms, ps $ec_ps ms, down $ec_down ms;" \
    "peak RSS KiB: up $(cat "$work/rss.up") ps $(cat "$work/rss.ps") down $(cat "$work/rss.down")"
  exit 0
fi

if [ -z "${NO_PODMAN_COMPOSE:-}" ]; then
  pc_up=$(time_of podman-compose -p bench up -d)
  expect_running label=io.podman.compose.project=bench
  pc_up2=$(time_of podman-compose -p bench up -d)
  pc_ps=$(time_of podman-compose -p bench ps)
  pc_down=$(time_of podman-compose -p bench down)
else
  pc_up=0 pc_up2=0 pc_ps=0 pc_down=0  # shown as "-"
fi

raw_up_loop() { for i in $(seq "$n"); do podman run -d --name "raw-$i" "$image" sleep 3600; done; }
raw_down() { podman stop -t 10 $(podman ps -q --filter name=raw-) && podman rm -af; }
raw_up=$(time_of raw_up_loop)
expect_running name=raw-
raw_ps=$(time_of podman ps)
raw_down_t=$(time_of raw_down)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0 || b == "-" || a == "-") print "-"; else printf "%.2f", a / b }'; }
[ -z "${NO_PODMAN_COMPOSE:-}" ] || pc_up=- pc_up2=- pc_ps=- pc_down=-
cat <<TABLE
| $n services (ms) | edgecrew | podman-compose | raw podman loop | edgecrew / podman-compose | edgecrew / raw |
|---|---|---|---|---|---|
| up (all created and started) | $ec_up | $pc_up | $raw_up | $(ratio "$ec_up" "$pc_up") | $(ratio "$ec_up" "$raw_up") |
| up again, nothing changed | $ec_up2 | $pc_up2 | - | $(ratio "$ec_up2" "$pc_up2") | - |
| ps | $ec_ps | $pc_ps | $raw_ps | $(ratio "$ec_ps" "$pc_ps") | $(ratio "$ec_ps" "$raw_ps") |
| down (PID 1 ignores SIGTERM, 10 s grace) | $ec_down | $pc_down | $raw_down_t | $(ratio "$ec_down" "$pc_down") | $(ratio "$ec_down" "$raw_down_t") |

edgecrew peak RSS (KiB, GNU time %M): up $(cat "$work/rss.up"), up again $(cat "$work/rss.up2"), ps $(cat "$work/rss.ps"), down $(cat "$work/rss.down")
TABLE

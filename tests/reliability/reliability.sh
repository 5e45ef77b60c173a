#!/usr/bin/env bash
# The reliability suite: the real edgecrew binary against a private Podman service this script
# starts (vfs storage and a busybox image in a temp folder, see tests/podman/private_podman.sh).
#   reliability.sh EDGECREW PART      PART: reconcile | kill | race | stall | hostile
# reconcile: a seeded random walk of stack edits, up, up SERVICE, up --remove-orphans, down,
#   restart and external `podman rm -f` / `podman stop` / `podman pause`, checking the invariants
#   after each step.
#   EDGECREW_RELIABILITY_OPS (200) operations, EDGECREW_RELIABILITY_SEED (printed) replays a run.
# kill: `up` and `down` killed with SIGKILL at random moments, then a rerun converges; no private
#   Podman service and no service folder is left. EDGECREW_RELIABILITY_KILLS (6).
# race: up ∥ up and up ∥ down: no duplicate container, the loser names the lock's holder.
# stall: the Podman service stopped with SIGSTOP: exec, ps and down each fail within their named
#   timeout and say so; after SIGCONT a rerun converges.
# hostile: every file of tests/reliability/hostile and tests/fuzz/corpus/compose, and generated
#   ones, through `edgecrew config` under a time and memory limit: no crash, an error with position.
set -uo pipefail
edgecrew="$(realpath "$1")"
part="$2"
here="$(cd "$(dirname "$0")" && pwd)"
image=localhost/edgecrew-test/busybox:1
image2=localhost/edgecrew-test/busybox:2

work="$(mktemp -d /tmp/ecrel-XXXXXX)"
service_pid=
failures=0
cleanup() {
  if [ -n "$service_pid" ]; then
    kill -CONT "$service_pid" 2>/dev/null
    podman rm -af -t 0 >/dev/null 2>&1
    kill "$service_pid" 2>/dev/null
    wait "$service_pid" 2>/dev/null
  fi
  if [ "$failures" -eq 0 ]; then rm -rf "$work"; else echo "left for a look: $work" >&2; fi
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# Podman with its own storage, an image under two tags, and `podman system service` on a socket
# of its own that edgecrew reaches through CONTAINER_HOST.
setup_podman() {
  . "$here/../podman/private_podman.sh"
  private_podman "$work" "$image" sh sleep echo cat true >/dev/null || exit 1
  podman tag "$image" "$image2" || exit 1
  podman system service --time=0 "unix://$work/podman.sock" &
  service_pid=$!
  for _ in $(seq 100); do
    [ -S "$work/podman.sock" ] && curl -sf --unix-socket "$work/podman.sock" http://d/_ping >/dev/null && break
    sleep 0.1
  done
  export CONTAINER_HOST="unix://$work/podman.sock"
  export XDG_RUNTIME_DIR="$work/xdg" HOME="$work/home" XDG_CONFIG_HOME="$work/config" TMPDIR="$work/tmp"
  mkdir -p "$XDG_RUNTIME_DIR" "$HOME" "$XDG_CONFIG_HOME" "$TMPDIR" "$work/project"
  unset CONTAINER_CONNECTION
  cd "$work/project" || exit 1
}

ec() { "$edgecrew" "$@"; }

# "service hash state" for each container of project $1.
observed() {
  podman ps -a --filter "label=io.edgecrew.project=$1" \
    --format '{{index .Labels "io.edgecrew.service"}} {{index .Labels "io.edgecrew.spec-hash"}} {{.State}}'
}

# --- the stack the random walk edits ------------------------------------------------------------
pool=(web db cache queue worker)
declare -A present img env cmd
write_stack() {
  {
    echo "name: $project"
    echo "services:"
    for s in "${pool[@]}"; do
      [ "${present[$s]:-0}" = 1 ] || continue
      echo "  $s:"
      echo "    image: ${img[$s]}"
      echo "    network_mode: host"
      echo "    stop_signal: SIGKILL"
      case "${cmd[$s]}" in
        0) echo '    command: ["sleep", "1000"]' ;;
        1) echo '    command: ["sh", "-c", "sleep 1000"]' ;;
        2) echo '    command: ["sleep", "999"]' ;;
      esac
      echo "    environment:"
      echo "      MODE: \"${env[$s]}\""
    done
  } >compose.yaml
}
desired() { for s in "${pool[@]}"; do [ "${present[$s]:-0}" = 1 ] && echo "$s"; done; }
random_desired() {
  local d
  mapfile -t d < <(desired)
  [ ${#d[@]} -gt 0 ] && echo "${d[RANDOM % ${#d[@]}]}"
}

# Checks after a step. $1: what was run; $2...: the services that must be up and current (their
# spec hash the one `config --hash` gives), unless $hash_too is 0 (restart recreates nothing).
hash_too=1
check() {
  local step="$1"
  shift
  local obs hashes
  obs="$(observed "$project")"
  hashes="$(ec config --hash '*' 2>&1)"
  # At most one container per service, always.
  local dup
  dup="$(awk '{print $1}' <<<"$obs" | sort | uniq -d)"
  [ -z "$dup" ] || fail "[$step] more than one container for: $dup"$'\n'"$obs"
  for s in "$@"; do
    local line want
    line="$(awk -v s="$s" '$1 == s' <<<"$obs")"
    want="$(awk -v s="$s" '$1 == s {print $2}' <<<"$hashes")"
    [ -n "$line" ] || { fail "[$step] no container for $s"$'\n'"$obs"; continue; }
    read -r _ hash state <<<"$line"
    [[ "$state" == running* || "$state" == Up* ]] || fail "[$step] $s is $state, not running"
    [ "$hash_too" = 0 ] || [ "$hash" = "$want" ] || fail "[$step] $s has spec hash $hash, config --hash says $want"
  done
}

reconcile() {
  setup_podman
  local ops="${EDGECREW_RELIABILITY_OPS:-200}"
  local seed="${EDGECREW_RELIABILITY_SEED:-$(( $(date +%s) % 100000 ))}"
  echo "reconcile: seed $seed, $ops operations (replay: EDGECREW_RELIABILITY_SEED=$seed EDGECREW_RELIABILITY_OPS=$ops)"
  RANDOM=$seed
  project=ecrelr
  for s in web db cache; do present[$s]=1; done
  for s in "${pool[@]}"; do img[$s]=$image; env[$s]=a; cmd[$s]=0; done
  write_stack
  local counts="" n=0 started=$SECONDS
  for ((i = 1; i <= ops; i++)); do
    local r=$((RANDOM % 100)) op out rc s
    if ((r < 55)); then
      op=edit
      s="${pool[RANDOM % ${#pool[@]}]}"
      case $((RANDOM % 5)) in
        0) [ "$(desired | wc -l)" -gt 1 ] || [ "${present[$s]:-0}" = 0 ] && present[$s]=$((1 - ${present[$s]:-0})) ;;
        1) [ "${img[$s]}" = "$image" ] && img[$s]=$image2 || img[$s]=$image ;;
        2) env[$s]="v$((RANDOM % 4))" ;;
        3) cmd[$s]=$((RANDOM % 3)) ;;
        4) present[$s]=1 ;;
      esac
      write_stack
    elif ((r < 66)); then
      op=up
      out="$(ec up 2>&1)" || fail "[$i up] exit $?: $out"
      mapfile -t want < <(desired)
      check "$i up" "${want[@]}"
      # A second plan after an up has nothing to do.
      if ((RANDOM % 4 == 0)); then
        out="$(ec plan 2>&1)"
        grep -qE '^ *(create|recreate|start) ' <<<"$out" && fail "[$i plan after up] not quiet: $out"
      fi
    elif ((r < 72)); then
      s="$(random_desired)"
      op="up_service"
      out="$(ec up "$s" 2>&1)" || fail "[$i up $s] exit $?: $out"
      check "$i up $s" "$s"
    elif ((r < 77)); then
      op=up_remove_orphans
      out="$(ec up --remove-orphans 2>&1)" || fail "[$i up --remove-orphans] exit $?: $out"
      mapfile -t want < <(desired)
      check "$i up --remove-orphans" "${want[@]}"
      local orphans
      orphans="$(observed "$project" | awk '{print $1}' | grep -vxF -f <(desired))"
      [ -z "$orphans" ] || fail "[$i up --remove-orphans] orphans left: $orphans"
    elif ((r < 80)); then
      op=down
      out="$(ec down 2>&1)" || fail "[$i down] exit $?: $out"
      [ -z "$(observed "$project")" ] || fail "[$i down] containers left: $(observed "$project")"
    elif ((r < 85)); then
      op=restart
      local before
      before="$(observed "$project" | awk '$3 == "running" || $3 == "Up" {print $1}' | grep -xF -f <(desired))"
      out="$(ec restart 2>&1)" || fail "[$i restart] exit $?: $out"
      hash_too=0 check "$i restart" $before
    elif ((r < 93)); then
      op=podman_rm
      s="$(observed "$project" | awk '{print $1}' | shuf -n1 --random-source=<(yes "$RANDOM"))"
      [ -n "$s" ] && podman rm -f -t 0 "$project-$s-1" >/dev/null 2>&1
    else
      # A running container stopped or paused behind edgecrew's back.
      local how=stop
      ((r >= 97)) && how=pause
      op=podman_$how
      s="$(observed "$project" | awk '$3 == "running" || $3 == "Up" {print $1}' | head -n $((1 + RANDOM % 3)) | tail -n1)"
      if [ "$how" = stop ]; then
        [ -n "$s" ] && podman stop -t 0 "$project-$s-1" >/dev/null 2>&1
      else
        [ -n "$s" ] && podman pause "$project-$s-1" >/dev/null 2>&1
      fi
    fi
    counts+="$op"$'\n'
    n=$i
    if [ "$failures" -gt 0 ]; then
      echo "reconcile: stopped at operation $i (seed $seed)" >&2
      break
    fi
  done
  out="$(ec down 2>&1)" || fail "[final down] $out"
  echo "reconcile: $n operations in $((SECONDS - started)) s, $failures invariant violations"
  sort <<<"$counts" | uniq -c | sed '/^ *[0-9]* $/d'
}

simple_stack() {
  cat >compose.yaml <<YAML
name: $1
services:
YAML
  for s in a b c d; do
    cat >>compose.yaml <<YAML
  $s:
    image: $image
    network_mode: host
    stop_signal: SIGKILL
    command: ["sleep", "1000"]
YAML
  done
}

# The `podman system service` processes whose socket is under $TMPDIR (edgecrew's own).
private_services() { pgrep -f "system service.*unix://$TMPDIR/" || true; }

# Waits for edgecrew's private services to end, up to their idle timeout (30 s) and 10 s more:
# on SIGTERM (the parent-death signal) Podman finishes the requests in flight first, and one
# signalled while it is still starting up does not act on it and ends at its idle timeout.
# Sets `waited` to the tenths of a second it took; the longest is reported.
longest_wait=0
services_gone() {
  waited=0
  while [ -n "$(private_services)" ]; do
    [ "$waited" -ge 400 ] && return 1
    sleep 0.1
    waited=$((waited + 1))
  done
  [ "$waited" -gt "$longest_wait" ] && longest_wait=$waited
  return 0
}

# A random pause of 0 to 2.9 s: discovery, creates, starts, stops.
random_pause() {
  local delay=$(( (RANDOM % 30) * 100 ))
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  echo "$delay"
}

kill_up() {
  setup_podman
  project=ecrelk
  simple_stack $project
  local kills="${EDGECREW_RELIABILITY_KILLS:-6}" i verb
  # No CONTAINER_HOST: each edgecrew starts its own private service, which must die with it.
  unset CONTAINER_HOST
  if curl -sf --max-time 1 --unix-socket /run/podman/podman.sock http://d/_ping >/dev/null 2>&1; then
    echo "kill: /run/podman/podman.sock answers; edgecrew would use it: skipped"; return 0
  fi
  # Odd runs kill `up` from nothing; even runs kill `down` of a running project.
  for ((i = 1; i <= kills; i++)); do
    if ((i % 2)); then verb=up; ec down >/dev/null 2>&1; else verb=down; ec up >/dev/null 2>&1; fi
    "$edgecrew" "$verb" >/dev/null 2>&1 &
    local pid=$! delay
    delay="$(random_pause)"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    services_gone || fail "[kill $verb $i after ${delay} ms] a private Podman service outlived edgecrew: $(private_services)"
    if [ "$verb" = down ]; then
      out="$(ec down 2>&1)" || fail "[kill down $i rerun of down] exit $?: $out"
      [ -z "$(observed "$project")" ] || fail "[kill down $i] containers left after the rerun of down: $(observed "$project")"
    fi
    out="$(ec up 2>&1)" || fail "[kill $verb $i rerun] exit $?: $out"
    check "kill $verb $i after ${delay} ms, rerun" a b c d
    services_gone || fail "[kill $verb $i rerun] a private service is left"
    local dirs
    dirs="$(find "$TMPDIR" -maxdepth 1 -name 'edgecrew-podman-*')"
    [ -z "$dirs" ] || fail "[kill $verb $i rerun] service folders left: $dirs"
  done
  ec down >/dev/null 2>&1
  echo "kill: $kills runs of up and down killed with SIGKILL at random moments, $failures failures;" \
    "the longest a private service took to end: $((longest_wait / 10)).$((longest_wait % 10)) s"
}

race() {
  setup_podman
  project=ecrelc
  simple_stack $project
  local trials="${EDGECREW_RELIABILITY_RACES:-3}" i
  for ((i = 1; i <= trials; i++)); do
    # up ∥ up: both succeed (the second waits for the lock), no duplicate.
    ec up >"$work/u1" 2>&1 &
    local p1=$!
    ec up >"$work/u2" 2>&1 &
    local p2=$!
    wait $p1 || fail "[race $i up 1] $(cat "$work/u1")"
    wait $p2 || fail "[race $i up 2] $(cat "$work/u2")"
    check "race $i up ∥ up" a b c d
    grep -q "locked by pid [0-9]*, \`edgecrew up\`" "$work/u1" "$work/u2" ||
      fail "[race $i up ∥ up] neither said who held the lock: $(cat "$work/u1" "$work/u2")"
    # up ∥ down, the second not waiting: it fails naming the holder, or runs after the first.
    ec down >/dev/null 2>&1
    ec up >"$work/u1" 2>&1 &
    p1=$!
    sleep 0.2
    ec down --wait-lock 0 >"$work/d1" 2>&1
    local down_rc=$?
    wait $p1 || fail "[race $i up ∥ down: up] $(cat "$work/u1")"
    if [ $down_rc -ne 0 ]; then
      grep -q "is busy: pid [0-9]*, \`edgecrew up\`" "$work/d1" ||
        fail "[race $i up ∥ down] the losing down does not name the holder: $(cat "$work/d1")"
      check "race $i up ∥ down (down lost)" a b c d
    else
      [ -z "$(observed "$project")" ] || fail "[race $i up ∥ down] down ran last but left $(observed "$project")"
    fi
    ec down >/dev/null 2>&1
  done
  echo "race: $trials trials of up ∥ up and up ∥ down, $failures failures"
}

stall() {
  setup_podman
  project=ecrels
  simple_stack $project
  ec up >/dev/null 2>&1 || fail "[stall] up before the freeze"
  # exec's own timeout, the engine alive: the command outlives --timeout.
  local t0=$SECONDS out
  out="$(ec exec --timeout 2s a -- sleep 30 2>&1)" && fail "[stall] exec past --timeout succeeded"
  (( SECONDS - t0 <= 6 )) || fail "[stall] exec --timeout 2s took $((SECONDS - t0)) s"
  grep -q "timeout" <<<"$out" && grep -q -- "--timeout 2s" <<<"$out" || fail "[stall] exec: $out"
  # The engine frozen during an exec.
  ( sleep 1; kill -STOP "$service_pid" ) &
  t0=$SECONDS
  out="$(ec exec --timeout 4s a -- sleep 30 2>&1)" && fail "[stall] exec against a frozen engine succeeded"
  (( SECONDS - t0 <= 9 )) || fail "[stall] exec --timeout 4s, frozen engine, took $((SECONDS - t0)) s"
  grep -q "timeout" <<<"$out" || fail "[stall] exec, frozen engine: $out"
  echo "exec, engine frozen: $((SECONDS - t0)) s: $out"
  # Each verb against the frozen engine: discovery's named timeout (1 s, then 10 s).
  for verb in "ps" "exec a -- true" "down"; do
    t0=$SECONDS
    out="$(ec $verb 2>&1)" && fail "[stall] $verb against a frozen engine succeeded: $out"
    (( SECONDS - t0 <= 16 )) || fail "[stall] $verb took $((SECONDS - t0)) s against a frozen engine"
    grep -q "timeout" <<<"$out" || fail "[stall] $verb does not say timeout: $out"
    echo "$verb, engine frozen: $((SECONDS - t0)) s: $out"
  done
  kill -CONT "$service_pid"
  out="$(ec up 2>&1)" || fail "[stall] up after SIGCONT: $out"
  check "stall, up after SIGCONT" a b c d
  out="$(ec down 2>&1)" || fail "[stall] down after SIGCONT: $out"
  [ -z "$(observed "$project")" ] || fail "[stall] down after SIGCONT left containers"
  echo "stall: $failures failures"
}

# One file through `edgecrew config`: 30 s (a loaded 2-core machine) and 1 GB of address space at most; an exit status of
# 0, 1 or 2, never a signal or the time limit; an error names the file with a line and column.
hostile_one() {
  local file="$1" out rc
  out="$(cd "$work" && timeout -s KILL 30 bash -c 'ulimit -v 1048576; exec "$0" -f "$1" config' \
    "$edgecrew" "$file" 2>&1 >/dev/null)"
  rc=$?
  case $rc in
    0) ;;
    1 | 2)
      grep -qE "$(basename "$file"):[0-9]+:[0-9]+|$(basename "$file")( |:).*(MB|regular file|not a file)" <<<"$out" ||
        fail "[hostile $file] the error has no position: $out" ;;
    *) fail "[hostile $file] exit $rc (a crash, the memory or the time limit): $(tail -c 400 <<<"$out")" ;;
  esac
  hostile_count=$((hostile_count + 1))
}

hostile() {
  export HOME="$work/home" XDG_CONFIG_HOME="$work/config"
  mkdir -p "$HOME" "$work/gen"
  hostile_count=0
  local started=$SECONDS f
  for f in "$here"/hostile/* "$here"/../fuzz/corpus/compose/*; do hostile_one "$f"; done
  # Generated: too big for the repository.
  local g="$work/gen"
  { echo "services:"; echo "  a:"; echo "    image: x"; echo "    environment:"
    for i in $(seq 100000); do echo "      K$i: v"; done; } >"$g/env-100k.yaml"
  { echo "services:"; for i in $(seq 5000); do echo "  s$i:"; echo "    image: x"; done; } >"$g/services-5000.yaml"
  { printf 'services:\n  a:\n    image: x\n    command: "'; head -c 3000000 /dev/zero | tr '\0' a; printf '"\n'; } >"$g/long-line.yaml"
  { printf 'x: '; for i in $(seq 20000); do printf '['; done; echo; } >"$g/deep-flow.yaml"
  { echo "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"
    for i in $(seq 12); do
      p="*a$((i - 1))"; echo "a$i: &a$i [$p, $p, $p, $p, $p, $p, $p, $p, $p, $p]"
    done
    echo "services: {a: {image: x}}"; } >"$g/billion-laughs.yaml"
  head -c 17000000 /dev/zero | tr '\0' '#' >"$g/over-the-cap.yaml"
  printf 'services:\n  a:\n    image: x\n    env_file: /dev/zero\n' >"$g/env-file-dev-zero.yaml"
  mkfifo "$g/fifo.env"
  printf 'services:\n  a:\n    image: x\n    env_file: %s\n' "$g/fifo.env" >"$g/env-file-fifo.yaml"
  for f in "$g"/*.yaml; do hostile_one "$f"; done
  echo "hostile: $hostile_count files in $((SECONDS - started)) s, $failures failures"
}

case "$part" in
  reconcile) reconcile ;;
  kill) kill_up ;;
  race) race ;;
  stall) stall ;;
  hostile) hostile ;;
  *) echo "reliability.sh: unknown part $part" >&2; exit 2 ;;
esac
[ "$failures" -eq 0 ]

#!/bin/sh
# A second real consumer of `edgecrew render k8s`: Podman plays the rendered Deployments, Secret and
# PersistentVolumeClaim, in a private storage root, and the containers see the secret and share the
# volume. The work directory is left behind (and named) when the test fails.
#   kube_play.sh EDGECREW K8S_SCHEMA_DIR STACK_DIR
set -eu
edgecrew="$1"
schema="$2"
stack="$3"
command -v podman >/dev/null || { echo "podman is not installed: run scripts/setup.sh --test"; exit 1; }
command -v busybox >/dev/null || { echo "busybox is not installed: run scripts/setup.sh --test"; exit 1; }

work=$(mktemp -d /tmp/edgecrew-kube-play-XXXXXX)
token="tok-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
finish() {
  status=$?
  podman kube down "$work/play.yaml" >/dev/null 2>&1 || true
  podman secret rm kubeplay-secrets >/dev/null 2>&1 || true
  podman volume rm -f kubeplay-shared >/dev/null 2>&1 || true
  if [ "$status" -eq 0 ]; then
    rm -rf "$work"
  else
    echo "test data has been left in $work"
  fi
}
trap finish EXIT

. "$(dirname "$0")/private_podman.sh"
mkdir -p "$work/rootfs/shared"
private_podman "$work" localhost/edgecrew-test/busybox:1 sh sleep cat echo

cd "$stack"
APP_TOKEN="$token" XDG_CONFIG_HOME="$work/config" "$edgecrew" render k8s -o "$work/k8s" >/dev/null
ls "$work/k8s"
# Podman 4.3 cannot read back a Secret it played; store the rendered one the way it reads them.
node "$schema/podman_secret.mjs" "$work/k8s/01-secret-kubeplay-secrets.yaml" >"$work/secret.json"
podman secret create kubeplay-secrets "$work/secret.json" >/dev/null
for f in "$work"/k8s/*persistentvolumeclaim* "$work"/k8s/*deployment*; do
  echo "---"
  cat "$f"
done >"$work/play.yaml"
podman kube play "$work/play.yaml"

for _ in 1 2 3 4 5 6 7 8 9 10; do
  got=$(podman exec reader-pod-0-reader cat /shared/token 2>/dev/null || true)
  [ -n "$got" ] && break
  sleep 0.5
done
if [ "$got" != "$token test" ]; then
  echo "FAIL: the reader saw \"$got\" in the shared volume, expected \"$token test\""
  exit 1
fi
if grep -rq "$token" "$work"/k8s/*deployment* "$work"/k8s/*persistentvolumeclaim*; then
  echo "FAIL: the token appears in a workload manifest"
  exit 1
fi
echo "podman kube play: 2 deployments running, the secret reached the writer, the volume is shared"

#!/usr/bin/env bash
# Installs the Debian packages edgecrew needs to build (and with --test, to run every test).
# Idempotent; quiet when all is there.
set -euo pipefail

# What building the edgecrew binary needs (scripts/build.sh, the README's first command).
packages=(
  build-essential cmake ninja-build pkg-config
  libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libfmt-dev libssl-dev
  libgtest-dev libgmock-dev
  protobuf-compiler libprotobuf-dev libgrpc++-dev protobuf-compiler-grpc
  libcurl4-openssl-dev libhiredis-dev libtomlplusplus-dev
)
# `setup.sh --test`: also the peers and tools the whole test suite uses (scripts/test.sh).
if [ "${1:-}" = "--test" ]; then
  packages+=(
    clang clang-format clang-tidy libclang-rt-dev containerd redis-server redis-tools
    podman runc catatonit busybox-static procps tmux skopeo docker-registry nodejs
    golang-github-containernetworking-plugin-dnsname
    uidmap slirp4netns fuse-overlayfs
  )
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Debian's nodejs comes without npm (NodeSource's includes it): the schema tests need npm.
if [ "${1:-}" = "--test" ]; then command -v npm >/dev/null 2>&1 || missing+=(npm); fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # An old or empty package list finds nothing: refresh it once per run when something is missing.
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ "${1:-}" = "--test" ] || exit 0

# The host as the Podman tests need it (tests/podman/rootless.sh, docs/ROOTLESS.md):
# - userns_mode: auto as root takes its ranges from the `containers` entries of /etc/subuid and
#   /etc/subgid (Podman's rule); without them it fails "could not find enough available IDs";
# - the rootless pass runs as edgecrew-rootless, whose subuid/subgid ranges useradd adds;
# - rootless networks other than host go through slirp4netns, which opens /dev/net/tun: a
#   root-only device (0600) stops them with "open(/dev/net/tun): Permission denied".
for file in /etc/subuid /etc/subgid; do
  if ! grep -qs '^containers:' "$file"; then
    echo "containers:2147483647:2147483648" | $sudo tee -a "$file" >/dev/null
  fi
done
if ! id edgecrew-rootless >/dev/null 2>&1; then
  $sudo useradd --create-home --shell /usr/sbin/nologin edgecrew-rootless
fi
if [ -c /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
  $sudo chmod 0666 /dev/net/tun
fi

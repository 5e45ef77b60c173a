# Sourced (sh) by the shell tests and the benchmark: Podman set up for these machines (runc;
# ulimits under the hard limit) with its own vfs storage under a work directory, and a busybox
# image imported there, no registry needed. The C++ tests do the same in podman_peer.h.
#   private_podman WORK_DIR IMAGE APPLET...
private_podman() {
  _work="$1"
  _image="$2"
  shift 2
  cat >"$_work/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
CONF
  cat >"$_work/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$_work/storage"
runroot = "$_work/run"
CONF
  export CONTAINERS_CONF="$_work/containers.conf" CONTAINERS_STORAGE_CONF="$_work/storage.conf"
  mkdir -p "$_work/rootfs/bin"
  cp "$(command -v busybox)" "$_work/rootfs/bin/busybox"
  for _applet in "$@"; do ln -s busybox "$_work/rootfs/bin/$_applet"; done
  tar -C "$_work/rootfs" -cf "$_work/rootfs.tar" .
  podman import -q --change 'ENV PATH=/bin' "$_work/rootfs.tar" "$_image" >/dev/null
}

#!/bin/sh
# The dependency rule of docs/ARCHITECTURE.md, checked on the sources: each folder under src/ may
# include only the folders listed for it here (keep this table, the document's and the SEES lists
# of src/CMakeLists.txt the same).
#   tests/check_dependencies.sh SRC_DIR
src="${1:?usage: check_dependencies.sh SRC_DIR}"
status=0
check() {
  folder="$1"
  shift
  [ -d "$src/$folder" ] || return 0
  allowed="$folder $*"
  for file in $(find "$src/$folder" -name '*.h' -o -name '*.cpp' -o -name '*.in'); do
    for inc in $(sed -n 's/^#include "\([a-z_]*\)\/.*"$/\1/p' "$file" | sort -u); do
      case " $allowed " in
        *" $inc "*) ;;
        *) echo "${file#"$src"/} includes $inc/, which $folder/ may not use"; status=1 ;;
      esac
    done
  done
}
check cli doctor plan render images engine probe net stack host cdi util
check doctor images engine probe stack host cdi net util
check plan engine probe stack util
check render engine stack util
check images engine host net stack util
check engine net stack util
check probe net stack util
check net util
check stack cdi util
check host util
check cdi util
check util
# Finer than folders (the build enforces it too, through each library's include tree): plan,
# images and render reach an engine only through its interface (engine/engine.h, and
# engine/image_pull.h beside it), and render the CRI's pure mapping, never an engine's
# implementation.
for folder in plan images render; do
  for file in $(find "$src/$folder" -name '*.h' -o -name '*.cpp'); do
    for inc in $(sed -n 's/^#include "\(engine\/[a-z_/]*\.h\)"$/\1/p' "$file"); do
      case "$folder:$inc" in
        *:engine/engine.h | *:engine/image_pull.h | render:engine/cri/cri_mapping.h) ;;
        *) echo "${file#"$src"/} includes $inc: $folder/ may use engine/engine.h and engine/image_pull.h only"; status=1 ;;
      esac
    done
  done
done
# gRPC stays in the CRI module: outside engine/cri/, the CRI engine is reached through
# engine/cri/cri_runtime.h, never its gRPC headers.
for file in $(find "$src" -name '*.h' -o -name '*.cpp'); do
  case "${file#"$src"/}" in engine/cri/*) continue ;; esac
  for inc in $(sed -n 's/^#include "\(engine\/cri\/[a-z_/.]*\)"$/\1/p' "$file"); do
    case "$inc" in
      engine/cri/cri_engine.h | engine/cri/cri_client.h | engine/cri/cri_logs.h | *grpc*)
        echo "${file#"$src"/} includes $inc: outside engine/cri/ the CRI engine is engine/cri/cri_runtime.h"
        status=1 ;;
    esac
  done
done
[ "$status" -eq 0 ] && echo "dependency rule holds"
exit "$status"

#!/bin/sh
# The dependency rule of docs/ARCHITECTURE.md, checked: each folder under src/ may include only the
# folders listed for it here (keep this table and the document's the same).
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
[ "$status" -eq 0 ] && echo "dependency rule holds"
exit "$status"

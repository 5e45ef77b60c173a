#!/bin/sh
# doctor --json against docs/doctor-report.schema.json: the golden fixture report, a live report of
# this host and one of a fixture tree must pass; two broken reports must fail, each for its reason.
#   sh doctor_reports.sh EDGECREW SCHEMA_DIR(tests/k8s-schema) SCHEMA DATA_DIR(tests/data/doctor) GOLDEN OUT_DIR
set -u
edgecrew=$1 dir=$2 schema=$3 data=$4 golden=$5 out=$6
mkdir -p "$out/home"
# The built-in stack writes its generated passwords under HOME on first use: not the user's.
export HOME="$out/home" XDG_CONFIG_HOME="$out/home/.config"
# Exit 1 means a check failed, which is a valid report; 2 would be a usage error (no report).
for run in host gpu-host; do
  if [ "$run" = host ]; then
    "$edgecrew" doctor --json > "$out/doctor-$run.json"
  else
    "$edgecrew" doctor --json --root "$data/$run" > "$out/doctor-$run.json"
  fi
  rc=$?
  [ "$rc" -le 1 ] || { echo "doctor_reports: doctor ($run) exited $rc" >&2; exit 1; }
done
node "$dir/validate_doctor.mjs" "$schema" "$golden" "$out/doctor-host.json" "$out/doctor-gpu-host.json" || exit 1

bad=$(node "$dir/validate_doctor.mjs" "$schema" "$data/invalid-report.json" "$data/inconsistent-report.json" 2>&1)
rc=$?
printf '%s\n' "$bad"
[ "$rc" -eq 1 ] || { echo "doctor_reports: the validator exited $rc on broken reports; expected 1" >&2; exit 1; }
failed=0
for expected in \
  'invalid-report.json: /checks/0/id must be equal to one of the allowed values' \
  'invalid-report.json: /checks/1 must NOT have additional properties' \
  'inconsistent-report.json: status is pass, the checks say fail'; do
  case "$bad" in
    *"$expected"*) ;;
    *) echo "doctor_reports: missing from the output: $expected" >&2; failed=1 ;;
  esac
done
exit "$failed"

#!/bin/sh
# Shows that the validator can fail: it must exit 1 on FILE (tests/data/k8s/invalid.yaml) and name
# each broken document there, with the reason it is broken.
#   sh expect_invalid.sh VALIDATE_MJS FILE
set -u
out=$(node "$1" "$2" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne 1 ]; then
  echo "expect_invalid: the validator exited $rc on $2; expected 1" >&2
  exit 1
fi
failed=0
for expected in \
  'document 1 (apps/v1 Deployment bad-port): data/spec/template/spec/containers/0/ports/0/containerPort must be integer' \
  'document 2 (apps/v1 StatefulSet no-template): data/spec must have required property selector' \
  'document 3 (apps/v1 Deploymnet typo): unknown apiVersion/kind' \
  'document 4 (v1 Service bad-ports): data/spec/ports must be array' \
  'document 5 (apps/v1 DeploymentSpec not-an-object): unknown apiVersion/kind' \
  'document 6 (apps/v1 StatefulSet typos): data/spec/template/spec/hostNetwrok: unknown field' \
  'ok: document 7 (v1 ConfigMap fine)' \
  '1 valid, 6 problem(s)'; do
  case "$out" in
    *"$expected"*) ;;
    *) echo "expect_invalid: missing from the output: $expected" >&2; failed=1 ;;
  esac
done
exit "$failed"

#!/usr/bin/env bash
# The main job: install what is missing, build, then check every rule in
# rules/ and write its parsed form to out/explain.txt.
# (Compilation to EQL/KQL/SPL/YARA-L joins here when the backends land.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
mkdir -p out
build/sigcc check rules/
build/sigcc explain rules/ > out/explain.txt
echo "wrote out/explain.txt ($(grep -c '^rule:' out/explain.txt) rules)"

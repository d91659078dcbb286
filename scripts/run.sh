#!/usr/bin/env bash
# The main job: install what is missing, build, then check every rule in
# rules/, write its parsed form to out/explain.txt, compile the rules to
# every target (out/rules.<target>: EQL, KQL, SPL, YARA-L), write their
# technique catalog (out/catalog.md, out/catalog.html), and validate the
# rules against the example events (out/eval.jsonl).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
mkdir -p out
build/sigcc check rules/
build/sigcc explain rules/ > out/explain.txt
echo "wrote out/explain.txt ($(grep -c '^rule:' out/explain.txt) rules)"
for target in $(build/sigcc list targets | cut -f1); do
    # A rule a target cannot express is reported (exit 1) and the rest is written.
    build/sigcc convert -t "$target" -o "out/rules.$target" rules/ ||
        echo "note: some rules have no exact $target form (reasons above)"
    echo "wrote out/rules.$target"
done
# The technique catalog of our rules (docs/catalog.md).
build/sigcc catalog -o out/catalog.md rules/
build/sigcc catalog -f html -o out/catalog.html rules/
echo "wrote out/catalog.md and out/catalog.html"
# Every rule over the Sysmon-shaped examples (the correlation fires on the
# repeated SMTP file), then the ECS-shaped ones through the ECS pipeline.
build/sigcc eval -q -r rules/ examples/T1071.003/sysmon_repeated_smtp.jsonl > out/eval.jsonl
build/sigcc eval -q -r rules/T1071.003/net_connection_mail_protocol_non_mail_client.yml \
    examples/T1071.003/sysmon.jsonl >> out/eval.jsonl
build/sigcc eval -q -r rules/T1071.003/net_connection_mail_protocol_non_mail_client.yml \
    -p pipelines/ecs_windows.yml examples/T1071.003/ecs.jsonl >> out/eval.jsonl
echo "wrote out/eval.jsonl ($(wc -l < out/eval.jsonl) results)"

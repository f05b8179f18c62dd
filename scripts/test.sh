#!/usr/bin/env bash
# Builds and runs the tests: scripts/test.sh [--fast] [dotnet test arguments...]
# Every test by default (what CI runs). Integration tests start their own embedded stack per test assembly, or use a
# real cluster, registry and S3 when CINEMATIC_TEST_* variables name them (see README).
# --fast: only the tests that need no stack (no Kafka, schema registry, S3, provider simulators or service processes)
# and publish no program. A test class that needs the stack carries [Trait("Category", "Stack")]; in the fast lane every
# way into the stack throws (CINEMATIC_TEST_LANE=fast), so a stack test that lost its trait fails there instead of
# hiding. The image test that publishes every program carries [Trait("Category", "Publish")].
# Test artifacts (screenshots, benchmark figures) land in .artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
filter=()
if [ "${1:-}" = "--fast" ]; then
  shift
  export CINEMATIC_TEST_LANE=fast
  filter=(--filter "Category!=Stack&Category!=Publish")
fi
scripts/bootstrap.sh
dotnet build CinematicSwitch.sln --no-restore --verbosity quiet -nologo
mkdir -p .artifacts
# Four test projects at a time on two cores: their time is mostly waiting on the stack (rebalances, provider latency),
# not CPU, and each has a stack of its own.
dotnet test CinematicSwitch.sln --no-build --verbosity quiet -nologo -m:4 \
  --logger "console;verbosity=normal" --results-directory .artifacts/test-results "${filter[@]}" "$@"

#!/usr/bin/env bash
# Builds and runs every test. Integration tests start their own embedded stack per test assembly, or use
# a real cluster, registry and S3 when CINEMATIC_TEST_* variables name them (see README).
# Test artifacts (screenshots, benchmark figures) land in .artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
dotnet build CinematicSwitch.sln --no-restore --verbosity quiet -nologo
mkdir -p .artifacts
dotnet test CinematicSwitch.sln --no-build --verbosity quiet -nologo \
  --logger "console;verbosity=normal" --results-directory .artifacts/test-results "$@"

#!/usr/bin/env bash
# The contracts benchmark (issue 3): TransformationRequested through the Avro wire-format serdes against
# System.Text.Json, in one Release run; prints the summary table (ops/s, allocated bytes per op, ratios).
# Arguments go to BenchmarkDotNet (e.g. --filter '*Serialize*', --job short for a quick look).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export CONTRACTS_BENCHMARK_ARTIFACTS="$PWD/.artifacts/benchmarks/contracts"
rm -rf "$CONTRACTS_BENCHMARK_ARTIFACTS/results"
dotnet run -c Release --project benchmarks/Contracts.Benchmarks -- "$@"
echo
cat "$CONTRACTS_BENCHMARK_ARTIFACTS"/results/*-report-github.md

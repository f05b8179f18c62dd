#!/usr/bin/env bash
# The processor benchmark (issue 5): throughput against a partition-at-a-time consumer and the ideal bound,
# overhead per request, and an instant provider against a raw copy, all in one run on the embedded stack.
# An optional argument scales the request counts (e.g. 0.3 for a quick look).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
dotnet run -c Release --project benchmarks/Processor.Benchmarks -- "$@"

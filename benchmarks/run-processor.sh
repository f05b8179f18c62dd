#!/usr/bin/env bash
# The processor benchmark (issues 5 and 15), one run on the embedded stack, each figure beside its target and a baseline
# measured in the same run: throughput against a partition-at-a-time consumer and the ideal bound, overhead per request
# against a raw copy's hop, an instant provider against a raw copy; 1, 2 and 4 processor processes in one group; and the
# failover after a SIGKILL with the classic and the KIP-848 group protocols. About 10 minutes; --quick (or a scale such as
# 0.3 for the request counts) for a short look; and optionally the parts to run: throughput, scale, failover, or instant
# (the throughput part's instant-provider step alone).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# dotnet run builds the processor too (a project reference): the scale-out and failover parts start it as processes.
dotnet run -c Release --project benchmarks/Processor.Benchmarks -- "$@"

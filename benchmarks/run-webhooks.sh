#!/usr/bin/env bash
# The webhook benchmark (issue 18 item 7): the delay from a Replicate job's end to its request's outcome, polling every second
# against webhooks through Ingest and Kafka, same load, one run on the embedded stack. An optional argument sets the requests
# per mode (default 200).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
dotnet run -c Release --project benchmarks/Processor.Benchmarks -- webhooks "$@"

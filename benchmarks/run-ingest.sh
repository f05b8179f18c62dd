#!/usr/bin/env bash
# The Ingest benchmark (issue 6): accepted uploads per second and peak memory of Ingest, in its own process as
# deployed, for 1 MB images and 100 MB videos, against a bare S3 put of the same bytes in the same run; then how
# long a fresh instance takes to rebuild its status projection. An optional argument scales the upload counts
# (e.g. 0.3 for a quick look).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
dotnet build -c Release src/Ingest --verbosity quiet -nologo
dotnet run -c Release --project benchmarks/Ingest.Benchmarks -- "${1:-1}" Release

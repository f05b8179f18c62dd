#!/usr/bin/env bash
# Runs the whole system on its embedded default: Kafka, schema registry, S3, provider simulators and
# the three services, all on loopback. Endpoints are written to .devstack/endpoints.json. Ctrl-C stops it.
# Extra arguments are configuration overrides, e.g. --DevStack:IngestPort=9090 --Topology:Partitions=6
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
dotnet build CinematicSwitch.sln --no-restore --verbosity quiet -nologo
# The stack itself becomes this process (no `dotnet run` in between), so signals reach it directly; its services
# and s3rver end with it, however it ends.
exec dotnet src/DevStack/bin/Debug/net10.0/CinematicSwitch.DevStack.dll "$@"

#!/usr/bin/env bash
# cinematic-ops, the operations CLI (README, "Operations"). Builds src/Ops when needed (quietly; its output shows, on
# stderr, only when the build fails) and runs it with the arguments given. It attaches to the embedded stack through
# .devstack/endpoints.json by default, or to a real cluster with --bootstrap-servers/--schema-registry (or Kafka__*,
# SchemaRegistry__* variables). Set CINEMATIC_OPS_NO_BUILD=1 to skip the build check.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
configuration="${CINEMATIC_OPS_CONFIGURATION:-Debug}"
dll="$root/src/Ops/bin/$configuration/net10.0/CinematicSwitch.Ops.dll"
if [ "${CINEMATIC_OPS_NO_BUILD:-0}" != "1" ] || [ ! -f "$dll" ]; then
  # Quiet unless the build fails: then its output goes to stderr.
  if ! build_output=$(dotnet build "$root/src/Ops" --configuration "$configuration" --verbosity quiet -nologo 2>&1); then
    echo "$build_output" >&2
    exit 1
  fi
fi
exec dotnet "$dll" "$@"

#!/usr/bin/env bash
# cinematic-ops, the operations CLI (README, "Operations"). Builds src/Ops when needed (build output goes to stderr, so
# --json output stays clean) and runs it with the arguments given. It attaches to the embedded stack through
# .devstack/endpoints.json by default, or to a real cluster with --bootstrap-servers/--schema-registry (or Kafka__*,
# SchemaRegistry__* variables). Set CINEMATIC_OPS_NO_BUILD=1 to skip the build check.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
configuration="${CINEMATIC_OPS_CONFIGURATION:-Debug}"
dll="$root/src/Ops/bin/$configuration/net10.0/CinematicSwitch.Ops.dll"
if [ "${CINEMATIC_OPS_NO_BUILD:-0}" != "1" ] || [ ! -f "$dll" ]; then
  dotnet build "$root/src/Ops" --configuration "$configuration" --verbosity quiet -nologo >&2
fi
exec dotnet "$dll" "$@"

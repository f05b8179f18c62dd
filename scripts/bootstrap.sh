#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine, idempotently: the distribution's
# packages (kcat, ffmpeg for the provider simulators' sample media, Chromium for the browser test, docker-compose
# to validate the compose file, util-linux's setpriv so that the embedded stack's child processes end with it), the
# npm tools of package.json (s3rver, playwright-core) and the NuGet packages (the Kafka client's native library comes
# with them: librdkafka.redist). Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(kcat ffmpeg chromium docker-compose util-linux)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when package-lock.json changed since the last install.
stamp=node_modules/.cinematic-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "bootstrap: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

dotnet restore CinematicSwitch.sln --verbosity quiet

#!/usr/bin/env bash
# Installs what building and testing Chatterbox needs, from Debian 12's packages only, and
# nothing that is already there. Safe to run again. Needs root (or sudo) on a fresh machine.
#   setup.sh                 build dependencies
#   setup.sh --tests         plus what the test suites need
#   setup.sh --only PKG...   just these packages (for tools with needs of their own)
set -euo pipefail

case "${1:-}" in
  --only)
    shift
    packages=("$@")
    ;;
  *)
    packages=(
      g++ cmake ninja-build pkg-config git ca-certificates
      libboost1.81-dev libsqlitecpp-dev libsqlite3-dev nlohmann-json3-dev libspdlog-dev
      libsodium-dev libssl-dev libhiredis-dev libpq-dev libgtest-dev sqlite3 tzdata procps
    )
    if [ "${1:-}" = "--tests" ]; then
      packages+=(chromium fonts-noto-color-emoji)  # the emoji font: screenshots show real emoji
      # The sanitizer build (scripts/build.sh asan) is clang's, with the libFuzzer runtime.
      packages+=(clang libclang-rt-14-dev)
      # The Redis bus's and the PostgreSQL store's tests start their own servers.
      packages+=(redis-server postgresql-15)
      # tests/package/run.sh: the .deb (dpkg-shlibdeps), its unit, a fresh Debian root
      packages+=(dpkg-dev systemd mmdebstrap curl)
      # Node.js from Debian unless one is already installed (any source, any version >= 18).
      command -v node >/dev/null 2>&1 || packages+=(nodejs)
      command -v npm >/dev/null 2>&1 || packages+=(npm)
    fi
    ;;
esac

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
fi

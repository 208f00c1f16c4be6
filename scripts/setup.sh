#!/usr/bin/env bash
# Sets up hark on a fresh Debian or Raspberry Pi OS machine. Safe to run again: it installs only what is missing.
# Run it as root or as a user with sudo. Usage: scripts/setup.sh
set -euo pipefail

cd "$(dirname "$0")/.."

# alsa-utils: arecord/aplay/amixer; sox (+ formats): audio conversion and the default player for FLAC/Ogg;
# mpg123: MP3 playback; espeak-ng: speech; pocketsphinx + en-us model: the offline grammar recogniser.
APT_PACKAGES=(alsa-utils sox libsox-fmt-all mpg123 espeak-ng pocketsphinx pocketsphinx-en-us ca-certificates)
NODE_MAJOR_MIN=20

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then missing+=("$pkg"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    "${SUDO[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "setup: apt packages already installed"
fi

if ! command -v node >/dev/null 2>&1; then
    echo "setup: Node.js ${NODE_MAJOR_MIN} or newer is required and none was found." >&2
    echo "       Install it (e.g. from https://nodejs.org or your distribution's nodejs package if it is ${NODE_MAJOR_MIN}+), then run this again." >&2
    exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt "$NODE_MAJOR_MIN" ]; then
    echo "setup: Node.js $(node --version) is too old; hark needs ${NODE_MAJOR_MIN} or newer." >&2
    exit 1
fi

# Install node modules as the user who owns the checkout, not as root when run through sudo.
owner=$(stat -c %U .)
run_as_owner=()
if [ "$(id -u)" -eq 0 ] && [ "$owner" != "root" ]; then run_as_owner=(sudo -u "$owner" -H); fi
# onnxruntime-node's install script downloads from GitHub, node-llama-cpp's may try to fetch and build llama.cpp;
# both npm packages already carry prebuilt CPU binaries (node-llama-cpp's for linux x64, arm64 and armv7l).
echo "setup: npm ci"
"${run_as_owner[@]}" env ONNXRUNTIME_NODE_INSTALL=skip NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund

echo "setup: done. Try: ./bin/hark.js ask \"what time is it\""

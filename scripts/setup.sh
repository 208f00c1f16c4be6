#!/usr/bin/env bash
# Sets up hark on a fresh Debian or Raspberry Pi OS machine. Safe to run again: it installs only what is missing.
# Run it as root or as a user with sudo.
# Usage: scripts/setup.sh [--train] [--test] [--gpu] [--service [hark service install options]]
#   --train     also install the trainer's packages (PyTorch and friends, about 1 GB): `hark train` needs them
#   --test      what `npm test` needs: the trainer's packages, and Chromium (the web page's tests drive it headless)
#   --gpu       keep the CUDA and Vulkan builds of llama.cpp and whisper.cpp that npm brings (about 860 MB); without it
#               they are removed, as hark runs on the CPU unless llm.gpu is set
#   --service   also install hark as a systemd service (hardened unit, hark user, /etc/hark), enable and start it.
set -euo pipefail

cd "$(dirname "$0")/.."

service=false
train=false
test=false
gpu=false
service_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --train) train=true; shift ;;
        --test) train=true; test=true; shift ;;
        --gpu) gpu=true; shift ;;
        --service) service=true; shift; service_args=("$@"); break ;;
        *) echo "setup: unknown option $1 (usage: scripts/setup.sh [--train] [--test] [--gpu] [--service [--intents-dir DIR] [--music-dir DIR] [--no-start]])" >&2; exit 2 ;;
    esac
done

# alsa-utils: arecord/aplay/amixer; sox (+ formats): audio conversion and the default player for FLAC/Ogg;
# mpg123: MP3 playback; espeak-ng: speech; pocketsphinx + en-us model: the offline grammar recogniser;
# gcc, libc6-dev, libspeexdsp-dev: the echo canceller's small binding (scripts/build-native.sh);
# systemd: the service (systemctl, systemd-sysusers, systemd-notify; always there on Raspberry Pi OS);
# python3: the tests' stand-in for systemd's notification socket (also always there on Raspberry Pi OS);
# with --train, python3-torch, -sentencepiece, -numpy + libopenblas0-pthread: `hark train` (base model and LoRA
# adapters on your intents; OpenBLAS made a training step ~20x faster on 2 cores). hark run itself never needs them.
APT_PACKAGES=(alsa-utils sox libsox-fmt-all mpg123 espeak-ng pocketsphinx pocketsphinx-en-us gcc libc6-dev libspeexdsp-dev ca-certificates systemd python3)
if [ "$train" = true ]; then APT_PACKAGES+=(python3-torch python3-sentencepiece python3-numpy libopenblas0-pthread); fi
# with --test, chromium: the web page's tests drive Debian's own browser headless (puppeteer-core downloads none).
if [ "$test" = true ]; then APT_PACKAGES+=(chromium fonts-dejavu-core); fi
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

# Install node modules as the user who owns the checkout, not as root when run through sudo. A checkout root owns
# (sudo git clone into /opt/hark) is installed without running any dependency's install script: hark needs none of
# them (the binaries come prebuilt in the packages), and as root they would run with root's rights.
owner=$(stat -c %U .)
run_as_owner=()
npm_scripts=()
if [ "$(id -u)" -eq 0 ] && [ "$owner" != "root" ]; then run_as_owner=(sudo -u "$owner" -H); fi
if [ "$(id -u)" -eq 0 ] && [ "$owner" = "root" ]; then npm_scripts=(--ignore-scripts); fi
# onnxruntime-node's install script downloads from GitHub, node-llama-cpp's may try to fetch and build llama.cpp;
# both npm packages already carry prebuilt CPU binaries (node-llama-cpp's for linux x64, arm64 and armv7l).
echo "setup: npm ci"
"${run_as_owner[@]}" env ONNXRUNTIME_NODE_INSTALL=skip NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund "${npm_scripts[@]}"
# The npm packages carry builds for every platform and GPU; hark needs this machine's CPU build only.
if [ "$gpu" = false ]; then
    arch=$(node -p 'process.arch')
    before=$(du -sm node_modules | cut -f1)
    for dir in node_modules/@node-llama-cpp/* node_modules/@fugood/node-whisper-*; do
        case "$(basename "$dir")" in
            *cuda*|*vulkan*|*metal*) rm -rf "$dir" ;;
        esac
    done
    for dir in node_modules/onnxruntime-node/bin/napi-v*/*/*; do
        [ -d "$dir" ] || continue
        case "$dir" in */linux/"$arch") ;; *) rm -rf "$dir" ;; esac
    done
    echo "setup: removed GPU builds and other platforms' binaries: node_modules $before MB → $(du -sm node_modules | cut -f1) MB (--gpu keeps them)"
fi

# The echo canceller's binding (audio.echoCancellation); hark listens without it if this fails, and says so.
"${run_as_owner[@]}" bash scripts/build-native.sh || echo "setup: the echo canceller was not built; hark will listen without it (see the message above)" >&2

# JavaScript built once here starts each command several times faster than compiling the TypeScript on every start.
echo "setup: npm run build"
"${run_as_owner[@]}" npm run build --silent

if [ "$service" = true ]; then
    echo "setup: installing the hark service"
    "${SUDO[@]}" env SUDO_USER="${SUDO_USER:-$(id -un)}" "$(command -v node)" bin/hark.js service install "${service_args[@]}"
    echo "setup: done. Check it with: ./bin/hark.js doctor, and ./bin/hark.js service status"
else
    echo "setup: done. Try: ./bin/hark.js ask \"what time is it\" (to run it as a service: scripts/setup.sh --service)"
fi

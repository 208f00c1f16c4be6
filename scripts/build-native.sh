#!/usr/bin/env bash
# Builds hark's one native binding: speexdsp's echo canceller (src/frontend/native/speex_echo.c) into
# build/speex_echo.node. N-API, so one build serves every Node.js version. Needs a C compiler, Debian's
# libspeexdsp-dev and Node.js's headers (in Node.js's own include/ folder, or /usr/include/node from libnode-dev).
set -euo pipefail
cd "$(dirname "$0")/.."

include=$(node -p "require('path').resolve(process.execPath, '../../include/node')")
[ -f "$include/node_api.h" ] || include=/usr/include/node
if [ ! -f "$include/node_api.h" ]; then
    echo "build-native: Node.js's headers (node_api.h) were not found next to $(command -v node) nor in /usr/include/node; install libnode-dev or a Node.js build that has include/" >&2
    exit 1
fi
if [ ! -f /usr/include/speex/speex_echo.h ]; then
    echo "build-native: speexdsp's headers are missing: apt install libspeexdsp-dev" >&2
    exit 1
fi
command -v cc >/dev/null 2>&1 || { echo "build-native: no C compiler: apt install gcc libc6-dev" >&2; exit 1; }
mkdir -p build
cc -O2 -shared -fPIC -Wall -Wextra -Werror -I"$include" src/frontend/native/speex_echo.c -lspeexdsp -o build/speex_echo.node.tmp
mv build/speex_echo.node.tmp build/speex_echo.node
echo "build-native: build/speex_echo.node"

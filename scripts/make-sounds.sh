#!/usr/bin/env bash
# Regenerates hark's feedback sounds (src/audio/sounds/*.wav) with sox. The committed files came from this script.
set -euo pipefail
cd "$(dirname "$0")/../src/audio/sounds"
sox -n -r 16000 -c 1 -b 16 wake.wav synth 0.08 sine 880 synth 0.08 sine 1320 : synth 0.1 sine 1320 fade 0 0.18 0.05 vol 0.5
sox -n -r 16000 -c 1 -b 16 done.wav synth 0.15 sine 1320:880 fade 0.01 0.15 0.05 vol 0.4
sox -n -r 16000 -c 1 -b 16 error.wav synth 0.25 square 220 fade 0.01 0.25 0.05 vol 0.3

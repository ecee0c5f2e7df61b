#!/usr/bin/env bash
# Make the README's screenshots from real runs of `pitchlive --screenshot`: the demo recording
# tracked in real time by the real SPICE model, in a real X server (Xvfb), with fresh settings.
#
#   PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel bash assets/make_screenshots.sh
#
# Needs xvfb-run (Debian: xvfb). Each shot takes the window after SECONDS (model loading
# included), so the trace shows the melody's first few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
PITCHLIVE=${PITCHLIVE:-.venv/bin/pitchlive}
SECONDS_RUN=${SECONDS_RUN:-13}
DEMO=assets/demo-ode-to-joy.flac

shot() {
  local out=$1; shift
  local config; config=$(mktemp -d)
  XDG_CONFIG_HOME=$config xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$PITCHLIVE" --input "$DEMO" --screenshot "$out" --quit-after "$SECONDS_RUN" "$@"
  rm -rf "$config"
}

shot assets/screenshot-live-dark.png --theme dark
shot assets/screenshot-live-light.png --theme light
shot assets/screenshot-large-type.png --theme dark --large-type
shot assets/screenshot-recording.png --theme dark --view recording
shot assets/screenshot-transcription.png --theme dark --view recording --transcribe
# The Tuner tab at 1280x800: a guitar's D string 3.2 cents flat, tracked live.
xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python assets/make_tuner_screenshot.py \
  assets/screenshot-tuner.png
# The Score tab and note editing at 1280x800: the demo transcribed in the window.
xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python assets/make_score_screenshot.py \
  assets/screenshot-score.png assets/screenshot-note-editing.png

#!/usr/bin/env bash
# Debian packages pitchlive needs: `sysdeps.sh run` for the app, `sysdeps.sh test` for the tests.
# As root they are installed with apt-get; otherwise the missing ones are listed, with the
# command to install them. Fast when nothing is missing (one dpkg-query).
set -euo pipefail

RUN_DEBS=(
  libportaudio2                         # sounddevice's PortAudio
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0   # Qt GUI
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1
)
TEST_DEBS=(
  pulseaudio pulseaudio-utils libasound2-plugins   # the software microphone
  fluidsynth fluid-soundfont-gm                    # MIDI-rendered test melodies
  sox xvfb
)

case "${1:-run}" in
  run) wanted=("${RUN_DEBS[@]}") ;;
  test) wanted=("${RUN_DEBS[@]}" "${TEST_DEBS[@]}") ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "note: not a Debian-like system; make sure PortAudio and Qt 6's runtime libraries" \
       "are installed (for tests also PulseAudio, fluidsynth with a GM soundfont, sox)." >&2
  exit 0
fi

missing=()
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${wanted[@]}" 2>/dev/null \
            | awk '$2 == "installed" {print $1}' || true)
for pkg in "${wanted[@]}"; do
  grep -qx "$pkg" <<<"$installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

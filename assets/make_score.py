"""Render the README's score picture: the demo recording transcribed by pitchlive, engraved.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python assets/make_score.py

Runs `pitchlive transcribe` on assets/demo-ode-to-joy.flac, writes assets/demo-ode-to-joy.musicxml
and engraves it with Verovio (`pip install verovio`; only this script needs it) into
assets/score-demo.svg, so the picture is exactly the MusicXML a user gets.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ASSETS = Path(__file__).resolve().parent
DEMO = ASSETS / "demo-ode-to-joy.flac"
MUSICXML = ASSETS / "demo-ode-to-joy.musicxml"
SVG = ASSETS / "score-demo.svg"


def main() -> int:
    """Transcribe the demo, then engrave the MusicXML as SVG."""
    try:
        import verovio
    except ImportError:
        print("assets/make_score.py needs Verovio: .venv/bin/pip install verovio", file=sys.stderr)
        return 1
    result = subprocess.run([sys.executable, "-m", "pitchlive", "transcribe", str(DEMO),
                             "-o", str(MUSICXML)], capture_output=True, text=True)
    print(result.stderr.strip(), file=sys.stderr)
    if result.returncode != 0:
        return result.returncode
    toolkit = verovio.toolkit()
    toolkit.setOptions({"pageWidth": 2100, "pageHeight": 900, "scale": 45, "adjustPageHeight": True,
                        "footer": "none", "header": "auto"})
    if not toolkit.loadFile(str(MUSICXML)):
        print(f"Verovio could not read {MUSICXML}", file=sys.stderr)
        return 1
    SVG.write_text(toolkit.renderToSVG(1))
    print(f"wrote {MUSICXML.name} and {SVG.name} ({toolkit.getPageCount()} page(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())

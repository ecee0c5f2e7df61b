"""A transcription engraved as sheet music: its MusicXML laid out by Verovio into SVG pages.

Qt-free, so the window renders it on a background thread and tests read the SVG directly. Each
transcribed note is matched to the SVG elements that write it (one, or several tied together
across a beat or bar line), so a view can light up the note that is sounding: Verovio's time map
lists the written notes in score order, and the MusicXML says which of them continue a tie.
Verovio draws only written accidentals; pitchlive's MusicXML writes them (exports/musicxml.py),
so the score on screen is the exported file as a notation program shows it.
"""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from pitchlive.exports.atomic import write_bytes_atomically
from pitchlive.tracking.notes import Transcription

PAGE_WIDTH = 2100          # Verovio units (tenths of a millimetre at scale 100): A4 portrait
PAGE_HEIGHT = 2970
SCALE = 40                 # per cent; about 7 bars to a line on the page width
HIGHLIGHT_COLOUR = "#d62f2f"


class EngravingError(RuntimeError):
    """Verovio could not lay out the score (the message says what to do)."""


@dataclass(frozen=True)
class EngravedScore:
    """SVG pages of a score and where each transcribed note is written.

    note_ids[k] are the SVG element ids of transcription note k (its tied pieces), note_pages[k]
    the page (0-based) its first piece is on.
    """

    pages: tuple[str, ...]
    note_ids: tuple[tuple[str, ...], ...]
    note_pages: tuple[int, ...]
    musicxml: str

    @property
    def page_count(self) -> int:
        """How many pages the score takes."""
        return len(self.pages)

    def svg_note_count(self) -> int:
        """Written notes (note heads, tied pieces counted apart) in all the pages' SVG."""
        return sum(page.count('class="note"') for page in self.pages)


def tie_continuations(musicxml: str) -> list[bool]:
    """For each written (pitched) note of a MusicXML score in order: does it continue a tie?"""
    root = ET.fromstring(musicxml.encode("utf-8"))
    out = []
    for note in root.iter("note"):
        if note.find("pitch") is None:
            continue
        out.append(any(t.get("type") == "stop" for t in note.findall("tie")))
    return out


def group_written_notes(written_ids: list[str], continues: list[bool]) -> list[tuple[str, ...]]:
    """Group written note ids (score order) into sounding notes: a tie continuation joins the
    note before it."""
    groups: list[list[str]] = []
    for element_id, tied in zip(written_ids, continues):
        if tied and groups:
            groups[-1].append(element_id)
        else:
            groups.append([element_id])
    return [tuple(g) for g in groups]


def engrave_musicxml(musicxml: str, page_width: int = PAGE_WIDTH, page_height: int = PAGE_HEIGHT,
                     scale: int = SCALE) -> EngravedScore:
    """Lay out a MusicXML score with Verovio into SVG pages; raises EngravingError."""
    try:
        import verovio
    except ImportError as exc:    # an app dependency; a broken install says how to mend it
        raise EngravingError("The score needs Verovio, which is missing: reinstall pitchlive "
                             "(pip install verovio).") from exc
    from importlib.resources import files

    toolkit = verovio.toolkit(False)      # fonts load from the path below
    # Verovio keeps its default resource path per thread (set on import): name it every time.
    toolkit.setResourcePath(str(files("verovio") / "data"))
    toolkit.setOptions({"pageWidth": page_width, "pageHeight": page_height, "scale": scale,
                        "adjustPageHeight": True, "footer": "none", "header": "auto",
                        "breaks": "auto", "svgViewBox": True, "svgRemoveXlink": False})
    if not toolkit.loadData(musicxml):
        raise EngravingError("Verovio could not read the score's MusicXML. Export it as "
                             "MusicXML (Ctrl+E) and open it in a notation program instead.")
    pages = tuple(toolkit.renderToSVG(page) for page in range(1, toolkit.getPageCount() + 1))
    timemap = toolkit.renderToTimemap({"includeMeasures": False, "includeRests": False})
    written = [element_id for entry in sorted(timemap, key=lambda e: e.get("qstamp", 0.0))
               for element_id in entry.get("on", [])]
    groups = group_written_notes(written, tie_continuations(musicxml))
    note_pages = tuple(max(toolkit.getPageWithElement(g[0]) - 1, 0) for g in groups)
    return EngravedScore(pages, tuple(groups), note_pages, musicxml)


def engrave(transcription: Transcription, title: str = "pitchlive transcription"
            ) -> EngravedScore:
    """A transcription's score (its MusicXML, exactly as exported) as SVG pages."""
    from pitchlive.exports.musicxml import musicxml_string

    return engrave_musicxml(musicxml_string(transcription, title=title))


def note_at(transcription: Transcription, time_s: float) -> int | None:
    """Index (in transcription.notes) of the note sounding at time_s, or None between notes."""
    notes = transcription.notes
    k = bisect.bisect_right([n.onset_s for n in notes], time_s) - 1
    if k >= 0 and time_s < notes[k].end_s:
        return k
    return None


def highlighted(svg: str, element_ids: tuple[str, ...] | list[str],
                colour: str = HIGHLIGHT_COLOUR) -> str:
    """The SVG with these elements (notes) drawn in colour."""
    for element_id in element_ids:
        svg = re.sub(rf'(<g id="{re.escape(element_id)}" class="note)("[^>]*)>',
                     rf'\1 highlighted\2 fill="{colour}" stroke="{colour}" color="{colour}">',
                     svg, count=1)
    return svg


def flat_svg(svg: str) -> str:
    """The SVG without Verovio's nested <svg> (an SVG Tiny renderer such as Qt's skips nested
    ones): the inner page becomes a group scaled from its viewBox to the outer size."""
    outer = re.match(r'\s*<svg (?:width="([\d.]+)px" height="([\d.]+)px"'
                     r'|viewBox="0 0 ([\d.]+) ([\d.]+)")', svg)
    inner = re.search(r'<svg class="definition-scale"([^>]*) viewBox="([\d.\s-]+)"([^>]*)>', svg)
    if outer is None or inner is None:
        return svg
    box = [float(v) for v in inner.group(2).split()]
    width, height = (float(v) for v in (outer.group(1, 2) if outer.group(1) else
                                         outer.group(3, 4)))
    sx, sy = width / box[2], height / box[3]
    group = (f'<g class="definition-scale"{inner.group(1)}{inner.group(3)} '
             f'transform="scale({sx:.6g}, {sy:.6g}) translate({-box[0]:g}, {-box[1]:g})">')
    flat = svg[:inner.start()] + group + svg[inner.end():]
    last = flat.rfind("</svg>")
    inner_end = flat.rfind("</svg>", 0, last)
    if inner_end < 0:
        return svg
    return flat[:inner_end] + "</g>" + flat[inner_end + len("</svg>"):]


def _plain_text(match: re.Match) -> str:
    """One Verovio <text> with nested <tspan>s as a single plain <text> (SVG Tiny)."""
    body = re.sub(r"<title[^>]*>.*?</title>", "", match.group(2), flags=re.S)
    attrs = match.group(1) + " " + " ".join(re.findall(r"<tspan([^>]*)>", body))
    found = {}
    for name in ("x", "y", "text-anchor", "font-size", "font-style", "font-weight"):
        values = [v for v in re.findall(rf'\s{name}="([^"]*)"', attrs) if v != "0px"]
        if values:
            found[name] = values[-1] if name == "font-size" else values[0]
    words = " ".join(w.strip() for w in re.findall(r">([^<]+)<", body) if w.strip())
    # SMuFL glyphs (private use area) come from Verovio's embedded music font: a quarter note
    # in a tempo mark reads as the ordinary symbol; others are left out.
    words = "".join("\u2669" if ch in "\ueca5\U0001d15f" else ch for ch in words
                    if not 0xE000 <= ord(ch) <= 0xF8FF or ch == "\ueca5")
    if not words:
        return ""
    attributes = " ".join(f'{k}="{v}"' for k, v in found.items())
    return f"<text {attributes}>{words}</text>"


def qt_svg(svg: str) -> str:
    """The SVG in the SVG Tiny 1.2 subset Qt draws: no nested <svg>, plain <text>."""
    return re.sub(r"<text([^>]*)>(.*?)</text>", _plain_text, flat_svg(svg), flags=re.S)


def save_svg_pages(path: Path, score: EngravedScore) -> list[Path]:
    """Write the score as SVG: path itself for one page, path-1.svg, path-2.svg... for more.

    Each file is written atomically; returns the paths written. Raises OSError.
    """
    path = Path(path)
    if score.page_count == 1:
        targets = [path]
    else:
        targets = [path.with_name(f"{path.stem}-{k}{path.suffix}")
                   for k in range(1, score.page_count + 1)]
    for target, page in zip(targets, score.pages):
        write_bytes_atomically(target, page.encode("utf-8"))
    return targets

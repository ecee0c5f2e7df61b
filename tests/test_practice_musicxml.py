"""MusicXML targets parsed with the standard library: divisions, tempo, ties, rests, chords,
voices, parts, compressed files, and agreement with music21 on a score it writes."""

import zipfile

import pytest

from pitchlive.practice.musicxml_file import list_parts, load_musicxml
from pitchlive.practice.target import TargetError

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="4.0">
  <work><work-title>Little Tune</work-title></work>
  <part-list>
    <score-part id="P1"><part-name>Soprano</part-name></score-part>
    <score-part id="P2"><part-name>Piano</part-name></score-part>
  </part-list>
"""


def note(step, octave, duration, alter=0, chord=False, tie=None, lyric=None, voice=1):
    parts = ["<note>"]
    if chord:
        parts.append("<chord/>")
    parts.append(f"<pitch><step>{step}</step>" + (f"<alter>{alter}</alter>" if alter else "")
                 + f"<octave>{octave}</octave></pitch>")
    parts.append(f"<duration>{duration}</duration>")
    for kind in (tie or "").split():
        parts.append(f'<tie type="{kind}"/>')
    parts.append(f"<voice>{voice}</voice>")
    if lyric:
        parts.append(f"<lyric><syllabic>single</syllabic><text>{lyric}</text></lyric>")
    parts.append("</note>")
    return "".join(parts)


def rest(duration):
    return f"<note><rest/><duration>{duration}</duration></note>"


SOPRANO = f"""  <part id="P1">
    <measure number="1">
      <attributes><divisions>2</divisions><key><fifths>-1</fifths></key></attributes>
      <direction><direction-type><metronome><beat-unit>quarter</beat-unit>
        <per-minute>60</per-minute></metronome></direction-type><sound tempo="60"/></direction>
      {note("C", 4, 2, lyric="Hel")}{note("D", 4, 2, lyric="lo")}{rest(2)}
      {note("E", 4, 2, tie="start")}
    </measure>
    <measure number="2">
      <attributes><divisions>4</divisions></attributes>
      {note("E", 4, 4, tie="stop")}{note("B", 3, 4, alter=-1)}
      <direction><sound tempo="120"/></direction>
      {note("F", 4, 8, alter=1)}
    </measure>
  </part>
"""

PIANO = f"""  <part id="P2">
    <measure number="1">
      <attributes><divisions>1</divisions></attributes>
      {note("C", 4, 4)}{note("E", 4, 4, chord=True)}{note("G", 4, 4, chord=True)}
      <backup><duration>4</duration></backup>
      {note("C", 3, 2, voice=2)}{note("G", 5, 2, voice=2)}
    </measure>
  </part>
</score-partwise>
"""


@pytest.fixture
def score(tmp_path):
    path = tmp_path / "tune.musicxml"
    path.write_text(HEAD + SOPRANO + PIANO)
    return path


def test_first_part_with_divisions_tempo_ties_and_rests(score):
    target = load_musicxml(score)
    # 60 BPM: a quarter is 1 s in measure 1; measure 2 at 60 then 120 BPM after beat 2.
    assert [(round(n.onset_s, 6), round(n.duration_s, 6), n.midi, n.lyric)
            for n in target.notes] == [(0.0, 1.0, 60, "Hel"), (1.0, 1.0, 62, "lo"),
                                       (3.0, 2.0, 64, ""), (5.0, 1.0, 58, ""),
                                       (6.0, 1.0, 66, "")]
    assert target.title == "Little Tune" and target.key == "F major"
    assert target.tempo_bpm == 60.0
    assert "'Soprano'" in target.source
    assert any("2 parts with notes" in w and "--part" in w for w in target.warnings)


def test_part_by_name_takes_top_voice_of_chords_and_voices(score):
    target = load_musicxml(score, part="piano")
    assert [(round(n.onset_s, 3), n.midi) for n in target.notes] == [(0.0, 67), (1.0, 79)]
    assert any("polyphonic" in w for w in target.warnings)
    assert any("no tempo" in w for w in target.warnings)   # 120 BPM default
    assert round(target.notes[0].duration_s, 6) == 1.0   # the higher voice cuts the chord short
    assert load_musicxml(score, part="2").notes == target.notes


def test_unknown_part_lists_parts(score):
    with pytest.raises(TargetError, match="no part 'Alto'.*1 'Soprano'; 2 'Piano'"):
        load_musicxml(score, part="Alto")
    assert list_parts(score) == [("P1", "Soprano"), ("P2", "Piano")]


def test_compressed_mxl(tmp_path, score):
    mxl = tmp_path / "tune.mxl"
    with zipfile.ZipFile(mxl, "w") as archive:
        archive.writestr("META-INF/container.xml",
                         '<container><rootfiles><rootfile full-path="score/tune.xml"/>'
                         '</rootfiles></container>')
        archive.writestr("score/tune.xml", score.read_text())
    assert load_musicxml(mxl).notes == load_musicxml(score).notes


def test_bad_files(tmp_path):
    broken = tmp_path / "broken.musicxml"
    broken.write_text("<score-partwise><part-list>")
    with pytest.raises(TargetError, match="not a readable MusicXML file"):
        load_musicxml(broken)
    other = tmp_path / "other.xml"
    other.write_text("<svg/>")
    with pytest.raises(TargetError, match="not a MusicXML score"):
        load_musicxml(other)
    timewise = tmp_path / "tw.xml"
    timewise.write_text("<score-timewise/>")
    with pytest.raises(TargetError, match="timewise"):
        load_musicxml(timewise)
    rests = tmp_path / "rests.musicxml"
    rests.write_text(HEAD.replace('<score-part id="P2"><part-name>Piano</part-name>'
                                  '</score-part>', "") +
                     f'<part id="P1"><measure>{rest(4)}</measure></part></score-partwise>')
    with pytest.raises(TargetError, match="no notes"):
        load_musicxml(rests)


def test_agrees_with_music21(tmp_path):
    music21 = pytest.importorskip("music21")
    stream = music21.stream.Score()
    part = music21.stream.Part()
    part.append(music21.tempo.MetronomeMark(number=90))
    for name, quarters in [("G4", 1.0), ("A4", 0.5), ("B-4", 0.5), ("C5", 2.0), ("F#4", 1.5)]:
        part.append(music21.note.Note(name, quarterLength=quarters))
    part.append(music21.note.Rest(quarterLength=0.5))
    part.append(music21.note.Note("E5", quarterLength=3.0))   # crosses a barline: a tie
    stream.append(part)
    path = tmp_path / "m21.musicxml"
    stream.write("musicxml", fp=str(path))
    target = load_musicxml(path)
    beat = 60.0 / 90.0
    expected = [(n.offset * beat, n.quarterLength * beat, n.pitch.midi)
                for n in stream.stripTies().flatten().notes]
    assert [(round(n.onset_s, 6), round(n.duration_s, 6), n.midi) for n in target.notes] == \
        [(round(a, 6), round(b, 6), c) for a, b, c in expected]

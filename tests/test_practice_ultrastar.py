"""UltraStar .txt targets: header tags, note kinds, relative mode, decimal comma, #GAP in ms,
line breaks, duets, the song's audio next to the file, and malformed lines."""

import pytest

from pitchlive.practice.target import TargetError
from pitchlive.practice.ultrastar import load_ultrastar

SONG = """\ufeff#TITLE:Test Song
#ARTIST:Nobody
#MP3:song.mp3
#VIDEO:song.mp4
#COVER:cover.jpg
#BACKGROUND:bg.jpg
#LANGUAGE:English
#SOMETHINGNEW:ignored
#BPM:{bpm}
#GAP:{gap}
{extra}: 0 4 0 Hel
: 4 4 2 lo
* 8 8 -5 world
- 18
F 20 2 7 (spoken)
R 24 2 0 rap
G 28 2 3 gold
E
: 99 1 1 after end
"""


def write(tmp_path, bpm="300", gap="1500", extra="", name="song.txt", text=None):
    path = tmp_path / name
    path.write_text(text if text is not None else SONG.format(bpm=bpm, gap=gap, extra=extra),
                    encoding="utf-8")
    return path


def test_absolute_song(tmp_path):
    (tmp_path / "song.mp3").write_bytes(b"ID3")
    target = load_ultrastar(write(tmp_path))
    beat = 60 / (300 * 4)   # 0.05 s
    assert [(round(n.onset_s, 6), round(n.duration_s, 6), n.midi, n.lyric)
            for n in target.notes] == [
        (1.5, 4 * beat, 60, "Hel"), (1.7, 4 * beat, 62, "lo"), (1.9, 8 * beat, 55, "world"),
        (2.5, 2 * beat, 67, "(spoken)"), (2.7, 2 * beat, 60, "rap"), (2.9, 2 * beat, 63, "gold")]
    kinds = [(n.golden, n.freestyle, n.rap) for n in target.notes]
    assert kinds == [(False, False, False), (False, False, False), (True, False, False),
                     (False, True, False), (False, False, True), (True, False, True)]
    assert [n.pitch_scored for n in target.notes] == [True, True, True, False, False, False]
    assert target.line_breaks_s == (pytest.approx(1.5 + 18 * beat),)
    assert target.title == "Nobody - Test Song" and target.tempo_bpm == 300
    assert target.backing_audio == tmp_path / "song.mp3"
    assert target.warnings == ()


def test_decimal_comma_bpm_and_fractional_gap(tmp_path):
    target = load_ultrastar(write(tmp_path, bpm="287,5", gap="1234,5"))
    beat = 60 / (287.5 * 4)
    assert target.notes[1].onset_s == pytest.approx(1.2345 + 4 * beat)
    assert target.tempo_bpm == 287.5
    assert load_ultrastar(write(tmp_path, bpm="287.5", gap="1234.5")).notes == target.notes


def test_relative_mode(tmp_path):
    text = ("#TITLE:Rel\n#MP3:x.ogg\n#BPM:240\n#GAP:0\n#RELATIVE:yes\n"
            ": 0 2 0 a\n: 2 2 1 b\n- 6 8\n: 0 2 2 c\n: 3 2 3 d\n- 6\n: 1 1 4 e\nE\n")
    target = load_ultrastar(write(tmp_path, text=text))
    beat = 60 / (240 * 4)
    # line 2 starts 8 beats in; line 3 starts 6 beats after line 2 (one number: both the break
    # and the new start).
    assert [round(n.onset_s / beat, 6) for n in target.notes] == [0, 2, 8, 11, 15]
    assert [round(t / beat, 6) for t in target.line_breaks_s] == [6, 14]


def test_missing_audio_is_a_warning(tmp_path):
    target = load_ultrastar(write(tmp_path))
    assert target.backing_audio is None
    assert any("song.mp3" in w and "without the backing" in w for w in target.warnings)
    text = SONG.format(bpm=300, gap=0, extra="").replace("#MP3:song.mp3\n", "#AUDIO:a.opus\n")
    (tmp_path / "a.opus").write_bytes(b"Opus")
    assert load_ultrastar(write(tmp_path, text=text)).backing_audio == tmp_path / "a.opus"


def test_duet_players(tmp_path):
    text = "#BPM:200\n#MP3:x.mp3\nP1\n: 0 2 0 one\nP2\n: 0 2 7 two\n: 4 2 9 three\nE\n"
    path = write(tmp_path, text=text)
    assert [n.lyric for n in load_ultrastar(path).notes] == ["one"]
    second = load_ultrastar(path, player=2)
    assert [n.lyric for n in second.notes] == ["two", "three"]
    assert any("duet" in w for w in second.warnings)


def test_windows_1252_file(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("#BPM:100\n#MP3:x.mp3\n: 0 4 0 Caf\xe9\nE\n".encode("cp1252"))
    assert load_ultrastar(path).notes[0].lyric == "Café"


@pytest.mark.parametrize("extra, line, message", [
    (": 4 x 2 la\n", 11, "cannot read this line"),
    ("? 1 2 3 la\n", 11, "cannot read this line"),
])
def test_malformed_line_gives_its_number(tmp_path, extra, line, message):
    with pytest.raises(TargetError, match=f"song.txt:{line}: {message}"):
        load_ultrastar(write(tmp_path, extra=extra))


def test_bad_headers(tmp_path):
    with pytest.raises(TargetError, match="song.txt:9: #BPM must be a number"):
        load_ultrastar(write(tmp_path, bpm="fast"))
    with pytest.raises(TargetError, match="#BPM must be positive"):
        load_ultrastar(write(tmp_path, bpm="0"))
    with pytest.raises(TargetError, match="no #BPM"):
        load_ultrastar(write(tmp_path, text="#TITLE:x\n: 0 1 0 a\n"))
    with pytest.raises(TargetError, match="no notes"):
        load_ultrastar(write(tmp_path, text="#BPM:100\n#MP3:x.mp3\nE\n"))


def test_tab_before_syllable_and_zero_length_notes(tmp_path):
    text = "#BPM:100\n#MP3:x.mp3\n: 0 4 0\tla\n: 4 0 2 ~\n: 8 2 2\nE\n"
    target = load_ultrastar(write(tmp_path, text=text))
    assert [(n.lyric, n.midi) for n in target.notes] == [("la", 60), ("", 62)]

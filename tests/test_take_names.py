"""Take names typed by the user, made safe for file names; Save dialogs start in a real folder."""

from __future__ import annotations

from pathlib import Path

from pitchlive.takes.names import SaveTarget, existing_folder, safe_take_name, split_target

DEFAULT = "take-20261130-190000"


def test_a_plain_name_is_kept_as_typed():
    assert safe_take_name("Ode to joy – 2nd verse", DEFAULT) == "Ode to joy – 2nd verse"
    assert safe_take_name("  Café   take  ", DEFAULT) == "Café take"


def test_what_file_systems_refuse_is_replaced_or_dropped():
    assert safe_take_name("verse 1/2: \"a\"?*", DEFAULT) == "verse 1-2- -a---"
    assert safe_take_name("..hidden", DEFAULT) == "hidden"
    assert safe_take_name("-rf", DEFAULT) == "rf"
    assert safe_take_name("tail. . ", DEFAULT) == "tail"
    assert safe_take_name("line\nbreak\ttab", DEFAULT) == "line-break-tab"
    assert safe_take_name("song.wav", DEFAULT) == "song"
    assert safe_take_name("CON", DEFAULT) == "CON-take"
    assert safe_take_name("a\\b", DEFAULT) == "a-b"


def test_an_empty_name_is_the_default_and_long_names_are_cut():
    for empty in ("", "   ", "...", "\t"):
        assert safe_take_name(empty, DEFAULT) == DEFAULT
    long = safe_take_name("é" * 500, DEFAULT)
    assert len(long.encode("utf-8")) <= 200 and set(long) == {"é"}


def test_save_targets_and_plain_folders_split_alike(tmp_path):
    assert split_target(SaveTarget(tmp_path, "x")) == (tmp_path, "x")
    assert split_target(str(tmp_path)) == (tmp_path, None)


def test_the_first_folder_that_exists_is_used(tmp_path):
    gone = tmp_path / "gone"
    assert existing_folder(gone, None, tmp_path) == tmp_path
    assert existing_folder(gone) == Path.home()
    (tmp_path / "file").write_text("x")
    assert existing_folder(tmp_path / "file") == Path.home()

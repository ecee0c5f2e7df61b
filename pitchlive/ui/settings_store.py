"""QSettings <-> Settings and DisplayPrefs: every control is remembered between runs.

Values are written one key per field. On reading, each value is converted back to the field's
type and checked on its own, so one damaged or out-of-range value falls back to its default
instead of losing all the others.
"""

from __future__ import annotations

import logging
from dataclasses import fields

from PySide6.QtCore import QByteArray, QSettings

from pitchlive.settings import Settings, SettingsError
from pitchlive.ui.prefs import SESSION_ONLY_PREFS, DisplayPrefs

log = logging.getLogger(__name__)

# Settings fields the window lets the user change, with their types; the rest come from the
# command line. device may be None, stored as an empty string.
PERSISTED_SETTINGS = {"confidence_threshold": float, "level_gate_dbfs": float, "a4_hz": float,
                      "transposition": str, "prefer_flats": bool, "device": str,
                      "history_s": float, "correct_tuning_offset": bool,
                      "smoothing": bool}
OPTIONAL_FIELDS = {"device"}


def _convert(value: object, kind: type) -> object:
    """A stored value (often a string with INI/native backends) as kind; ValueError if it is not."""
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        raise ValueError(f"not a boolean: {value!r}")
    if kind is float:
        return float(value)
    if kind is int:
        return int(value)
    return str(value)


class SettingsStore:
    """Reads and writes the window's persistent state in a QSettings object."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._qs = qsettings if qsettings is not None else QSettings()

    def load_settings(self, base: Settings) -> Settings:
        """base with every stored, valid user setting applied on top."""
        settings = base
        for name, kind in PERSISTED_SETTINGS.items():
            key = f"settings/{name}"
            if not self._qs.contains(key):
                continue
            raw = self._qs.value(key)
            try:
                if name in OPTIONAL_FIELDS and (raw is None or str(raw) == ""):
                    value = None
                else:
                    value = _convert(raw, kind)
                settings = settings.replace(**{name: value})
            except (ValueError, TypeError, SettingsError) as exc:
                log.warning("ignoring stored %s=%r (%s)", name, raw, exc)
        return settings

    def save_settings(self, settings: Settings) -> None:
        """Remember the user-changeable settings."""
        for name in PERSISTED_SETTINGS:
            value = getattr(settings, name)
            self._qs.setValue(f"settings/{name}", "" if value is None else value)

    def load_prefs(self) -> DisplayPrefs:
        """Stored display preferences; invalid values fall back to their defaults."""
        prefs = DisplayPrefs()
        for name, kind in DisplayPrefs.field_types().items():
            if name in SESSION_ONLY_PREFS:
                continue
            key = f"display/{name}"
            if not self._qs.contains(key):
                continue
            raw = self._qs.value(key)
            try:
                prefs = prefs.replace(**{name: _convert(raw, kind)})
            except (ValueError, TypeError, SettingsError) as exc:
                log.warning("ignoring stored display %s=%r (%s)", name, raw, exc)
        return prefs

    def save_prefs(self, prefs: DisplayPrefs) -> None:
        """Remember the display preferences."""
        for f in fields(prefs):
            if f.name in SESSION_ONLY_PREFS:
                self._qs.remove(f"display/{f.name}")   # a value an older version stored
                continue
            self._qs.setValue(f"display/{f.name}", getattr(prefs, f.name))

    def load_geometry(self) -> tuple[QByteArray | None, QByteArray | None]:
        """(window geometry, dock/toolbar state) saved by save_geometry, or Nones."""
        geometry = self._qs.value("window/geometry")
        state = self._qs.value("window/state")
        return (geometry if isinstance(geometry, QByteArray) else None,
                state if isinstance(state, QByteArray) else None)

    def save_geometry(self, geometry: QByteArray, state: QByteArray) -> None:
        """Remember the window's size, position and dock layout."""
        self._qs.setValue("window/geometry", geometry)
        self._qs.setValue("window/state", state)

    def save_all(self, settings: Settings, prefs: DisplayPrefs, geometry: QByteArray,
                 state: QByteArray) -> None:
        """Remember everything (the window is closing) and write it to disk now."""
        self.save_settings(settings)
        self.save_prefs(prefs)
        self.save_geometry(geometry, state)
        self.sync()

    def sync(self) -> None:
        """Write pending changes to disk now."""
        self._qs.sync()

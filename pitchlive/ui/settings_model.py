"""The window's one settings owner: the current Settings and DisplayPrefs, and their changes.

Settings and DisplayPrefs are immutable; a change replaces the whole value and is announced
once. Every part that depends on them (controls, views, the tracking session, the store) reads
`model.settings` / `model.prefs` when it needs them and subscribes to the changed signals; none
keeps a copy of its own.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from pitchlive.settings import Settings
from pitchlive.ui.prefs import DisplayPrefs


class SettingsModel(QObject):
    """Holds the Settings and DisplayPrefs; emits settings_changed / prefs_changed on a change."""

    settings_changed = Signal(object)   # the new Settings
    prefs_changed = Signal(object)      # the new DisplayPrefs

    def __init__(self, settings: Settings | None = None, prefs: DisplayPrefs | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else Settings()
        self._prefs = prefs if prefs is not None else DisplayPrefs()

    @property
    def settings(self) -> Settings:
        """The current settings."""
        return self._settings

    @property
    def prefs(self) -> DisplayPrefs:
        """The current display preferences."""
        return self._prefs

    def set_settings(self, settings: Settings) -> None:
        """Replace the settings; announced only when they differ."""
        if settings != self._settings:
            self._settings = settings
            self.settings_changed.emit(settings)

    def set_prefs(self, prefs: DisplayPrefs) -> None:
        """Replace the display preferences; announced only when they differ."""
        if prefs != self._prefs:
            self._prefs = prefs
            self.prefs_changed.emit(prefs)

    def update_settings(self, **changes) -> Settings:
        """Settings with these fields changed (validated by Settings.replace); returns them."""
        self.set_settings(self._settings.replace(**changes))
        return self._settings

    def update_prefs(self, **changes) -> DisplayPrefs:
        """Display preferences with these fields changed; returns them."""
        self.set_prefs(self._prefs.replace(**changes))
        return self._prefs

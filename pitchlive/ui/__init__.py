"""The desktop window (PySide6 + pyqtgraph). The only package that imports Qt.

Entry point: ``pitchlive.ui.app.main_gui(args)`` (``run_gui`` runs the window without ending
the process). ``main_window`` composes independent parts that talk through signals; one
``SettingsModel`` owns the settings, one ``BackgroundJobs`` runs the slow work. See
docs/architecture.md, "The window (ui/)". This file imports nothing (it must stay free of Qt:
``take_texts`` is tested without it).
"""

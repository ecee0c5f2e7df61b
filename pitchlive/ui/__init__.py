"""The desktop window (PySide6 + pyqtgraph). The only package that imports Qt.

Entry point: ``pitchlive.ui.app.run_gui(args)``. One module per view; data models
(``history``, ``prefs``) are kept apart from the widgets that draw them.
"""

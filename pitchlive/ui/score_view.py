"""The Score tab: the transcription engraved as sheet music, the sounding note lit while it plays.

The notebook's last step, in the window. The MusicXML that pitchlive exports is laid out by
Verovio on a background job (pitchlive.exports.engraving) and drawn page by page with Qt's SVG
renderer, on white paper in either theme. It follows the window's NotesFeed: a new or corrected
transcription is engraved again, and the playhead lights the note under it (turning the page
and scrolling to it). The score exports as SVG (Verovio's own) or PDF (one page per page).
Its Key and Time combo boxes choose how the notes are written (Auto: estimated, shown as
"Auto (D major)"); the choice goes to the NotesFeed, whose owner re-writes the notes, so the
score and the MIDI / MusicXML exports follow it. Only listed values can be chosen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from pitchlive.exports.atomic import write_bytes_atomically
from pitchlive.exports.engraving import EngravedScore, highlighted, note_at, qt_svg
from pitchlive.notation.key import MODES, Key
from pitchlive.notation.metre import TimeSignature
from pitchlive.ui.take_texts import ERROR, Notice
from pitchlive.ui.view_keys import add_view_keys
from pitchlive.ui.window_layout import scrolling_row

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.5, 4.0
PDF_RESOLUTION_DPI = 300
KEY_CHOICES = tuple(Key(fifths, mode) for mode in MODES for fifths in range(-6, 7))
SIGNATURE_CHOICES = tuple(TimeSignature(b, t) for b, t in (
    (2, 4), (3, 4), (4, 4), (6, 8), (2, 2), (3, 8), (5, 4), (7, 8), (9, 8), (12, 8)))
EMPTY_TEXT = ("Transcribe a take or a recording (Ctrl+T) to see its score here. Corrections "
              "made on the Recording view's piano roll show up at once.")


def pdf_bytes(pages: tuple[str, ...] | list[str]) -> bytes:
    """A PDF with one A4 page per SVG page, each fitted to the page width (GUI thread)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_RESOLUTION_DPI)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait, QMarginsF(12, 12, 12, 12),
                                     QPageLayout.Unit.Millimeter))
    writer.setTitle("pitchlive score")
    painter = QPainter(writer)
    try:
        for k, page in enumerate(pages):
            if k:
                writer.newPage()
            renderer = QSvgRenderer(QByteArray(qt_svg(page).encode("utf-8")))
            size = renderer.defaultSize()
            area = painter.viewport()
            scale = min(area.width() / max(size.width(), 1), area.height() / max(size.height(), 1))
            renderer.render(painter, QRectF(0, 0, size.width() * scale, size.height() * scale))
    finally:
        painter.end()
        buffer.close()
    return bytes(data.data())


class PageCanvas(QWidget):
    """One SVG page drawn on white paper at a zoom."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.renderer = QSvgRenderer(self)
        self.zoom = 1.5

    def set_svg(self, svg: str) -> None:
        """Draw this page (SVG text as Verovio wrote it)."""
        self.renderer.load(QByteArray(qt_svg(svg).encode("utf-8")))
        self.updateGeometry()
        self.adjustSize()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """The page's size at the zoom."""
        size = self.renderer.defaultSize() if self.renderer.isValid() else QSize(800, 300)
        return QSize(int(size.width() * self.zoom), int(size.height() * self.zoom))

    def element_rect(self, element_id: str) -> QRectF | None:
        """Where an element is drawn, in this widget's pixels (None if it is not there)."""
        if not self.renderer.elementExists(element_id):
            return None
        rect = self.renderer.transformForElement(element_id).mapRect(
            self.renderer.boundsOnElement(element_id))
        box = self.renderer.viewBoxF()
        sx = self.width() / max(box.width(), 1e-9)
        sy = self.height() / max(box.height(), 1e-9)
        return QRectF((rect.x() - box.x()) * sx, (rect.y() - box.y()) * sy,
                      rect.width() * sx, rect.height() * sy)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        """White paper, then the page."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if self.renderer.isValid():
            self.renderer.render(painter, QRectF(self.rect()))
        painter.end()


class ScoreView(QWidget):
    """The Score tab (see the module doc); built from a ViewContext."""

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.score: EngravedScore | None = None
        self.transcription = None
        self.title_text = "pitchlive transcription"
        self.page = 0
        self.lit_note: int | None = None
        self.fit_width = True          # the page fills the tab's width until the user zooms
        self._generation = 0
        self._build()
        feed = getattr(context, "notes", None)
        if feed is not None:
            feed.transcription_changed.connect(self.show_transcription)
            feed.position_changed.connect(self.set_position)
            if feed.transcription is not None:
                self.show_transcription(feed.transcription, feed.title)

    def _build(self) -> None:
        self.status = QLabel(EMPTY_TEXT)
        self.status.setWordWrap(True)
        self.prev_button, self.next_button = QPushButton("◀ Page"), QPushButton("Page ▶")
        self.page_label = QLabel("")
        self.zoom_out_button, self.zoom_in_button = QPushButton("−"), QPushButton("+")
        self.zoom_out_button.setToolTip("Zoom out (Ctrl+Shift+-)")
        self.zoom_in_button.setToolTip("Zoom in (Ctrl+Shift++)")
        self.svg_button, self.pdf_button = QPushButton("Export SVG…"), QPushButton("Export PDF…")
        header = QHBoxLayout()
        header.addStretch(1)
        for widget in (self.prev_button, self.page_label, self.next_button, self.zoom_out_button,
                       self.zoom_in_button, self.svg_button, self.pdf_button):
            header.addWidget(widget)
        self.canvas = PageCanvas()
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.canvas)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.status)
        header_row = QWidget()
        header_row.setLayout(header)
        header.setContentsMargins(0, 0, 0, 0)
        # A narrow window scrolls the header sideways rather than squeezing its buttons.
        self.header_scroll = scrolling_row(header_row)
        layout.addWidget(self.header_scroll)
        layout.addWidget(self.scroll, 1)
        self.prev_button.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self.page + 1))
        self.zoom_in_button.clicked.connect(lambda: self.set_zoom(self.canvas.zoom * ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self.set_zoom(self.canvas.zoom / ZOOM_STEP))
        self.fit_button = QPushButton("Fit")
        self.fit_button.setToolTip("Fit the page to the width (Ctrl+Shift+0)")
        self.fit_button.clicked.connect(self.fit)
        header.insertWidget(header.indexOf(self.svg_button), self.fit_button)
        self.svg_button.clicked.connect(lambda: self._ask_export(".svg"))
        self.pdf_button.clicked.connect(lambda: self._ask_export(".pdf"))
        add_view_keys(self, "Score", (
            # Ctrl+= / Ctrl+- are the window's note size (presentation mode), on every tab.
            (["Ctrl+Shift++", "Ctrl+Shift+="], "Zoom in",
             lambda: self.set_zoom(self.canvas.zoom * ZOOM_STEP)),
            ("Ctrl+Shift+-", "Zoom out", lambda: self.set_zoom(self.canvas.zoom / ZOOM_STEP)),
            ("Ctrl+Shift+0", "Fit the page to the width", self.fit),
            ("PgDown", "Next page", lambda: self.show_page(self.page + 1)),
            ("PgUp", "Previous page", lambda: self.show_page(self.page - 1))))
        self._build_notation(header)
        self._update_controls()

    def _build_notation(self, header: QHBoxLayout) -> None:
        self.key_box, self.signature_box = QComboBox(), QComboBox()
        self.key_box.setToolTip("Key of the score and the exports (Auto: estimated from the "
                                "notes)")
        self.signature_box.setToolTip("Time signature of the score and the exports (Auto: "
                                      "estimated from the notes)")
        for box, choices in ((self.key_box, KEY_CHOICES),
                             (self.signature_box, SIGNATURE_CHOICES)):
            box.addItem("Auto", None)
            for choice in choices:
                box.addItem(choice.name if isinstance(choice, Key) else str(choice), choice)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.currentIndexChanged.connect(self._on_notation_chosen)
        for k, widget in enumerate((QLabel("Key"), self.key_box, QLabel("Time"),
                                    self.signature_box)):
            header.insertWidget(k, widget)
        feed = getattr(self._context, "notes", None)
        if feed is None:
            self.key_box.setEnabled(False)
            self.signature_box.setEnabled(False)
        else:
            feed.notation_changed.connect(self._show_notation)
            self._show_notation(feed.key, feed.time_signature)

    @staticmethod
    def _choose(box: QComboBox, choices: tuple, value) -> None:
        index = choices.index(value) + 1 if value in choices else 0
        if box.currentIndex() != index:
            box.blockSignals(True)
            box.setCurrentIndex(index)
            box.blockSignals(False)

    def _show_notation(self, key, time_signature) -> None:
        """The combo boxes show the feed's choice (None: Auto)."""
        self._choose(self.key_box, KEY_CHOICES,
                     None if key is None else Key(key.fifths, key.mode))
        self._choose(self.signature_box, SIGNATURE_CHOICES, time_signature)

    def _on_notation_chosen(self) -> None:
        feed = getattr(self._context, "notes", None)
        if feed is not None:
            feed.set_notation(self.key_box.currentData(), self.signature_box.currentData())

    def _show_estimates(self, transcription) -> None:
        """The Auto items say what Auto gives for these notes: "Auto (D major)"."""
        key_text = signature_text = "Auto"
        if transcription is not None and transcription.notes:
            from pitchlive.tracking.transcription import estimated_notation

            key, signature = estimated_notation(transcription)
            key_text = f"Auto ({key.name})" if key is not None else "Auto"
            signature_text = f"Auto ({signature})"
        self.key_box.setItemText(0, key_text)
        self.signature_box.setItemText(0, signature_text)

    # ---- inputs ------------------------------------------------------------------------------
    def show_transcription(self, transcription, title: str = "pitchlive transcription") -> None:
        """Engrave a transcription (on a background job); None or no notes empties the tab."""
        self._generation += 1
        self.transcription, self.title_text = transcription, title or self.title_text
        self._show_estimates(transcription)
        if transcription is None or not transcription.notes:
            self.score, self.lit_note = None, None
            self.canvas.set_svg("")
            self.status.setText(EMPTY_TEXT)
            self._update_controls()
            return
        self.status.setText(f"Engraving {len(transcription.notes)} notes…")
        generation = self._generation
        from pitchlive.exports.engraving import engrave

        self._context.jobs.run(lambda: engrave(transcription, title=self.title_text),
                               "pitchlive-engrave",
                               lambda score: self._on_engraved(generation, score),
                               lambda exc: self._on_failed(generation, exc))

    def _on_engraved(self, generation: int, score: EngravedScore) -> None:
        if generation != self._generation:
            return      # a newer transcription or correction is on its way
        self.score, self.lit_note = score, None
        notes = len(self.transcription.notes)
        t = self.transcription
        key = f"{t.key.name}, " if t.key is not None else ""
        self.status.setText(f"{self.title_text}: {notes} notes, {key}{t.time_signature}, "
                            f"{t.tempo_bpm:.0f} BPM, "
                            f"{score.page_count} page{'s' if score.page_count > 1 else ''}")
        self.show_page(min(self.page, score.page_count - 1))

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.score = None
        self.status.setText("The score could not be engraved.")
        self._update_controls()
        self._context.show_notice(Notice(ERROR, "The score could not be engraved", str(exc)))

    def set_position(self, position_s: float | None) -> None:
        """Light the note sounding at position_s (None: playback stopped, nothing lit)."""
        if self.score is None or self.transcription is None:
            return
        index = None if position_s is None else note_at(self.transcription, position_s)
        if index is not None and index >= len(self.score.note_ids):
            index = None        # engraved from an older state; the new one is on its way
        if index == self.lit_note:
            return
        self.lit_note = index
        if index is not None and self.score.note_pages[index] != self.page:
            self.page = self.score.note_pages[index]
        self._draw_page()
        if index is not None:
            rect = self.canvas.element_rect(self.score.note_ids[index][0])
            if rect is not None:
                self.scroll.ensureVisible(int(rect.center().x()), int(rect.center().y()),
                                          120, 80)

    # ---- pages and zoom -----------------------------------------------------------------------
    def show_page(self, page: int) -> None:
        """Show page `page` (0-based, clamped)."""
        if self.score is None:
            return
        self.page = max(0, min(page, self.score.page_count - 1))
        self._draw_page()

    def set_zoom(self, zoom: float, fit_width: bool = False) -> None:
        """Draw the page this much larger than its natural size (the user's zoom ends Fit)."""
        self.fit_width = fit_width
        self.canvas.zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self.canvas.adjustSize()
        self.canvas.update()

    def fit(self) -> None:
        """Ctrl+Shift+0: the page as wide as the tab."""
        natural = self.canvas.renderer.defaultSize().width() if self.canvas.renderer.isValid() \
            else 0
        width = self.scroll.viewport().width() - 2
        if natural > 0 and width > 0:
            self.set_zoom(width / natural, fit_width=True)
        else:
            self.fit_width = True

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Keep the page fitted to the width while Fit is on."""
        super().resizeEvent(event)
        if self.fit_width:
            self.fit()

    def page_svg(self) -> str:
        """The SVG drawn now (the page shown, with the lit note coloured)."""
        if self.score is None:
            return ""
        svg = self.score.pages[self.page]
        if self.lit_note is not None and self.score.note_pages[self.lit_note] == self.page:
            svg = highlighted(svg, self.score.note_ids[self.lit_note])
        return svg

    def _draw_page(self) -> None:
        self.canvas.set_svg(self.page_svg())
        if self.fit_width:
            self.fit()
        self._update_controls()

    def _update_controls(self) -> None:
        pages = self.score.page_count if self.score is not None else 0
        self.page_label.setText(f"{self.page + 1} / {pages}" if pages else "")
        self.prev_button.setEnabled(pages > 0 and self.page > 0)
        self.next_button.setEnabled(pages > 0 and self.page < pages - 1)
        for button in (self.svg_button, self.pdf_button, self.zoom_in_button,
                       self.zoom_out_button, self.fit_button):
            button.setEnabled(pages > 0)

    # ---- export -------------------------------------------------------------------------------
    def _ask_export(self, suffix: str) -> None:
        kind = "SVG (*.svg)" if suffix == ".svg" else "PDF (*.pdf)"
        path, _ = QFileDialog.getSaveFileName(self, "Export the score",
                                              str(Path.home() / f"{self.title_text}{suffix}"),
                                              kind)
        if path:
            self.export(Path(path) if Path(path).suffix else Path(path + suffix))

    def export(self, path: Path) -> list[Path]:
        """Write the score to path: .svg (a file per page when there are several) or .pdf.

        Returns the files written; a failure is a banner message, and nothing is returned.
        """
        if self.score is None:
            return []
        path = Path(path)
        try:
            if path.suffix.lower() == ".pdf":
                write_bytes_atomically(path, pdf_bytes(self.score.pages))
                written = [path]
            else:
                from pitchlive.exports.engraving import save_svg_pages

                written = save_svg_pages(path.with_suffix(".svg"), self.score)
        except OSError as exc:
            self._context.show_notice(Notice(
                ERROR, "The score could not be exported",
                f"{path}: {exc.strerror or exc}. Choose a folder you can write to."))
            return []
        self._context.show_status(f"Score exported to {', '.join(str(p) for p in written)}",
                                  8000)
        return written

"""Renderers of report contents: HTML (:mod:`.html`), PDF from that HTML (:mod:`.pdf`), Excel (:mod:`.excel`)."""

"""Views of the evaluation contract: terminal text, Markdown, CSV rows (and HTML)."""

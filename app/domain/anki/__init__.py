"""Anki's formats: reading packages (.apkg) and text files, and writing packages and text."""

# How imported articles, questions and tracks name their source: a bank sync leaves them alone.
IMPORTED_SOURCE = "anki:"

"""Carrying cards between Rehearse and Anki: packages and text files, in and out."""

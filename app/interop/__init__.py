"""Pages for carrying cards between Rehearse and Anki."""

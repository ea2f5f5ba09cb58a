"""``python -m app …`` runs the ``rehearse`` command."""

from app.cli import main

main()

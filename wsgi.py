"""WSGI entry point: ``gunicorn wsgi:app``."""

import gc

from app import create_app

app = create_app()

# What is loaded by now (modules, the app, the mapped tables) lives as long as the worker. Frozen,
# it is left out of the collector's full passes, which otherwise walk all of it every few dozen
# requests and pause one of them for tens of milliseconds.
gc.freeze()

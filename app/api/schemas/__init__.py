"""The contract of /api/v1, declared once as pydantic models.

Requests are validated against these models before a view runs, views answer with instances of
them, and the OpenAPI document at /api/v1/openapi.json is generated from them (app/api/spec.py).
One module per part of the API: common shapes, the catalogue, the learner's account, studying and
stats.
"""

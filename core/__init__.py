"""Plumbing every Concord app uses and no domain model: roles and the
request cache behind scoped reads, history helpers, base views, viewsets and
forms, the one number and money formatter, CSV/Excel exports and schema
helpers. core imports no Concord app (docs/architecture.md)."""

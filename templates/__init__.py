"""Jinja2 code-generation templates, one family per backend (read with importlib.resources)."""

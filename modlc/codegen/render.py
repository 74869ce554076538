"""Rendering generated modules from the Jinja2 templates in `modlc.templates`."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import jinja2


class _PackageLoader(jinja2.BaseLoader):
    """Templates read with importlib.resources, so editable and wheel installs both work."""

    def get_source(self, environment, template):
        path = resources.files("modlc.templates").joinpath(template)
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        return path.read_text(encoding="utf-8"), None, lambda: True


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=_PackageLoader(), autoescape=False, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
    )


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)

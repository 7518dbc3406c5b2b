"""The dashboard's HTML: Jinja2 templates (autoescaped) and the headers every page carries, and
its static files (GOV.UK Frontend, built and committed; cached for a year, their folder named by
version)."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

HERE = Path(__file__).parent
#: The GOV.UK Frontend release the pages use (its files in static/govuk-frontend-<version>/).
GOVUK_FRONTEND = "5.14.0"
ASSETS = "/dashboard/assets"
SERVICE_NAME = "Children's services insight"

_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.globals.update(
    assets=ASSETS,
    govuk=f"{ASSETS}/govuk-frontend-{GOVUK_FRONTEND}",
    release=version("continuum-insight"),
    service_name=SERVICE_NAME,
)

#: Every page: only this site's scripts, styles and images; never framed; not kept by caches
#: (the figures are the council's); no Referer to other sites.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def page(template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    html = _templates.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers={**PAGE_HEADERS, **(headers or {})})


class Assets(StaticFiles):
    """The static files, cached a year: a new GOV.UK Frontend gets a new folder, and the service's
    own two files are asked for with the release in the query."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def assets() -> Assets:
    return Assets(directory=HERE / "static")

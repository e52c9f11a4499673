"""The one Jinja2 environment of the reports: the HTML report and both email alternatives.

Templates live in `reports/templates`. Those named `*.html.j2` are autoescaped, since every seller
value they show (name, file name, cell excerpts, an ops reason) is untrusted; `*.txt.j2` templates
are plain text and keep values as written. An undefined variable is an error, not an empty string.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@cache
def environment() -> Environment:
    """The shared environment, built once."""
    return Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

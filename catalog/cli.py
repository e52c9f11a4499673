"""The `catalog` command line.

Exit status: 0 done and no errors; 1 done, and the file (or some product) has
errors; 2 could not run, with one line on stderr and no traceback. Commands
import what they need when they run, so `catalog --help` and `catalog
validate --offline` start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.errors import CatalogError

if TYPE_CHECKING:
    from catalog.settings import Settings
    from catalog.store import Store

EXIT_OK, EXIT_ISSUES, EXIT_CANNOT_RUN = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise CatalogError(message)


def _settings() -> Settings:
    from catalog.settings import load_settings

    return load_settings()


def _store(settings: Settings) -> Store:
    from catalog.store import Store

    return Store.open(settings.db_url)


def cmd_validate(args: argparse.Namespace) -> int:
    from catalog.engine import Options, validate_file

    settings = _settings()
    target = args.path
    if target.startswith(("http://", "https://")):
        raise CatalogError("XML feeds are not supported by this version: give the path of a CSV file")
    options = Options(kind=args.kind, offline=args.offline, progress=sys.stderr.isatty())
    if args.seller:
        from catalog.ingest import catalog_context

        store = _store(settings)
        seller = store.get_seller(args.seller)
        if seller is None:
            raise CatalogError(f"unknown seller: {args.seller} (load it with: catalog sellers load FILE.yaml)")
        options.seller = seller
        options.catalog = catalog_context(store, seller.id)
    report = validate_file(Path(target), settings, options)
    if args.format == "json":
        from reports.json_report import render_json

        sys.stdout.write(render_json(report) + "\n")
    else:
        from reports.text import render_text

        sys.stdout.write(render_text(report) + "\n")
    if args.out:
        from reports.files import write_reports

        paths = write_reports(report, Path(args.out))
        if args.format != "json":
            for kind, path in paths.items():
                print(f"{kind:>9} : {path}")
    return EXIT_ISSUES if report.has_errors else EXIT_OK


def cmd_taxonomy_search(args: argparse.Namespace) -> int:
    from taxonomy import default_taxonomy, search

    taxonomy = default_taxonomy(_settings())
    hits = search(taxonomy, " ".join(args.text), limit=args.limit)
    if not hits:
        print("Aucune collection ne correspond. / No collection matches.")
        return EXIT_OK
    for hit in hits:
        print(f"{hit.name}\t{hit.path}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="catalog", description="Catalog ingestion: validate, stage and report sellers' files.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    validate = commands.add_parser("validate", help="check a file and report; changes nothing")
    validate.add_argument("path", metavar="PATH_OR_URL")
    validate.add_argument("--kind", choices=["full", "bulk", "feed"], help="default: from the header")
    validate.add_argument("--seller", metavar="ID", help="also check against this seller's catalog")
    validate.add_argument("--offline", action="store_true", help="skip image downloads (URL text still checked)")
    validate.add_argument("--format", choices=["text", "json"], default="text")
    validate.add_argument("--out", metavar="DIR", help="also write the report files there")
    validate.set_defaults(func=cmd_validate)

    taxonomy = commands.add_parser("taxonomy", help="the marketplace's collections")
    taxonomy_commands = taxonomy.add_subparsers(dest="taxonomy_command", required=True, parser_class=_Parser)
    search = taxonomy_commands.add_parser("search", help="collections that fit a word or a product title")
    search.add_argument("text", nargs="+")
    search.add_argument("--limit", type=int, default=10)
    search.set_defaults(func=cmd_taxonomy_search)

    for register in EXTRA_COMMANDS:
        register(commands)
    return parser


EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args))
    except CatalogError as err:
        print(f"catalog: error: {err}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except KeyboardInterrupt:
        print("catalog: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as err:  # the promise is one clear line, never a traceback
        if os.environ.get("CATALOG_DEBUG"):
            raise
        print(f"catalog: internal error: {type(err).__name__}: {err} (set CATALOG_DEBUG=1 for details)",
              file=sys.stderr)
        return EXIT_CANNOT_RUN


if __name__ == "__main__":
    sys.exit(main())


"""The `catalog` command line.

Exit status: 0 done and no errors; 1 done, and the file (or some product) has
errors; 2 could not run, with one line on stderr and no traceback. Commands
import what they need when they run, so `catalog --help` and `catalog
validate --offline` start fast.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.domain.errors import CatalogError

if TYPE_CHECKING:
    from catalog.settings import Settings
    from catalog.store import Store

EXIT_OK, EXIT_ISSUES, EXIT_CANNOT_RUN = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CatalogError(f"{message} (see: {self.prog} --help)")


def _settings() -> Settings:
    from catalog.settings import load_settings

    return load_settings()


def _store(settings: Settings) -> Store:
    from catalog.store import Store

    return Store.open(settings.db_url)


def _require_file(path: Path) -> None:
    if path.is_symlink() and not path.exists():
        raise CatalogError(f"cannot open {path}: broken or looping symbolic link")
    if not path.exists():
        raise CatalogError(f"no such file: {path}")
    if not path.is_file():
        raise CatalogError(f"not a regular file: {path}")


def cmd_validate(args: argparse.Namespace) -> int:
    target: str | Path = args.path
    if str(target).lower().startswith(("http://", "https://")):
        if args.kind not in (None, "feed"):
            raise CatalogError(f"a URL is read as a feed, not as a {args.kind} file (see: catalog validate --help)")
    else:
        target = Path(target)
        _require_file(target)
    from catalog.preload import start_cell_checker

    cell_checker = start_cell_checker()
    from catalog.engine import Options, validate_file

    settings = _settings()
    options = Options(kind=args.kind, offline=args.offline, progress=sys.stderr.isatty(), cell_checker=cell_checker,
                      keep_texts=False)
    if args.seller:
        from catalog.ingest import catalog_context, require_seller

        with _store(settings) as store:
            options.seller = require_seller(store, args.seller)
            options.catalog = catalog_context(store, args.seller)
    report = validate_file(target, settings, options)
    if args.format == "json":
        from reports.json_report import write_json

        write_json(report, sys.stdout)
        sys.stdout.write("\n")
    else:
        from reports.text import render_text

        sys.stdout.write(render_text(report, infos=args.infos) + "\n")
    if args.out:
        from reports.files import write_reports

        try:
            paths = write_reports(report, Path(args.out))
        except OSError as err:
            raise CatalogError(f"cannot write the reports to {args.out}: {err.strerror or err}") from None
        if args.format != "json":
            for kind, path in paths.items():
                print(f"{kind:>9} : {path}")
    return EXIT_ISSUES if report.has_errors else EXIT_OK


def cmd_taxonomy_search(args: argparse.Namespace) -> int:
    from catalog.net.taxonomy_file import default_taxonomy
    from taxonomy import search

    text = " ".join(args.text).strip()
    if not text:
        raise CatalogError("give a word or a product title to search for")
    taxonomy = default_taxonomy(_settings())
    hits = search(taxonomy, text, limit=args.limit)
    if not hits:
        print("Aucune collection ne correspond. / No collection matches.")
        return EXIT_OK
    for hit in hits:
        print(f"{hit.name}\t{hit.path}")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from catalog import ingest

    settings = _settings()
    path = Path(args.path)
    _require_file(path)
    with _store(settings) as store:
        ingest.require_seller(store, args.seller)
    from pipelines.runtime import configure_prefect

    configure_prefect(settings)
    from pipelines.ingest_full_csv import ingest_full_csv

    outcome = ingest_full_csv(str(path), args.seller, offline=args.offline)
    print("\n".join(outcome.summary_lines()))
    if outcome.email_status == "failed":
        return EXIT_CANNOT_RUN
    return EXIT_ISSUES if outcome.report.has_errors else EXIT_OK


def cmd_sellers_load(args: argparse.Namespace) -> int:
    from catalog.sellers import load_sellers_file, readiness, readiness_text

    sellers = load_sellers_file(Path(args.file))
    with _store(_settings()) as store:
        store.upsert_sellers(sellers)
    for seller in sellers:
        missing = readiness(seller)
        state = "prêt / ready" if not missing else "pas prêt / not ready: " + readiness_text(missing)[1]
        print(f"{seller.id}\t{seller.name}\t{state}")
    return EXIT_OK


def cmd_sellers_list(args: argparse.Namespace) -> int:
    from catalog.domain.sellers import readiness

    with _store(_settings()) as store:
        sellers = store.list_sellers()
    for seller in sellers:
        missing = readiness(seller)
        state = "ready" if not missing else "not ready: " + ", ".join(missing)
        print(f"{seller.id}\t{seller.name}\t{seller.email}\t{state}")
    if not sellers:
        print("no seller yet: catalog sellers load FILE.yaml")
    return EXIT_OK


def cmd_moderation_list(args: argparse.Namespace) -> int:
    with _store(_settings()) as store:
        if args.seller:
            from catalog.ingest import require_seller

            require_seller(store, args.seller)
        items = store.list_moderation(status=args.status, seller=args.seller)
    if args.format == "json":
        print(json.dumps([item.to_dict() for item in items], ensure_ascii=False, indent=2))
        return EXIT_OK
    for item in items:
        data = item.to_dict()
        print(f"{data['id']}\t{data['status']}\t{data['action']}\t{data['seller']}\t{data['handle']}\t"
              f"{data['source']}\t{data['submitted_at']}")
    if not items:
        print("queue empty")
    return EXIT_OK


def cmd_moderation_approve(args: argparse.Namespace) -> int:
    with _store(_settings()) as store:
        items = store.approve(args.ids, by=args.by)
    for item in items:
        print(f"{item.id}\tapproved\t{item.seller}\t{item.handle}")
    return EXIT_OK


def cmd_moderation_reject(args: argparse.Namespace) -> int:
    from catalog.mailer import MailError, send_email
    from reports.email import compose_rejection_email

    settings = _settings()
    with _store(settings) as store:
        item = store.reject(args.id, reason=args.reason, by=args.by)
        seller = store.get_seller(item.seller)
    print(f"{item.id}\trejected\t{item.seller}\t{item.handle}")
    if seller is None or not seller.email:
        print("catalog: warning: seller has no email address; the reason was not sent", file=sys.stderr)
        return EXIT_OK
    msg = compose_rejection_email(seller_email=seller.email, cc=list(seller.cc), sender=settings.mail_from,
                                  handle=item.handle, reason=args.reason, source=item.source,
                                  seller_name=seller.name)
    try:
        result = send_email(msg, settings)
    except MailError as err:
        print(f"catalog: warning: rejection recorded but the email failed: {err}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    print(f"email: {result.path or 'sent to ' + ', '.join(result.recipients)}")
    return EXIT_OK


def cmd_runs_list(args: argparse.Namespace) -> int:
    with _store(_settings()) as store:
        runs = store.runs_with_failed_email() if args.failed_email else store.list_runs(seller=args.seller)
    for run in runs:
        print(f"{run.id}\t{run.seller_id}\t{run.source}\t{run.status}\t{run.report_status or '-'}\t"
              f"email {run.email_status}\t{run.report_dir or ''}")
    return EXIT_OK


def cmd_runs_resend(args: argparse.Namespace) -> int:
    from catalog import ingest

    settings = _settings()
    with _store(settings) as store:
        if store.get_run(args.run_id) is None:
            raise CatalogError(f"unknown run: {args.run_id}")
        result = ingest.send_composed(store, settings, args.run_id)
    print(f"email: {result.path or 'sent to ' + ', '.join(result.recipients)}")
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
    validate.add_argument("--infos", action="store_true", help="also list the infos (generated SEO, conversions)")
    validate.set_defaults(func=cmd_validate)

    taxonomy = commands.add_parser("taxonomy", help="the marketplace's collections")
    taxonomy_commands = taxonomy.add_subparsers(dest="taxonomy_command", required=True, parser_class=_Parser)
    search = taxonomy_commands.add_parser("search", help="collections that fit a word or a product title")
    search.add_argument("text", nargs="+")
    search.add_argument("--limit", type=int, default=10)
    search.set_defaults(func=cmd_taxonomy_search)

    ingest = commands.add_parser("ingest", help="validate, stage for moderation, report and email (Prefect flow)")
    ingest.add_argument("path", metavar="PATH")
    ingest.add_argument("--seller", metavar="ID", required=True)
    ingest.add_argument("--offline", action="store_true", help="skip image downloads")
    ingest.set_defaults(func=cmd_ingest)

    sellers = commands.add_parser("sellers", help="the seller registry")
    sellers_commands = sellers.add_subparsers(dest="sellers_command", required=True, parser_class=_Parser)
    load = sellers_commands.add_parser("load", help="add or update sellers from a YAML file")
    load.add_argument("file", metavar="FILE.yaml")
    load.set_defaults(func=cmd_sellers_load)
    sellers_commands.add_parser("list", help="registered sellers and whether they can import").set_defaults(
        func=cmd_sellers_list)

    moderation = commands.add_parser("moderation", help="the ops moderation queue")
    moderation_commands = moderation.add_subparsers(dest="moderation_command", required=True, parser_class=_Parser)
    listing = moderation_commands.add_parser("list", help="the queue")
    listing.add_argument("--status", choices=["pending", "approved", "rejected", "superseded"])
    listing.add_argument("--seller", metavar="ID")
    listing.add_argument("--format", choices=["text", "json"], default="text")
    listing.set_defaults(func=cmd_moderation_list)
    approve = moderation_commands.add_parser("approve", help="make these versions live")
    approve.add_argument("ids", metavar="ID", type=int, nargs="+")
    approve.add_argument("--by", default=os.environ.get("USER", "ops"), help="who decides (default: $USER)")
    approve.set_defaults(func=cmd_moderation_approve)
    reject = moderation_commands.add_parser("reject", help="refuse a version; the reason is emailed to the seller")
    reject.add_argument("id", metavar="ID", type=int)
    reject.add_argument("--reason", required=True)
    reject.add_argument("--by", default=os.environ.get("USER", "ops"))
    reject.set_defaults(func=cmd_moderation_reject)

    runs = commands.add_parser("runs", help="import runs")
    runs_commands = runs.add_subparsers(dest="runs_command", required=True, parser_class=_Parser)
    runs_list = runs_commands.add_parser("list", help="import runs, newest last")
    runs_list.add_argument("--seller", metavar="ID")
    runs_list.add_argument("--failed-email", action="store_true", help="only runs whose email failed")
    runs_list.set_defaults(func=cmd_runs_list)
    resend = runs_commands.add_parser("resend-email", help="send a run's report email again")
    resend.add_argument("run_id", metavar="RUN_ID", type=int)
    resend.set_defaults(func=cmd_runs_resend)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # A run allocates many small objects that live until its report is written (a feed's verdicts):
    # collect the youngest generation less often, so the collector's cost stays in proportion to the work.
    gc.set_threshold(50_000, 20, 20)
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


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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.domain.errors import CatalogError

if TYPE_CHECKING:
    from catalog.domain.report import Report
    from catalog.preload import PreloadedCellChecker
    from catalog.settings import Settings
    from catalog.store import Store
    from catalog.store.records import Decision

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


def _check_seller(store: Store, seller_id: str | None) -> None:
    """An `--seller` given must name a registered seller (one clear line, exit 2, when it does not)."""
    if seller_id:
        from catalog.ingest import require_seller

        require_seller(store, seller_id)


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
    from catalog.engine import Options, validate_file
    from validators.cells import full_cell_issues

    preloaded = args.preloaded  # started by `main` before the command line was parsed
    if isinstance(target, Path):
        from catalog.readers import is_bulk

        if args.kind == "bulk" or (args.kind is None and is_bulk(target)):
            if preloaded is not None:
                preloaded.close()  # a bulk file has no pandera contract
                preloaded = None
            if args.seller:
                return _validate_bulk_against_catalog(target, args)
    cell_checker = preloaded or full_cell_issues
    settings = _settings()
    options = Options(kind=args.kind, offline=args.offline, progress=sys.stderr.isatty(), cell_checker=cell_checker,
                      keep_texts=False)
    if args.seller:
        from catalog.ingest import catalog_context, image_cache, require_seller

        with _store(settings) as store:
            options.seller = require_seller(store, args.seller)
            options.catalog = catalog_context(store, args.seller)
            options.image_cache = image_cache(store)
            report = validate_file(target, settings, options)
    else:
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


def _validate_bulk_against_catalog(path: Path, args: argparse.Namespace) -> int:
    """`catalog validate` of a bulk file with `--seller`: the dry run of `catalog bulk validate`."""
    from catalog.ingest_bulk import validate_bulk

    settings = _settings()
    with _store(settings) as store:
        report = validate_bulk(path, settings, store, args.seller)
    _print_report(report, args.format)
    if args.out:
        from reports.files import write_reports

        write_reports(report, Path(args.out))
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
        print("no collection matches")
        return EXIT_OK
    for hit in hits:
        print(f"{hit.name}\t{hit.path}")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    path = Path(args.path)
    _require_file(path)
    from catalog.preload import start_cell_checker

    preloaded = start_cell_checker()  # pandera loads in a child while Prefect is imported here
    from catalog import ingest

    if preloaded is not None:
        ingest.lend_cell_checker(preloaded)
    settings = _settings()
    with _store(settings) as store:
        ingest.require_ready_seller(store, args.seller)
    from pipelines.runtime import configure_prefect

    configure_prefect(settings, verbose=args.verbose)
    from catalog.readers import is_bulk

    if is_bulk(path):
        from pipelines.ingest_bulk_csv import ingest_bulk_csv

        bulk = ingest_bulk_csv(str(path), args.seller)
        print("\n".join(bulk.summary_lines()))
        if bulk.email_status == "failed":
            return EXIT_CANNOT_RUN
        return EXIT_ISSUES if bulk.report.has_errors else EXIT_OK
    from pipelines.ingest_full_csv import ingest_full_csv

    outcome = ingest_full_csv(str(path), args.seller, offline=args.offline, progress=sys.stderr.isatty())
    print("\n".join(outcome.summary_lines()))
    if outcome.email_status == "failed":
        return EXIT_CANNOT_RUN
    return EXIT_ISSUES if outcome.report.has_errors else EXIT_OK


def cmd_feeds_add(args: argparse.Namespace) -> int:
    from catalog.net.feeds import feed_url_problem

    settings = _settings()
    url = args.url.strip()
    problem = feed_url_problem(url, settings)
    if problem is not None:
        raise CatalogError(f"{url}: {problem.message.en} ({problem.code})")
    with _store(settings) as store:
        from catalog.ingest import require_seller

        require_seller(store, args.seller)
        feed = store.add_feed(args.seller, args.name.strip(), url)
    print(f"feed {feed.id} added: {feed.seller_id} / {feed.name} — {feed.url}")
    print(f"refresh it now with: catalog feeds refresh --feed {feed.id}")
    return EXIT_OK


def cmd_feeds_list(args: argparse.Namespace) -> int:
    with _store(_settings()) as store:
        _check_seller(store, args.seller)
        found = store.list_feeds(args.seller)
    if args.format == "json":
        print(json.dumps([feed.to_dict() for feed in found], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not found:
        print("no feed registered: catalog feeds add --seller ID --name NAME --url URL")
        return EXIT_OK
    print("id\tseller\tname\tlast outcome\tlast read\tfailures\turl")
    for feed in found:
        when = feed.last_fetch_at.strftime("%Y-%m-%d %H:%M") if feed.last_fetch_at else "never"
        outcome = feed.last_outcome or "-"
        print(f"{feed.id}\t{feed.seller_id}\t{feed.name}\t{outcome}\t{when}\t{feed.consecutive_failures}\t{feed.url}")
    return EXIT_OK


def cmd_feeds_remove(args: argparse.Namespace) -> int:
    with _store(_settings()) as store:
        feed = store.remove_feed(store.get_feed(args.feed).id)
    print(f"feed {feed.id} removed: {feed.seller_id} / {feed.name} (its products stay as they are)")
    return EXIT_OK


def cmd_feeds_refresh(args: argparse.Namespace) -> int:
    if sum(bool(x) for x in (args.seller, args.feed, args.all)) != 1:
        raise CatalogError("say which feeds to refresh: --seller ID, --feed FEED or --all")
    if args.allow_removals and not args.feed:
        raise CatalogError("--allow-removals confirms the removals of one feed: give it with --feed FEED")
    settings = _settings()
    with _store(settings) as store:
        from catalog import refresh

        feeds = refresh.select_feeds(store, seller_id=args.seller, feed=args.feed)
    if not feeds:
        print("no feed to refresh")
        return EXIT_OK
    from pipelines.runtime import configure_prefect

    configure_prefect(settings, verbose=args.verbose)
    from pipelines.refresh_feeds import refresh_feeds

    outcomes = refresh_feeds(seller_id=args.seller, feed=str(feeds[0].id) if args.feed else None,
                             allow_removals=args.allow_removals, offline=args.offline)
    for o in outcomes:
        line = (f"feed {o.feed_id} {o.seller_id}/{o.feed_name}: {o.outcome}"
                + (" (304 not modified)" if o.not_modified else "")
                + (f" · products {o.products} · added {o.added} · updated {o.updated} · unpublished {o.unpublished}"
                   f" · refused {o.refused} · unchanged {o.unchanged}" if o.run_id and o.outcome != "failed" else ""))
        if o.issue is not None:
            line += f" · {o.issue.code}: {o.issue.message.en}"
        if o.run_id:
            line += f" · run {o.run_id}"
        print(line)
    if len(outcomes) < len(feeds):
        print(f"catalog: {len(feeds) - len(outcomes)} feed(s) stopped on an error: see the flow run's logs",
              file=sys.stderr)
        return EXIT_CANNOT_RUN
    return EXIT_ISSUES if any(o.outcome == "failed" or o.refused for o in outcomes) else EXIT_OK


def _print_report(report: Report, fmt: str) -> None:
    if fmt == "json":
        from reports.json_report import write_json

        write_json(report, sys.stdout)
        sys.stdout.write("\n")
    else:
        from reports.text import render_text

        sys.stdout.write(render_text(report, infos=False) + "\n")


def cmd_bulk_export(args: argparse.Namespace) -> int:
    from datetime import date

    from catalog.ingest_bulk import export_bulk

    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since)
        except ValueError:
            raise CatalogError(f"--since {args.since!r}: expected a date as YYYY-MM-DD") from None
    settings = _settings()
    with _store(settings) as store:
        paths = export_bulk(store, args.seller, Path(args.out), since)
    for path in paths:
        print(path)
    return EXIT_OK


def cmd_bulk_validate(args: argparse.Namespace) -> int:
    from catalog import ingest
    from catalog.ingest_bulk import alert_ops, validate_bulk

    path = Path(args.path)
    _require_file(path)
    settings = _settings()
    with _store(settings) as store:
        report = validate_bulk(path, settings, store, args.seller)
        seller = ingest.require_seller(store, args.seller)
    _print_report(report, args.format)
    alert = alert_ops(report, seller, settings, None)
    if alert:
        print(f"catalog: warning: {alert}", file=sys.stderr)
    return EXIT_ISSUES if report.has_errors else EXIT_OK


def cmd_bulk_submit(args: argparse.Namespace) -> int:
    from catalog.ingest_bulk import submit_and_report

    path = Path(args.path)
    _require_file(path)
    settings = _settings()
    with _store(settings) as store:
        outcome = submit_and_report(path, settings, store, args.seller)
    if outcome.ops_alert:
        print(f"catalog: warning: {outcome.ops_alert}", file=sys.stderr)
    _print_report(outcome.report, args.format)
    print("\n".join(outcome.summary_lines()), file=sys.stderr if args.format == "json" else sys.stdout)
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
        state = "ready" if not missing else "not ready: " + readiness_text(missing)[1]
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
        _check_seller(store, args.seller)
        items = store.list_moderation(status=args.status, seller=args.seller, action=args.action)
    entries = [item.to_dict() for item in items]
    if args.format == "json":
        print(json.dumps(entries, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not entries:
        filtered = args.status or args.seller or args.action
        print("no moderation item matches these filters" if filtered else "queue empty")
        return EXIT_OK
    from reports.ops_text import moderation_list

    print(moderation_list(entries))
    return EXIT_OK


def cmd_moderation_show(args: argparse.Namespace) -> int:
    with _store(_settings()) as store:
        detail = store.moderation_detail(args.id)
    if detail is None:
        raise CatalogError(f"moderation item {args.id} does not exist (see: catalog moderation list)")
    if args.format == "json":
        print(json.dumps(detail.to_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    from reports.ops_text import moderation_item

    print(moderation_item(detail.to_dict()))
    return EXIT_OK


def _print_decisions(decisions: Sequence[Decision], verb: str) -> int:
    """One line per id asked: decided, or skipped and why; exit 1 when any was skipped."""
    for decision in decisions:
        if decision.item is not None:
            item = decision.item
            print(f"{item.id}\t{verb}\t{item.seller}\t{item.handle}")
        else:
            print(f"{decision.item_id}\tskipped\t{decision.skipped}")
    skipped = sum(1 for d in decisions if d.item is None)
    if skipped:
        print(f"catalog: {skipped} of {len(decisions)} skipped, {len(decisions) - skipped} {verb}", file=sys.stderr)
        return EXIT_ISSUES
    return EXIT_OK


def cmd_moderation_approve(args: argparse.Namespace) -> int:
    if args.all_pending == bool(args.ids) or args.all_pending != bool(args.seller):
        raise CatalogError("give the item ids to approve, or --seller ID --all-pending "
                           "(see: catalog moderation approve --help)")
    with _store(_settings()) as store:
        if args.all_pending:
            from catalog.ingest import require_seller

            require_seller(store, args.seller)
            ids = store.pending_ids(args.seller)
            if not ids:
                print(f"nothing pending for seller {args.seller}")
                return EXIT_OK
        else:
            ids = args.ids
        decisions = store.approve_each(ids, by=args.by)
    return _print_decisions(decisions, "approved")


def cmd_moderation_reject(args: argparse.Namespace) -> int:
    """Each rejection is decided on its own, then emailed to its seller with the reason."""
    from catalog.mailer import MailError, send_email
    from reports.email import compose_rejection_email

    if not args.reason.strip():
        raise CatalogError("a rejection needs a reason: the seller reads it")
    settings = _settings()
    with _store(settings) as store:
        decisions = store.reject_each(args.ids, reason=args.reason, by=args.by)
        sellers = {d.item.seller: store.get_seller(d.item.seller) for d in decisions if d.item is not None}
        held = {d.item.id: store.held_price(d.item.id) for d in decisions if d.item is not None}
    code = _print_decisions(decisions, "rejected")
    for item in (d.item for d in decisions if d.item is not None):
        seller = sellers[item.seller]
        if seller is None or not seller.email:
            print(f"catalog: warning: item {item.id}: seller {item.seller} has no email address; the reason "
                  "was not sent", file=sys.stderr)
            continue
        price = held.get(item.id)
        if price is not None:  # a held bulk price: the old price stays, and the seller is told both
            from reports.email import compose_price_rejection_email

            msg = compose_price_rejection_email(
                seller_email=seller.email, cc=list(seller.cc), sender=settings.mail_from, handle=item.handle,
                variant_id=price[0], old_price=str(price[1] or ""), new_price=str(price[2]), reason=args.reason,
                source=item.source, seller_name=seller.name)
        else:
            msg = compose_rejection_email(seller_email=seller.email, cc=list(seller.cc), sender=settings.mail_from,
                                          handle=item.handle, reason=args.reason, source=item.source,
                                          seller_name=seller.name)
        try:
            result = send_email(msg, settings)
        except MailError as err:
            print(f"catalog: warning: item {item.id}: rejection recorded but the email failed: {err}",
                  file=sys.stderr)
            code = EXIT_CANNOT_RUN
            continue
        print(f"{item.id}\temail\t{result.path or 'sent to ' + ', '.join(result.recipients)}")
    return code


def cmd_runs_list(args: argparse.Namespace) -> int:
    with _store(_settings()) as store:
        _check_seller(store, args.seller)
        runs = store.runs_with_failed_email() if args.failed_email else store.list_runs(seller=args.seller)
        runs = [run for run in runs if args.seller in (None, run.seller_id)]
        staged = store.staged_counts(run.id for run in runs)
    entries = [run.to_dict(staged=staged.get(run.id, 0)) for run in runs]
    if args.format == "json":
        print(json.dumps(entries, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not entries:
        print("no import run matches" if args.seller or args.failed_email else "no import run yet")
        return EXIT_OK
    from reports.ops_text import runs_list

    print(runs_list(entries))
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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("catalog-ingestion")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _help_when_bare(parser: argparse.ArgumentParser) -> None:
    """`catalog` alone, or a command group alone (`catalog moderation`), prints that level's help (exit 0)
    instead of a usage error: a bare command asks what it can do. Applied to every group of the tree."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            action.required = False
            if parser.get_default("func") is None:
                parser.set_defaults(func=_print_help_of(parser))
            for child in dict.fromkeys(action.choices.values()):
                _help_when_bare(child)


def _print_help_of(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def print_help(_args: argparse.Namespace) -> int:
        parser.print_help()
        return EXIT_OK

    return print_help


def _add_format(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--format", choices=["text", "json"], default="text",
                        help=f"text for people (default), json for scripts: {what}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="catalog", description="Catalog ingestion: validate, stage and report sellers' files.",
                     epilog="Exit status: 0 done and no errors; 1 done, with errors (or items skipped); "
                            "2 could not run. Run 'catalog COMMAND --help' for a command's options.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}",
                        help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    validate = commands.add_parser("validate", help="check a file and report; changes nothing")
    validate.add_argument("path", metavar="PATH_OR_URL", help="a CSV file, an XML feed file, or a feed's https URL")
    validate.add_argument("--kind", choices=["full", "bulk", "feed"], help="default: from the header")
    validate.add_argument("--seller", metavar="ID", help="also check against this seller's catalog")
    validate.add_argument("--offline", action="store_true", help="skip image downloads (URL text still checked)")
    _add_format(validate, "the report JSON")
    validate.add_argument("--out", metavar="DIR", help="also write the report files there")
    validate.add_argument("--infos", action="store_true", help="also list the infos (generated SEO, conversions)")
    validate.set_defaults(func=cmd_validate)

    taxonomy = commands.add_parser("taxonomy", help="the marketplace's collections")
    taxonomy_commands = taxonomy.add_subparsers(dest="taxonomy_command", metavar="COMMAND", parser_class=_Parser)
    search = taxonomy_commands.add_parser("search", help="collections that fit a word or a product title")
    search.add_argument("text", nargs="+", metavar="TEXT", help="a word or a product title, in French")
    search.add_argument("--limit", type=int, default=10, help="how many collections at most (default: 10)")
    search.set_defaults(func=cmd_taxonomy_search)

    ingest = commands.add_parser("ingest", help="validate, stage for moderation, report and email (Prefect flow)")
    ingest.add_argument("path", metavar="PATH", help="the seller's file")
    ingest.add_argument("--seller", metavar="ID", required=True, help="the seller who sent it (see: sellers list)")
    ingest.add_argument("--offline", action="store_true", help="skip image downloads")
    ingest.add_argument("--verbose", action="store_true", help="also show Prefect's INFO log lines")
    ingest.set_defaults(func=cmd_ingest)

    _feeds_parser(commands)

    _bulk_parser(commands)

    sellers = commands.add_parser("sellers", help="the seller registry")
    sellers_commands = sellers.add_subparsers(dest="sellers_command", metavar="COMMAND", parser_class=_Parser)
    load = sellers_commands.add_parser("load", help="add or update sellers from a YAML file")
    load.add_argument("file", metavar="FILE.yaml", help="the sellers file (format: see interfaces)")
    load.set_defaults(func=cmd_sellers_load)
    sellers_commands.add_parser("list", help="registered sellers and whether they can import").set_defaults(
        func=cmd_sellers_list)

    _moderation_parser(commands)
    _runs_parser(commands)
    _help_when_bare(parser)
    return parser


def _bulk_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bulk = commands.add_parser("bulk", help="the bulk price / quantity / title file: export, dry run, submit")
    bulk_commands = bulk.add_subparsers(dest="bulk_command", metavar="COMMAND", parser_class=_Parser)
    export = bulk_commands.add_parser("export", help="write the seller's seller_products_quantity_and_price*.csv")
    export.add_argument("--seller", metavar="ID", required=True, help="whose live variants")
    export.add_argument("--since", metavar="YYYY-MM-DD", help="only products created on or after that day")
    export.add_argument("--out", metavar="DIR", default=".", help="where to write the files (default: here)")
    export.set_defaults(func=cmd_bulk_export)
    for name, func, text in (("validate", cmd_bulk_validate, "dry run: every check and the would-be changes"),
                             ("submit", cmd_bulk_submit, "check, apply, report and email the seller")):
        command = bulk_commands.add_parser(name, help=text)
        command.add_argument("path", metavar="FILE", help="the bulk file (the export's six columns, edited)")
        command.add_argument("--seller", metavar="ID", required=True, help="whose variants the file changes")
        _add_format(command, "the report JSON, variants with their changes")
        command.set_defaults(func=func)


def _feeds_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    feeds = commands.add_parser("feeds", help="sellers' XML feeds and their refresh")
    feeds_commands = feeds.add_subparsers(dest="feeds_command", metavar="COMMAND", parser_class=_Parser)
    feed_add = feeds_commands.add_parser("add", help="register a seller's feed URL (https, public address)")
    feed_add.add_argument("--seller", metavar="ID", required=True, help="the seller the feed belongs to")
    feed_add.add_argument("--name", required=True, help="a name for the feed, unique for the seller")
    feed_add.add_argument("--url", required=True, help="the feed's https URL")
    feed_add.set_defaults(func=cmd_feeds_add)
    feed_list = feeds_commands.add_parser("list", help="registered feeds and what their last refresh found")
    feed_list.add_argument("--seller", metavar="ID", help="only this seller's feeds")
    feed_list.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    feed_list.set_defaults(func=cmd_feeds_list)
    feed_remove = feeds_commands.add_parser("remove", help="forget a feed (its products stay as they are)")
    feed_remove.add_argument("feed", metavar="FEED", help="the feed's id (or its name)")
    feed_remove.set_defaults(func=cmd_feeds_remove)
    feed_refresh = feeds_commands.add_parser("refresh", help="re-read feeds now (the nightly flow), stage and email")
    feed_refresh.add_argument("--seller", metavar="ID", help="this seller's feeds")
    feed_refresh.add_argument("--feed", metavar="FEED", help="one feed, by id (or name)")
    feed_refresh.add_argument("--all", action="store_true", help="every registered feed")
    feed_refresh.add_argument("--allow-removals", action="store_true",
                              help="confirm the removals held by feed.mass_removal (with --feed)")
    feed_refresh.add_argument("--offline", action="store_true", help="skip image downloads")
    feed_refresh.add_argument("--verbose", action="store_true", help="also show Prefect's INFO log lines")
    feed_refresh.set_defaults(func=cmd_feeds_refresh)


def _moderation_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    moderation = commands.add_parser("moderation", help="the ops moderation queue")
    moderation_commands = moderation.add_subparsers(dest="moderation_command", metavar="COMMAND",
                                                    parser_class=_Parser)
    listing = moderation_commands.add_parser("list", help="the queue, oldest first, with a header line")
    listing.add_argument("--status", choices=["pending", "approved", "rejected", "superseded"],
                         help="only items in this state (default: all but superseded)")
    listing.add_argument("--seller", metavar="ID", help="only this seller's items")
    listing.add_argument("--action", choices=["create", "update", "unpublish", "price"],
                         help="only this kind of change (price: bulk prices held for review)")
    _add_format(listing, "the Moderation list JSON")
    listing.set_defaults(func=cmd_moderation_list)

    show = moderation_commands.add_parser(
        "show", help="one item: seller, title, prices, images and what changes against the live version")
    show.add_argument("id", metavar="ID", type=int, help="the item's id (see: moderation list)")
    _add_format(show, "both versions and the changes")
    show.set_defaults(func=cmd_moderation_show)

    by = {"default": os.environ.get("USER", "ops"), "metavar": "NAME", "help": "who decides (default: $USER)"}
    approve = moderation_commands.add_parser(
        "approve", help="make these versions live; an id that cannot be decided is skipped (exit 1)",
        description="Make versions live: the ids given, or every pending item of one seller. Each item is "
                    "decided in its own transaction; an id that cannot be decided (unknown, already decided) "
                    "is reported and skipped, the others are approved, and the command exits 1.")
    approve.add_argument("ids", metavar="ID", type=int, nargs="*", help="the items to approve")
    approve.add_argument("--seller", metavar="ID", help="with --all-pending: the seller whose items to approve")
    approve.add_argument("--all-pending", action="store_true", help="approve every pending item of --seller")
    approve.add_argument("--by", **by)
    approve.set_defaults(func=cmd_moderation_approve)

    reject = moderation_commands.add_parser(
        "reject", help="refuse these versions; the reason is emailed to each seller; an id that cannot be "
                       "decided is skipped (exit 1)",
        description="Refuse versions with one reason; the live version, if any, stays. Each rejected item is "
                    "emailed to its seller with the reason. An id that cannot be decided (unknown, already "
                    "decided) is reported and skipped, the others are rejected, and the command exits 1.")
    reject.add_argument("ids", metavar="ID", type=int, nargs="+", help="the items to reject")
    reject.add_argument("--reason", required=True, metavar="TEXT",
                        help="why, in words the seller understands (emailed as is)")
    reject.add_argument("--by", **by)
    reject.set_defaults(func=cmd_moderation_reject)


def _runs_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    runs = commands.add_parser("runs", help="import runs")
    runs_commands = runs.add_subparsers(dest="runs_command", metavar="COMMAND", parser_class=_Parser)
    runs_list = runs_commands.add_parser("list", help="import runs, oldest first: dates, counts, email")
    runs_list.add_argument("--seller", metavar="ID", help="only this seller's runs")
    runs_list.add_argument("--failed-email", action="store_true", help="only runs whose email failed")
    _add_format(runs_list, "one object per run")
    runs_list.set_defaults(func=cmd_runs_list)
    resend = runs_commands.add_parser("resend-email", help="send a run's report email again")
    resend.add_argument("run_id", metavar="RUN_ID", type=int, help="the run (see: runs list)")
    resend.set_defaults(func=cmd_runs_resend)


def main(argv: Sequence[str] | None = None) -> int:
    # A run allocates many small objects that live until its report is written (a feed's verdicts):
    # collect the youngest generation less often, so the collector's cost stays in proportion to the work.
    gc.set_threshold(50_000, 20, 20)
    arguments = sys.argv[1:] if argv is None else list(argv)
    preloaded = _preload_cell_checker(arguments)
    try:
        args = build_parser().parse_args(arguments)
        args.preloaded = preloaded
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
    finally:
        if preloaded is not None:
            preloaded.close()


def _preload_cell_checker(arguments: list[str]) -> PreloadedCellChecker | None:
    """For `catalog validate`, the pandera contract starts loading in another process first thing, while this
    one builds the command line, reads the file and runs the product checks."""
    if arguments[:1] != ["validate"] or {"-h", "--help"} & set(arguments):
        return None
    from catalog.preload import start_cell_checker

    return start_cell_checker()


if __name__ == "__main__":
    sys.exit(main())


"""`Store`: the catalog database (SQLite by default, PostgreSQL via `CATALOG_DB_URL`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Row, create_engine, event, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, NoSuchModuleError, OperationalError

from catalog.domain.bulk import BulkCatalog, BulkEdit, ExportRow
from catalog.domain.errors import CatalogError
from catalog.domain.model import Product
from catalog.domain.sellers import PriceRule, Seller
from catalog.domain.serialize import product_from_dict
from catalog.store import bulk, staging
from catalog.store import feeds as feed_registry
from catalog.store import moderation as mod
from catalog.store.owners import current_owner, is_gone
from catalog.store.records import Decision, ModerationDetail, ModerationError, ModerationItem, Run
from catalog.store.schema import (
    EMAIL_STATUSES,
    REPORT_STATUSES,
    RUN_KINDS,
    ensure_schema,
    import_runs,
    moderation,
    product_versions,
    products,
    sellers,
    variants,
    version_variants,
)

PG_CONNECT_TIMEOUT = 5
# A running process renews its run's heartbeat every HEARTBEAT (`catalog.ingest.heartbeat`); a run on another
# machine whose heartbeat is older than the LEASE is taken for dead (on this machine, its PID tells at once).
HEARTBEAT = timedelta(seconds=60)
RUN_LEASE = timedelta(minutes=10)
SQLITE_BUSY_TIMEOUT = 30
WRITE_OPTION = "catalog_writes"


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return lines[0] if lines else type(orig).__name__


def _now() -> datetime:
    return datetime.now(UTC)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        parent = Path(database).resolve().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CatalogError(f"database unreachable: cannot create directory {parent}: {exc.strerror}") from None
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transactions away from the sqlite3 module's legacy mode so DDL and reads are transactional too.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL is kept in the file: asking again would need the lock another opening connection may hold.
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers take the write lock up front (IMMEDIATE) rather than fail to upgrade a read lock
        # mid-transaction; readers begin DEFERRED so they never wait on each other.
        writes = conn.get_execution_options().get(WRITE_OPTION, True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine


def make_engine(url: str) -> Engine:
    """An engine for a SQLite or PostgreSQL URL; an unusable URL is a CatalogError."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise CatalogError(f"invalid database URL: {url!r}") from None
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite_engine(parsed)
        if backend == "postgresql":
            return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT})
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise CatalogError(f"invalid database URL {parsed.render_as_string(hide_password=True)}: {exc}") from None
    raise CatalogError(f"unsupported database {backend!r}: use a sqlite:/// or postgresql+psycopg:// URL")


def _seller_from_row(row: Row[Any]) -> Seller:
    rule = row.price_rule
    return Seller(
        id=row.id, name=row.name, email=row.email, cc=tuple(row.cc or ()), vat_number=row.vat_number,
        default_shipping=row.default_shipping, currency=row.currency,
        fx_rates={code: Decimal(rate) for code, rate in (row.fx_rates or {}).items()},
        price_rule=None if rule is None else PriceRule(rule["direction"], rule["kind"], Decimal(rule["amount"])),
        in_stock_default_qty=row.in_stock_default_qty, updated_at=row.updated_at,
    )


def _live_products(conn: Connection, seller_id: str, handle: str | None) -> list[Product]:
    """The live versions, by handle, with the variants' current offer (SKU, price, quantity) laid over them."""
    query = (
        select(products.c.id, product_versions.c.payload)
        .join(product_versions, product_versions.c.id == products.c.live_version_id)
        .where(products.c.seller_id == seller_id)
        .order_by(products.c.handle)
    )
    if handle is not None:
        query = query.where(products.c.handle == handle)
    rows = conn.execute(query).all()
    live_variants = (select(variants).join(products, products.c.id == variants.c.product_id)
                     .where(products.c.seller_id == seller_id, variants.c.is_live))
    if handle is not None:
        live_variants = live_variants.where(products.c.handle == handle)
    offers = {r.id: r for r in conn.execute(live_variants)}
    out: list[Product] = []
    for row in rows:
        product = product_from_dict(row.payload)
        for variant in product.variants:
            offer = offers.get(int(variant.variant_id)) if variant.variant_id else None
            if offer is not None:
                variant.sku = offer.live_sku or ""
                variant.price = offer.live_price
                variant.inventory_qty = offer.live_qty
        out.append(product)
    return out


def _run_from_row(row: Row[Any]) -> Run:
    return Run(
        id=row.id, seller_id=row.seller_id, kind=row.kind, source=row.source, checksum=row.checksum,
        status=row.status, report_status=row.report_status, report=row.report, report_dir=row.report_dir,
        email_status=row.email_status, email_error=row.email_error, error=row.error,
        started_at=row.started_at, finished_at=row.finished_at, crashes=row.crashes,
        owner=row.owner,
    )


class Store:
    """The catalog database. Each public method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader = engine.execution_options(**{WRITE_OPTION: False})

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Connect, create the schema on first use and check its version. `url` defaults to the settings."""
        if url is None:
            from catalog.settings import load_settings

            url = load_settings().db_url
        engine = make_engine(url)
        safe_url = engine.url.render_as_string(hide_password=True)
        try:
            with engine.begin() as conn:
                ensure_schema(conn)
        except (OperationalError, InterfaceError) as exc:
            engine.dispose()
            raise CatalogError(f"database unreachable: {safe_url}: {_first_line(exc)}") from None
        except DBAPIError as exc:
            engine.dispose()
            raise CatalogError(f"database unusable: {safe_url}: {_first_line(exc)}") from None
        except BaseException:
            engine.dispose()
            raise
        store = cls(engine)
        store.close_dead_runs()
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Connection]:
        """One transaction; database failures come out as a one-line CatalogError."""
        try:
            with (self.engine if write else self._reader).begin() as conn:
                yield conn
        except DBAPIError as exc:
            raise CatalogError(f"database error: {_first_line(exc)}") from exc

    # ---- Sellers ---------------------------------------------------------

    def upsert_seller(self, seller: Seller) -> None:
        self.upsert_sellers([seller])

    def upsert_sellers(self, items: Sequence[Seller]) -> None:
        """Create or replace sellers, all in one transaction (a sellers file loads whole or not at all)."""
        now = _now()
        with self.transaction() as conn:
            insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
            for seller in items:
                values = {
                    "name": seller.name, "email": seller.email, "cc": list(seller.cc),
                    "vat_number": seller.vat_number, "default_shipping": seller.default_shipping,
                    "currency": seller.currency,
                    "fx_rates": {code: str(rate) for code, rate in seller.fx_rates.items()},
                    "price_rule": seller.price_rule.to_dict() if seller.price_rule else None,
                    "in_stock_default_qty": seller.in_stock_default_qty, "updated_at": now,
                }
                conn.execute(insert(sellers).values(id=seller.id, **values)
                             .on_conflict_do_update(index_elements=["id"], set_=values))

    def get_seller(self, seller_id: str) -> Seller | None:
        with self.transaction(write=False) as conn:
            row = conn.execute(select(sellers).where(sellers.c.id == seller_id)).first()
        return None if row is None else _seller_from_row(row)

    def list_sellers(self) -> list[Seller]:
        with self.transaction(write=False) as conn:
            return [_seller_from_row(r) for r in conn.execute(select(sellers).order_by(sellers.c.id))]

    # ---- Import runs -----------------------------------------------------

    def start_run(self, seller_id: str, kind: str, source: str, checksum: str) -> int:
        if kind not in RUN_KINDS:
            raise ValueError(f"run kind {kind!r}: expected one of {', '.join(RUN_KINDS)}")
        with self.transaction() as conn:
            staging.require_seller(conn, seller_id)
            now = _now()
            return conn.execute(import_runs.insert().values(
                seller_id=seller_id, kind=kind, source=source, checksum=checksum, status="running",
                email_status="pending", started_at=now, owner=current_owner(), heartbeat_at=now, crashes=0,
            ).returning(import_runs.c.id)).scalar_one()

    def resume_run(self, run_id: int) -> bool:
        """Take over a crashed run in this process (it runs again, and finishes as any run); False if not crashed."""
        with self.transaction() as conn:
            done = conn.execute(update(import_runs).where(import_runs.c.id == run_id,
                                                          import_runs.c.status == "crashed").values(
                status="running", error=None, finished_at=None, email_status="pending", email_error=None,
                owner=current_owner(), heartbeat_at=_now()))
            return done.rowcount == 1

    def beat(self, run_id: int) -> None:
        """This process still runs `run_id`: renew its lease."""
        with self.transaction() as conn:
            conn.execute(update(import_runs).where(import_runs.c.id == run_id, import_runs.c.owner == current_owner(),
                                                   import_runs.c.status.in_(("running", "done")))
                         .values(heartbeat_at=_now()))

    def crash_run(self, run_id: int, reason: str) -> bool:
        """Mark a running run crashed (its process is stopping, or gone); False when it is not running."""
        with self.transaction() as conn:
            return _crash(conn, run_id, None, reason, _now())

    def close_dead_runs(self, lease: timedelta = RUN_LEASE) -> list[int]:
        """Close the runs whose process died: a run still running is marked crashed, a finished run whose
        email was never sent gets its email marked failed (it can be resent). Returns their ids.

        A run's process is dead when this machine sees its PID gone (or reused), or, for a run owned by
        another machine, when its heartbeat is older than `lease`.
        """
        now = _now()
        open_runs = (import_runs.c.status == "running") | (
            (import_runs.c.status == "done") & (import_runs.c.email_status == "pending"))
        with self.transaction(write=False) as conn:
            rows = conn.execute(select(import_runs.c.id, import_runs.c.kind, import_runs.c.status, import_runs.c.owner,
                                       import_runs.c.heartbeat_at, import_runs.c.started_at)
                                .where(open_runs)).all()
        dead = []
        for row in rows:
            gone = is_gone(row.owner)
            if gone is None:
                gone = (row.heartbeat_at or row.started_at) < now - lease
            if gone:
                dead.append(row)
        closed: list[int] = []
        for row in dead:
            seen = (row.heartbeat_at or row.started_at).isoformat(timespec="seconds")
            with self.transaction() as conn:
                if row.status == "running":
                    done = _crash(conn, row.id, row.owner,
                                  f"its process ({row.owner or 'unknown'}) stopped; last heard of at {seen}", now)
                else:
                    # A file's run keeps its composed email beside its reports, for `resend-email`; a feed
                    # refresh composes one summary per seller at its end, which that command does not send.
                    resend = f" (resend: catalog runs resend-email {row.id})" if row.kind == "full" else ""
                    done = conn.execute(update(import_runs).where(
                        import_runs.c.id == row.id, import_runs.c.status == "done",
                        import_runs.c.email_status == "pending", import_runs.c.owner == row.owner,
                    ).values(email_status="failed",
                             email_error=f"its process stopped before the email was sent{resend}")).rowcount == 1
            if done:
                closed.append(row.id)
        return closed

    def finish_run(self, run_id: int, *, report_status: str, report_json: Mapping[str, Any] | str,
                   report_dir: str | Path | None) -> None:
        if report_status not in REPORT_STATUSES:
            raise ValueError(f"report status {report_status!r}: expected one of {', '.join(REPORT_STATUSES)}")
        report = json.loads(report_json) if isinstance(report_json, str) else dict(report_json)
        self._update_run(run_id, status="done", report_status=report_status, report=report,
                         report_dir=None if report_dir is None else str(report_dir), finished_at=_now())

    def fail_run(self, run_id: int, error: str) -> None:
        """The run stopped on an error it could not report as a file verdict (e.g. a crash)."""
        self._update_run(run_id, status="failed", error=error, finished_at=_now())

    def set_email_status(self, run_id: int, status: str, error: str | None = None) -> None:
        if status not in EMAIL_STATUSES:
            raise ValueError(f"email status {status!r}: expected one of {', '.join(EMAIL_STATUSES)}")
        self._update_run(run_id, email_status=status, email_error=error)

    def _update_run(self, run_id: int, **values: Any) -> None:
        with self.transaction() as conn:
            done = conn.execute(update(import_runs).where(import_runs.c.id == run_id).values(**values))
            if done.rowcount == 0:
                raise CatalogError(f"unknown import run: {run_id}")

    def get_run(self, run_id: int) -> Run | None:
        with self.transaction(write=False) as conn:
            row = conn.execute(select(import_runs).where(import_runs.c.id == run_id)).first()
        return None if row is None else _run_from_row(row)

    def find_runs(self, seller_id: str, checksum: str) -> list[Run]:
        """The seller's runs of a file with this checksum, oldest first (to resume or skip a re-sent file)."""
        with self.transaction(write=False) as conn:
            rows = conn.execute(select(import_runs).where(
                import_runs.c.seller_id == seller_id, import_runs.c.checksum == checksum,
            ).order_by(import_runs.c.id))
            return [_run_from_row(r) for r in rows]

    def list_runs(self, seller: str | None = None) -> list[Run]:
        """Import runs, oldest first, optionally of one seller."""
        query = select(import_runs).order_by(import_runs.c.id)
        if seller is not None:
            query = query.where(import_runs.c.seller_id == seller)
        with self.transaction(write=False) as conn:
            return [_run_from_row(r) for r in conn.execute(query)]

    def staged_counts(self, run_ids: Iterable[int]) -> dict[int, int]:
        """How many moderation items each run staged (whatever became of them since); runs that staged
        nothing are absent."""
        wanted = list(run_ids)
        if not wanted:
            return {}
        query = (select(moderation.c.import_run_id, func.count()).where(moderation.c.import_run_id.in_(wanted))
                 .group_by(moderation.c.import_run_id))
        with self.transaction(write=False) as conn:
            return {run_id: count for run_id, count in conn.execute(query)}

    def runs_with_failed_email(self) -> list[Run]:
        with self.transaction(write=False) as conn:
            rows = conn.execute(select(import_runs).where(import_runs.c.email_status == "failed")
                                .order_by(import_runs.c.id))
            return [_run_from_row(r) for r in rows]

    # ---- Staging and moderation -----------------------------------------

    def stage_products(self, seller_id: str, run_id: int, items: Sequence[Product], source: str, *,
                       on_staged: staging.StagedHook | None = None,
                       content_hashes: Mapping[str, str] | None = None) -> list[int]:
        """Stage products as pending moderation items, all in ONE transaction; returns their item ids.

        Re-sending a handle supersedes its pending item. Re-running the same run reuses what it staged,
        so a run resumed after a crash stages each product once. `on_staged(product, item_id)` is called
        inside the transaction after each product: an exception from it rolls everything back.
        """
        with self.transaction() as conn:
            return staging.stage_products(conn, seller_id, run_id, items, source, _now(), on_staged,
                                          content_hashes)

    def stage_unpublish(self, seller_id: str, run_id: int, handles: Iterable[str], source: str) -> list[int]:
        with self.transaction() as conn:
            return staging.stage_unpublish(conn, seller_id, run_id, handles, source, _now())

    def list_moderation(self, status: str | None = None, seller: str | None = None,
                        action: str | None = None) -> list[ModerationItem]:
        """The queue, oldest first. Superseded items (replaced by a newer sending) only when asked by status."""
        with self.transaction(write=False) as conn:
            return mod.list_items(conn, status, seller, action)

    def get_moderation(self, item_id: int) -> ModerationItem | None:
        with self.transaction(write=False) as conn:
            found = mod.get_items(conn, [item_id])
            return found[0] if found else None

    def moderation_detail(self, item_id: int) -> ModerationDetail | None:
        """One item with the version it proposes and the product as it is live now, read together."""
        with self.transaction(write=False) as conn:
            found = mod.get_items(conn, [item_id])
            if not found:
                return None
            item = found[0]
            name = conn.scalar(select(sellers.c.name).where(sellers.c.id == item.seller)) or ""
            live = _live_products(conn, item.seller, item.handle)
            return ModerationDetail(item=item, seller_name=name, proposed=mod.proposed_version(conn, item),
                                    live=live[0] if live else None)

    def pending_ids(self, seller: str) -> list[int]:
        """The seller's pending items, oldest first."""
        with self.transaction(write=False) as conn:
            staging.require_seller(conn, seller)
            return mod.pending_ids(conn, seller)

    def approve_each(self, ids: Iterable[int], by: str) -> list[Decision]:
        """Approve each item in its own transaction: one that cannot be approved (unknown, no longer
        pending) is skipped with the reason, and the others are approved."""
        return [self._decide(item_id, lambda conn, i: mod.approve(conn, [i], by, _now()))
                for item_id in dict.fromkeys(int(i) for i in ids)]

    def reject_each(self, ids: Iterable[int], reason: str, by: str) -> list[Decision]:
        """Reject each item in its own transaction, all with the same reason; as `approve_each` for skips."""
        if not reason or not reason.strip():
            raise ModerationError("a rejection needs a reason: the seller reads it")
        return [self._decide(item_id, lambda conn, i: mod.reject(conn, i, reason, by, _now()))
                for item_id in dict.fromkeys(int(i) for i in ids)]

    def _decide(self, item_id: int, decide: Callable[[Connection, int], object]) -> Decision:
        try:
            with self.transaction() as conn:
                decide(conn, item_id)
                return Decision(item_id, item=mod.get_items(conn, [item_id])[0])
        except ModerationError as err:
            return Decision(item_id, skipped=str(err))

    def approve(self, ids: Iterable[int], by: str) -> list[ModerationItem]:
        """Make the items' versions live (or take the product down, for unpublish); all or none."""
        with self.transaction() as conn:
            done = mod.approve(conn, ids, by, _now())
            return mod.get_items(conn, done)

    def reject(self, item_id: int, reason: str, by: str) -> ModerationItem:
        with self.transaction() as conn:
            mod.reject(conn, item_id, reason, by, _now())
            return mod.get_items(conn, [int(item_id)])[0]

    # ---- Feeds ------------------------------------------------------------

    def add_feed(self, seller_id: str, name: str, url: str) -> feed_registry.Feed:
        with self.transaction() as conn:
            return feed_registry.add(conn, seller_id, name, url, _now())

    def get_feed(self, ref: int | str) -> feed_registry.Feed:
        """A feed by id (or by name, when only one seller uses it); FeedError when there is none."""
        with self.transaction(write=False) as conn:
            return feed_registry.get(conn, ref) if isinstance(ref, int) else feed_registry.find(conn, ref)

    def list_feeds(self, seller_id: str | None = None) -> list[feed_registry.Feed]:
        with self.transaction(write=False) as conn:
            return feed_registry.list_feeds(conn, seller_id)

    def remove_feed(self, feed_id: int) -> feed_registry.Feed:
        with self.transaction() as conn:
            return feed_registry.remove(conn, feed_id)

    def claim_feed(self, feed_id: int, owner: str, lease_seconds: float) -> bool:
        now = _now()
        with self.transaction() as conn:
            return feed_registry.claim(conn, feed_id, owner, now, now + timedelta(seconds=lease_seconds))

    def release_feed(self, feed_id: int, owner: str) -> None:
        with self.transaction() as conn:
            feed_registry.release(conn, feed_id, owner)

    def feed_products(self, feed_id: int) -> list[feed_registry.HeldProduct]:
        with self.transaction(write=False) as conn:
            return feed_registry.held_products(conn, feed_id)

    def record_feed_unchanged(self, feed_id: int, owner: str, *, etag: str | None,
                              last_modified: str | None) -> None:
        with self.transaction() as conn:
            feed_registry.record_unchanged(conn, feed_id, owner, _now(), etag=etag, last_modified=last_modified)

    def record_feed_failure(self, feed_id: int, owner: str, *, error: str, run_id: int | None) -> None:
        with self.transaction() as conn:
            feed_registry.record_failure(conn, feed_id, owner, _now(), error=error, run_id=run_id)

    def commit_feed_read(self, feed_id: int, owner: str, read: feed_registry.FeedRead) -> feed_registry.Committed:
        """Stage what a changed read of the feed found and record its new state: ONE transaction."""
        with self.transaction() as conn:
            return feed_registry.commit_read(conn, feed_id, owner, read, _now())

    def run_actions(self, run_id: int) -> dict[str, int]:
        """How many moderation items of each action the run staged (create, update, unpublish)."""
        query = (select(moderation.c.action, func.count()).where(moderation.c.import_run_id == run_id)
                 .group_by(moderation.c.action))
        with self.transaction(write=False) as conn:
            return {action: count for action, count in conn.execute(query)}

    # ---- What the checks read -------------------------------------------

    def seller_skus(self, seller_id: str) -> dict[str, str]:
        """SKU -> handle over the seller's live and pending versions (pending wins when both hold a SKU)."""
        is_live = product_versions.c.id == products.c.live_version_id
        query = (
            select(version_variants.c.sku, products.c.handle)
            .join(product_versions, product_versions.c.id == version_variants.c.version_id)
            .join(products, products.c.id == product_versions.c.product_id)
            .where(version_variants.c.seller_id == seller_id, version_variants.c.sku != "",
                   or_(product_versions.c.status == "pending", is_live))
            .order_by(product_versions.c.status != "pending", product_versions.c.id)
        )
        with self.transaction(write=False) as conn:
            rows = conn.execute(query).all()
        out: dict[str, str] = {}
        for sku, handle in reversed(rows):
            out[sku] = handle
        return out

    def seller_texts(self, seller_id: str) -> list[tuple[str, str, str]]:
        """(handle, title, body) of the seller's live and pending versions, for duplicate detection."""
        query = (
            select(products.c.handle, product_versions.c.title, product_versions.c.body)
            .join(products, products.c.id == product_versions.c.product_id)
            .where(products.c.seller_id == seller_id,
                   or_(product_versions.c.status == "pending", product_versions.c.id == products.c.live_version_id))
            .order_by(products.c.handle, product_versions.c.id)
        )
        with self.transaction(write=False) as conn:
            return [(h, t, b) for h, t, b in conn.execute(query)]

    def seller_versions(self, seller_id: str) -> dict[str, set[str]]:
        """Handle -> content hashes of the seller's live and pending versions (what "unchanged" compares to)."""
        query = (
            select(products.c.handle, product_versions.c.content_hash)
            .join(products, products.c.id == product_versions.c.product_id)
            .where(products.c.seller_id == seller_id, product_versions.c.content_hash.is_not(None),
                   or_(product_versions.c.status == "pending", product_versions.c.id == products.c.live_version_id))
        )
        out: dict[str, set[str]] = {}
        with self.transaction(write=False) as conn:
            for handle, digest in conn.execute(query):
                out.setdefault(handle, set()).add(digest)
        return out

    def live_product(self, seller_id: str, handle: str) -> Product | None:
        """The live version, with the variants' current offer (SKU, price, quantity) laid over it."""
        found = self._live_products(seller_id, handle)
        return found[0] if found else None

    def live_products(self, seller_id: str) -> list[Product]:
        """Every live product of the seller, by handle (what a bulk export lists)."""
        return self._live_products(seller_id, None)

    def _live_products(self, seller_id: str, handle: str | None) -> list[Product]:
        with self.transaction(write=False) as conn:
            return _live_products(conn, seller_id, handle)

    def product_id(self, seller_id: str, handle: str) -> int | None:
        with self.transaction(write=False) as conn:
            return conn.scalar(select(products.c.id).where(products.c.seller_id == seller_id,
                                                           products.c.handle == handle))

    def variant_owner(self, variant_id: int | str) -> tuple[str, int] | None:
        """(seller id, product id) of a stable variant id, or None when no such variant exists."""
        if isinstance(variant_id, str):
            if not variant_id.strip().isdigit():
                return None
            variant_id = int(variant_id)
        with self.transaction(write=False) as conn:
            row = conn.execute(select(variants.c.seller_id, variants.c.product_id)
                               .where(variants.c.id == variant_id)).first()
        return None if row is None else (row.seller_id, row.product_id)

    # ---- The bulk file ----------------------------------------------------

    def bulk_catalog(self, seller_id: str, named: Iterable[int], price_factor: Decimal) -> BulkCatalog:
        """What a bulk file is checked against, read now (a dry run: nothing is held)."""
        with self.transaction(write=False) as conn:
            staging.require_seller(conn, seller_id)
            return bulk.bulk_catalog(conn, seller_id, named, price_factor)

    @contextmanager
    def bulk_submit(self, seller_id: str) -> Iterator[BulkSubmit]:
        """One submit of a bulk file: the seller held, the catalog read and the edits applied in ONE transaction.

        A second submit for the same seller waits until this one commits, then reads what it wrote; an
        exception inside the block rolls back every edit.
        """
        with self.transaction() as conn:
            bulk.lock_seller(conn, seller_id)
            yield BulkSubmit(conn, seller_id)

    def held_price(self, item_id: int) -> tuple[int, Decimal | None, Decimal] | None:
        """(variant id, old price, new price) of a `price` moderation item, or None for any other item."""
        with self.transaction(write=False) as conn:
            row = conn.execute(select(moderation.c.variant_id, moderation.c.old_price, moderation.c.new_price)
                               .where(moderation.c.id == item_id, moderation.c.action == "price")).first()
        return None if row is None else (row.variant_id, row.old_price, row.new_price)

    def bulk_export(self, seller_id: str, since: date | None = None) -> list[ExportRow]:
        with self.transaction(write=False) as conn:
            staging.require_seller(conn, seller_id)
            return bulk.export_rows(conn, seller_id, since)


class BulkSubmit:
    """The open transaction of one bulk submit (see `Store.bulk_submit`)."""

    def __init__(self, conn: Connection, seller_id: str) -> None:
        self.conn = conn
        self.seller_id = seller_id

    def catalog(self, named: Iterable[int], price_factor: Decimal) -> BulkCatalog:
        return bulk.bulk_catalog(self.conn, self.seller_id, named, price_factor)

    def apply(self, run_id: int | None, edits: Sequence[BulkEdit], source: str,
              on_applied: bulk.AppliedHook | None = None) -> bulk.BulkApplied:
        return bulk.apply_edits(self.conn, self.seller_id, run_id, edits, source, _now(), on_applied)


def _crash(conn: Connection, run_id: int, owner: str | None, reason: str, now: datetime) -> bool:
    """Mark a running run crashed, if it still runs (and is still `owner`'s, when given)."""
    query = update(import_runs).where(import_runs.c.id == run_id, import_runs.c.status == "running")
    if owner is not None:
        query = query.where(import_runs.c.owner == owner)
    done = conn.execute(query.values(
        status="crashed", error=f"crashed: {reason}", finished_at=now, crashes=import_runs.c.crashes + 1,
        email_status="failed", email_error="the run crashed before its report was written: ingest the file again",
    ))
    return done.rowcount == 1

"""The catalog database: tables, column types and the versioned schema check.

The schema is created on first use and stamped with `SCHEMA_VERSION` in the
`schema_version` table. A database stamped with a newer version than this code
knows is refused rather than misread; an older one is brought up to date by the
steps in `MIGRATIONS`, in one transaction with the rest of `ensure_schema`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

from catalog.domain.errors import CatalogError

SCHEMA_VERSION = 2

# Any constant: serialises concurrent first-time schema creation on PostgreSQL.
_PG_SCHEMA_LOCK = 7_301_551_025


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite keeps no offset, so it is stored as naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store only takes timezone-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Money(TypeDecorator[Decimal]):
    """An exact decimal kept as text: SQLite has no decimal type and floats would round prices."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"expected a Decimal amount, got {type(value).__name__}")
        return str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


JsonType = JSON().with_variant(JSONB(), "postgresql")

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})


def _one_of(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)


RUN_KINDS = ("full", "bulk", "feed")
RUN_STATUSES = ("running", "done", "failed", "crashed")
REPORT_STATUSES = ("accepted", "partial", "rejected")
# skipped: nothing to tell the seller (a feed read whose products were all unchanged).
EMAIL_STATUSES = ("pending", "sent", "failed", "outbox", "skipped")
ACTIONS = ("create", "update", "unpublish", "price")  # price: a bulk price change held for review
STATUSES = ("pending", "approved", "rejected", "superseded")

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", UtcDateTime, nullable=False),
)

sellers = Table(
    "sellers", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(255), nullable=False, default=""),
    Column("email", String(320), nullable=False, default=""),
    Column("cc", JsonType, nullable=False),
    Column("vat_number", String(32), nullable=False, default=""),
    Column("default_shipping", String(255), nullable=False, default=""),
    Column("currency", String(3), nullable=False, default="EUR"),
    Column("fx_rates", JsonType, nullable=False),
    Column("price_rule", JsonType, nullable=True),
    Column("in_stock_default_qty", Integer, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

import_runs = Table(
    "import_runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("seller_id", String(64), ForeignKey("sellers.id"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("source", String(1024), nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("status", String(16), nullable=False, default="running"),
    Column("report_status", String(16), nullable=True),
    Column("report", JsonType, nullable=True),
    Column("report_dir", String(1024), nullable=True),
    Column("email_status", String(16), nullable=False, default="pending"),
    Column("email_error", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    # The process running it (`catalog.store.owners`), and when it last said it was alive.
    Column("owner", String(255), nullable=True),
    Column("heartbeat_at", UtcDateTime, nullable=True),
    Column("crashes", Integer, nullable=False, server_default="0"),  # times its process died (a re-ingest resumes it)
    _one_of("kind", RUN_KINDS),
    _one_of("status", RUN_STATUSES),
    _one_of("report_status", REPORT_STATUSES),
    _one_of("email_status", EMAIL_STATUSES),
    Index(None, "seller_id", "checksum"),
    Index(None, "email_status"),
    Index(None, "status"),
)

products = Table(
    "products", metadata,
    Column("id", Integer, primary_key=True),
    Column("seller_id", String(64), ForeignKey("sellers.id"), nullable=False),
    Column("handle", String(255), nullable=False),
    # use_alter: products and product_versions point at each other.
    Column("live_version_id", Integer, ForeignKey("product_versions.id", use_alter=True), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("seller_id", "handle"),
)

product_versions = Table(
    "product_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("payload", JsonType, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("import_run_id", Integer, ForeignKey("import_runs.id"), nullable=True),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Of the product as the seller sent it (catalog.domain.serialize.content_hash): a re-sent product equal
    # to its live or pending version is recognised without being checked again.
    Column("content_hash", String(64), nullable=True),
    UniqueConstraint("product_id", "number"),
    _one_of("status", STATUSES),
    Index(None, "status"),
)

variants = Table(
    "variants", metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("seller_id", String(64), ForeignKey("sellers.id"), nullable=False),
    Column("sku", String(255), nullable=False, default=""),
    Column("options", JsonType, nullable=False),
    Column("position", Integer, nullable=False),
    Column("is_live", Boolean, nullable=False, default=False),
    Column("live_sku", String(255), nullable=True),
    Column("live_price", Money, nullable=True),
    Column("live_qty", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "product_id"),
    Index(None, "seller_id", "sku"),
    Index(None, "seller_id", "live_sku"),
)

# Which variants (by stable id) each version holds, and their SKUs: the per-seller SKU index.
version_variants = Table(
    "version_variants", metadata,
    Column("version_id", Integer, ForeignKey("product_versions.id"), nullable=False),
    Column("variant_id", Integer, ForeignKey("variants.id"), nullable=False),
    Column("seller_id", String(64), ForeignKey("sellers.id"), nullable=False),
    Column("sku", String(255), nullable=False),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("version_id", "variant_id"),
    Index(None, "seller_id", "sku"),
)

moderation = Table(
    "moderation", metadata,
    Column("id", Integer, primary_key=True),
    Column("seller_id", String(64), ForeignKey("sellers.id"), nullable=False),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("version_id", Integer, ForeignKey("product_versions.id"), nullable=True),
    Column("import_run_id", Integer, ForeignKey("import_runs.id"), nullable=True),
    Column("action", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("decided_by", String(255), nullable=True),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("source", String(1024), nullable=False),
    # A `price` item (a bulk price change held for review) is about one variant: its old and new price.
    Column("variant_id", Integer, ForeignKey("variants.id"), nullable=True),
    Column("old_price", Money, nullable=True),
    Column("new_price", Money, nullable=True),
    _one_of("action", ACTIONS),
    _one_of("status", STATUSES),
    CheckConstraint("(action = 'price') = (variant_id IS NOT NULL AND new_price IS NOT NULL)", name="price_item"),
    Index(None, "seller_id", "status"),
    Index(None, "status"),
)

_PENDING = moderation.c.status == "pending"
_PRICE = moderation.c.action == "price"

# A product never has two pending listing items, nor a variant two pending prices: enforced by the
# database, not only by the staging code. A held price waits beside a listing item of the same product.
Index(
    "uq_moderation_one_pending_per_product", moderation.c.product_id, unique=True,
    sqlite_where=_PENDING & ~_PRICE, postgresql_where=_PENDING & ~_PRICE,
)
Index(
    "uq_moderation_one_pending_price_per_variant", moderation.c.variant_id, unique=True,
    sqlite_where=_PENDING & _PRICE, postgresql_where=_PENDING & _PRICE,
)
# A run stages a product once per action (a re-run reuses it), and holds a variant's price once.
Index(
    "uq_moderation_import_run_id_product_id_action", moderation.c.import_run_id, moderation.c.product_id,
    moderation.c.action, unique=True, sqlite_where=~_PRICE, postgresql_where=~_PRICE,
)
Index(
    "uq_moderation_import_run_id_variant_id", moderation.c.import_run_id, moderation.c.variant_id, unique=True,
    sqlite_where=_PRICE, postgresql_where=_PRICE,
)

# What the image checks remember per URL (see `catalog.net.image_cache`): the inspection of the bytes
# (format and pixel size, or the fault), their byte count, the server's validators and when. Keyed by the
# URL's SHA-256, since URLs can outgrow what an index holds. Not tied to a seller: the same URL is the same
# image for everyone.
IMAGE_FAULTS = ("image.format", "image.corrupt")

image_checks = Table(
    "image_checks", metadata,
    Column("url_key", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("format", String(16), nullable=True),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("fault", String(32), nullable=True),
    Column("fault_params", JsonType, nullable=True),
    Column("etag", String(1024), nullable=True),
    Column("last_modified", String(64), nullable=True),
    Column("size", Integer, nullable=False),
    Column("checked_at", UtcDateTime, nullable=False),
    _one_of("fault", IMAGE_FAULTS),
    CheckConstraint("(format IS NULL) <> (fault IS NULL)", name="format_or_fault"),
)

FEED_OUTCOMES = ("unchanged", "changed", "held", "failed")

# The seller's registered feeds, and what the last refresh of each found.
feeds = Table(
    "feeds", metadata,
    Column("id", Integer, primary_key=True),
    Column("seller_id", String(64), ForeignKey("sellers.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("url", String(2048), nullable=False),
    Column("etag", String(1024), nullable=True),
    Column("last_modified", String(128), nullable=True),
    Column("content_hash", String(64), nullable=True),
    Column("last_fetch_at", UtcDateTime, nullable=True),
    Column("last_good_at", UtcDateTime, nullable=True),
    Column("last_outcome", String(16), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_run_id", Integer, ForeignKey("import_runs.id"), nullable=True),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    # A refresh in progress holds the feed until then; a crashed one lets go when the time passes.
    Column("lease_until", UtcDateTime, nullable=True),
    Column("lease_owner", String(64), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("seller_id", "name"),
    _one_of("last_outcome", FEED_OUTCOMES),
)

# The products a feed holds (those its last good read listed, plus removals still held).
feed_products = Table(
    "feed_products", metadata,
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    PrimaryKeyConstraint("feed_id", "product_id"),
    Index(None, "product_id"),
)

def _add_column(conn: Connection, table: Table, name: str) -> None:
    column = table.c[name]
    kind = column.type.compile(dialect=conn.dialect)
    conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN {name} {kind}')


def _widen_check(conn: Connection, table: Table, column: str, old: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Let `column` take the values `new` (a superset of `old`): existing rows already satisfy it.

    PostgreSQL replaces the named constraint. SQLite cannot alter a constraint; its documented way to relax
    one in place is to rewrite the table's stored definition (sqlite.org/lang_altertable.html, "Making
    other kinds of table schema changes"), which is safe here because no stored row can violate it.
    """
    name = f"ck_{table.name}_{column}"
    listed = ", ".join(f"'{v}'" for v in new)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ALTER TABLE {table.name} DROP CONSTRAINT {name}")
        conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD CONSTRAINT {name} CHECK ({column} IN ({listed}))")
        return
    before = f"{column} IN ({', '.join(repr(v) for v in old)})"
    sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                               (table.name,)).scalar_one()
    if before not in sql:
        raise CatalogError(f"cannot migrate table {table.name}: its check on {column} is not the expected one")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (sql.replace(before, f"{column} IN ({listed})"), table.name))
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")


_V1_MODERATION_INDEXES = ("uq_moderation_one_pending_per_product", "ix_moderation_seller_id_status",
                          "ix_moderation_status")
_V2_MODERATION_INDEXES = ("uq_moderation_one_pending_per_product", "uq_moderation_one_pending_price_per_variant",
                          "uq_moderation_import_run_id_product_id_action", "uq_moderation_import_run_id_variant_id")


def _moderation_to_version_2(conn: Connection) -> None:
    """Held bulk prices: the `price` action, its variant and prices, and uniqueness rules that set them apart.

    SQLite cannot drop a table's UNIQUE constraint: the table is rebuilt (nothing references it) and its
    rows copied. PostgreSQL alters it in place.
    """
    if conn.dialect.name == "sqlite":
        for name in _V1_MODERATION_INDEXES:
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        conn.exec_driver_sql("ALTER TABLE moderation RENAME TO moderation_v1")
        moderation.create(conn)
        kept = ", ".join(c.name for c in moderation.c if c.name not in ("variant_id", "old_price", "new_price"))
        conn.exec_driver_sql(f"INSERT INTO moderation ({kept}) SELECT {kept} FROM moderation_v1")
        conn.exec_driver_sql("DROP TABLE moderation_v1")
        return
    conn.exec_driver_sql("ALTER TABLE moderation ADD COLUMN variant_id INTEGER "
                         "CONSTRAINT fk_moderation_variant_id_variants REFERENCES variants (id)")
    for name in ("old_price", "new_price"):
        _add_column(conn, moderation, name)
    _widen_check(conn, moderation, "action", ("create", "update", "unpublish"), ACTIONS)
    price_item = next(c for c in moderation.constraints
                      if isinstance(c, CheckConstraint) and "variant_id IS NOT NULL" in str(c.sqltext))
    conn.exec_driver_sql(f"ALTER TABLE moderation ADD CONSTRAINT ck_moderation_price_item CHECK ({price_item.sqltext})")
    conn.exec_driver_sql("ALTER TABLE moderation DROP CONSTRAINT uq_moderation_import_run_id_product_id_action")
    conn.exec_driver_sql("DROP INDEX uq_moderation_one_pending_per_product")
    for index in moderation.indexes:
        if index.name in _V2_MODERATION_INDEXES:
            index.create(conn)


def _to_version_2(conn: Connection) -> None:
    """Feeds and their refresh; image checks remembered; content hashes of versions; runs with nothing to
    email; bulk prices held for review."""
    metadata.create_all(conn, tables=[feeds, feed_products, image_checks], checkfirst=True)
    _add_column(conn, product_versions, "content_hash")
    _widen_check(conn, import_runs, "email_status", ("pending", "sent", "failed", "outbox"), EMAIL_STATUSES)
    _moderation_to_version_2(conn)
    # Runs whose process died: who runs each, its heartbeat, its crashes.
    _add_column(conn, import_runs, "owner")
    _add_column(conn, import_runs, "heartbeat_at")
    conn.exec_driver_sql("ALTER TABLE import_runs ADD COLUMN crashes INTEGER NOT NULL DEFAULT 0")
    _widen_check(conn, import_runs, "status", ("running", "done", "failed"), RUN_STATUSES)
    conn.exec_driver_sql("CREATE INDEX ix_import_runs_status ON import_runs (status)")


MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _to_version_2}


def ensure_schema(conn: Connection) -> int:
    """Create the tables on first use, migrate an older schema, refuse a newer one; return the version."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_PG_SCHEMA_LOCK)))
    inspector = inspect(conn)
    if not inspector.has_table("schema_version"):
        if inspector.has_table("products"):
            raise CatalogError("database holds catalog tables but no schema_version table: refusing to use it")
        metadata.create_all(conn)
        conn.execute(insert(schema_version).values(version=SCHEMA_VERSION, applied_at=datetime.now(UTC)))
        return SCHEMA_VERSION
    found: Any = conn.scalar(select(func.max(schema_version.c.version)))
    if found is None:
        raise CatalogError("database schema_version table is empty: refusing to use it")
    if found > SCHEMA_VERSION:
        raise CatalogError(
            f"database schema version {found} is newer than this program knows ({SCHEMA_VERSION}): "
            "upgrade the catalog package"
        )
    for version in range(found + 1, SCHEMA_VERSION + 1):
        step = MIGRATIONS.get(version)
        if step is None:
            raise CatalogError(f"no migration from database schema version {version - 1} to {version}")
        step(conn)
        conn.execute(insert(schema_version).values(version=version, applied_at=datetime.now(UTC)))
    return SCHEMA_VERSION


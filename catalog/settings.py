"""Settings from `CATALOG_*` environment variables, also read from a `.env` file."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from catalog.domain.errors import CatalogError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CatalogError(f"{name}={raw!r}: expected true or false")


def _number(name: str, default: float, kind: type = int) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise CatalogError(f"{name}={raw!r}: expected a number") from None
    if value <= 0:
        raise CatalogError(f"{name}={raw!r}: expected a positive number")
    return value


def _bounded(name: str, default: float, *, low: float, high: float, expected: str) -> float:
    """A number between `low` and `high` (both allowed); `expected` says what it is in the error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise CatalogError(f"{name}={raw!r}: expected {expected}") from None
    if not low <= value <= high:  # also refuses nan
        raise CatalogError(f"{name}={raw!r}: expected {expected}")
    return value


def _days(name: str, default: float) -> float:
    """A number of days, zero allowed."""
    return _bounded(name, default, low=0, high=sys.float_info.max, expected="a number of days, 0 or more")


def _share(name: str, default: float) -> float:
    return _bounded(name, default, low=0, high=1, expected="a share between 0 and 1, e.g. 0.3")


def _factor(name: str, default: float) -> float:
    """A multiplier above 1 (a price change factor of 1 or less would hold every change)."""
    value = float(_number(name, default, float))
    if value <= 1:
        raise CatalogError(f"{name}={os.environ[name]!r}: expected a number above 1")
    return value


def _str(name: str) -> str | None:
    raw = os.environ.get(name)
    return raw.strip() if raw and raw.strip() else None


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    db_url: str
    taxonomy: Path | None
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_starttls: bool
    mail_from: str
    ops_email: str | None
    allow_private_networks: bool
    ca_bundle: Path | None
    http_concurrency: int
    http_timeout: float
    max_file_bytes: int
    max_image_bytes: int
    max_feed_bytes: int = 1024 * 1024 * 1024
    feed_timeout: float = 300.0
    # Days a good image's check is trusted before it is asked again (a conditional request); 0: every run.
    image_recheck_days: float = 7.0
    feed_removal_share: float = 0.3
    refresh_concurrency: int = 8
    feed_retry_delay: float = 60.0
    price_change_factor: float = 3.0

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Read the settings; a `.env` file fills what the environment does not set."""
    if env_file and Path(env_file).is_file():
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)
    data_dir = Path(_str("CATALOG_DATA_DIR") or "./var")
    taxonomy = _str("CATALOG_TAXONOMY")
    ca_bundle = _str("CATALOG_CA_BUNDLE")
    if ca_bundle and not Path(ca_bundle).is_file():
        raise CatalogError(f"CATALOG_CA_BUNDLE={ca_bundle}: no such file")
    return Settings(
        data_dir=data_dir,
        db_url=_str("CATALOG_DB_URL") or f"sqlite:///{(data_dir / 'catalog.db').as_posix()}",
        taxonomy=Path(taxonomy) if taxonomy else None,
        smtp_host=_str("CATALOG_SMTP_HOST"),
        smtp_port=int(_number("CATALOG_SMTP_PORT", 25)),
        smtp_user=_str("CATALOG_SMTP_USER"),
        smtp_password=os.environ.get("CATALOG_SMTP_PASSWORD") or None,
        smtp_starttls=_bool("CATALOG_SMTP_STARTTLS", False),
        mail_from=_str("CATALOG_MAIL_FROM") or "catalogue@localhost",
        ops_email=_str("CATALOG_OPS_EMAIL"),
        allow_private_networks=_bool("CATALOG_ALLOW_PRIVATE_NETWORKS", False),
        ca_bundle=Path(ca_bundle) if ca_bundle else None,
        http_concurrency=int(_number("CATALOG_HTTP_CONCURRENCY", 32)),
        http_timeout=float(_number("CATALOG_HTTP_TIMEOUT", 10.0, float)),
        max_file_bytes=int(_number("CATALOG_MAX_FILE_BYTES", 20 * 1024 * 1024)),
        max_image_bytes=int(_number("CATALOG_MAX_IMAGE_BYTES", 2 * 1000 * 1000)),
        max_feed_bytes=int(_number("CATALOG_MAX_FEED_BYTES", 1024 * 1024 * 1024)),
        feed_timeout=float(_number("CATALOG_FEED_TIMEOUT", 300.0, float)),
        image_recheck_days=_days("CATALOG_IMAGE_RECHECK_DAYS", 7.0),
        feed_removal_share=_share("CATALOG_FEED_REMOVAL_SHARE", 0.3),
        refresh_concurrency=int(_number("CATALOG_REFRESH_CONCURRENCY", 8)),
        feed_retry_delay=float(_number("CATALOG_FEED_RETRY_DELAY", 60.0, float)),
        price_change_factor=_factor("CATALOG_PRICE_CHANGE_FACTOR", 3.0),
    )

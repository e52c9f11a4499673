"""Why a download failed: a value the checks report and the fetchers produce."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from catalog.domain.issues import Text


class Reason(StrEnum):
    """Why a fetch failed; stable machine values for callers and logs."""

    BLOCKED_ADDRESS = "blocked_address"
    INVALID_URL = "invalid_url"
    NOT_HTTPS = "not_https"
    DNS = "dns"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    TLS = "tls"
    CONNECTION = "connection"
    HTTP_STATUS = "http_status"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    TOO_LARGE = "too_large"


@dataclass(frozen=True, slots=True)
class FetchFailure:
    reason: Reason
    message: Text
    url: str
    host: str | None = None
    status: int | None = None
    detail: str = ""

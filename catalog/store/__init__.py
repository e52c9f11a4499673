"""The catalog database: seller registry, import runs, product versions and the moderation queue."""

from catalog.store.core import HEARTBEAT, RUN_LEASE, Store, make_engine
from catalog.store.feeds import Feed, FeedError, FeedRead, HeldProduct
from catalog.store.records import ModerationError, ModerationItem, Run, UnknownSellerError
from catalog.store.schema import SCHEMA_VERSION

__all__ = ["HEARTBEAT", "RUN_LEASE", "SCHEMA_VERSION", "Feed", "FeedError", "FeedRead", "HeldProduct",
           "ModerationError", "ModerationItem", "Run", "Store", "UnknownSellerError", "make_engine"]

"""The product taxonomy: loading, assignable collections, Type checks and suggestions."""

from taxonomy.loader import default_taxonomy, load_taxonomy, resolve_taxonomy_path
from taxonomy.suggest import SearchHit, TypeVerdict, check_type, prepare, search, suggest_collections, type_issue
from taxonomy.tree import Node, Taxonomy

__all__ = [
    "Node",
    "SearchHit",
    "Taxonomy",
    "TypeVerdict",
    "check_type",
    "default_taxonomy",
    "load_taxonomy",
    "prepare",
    "resolve_taxonomy_path",
    "search",
    "suggest_collections",
    "type_issue",
]

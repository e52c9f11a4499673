"""The product taxonomy: reading it, assignable collections, Type verdicts, suggestions; a leaf of the project."""

from taxonomy.loader import load_taxonomy
from taxonomy.suggest import SearchHit, TypeVerdict, check_type, prepare, search, suggest_collections
from taxonomy.tree import Node, Taxonomy, TaxonomyError

__all__ = [
    "Node",
    "SearchHit",
    "Taxonomy",
    "TaxonomyError",
    "TypeVerdict",
    "check_type",
    "load_taxonomy",
    "prepare",
    "search",
    "suggest_collections",
]

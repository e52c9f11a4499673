"""The product taxonomy: loading, assignable collections, suggestions."""

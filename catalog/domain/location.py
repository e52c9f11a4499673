"""Where a finding is, whatever the input: one small value for every issue.

A full or bulk CSV names a spreadsheet row (header = row 1) and a column; a
feed names the item's `g:id` and the feed field (`g:price`, `description`).
A file-level finding has no row and no item.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    row: int | None = None
    column: str | None = None
    item: str | None = None

    def with_column(self, column: str | None) -> Location:
        return Location(self.row, column, self.item)

    def place(self) -> tuple[str, str]:
        """The row or item, as a seller reads it: (`ligne 5`, `row 5`) or (`article « 42 »`, `item "42"`)."""
        if self.row is not None or self.item is None:
            return f"ligne {self.row}", f"row {self.row}"
        return f"article « {self.item} »", f"item \"{self.item}\""


NOWHERE = Location()

"""The issue log keeps a run's issues in order, in bounded memory: past its limit they wait on disk."""

from __future__ import annotations

import pickle

from catalog.domain.issue_log import IssueLog
from catalog.domain.location import Location
from catalog.domain.rules import issue


def issues(n: int) -> list:
    return [issue("sku.missing", at=Location(item=f"i-{k}", column="g:id"), product=f"p-{k}") for k in range(n)]


def test_spills_past_its_limit_and_gives_everything_back_in_order() -> None:
    found = issues(5_000)
    log = IssueLog(in_memory=100)
    log += found[:2_500]
    log.extend(found[2_500:])
    assert log.spilled and len(log) == 5_000
    assert [i.item for i in log] == [i.item for i in found]
    assert [i.item for i in log] == [i.item for i in found]  # iterating twice reads the file again
    assert list(log)[4_321].message == found[4_321].message


def test_small_log_stays_in_memory_and_pickles_as_its_issues() -> None:
    log = IssueLog(issues(3))
    assert not log.spilled and bool(log) and not IssueLog()
    big = IssueLog(issues(3_000), in_memory=10)
    again = pickle.loads(pickle.dumps(big))
    assert [i.item for i in again] == [i.item for i in big] and len(again) == 3_000

"""cds.heap: the long-lived heap is frozen once start-up is done, and freezing again keeps nothing
that has become garbage since."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from cds.heap import freeze_long_lived


@pytest.fixture(autouse=True)
def _unfrozen_afterwards() -> Iterator[None]:
    yield
    gc.unfreeze()


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector can free it


def test_what_lives_at_start_up_is_frozen() -> None:
    assert freeze_long_lived() > 1000
    assert gc.get_freeze_count() > 1000


def test_a_second_freeze_collects_what_the_first_froze_and_is_now_garbage() -> None:
    node = _Node()
    alive = weakref.ref(node)
    freeze_long_lived()
    del node
    gc.collect()
    assert alive() is not None  # frozen: the collector does not look at it
    freeze_long_lived()
    assert alive() is None

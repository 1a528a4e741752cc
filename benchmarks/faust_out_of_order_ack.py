"""Why newswire acknowledges each partition's messages in order: Faust commits past one still in hand.

    python benchmarks/faust_out_of_order_ack.py      # no broker needed; prints what Faust would commit

faust-streaming 0.15.3 turns acknowledgements into the offset it commits in `Consumer._new_offset`
(`faust/transport/consumer.py`): it sorts the acknowledged offsets and commits up to the end of their
first consecutive run. It guards the head of that run only with

    if committed_offset:
        if min(acked) - committed_offset > 1:
            return None

where `committed_offset` is the partition's last committed position, the offset of the next message to
process. So:

1. With position 10 committed, message 10 in hand and 11 and 12 acknowledged, it commits 13: the guard
   lets `min(acked) == committed + 1` through (off by one). A stop now (SIGTERM, a rebalance's revocation,
   kill -9 after the commit) and message 10 is never read again.
2. Before a partition's first commit by this consumer (just assigned, or position 0, which is falsy) the
   guard is skipped altogether: 101 and 102 acknowledged while 100 is in hand commits 103.

A stream that acknowledges out of order, such as the fetcher's (a slow host's page in hand while other
hosts' pages finish), loses a message at a hand-over this way: the one article in 31 that
`tests/integration/test_fetcher_resilience.py` saw lost after a SIGTERM. `ServiceRuntime.
consume_concurrently` now acknowledges in partition order. The script calls Faust's own method on the
three bookkeeping maps it reads, so it shows the installed version's behaviour, fixed or not.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from faust.transport.consumer import Consumer
from faust.types import TP
from intervaltree import IntervalTree

PARTITION = TP("fetcher.urls", 0)


def commit_after(committed: int | None, acked: list[int]) -> int | None:
    """The offset Faust would commit for `PARTITION` given its last committed position and the offsets
    acknowledged since (None: nothing to commit)."""
    bookkeeping: Any = SimpleNamespace(
        _acked=defaultdict(list, {PARTITION: sorted(acked)}),
        _acked_index=defaultdict(set, {PARTITION: set(acked)}),
        _gap=defaultdict(IntervalTree),
        _committed_offset=defaultdict(lambda: None, {PARTITION: committed}),
    )
    result: int | None = Consumer._new_offset(bookkeeping, PARTITION)
    return result


def main() -> int:
    cases = [
        ("committed 10; 10 in hand; 11, 12 acknowledged", 10, [11, 12], None),
        ("no commit yet; 100 in hand; 101, 102 acknowledged", None, [101, 102], None),
        ("committed 0; 0 in hand; 1, 2 acknowledged", 0, [1, 2], None),
        ("committed 10; 10, 11 acknowledged (in order)", 10, [10, 11], 12),
    ]
    unsafe = 0
    for label, committed, acked, safe in cases:
        offset = commit_after(committed, acked)
        verdict = "ok" if offset == safe else f"UNSAFE (a safe commit is {safe})"
        unsafe += offset != safe
        print(f"{label}: Faust commits {offset}  {verdict}")
    print(f"faust out-of-order acks: {unsafe} of {len(cases)} cases commit past a message still in hand")
    return 0


if __name__ == "__main__":
    sys.exit(main())

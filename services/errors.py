"""One error tree, so that whoever catches a newswire error can ask it one question: will trying again help?

Every exception class newswire defines is a `PermanentError` or a `RetryableError`, under the root
`NewswireError`. Some keep the builtin they were born under as a second base, so that no `except ValueError`
(or RuntimeError, OSError) catches less than it did. A class under neither branch only groups others and
cannot be raised itself: `except FetchError` catches a failed fetch of either kind, and the kind says
whether to try again. tests/unit/project/test_errors.py fails when the code and this drawing of it part ways:

    NewswireError                  newswire.errors
    ├── PermanentError             newswire.errors
    │   ├── BlockedAddress         newswire.fetcher.ssrf
    │   ├── BrokerError            newswire.devtools.broker   also a RuntimeError
    │   ├── CheckFailed            newswire.fetcher.cli
    │   ├── CleaningError          newswire.cleaner.extract   also a ValueError
    │   ├── DeadLetterRateExceeded newswire.common.dlq        also a RuntimeError
    │   ├── FeedError              newswire.fetcher.feeds
    │   ├── FeedsFileError         newswire.fetcher.feedsfile also a ValueError
    │   ├── PermanentFetchError    newswire.fetcher.errors    also a FetchError
    │   ├── PoisonMessage          newswire.common.serde      also a ValueError
    │   └── Unprocessable          newswire.errors
    ├── RetryableError             newswire.errors
    │   ├── PartitionFenced        newswire.common.transactions
    │   ├── RetryableFetchError    newswire.fetcher.errors    also a FetchError
    │   ├── RobotsFetchFailed      newswire.fetcher.robots
    │   └── UnresolvableHost       newswire.fetcher.ssrf      also an OSError
    └── FetchError                 newswire.fetcher.errors    groups the two fetch errors; never raised itself
        ├── PermanentFetchError    newswire.fetcher.errors    also a PermanentError
        └── RetryableFetchError    newswire.fetcher.errors    also a RetryableError
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Self


class NewswireError(Exception):
    """The root: `except NewswireError` catches what newswire raises, and nothing a library raised."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        # An error that is neither permanent nor retryable would leave its catcher guessing.
        if not issubclass(cls, PermanentError | RetryableError):
            raise TypeError(f"{cls.__name__} only groups errors: raise a PermanentError or a RetryableError")
        return super().__new__(cls, *args, **kwargs)


class PermanentError(NewswireError):
    """Trying again cannot help: the same input fails the same way, so it is dead-lettered or refused, with
    its reason, and the stream goes on."""


class RetryableError(NewswireError):
    """The broker, the network or a remote host may recover: back off and try again."""


class Unprocessable(PermanentError):
    """A consumed message that no retry will get through: raised (or, from a batch, returned) by a handler,
    so that the consume path in `ServiceRuntime` alone dead-letters and counts it, and the stream goes on.

    The dead-letter record names `stage` and `cause`, the error underneath (its class and message, not
    this wrapper's), and `attempts`. A fetch may fail for a reason that is retryable in general, yet be
    given up on for this message once its retries are spent: what is unprocessable is the message.
    `then` is what the handler still owes the message once its record is on the broker (the fetcher marks
    a failed page seen only then, so that a crash in between repeats the record rather than losing it).
    """

    def __init__(
        self,
        stage: str,
        cause: BaseException,
        *,
        attempts: int = 1,
        then: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(f"{stage}: {type(cause).__name__}: {cause}")
        self.stage = stage
        self.cause = cause
        self.attempts = attempts
        self.then = then

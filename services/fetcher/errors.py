"""The fetch errors: what the HTTP client raises, and the poller and the page stage catch, split by
whether trying again later could help (see `newswire.errors` for the whole tree)."""

from __future__ import annotations

from ..errors import NewswireError, PermanentError, RetryableError


class FetchError(NewswireError):
    """A page or feed we could not have. Only its two kinds are raised, so `except FetchError` catches both
    and the kind (or `permanent`) says whether trying again later could help.

    `stage` names the step for a dead-letter record; the feed poller, whose one poll fetches, parses and
    may look for the feed a page advertises, sets it ("feed-parse", "feed-discovery").
    """

    def __init__(
        self,
        reason: str,
        status: int | None = None,
        *,
        url: str | None = None,
        retry_after: float | None = None,
        retries: int = 0,
        stage: str = "fetch",
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.url = url
        self.retry_after = retry_after
        self.retries = retries
        self.stage = stage

    @property
    def permanent(self) -> bool:
        return isinstance(self, PermanentError)

    @property
    def category(self) -> str:
        """A bounded label for metrics and DLQ grouping ("HTTP 404", "blocked address", "too large")."""
        return self.reason.split(":")[0][:60]


class PermanentFetchError(FetchError, PermanentError):
    """The same request would fail the same way: a 404, a blocked address, a page that is not HTML."""


class RetryableFetchError(FetchError, RetryableError):
    """The host or the network may recover: a timeout, a 503, a DNS failure. Raised inside one request's
    retries too, where it means "try again after back-off"."""

"""One error per way an external call fails. Messages name the service and what happened, never
a credential."""

from __future__ import annotations


class ExternalError(Exception):
    """An external service call failed. `service` is "openai", "slack" or "sheets"."""

    def __init__(self, service: str, message: str) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        self.message = message


class ExternalUnavailable(ExternalError):
    """Out of reach: a timeout, a connection error, or 5xx answers until the retries ran out.
    `retryable` is False for a timeout: the call's time budget is spent, so it is not retried."""

    def __init__(self, service: str, message: str, *, retryable: bool = True) -> None:
        super().__init__(service, message)
        self.retryable = retryable


class ExternalRejected(ExternalError):
    """The service refused the request (a 4xx other than 429, Slack's `ok: false`) or answered
    with something the facade cannot read. `reason` is the service's error code
    (`channel_not_found`, `invalid_api_key`, `http_404`, `malformed_answer`); `field` names the
    offending field path of a malformed structured answer (`$.items[0].count`)."""

    def __init__(
        self, service: str, message: str, *, reason: str, status: int | None = None, field: str | None = None
    ) -> None:
        super().__init__(service, message)
        self.reason = reason
        self.status = status
        self.field = field


class ExternalRateLimited(ExternalError):
    """429 (or Slack's `ratelimited`) until the retries ran out, or a Retry-After longer than
    the retry policy waits. `retry_after` is the server's last Retry-After in seconds, if any."""

    def __init__(self, service: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(service, message)
        self.retry_after = retry_after

"""What the soak checks in every answer and across the run, kept apart from the load so that each
check can be shown to fail (tools/soak/checks_test.py).

- Tenant leaks: every tenant's data carries a marker of its own (in its organization's name, its
  users' emails and names, its notes). An answer given to one tenant that holds another tenant's
  marker, or one of its organization or user ids, is a leak; an answer to an anonymous caller
  may hold no marker at all.
- Statuses: no 5xx and no transport error outside the outage window; inside it, a 5xx is a 503
  `unavailable` and nothing else. The window runs from the moment PostgreSQL is told to stop
  until a grace period after it accepts connections again (the pools reconnect within about a
  second; PgBouncer retries its server login every `server_login_retry`).
- Growth: the workers' resident memory and the server's connection count at the end of the run
  against a baseline taken after a warm-up, within a stated tolerance.
"""

from __future__ import annotations

import re
import secrets
import statistics
from collections import Counter
from dataclasses import dataclass, field

MARKER_PATTERN = re.compile(r"soakmark[0-9]{2}x[0-9a-f]{10}")
_ID_PATTERN = re.compile(r"\b(?:org|usr)_[0-9a-hjkmnp-tv-z]{26}\b")


def new_marker(tenant: int) -> str:
    """A marker no other marker contains (fixed length, random part): `soakmark03x1f2e...`."""
    return f"soakmark{tenant:02d}x{secrets.token_hex(5)}"


@dataclass
class Tenant:
    index: int
    marker: str
    org_id: str = ""
    user_ids: list[str] = field(default_factory=list)

    @property
    def ids(self) -> set[str]:
        return {self.org_id, *self.user_ids} - {""}


@dataclass(frozen=True)
class Leak:
    route: str
    tenant: int | None  # the caller's tenant, None for an anonymous caller
    found: str  # the foreign marker or id
    excerpt: str


class LeakChecker:
    """Finds other tenants' markers and ids in an answer's body."""

    def __init__(self, tenants: list[Tenant]) -> None:
        self._owner_of: dict[str, int] = {}
        for tenant in tenants:
            self._owner_of[tenant.marker] = tenant.index
            for known in tenant.ids:
                self._owner_of[known] = tenant.index

    def leaks(self, route: str, tenant: int | None, body: str) -> list[Leak]:
        found: list[Leak] = []
        for pattern in (MARKER_PATTERN, _ID_PATTERN):
            for match in pattern.finditer(body):
                owner = self._owner_of.get(match.group(0))
                if match.re is MARKER_PATTERN and owner is None:
                    owner = -1  # a marker of no tenant we made: as foreign as any
                if owner is not None and owner != tenant:
                    start = max(0, match.start() - 60)
                    found.append(Leak(route, tenant, match.group(0), body[start : match.end() + 60]))
        return found


@dataclass(frozen=True)
class Window:
    """The outage: from the stop's start to `grace` seconds after the server is back."""

    start: float
    end: float

    def covers(self, sent: float, answered: float) -> bool:
        return sent <= self.end and answered >= self.start


@dataclass
class Tally:
    """Every answer, classified; `problems` are what fails the run."""

    requests: Counter[str] = field(default_factory=Counter)  # by route
    kinds: Counter[str] = field(default_factory=Counter)  # by outcome: "200", "4xx invalid_input", ...
    problems: list[str] = field(default_factory=list)
    leaks: list[Leak] = field(default_factory=list)
    outage_503: int = 0

    def record(
        self,
        route: str,
        *,
        sent: float,
        answered: float,
        status: int | None,
        code: str | None,
        window: Window | None,
        expect_4xx: bool = False,
        transport_error: str | None = None,
    ) -> None:
        """`status` None with `transport_error`: no answer at all (reset, timeout)."""
        self.requests[route] += 1
        in_outage = window is not None and window.covers(sent, answered)
        if status is None:
            kind = f"transport {transport_error}"
            self.kinds[kind + (" (outage)" if in_outage else "")] += 1
            if not in_outage:
                self._problem(f"{route}: {kind} outside the outage window")
            return
        label = str(status) if status < 400 else f"{status // 100}xx {code or '?'}"
        if status >= 500:
            if in_outage and status == 503 and code == "unavailable":
                self.outage_503 += 1
                self.kinds[f"{label} (outage)"] += 1
                return
            self.kinds[label + (" (outage)" if in_outage else "")] += 1
            self._problem(f"{route}: {status} {code}" + (" during the outage" if in_outage else " outside the outage"))
            return
        self.kinds[label] += 1
        if expect_4xx and status < 400:
            self._problem(f"{route}: invalid input answered {status}")

    def record_leaks(self, leaks: list[Leak]) -> None:
        self.leaks.extend(leaks)
        for leak in leaks:
            self._problem(f"{leak.route}: tenant {leak.tenant} saw {leak.found}: …{leak.excerpt}…")

    def _problem(self, text: str) -> None:
        if len(self.problems) < 200:  # bounded: a broken run says enough with the first ones
            self.problems.append(text)


@dataclass(frozen=True)
class Growth:
    what: str
    start: float
    end: float
    allowed: float

    @property
    def ok(self) -> bool:
        return self.end <= self.allowed


def growth(what: str, baseline: list[float], final: list[float], *, ratio: float, slack: float) -> Growth:
    """The medians of the baseline and final samples; the end may exceed the start by `ratio`
    (0.25: a quarter) plus `slack` (absolute) before it counts as growth."""
    start = statistics.median(baseline)
    end = statistics.median(final)
    return Growth(what, start, end, start * (1 + ratio) + slack)

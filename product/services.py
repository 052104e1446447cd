"""What the product's handlers need besides the request: reached as `req.services` (typed by the
aliases in product/rpc.py).

The database is not among them on purpose: a handler reaches it only through `req.db`, the
request's one connection, so it cannot take a second one from the pool."""

from __future__ import annotations

from dataclasses import dataclass, field

from database.outbox import Doorbell
from foundation.crypto import purpose_key
from foundation.external.openai import OpenAIClient
from foundation.external.settings import load_external_settings
from foundation.mail import Mailer, mailer_for
from foundation.passwords import PasswordHasher
from foundation.settings import Settings
from foundation.time import Clock, system_clock


@dataclass
class ProductServices:
    settings: Settings
    clock: Clock
    hasher: PasswordHasher
    mailer: Mailer  # used by the outbox worker only: handlers send mail with `product.mail.send_mail`
    doorbell: Doorbell = field(default_factory=Doorbell)  # rung after a commit that wrote to the outbox
    llm: OpenAIClient | None = None  # None: built from the environment at first use (`openai`)
    chat_streams_per_workspace: int = 20  # assistant replies streaming at once, per workspace
    api_key_calls_per_minute: int = 600  # per API key and process (product/api_keys/bearer.py)

    @property
    def openai(self) -> OpenAIClient:
        """The OpenAI client the assistant replies with: built on first use from the OPENAI_*
        settings, so a missing OPENAI_API_KEY fails the first reply, not the app's start."""
        if self.llm is None:
            self.llm = OpenAIClient(load_external_settings())
        return self.llm

    @property
    def session_key(self) -> bytes:
        return session_key(self.settings)

    @property
    def secure_cookies(self) -> bool:
        return self.settings.secure_cookies


def session_key(settings: Settings) -> bytes:
    """Signs session tokens (derived from BLOSSOM_SECRET_KEY)."""
    return purpose_key(settings.signing_secret, "session token")


def build_services(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    hasher: PasswordHasher | None = None,
    mailer: Mailer | None = None,
) -> ProductServices:
    return ProductServices(settings, clock, hasher or PasswordHasher(), mailer or mailer_for(settings))

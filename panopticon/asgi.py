"""The ASGI entry point: `granian --interface asgi panopticon.asgi:app`."""

from foundation.serving import without_rich

without_rich()  # before anything imports structlog

from panopticon.app import create_app  # noqa: E402

app = create_app()  # reads the environment; BLOSSOM_ENV must be set (a forgotten one never means development)

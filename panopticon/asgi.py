"""The ASGI entry point: `granian --interface asgi panopticon.asgi:app`."""

from panopticon.app import create_app

app = create_app()  # reads the environment; BLOSSOM_ENV must be set (a forgotten one never means development)

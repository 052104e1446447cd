"""The ASGI entry point: `granian --interface asgi panopticon.asgi:app`."""

from panopticon.app import create_app

app = create_app()

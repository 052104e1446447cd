"""The ASGI entry point: `granian --interface asgi product.asgi:app`."""

from product.app import create_app

app = create_app()

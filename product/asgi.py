"""The ASGI entry point: `granian --interface asgi product.asgi:app`."""

from foundation.settings import load_serving_settings
from product.app import create_app

app = create_app(load_serving_settings())  # BLOSSOM_ENV must be set: a forgotten one never means development

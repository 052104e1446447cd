"""A JSON shape the golden fixture's queries name with `-- json: settings = ...:Settings`."""

import msgspec


class Settings(msgspec.Struct, frozen=True):
    theme: str
    volume: int = 5

"""The environment reader: conversions as people write variables, every problem named at once,
secrets kept out of reprs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import msgspec
import pytest

from foundation.errors import ConfigurationError
from foundation.settings_reader import Secret, min_length, read_settings


class Example(msgspec.Struct, frozen=True, kw_only=True):
    flag: bool = False
    maybe: bool | None = None
    count: Annotated[int, msgspec.Meta(ge=1, le=5)] = 1
    ratio: float = 0.5
    folder: Path | None = None
    token: Secret | None = None
    mode: str = msgspec.field(default="a", name="EXAMPLE_MODE")

    def __post_init__(self) -> None:
        if self.flag and self.maybe is False:
            raise ValueError("FLAG needs MAYBE")


def test_values_convert_from_strings_as_written_in_an_environment() -> None:
    read = read_settings(
        Example,
        {"flag": "Yes", "MAYBE": "on", "COUNT": "3", "RATIO": "1e-1", "FOLDER": "/srv/x", "example_mode": "b"},
    )
    assert read == Example(flag=True, maybe=True, count=3, ratio=0.1, folder=Path("/srv/x"), mode="b")
    assert read_settings(Example, {}) == Example()
    for spelled, value in [("1", True), ("TRUE", True), ("on", True), ("0", False), ("False", False), ("no", False)]:
        assert read_settings(Example, {"MAYBE": spelled}).maybe is value


def test_every_bad_variable_is_named_in_one_line_without_its_value() -> None:
    with pytest.raises(ConfigurationError) as raised:
        read_settings(
            Example, {"FLAG": "sometimes", "COUNT": "9", "RATIO": "half", "TOKEN": "hunter2"}, {"token": min_length(8)}
        )
    message = str(raised.value)
    for variable in ("FLAG", "COUNT", "RATIO", "TOKEN"):
        assert f"{variable}: " in message, message
    assert "hunter2" not in message and "\n" not in message


def test_a_rule_across_variables_is_reported_once_the_fields_are_valid() -> None:
    with pytest.raises(ConfigurationError, match="FLAG needs MAYBE"):
        read_settings(Example, {"FLAG": "1", "MAYBE": "0"})


def test_a_secret_is_readable_but_never_in_a_repr() -> None:
    read = read_settings(Example, {"TOKEN": "sk-very-secret"})
    assert read.token is not None and read.token.get_secret_value() == "sk-very-secret"
    assert "sk-very-secret" not in repr(read)


class Choices(msgspec.Struct, frozen=True, kw_only=True):
    level: Literal["DEBUG", "INFO"] = "INFO"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] | None = None
    mode: Literal["a", "b"] | None = None


def test_set_means_set_the_text_null_and_float_spellings_of_integers_are_refused() -> None:
    for environ, variable in [
        ({"PORT": "null"}, "PORT"),
        ({"MODE": "null"}, "MODE"),
        ({"PORT": "1e2"}, "PORT"),
        ({"PORT": "80.0"}, "PORT"),
        ({"PORT": ""}, "PORT"),
    ]:
        with pytest.raises(ConfigurationError, match=f"{variable}: "):
            read_settings(Choices, environ)
    assert read_settings(Choices, {"PORT": " 8080 ", "LEVEL": "DEBUG "}) == Choices(port=8080, level="DEBUG")


def test_a_choice_error_lists_the_choices() -> None:
    with pytest.raises(ConfigurationError, match="LEVEL: must be one of DEBUG, INFO"):
        read_settings(Choices, {"LEVEL": "debug"})

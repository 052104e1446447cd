from pathlib import Path

import pytest

from foundation.errors import ConfigurationError
from foundation.settings import load_serving_settings, load_settings

KEY = {"BLOSSOM_SECRET_KEY": "k" * 32, "SMTP_HOST": "smtp.example.com", "MAIL_FROM": "no-reply@example.com"}


def test_defaults_need_no_environment() -> None:
    settings = load_settings({})
    assert settings.environment == "development"
    assert settings.database_url is None
    assert settings.resolved_log_format == "console"
    assert settings.product_port == 8000 and settings.panopticon_port == 8001


def test_values_come_from_the_environment() -> None:
    settings = load_settings(
        {
            "BLOSSOM_ENV": "production",
            "DATABASE_URL": "postgresql://u@db/x",
            "PRODUCT_PORT": "9000",
            "BLOSSOM_DATA_DIR": "/srv/blossom",
            "BLOSSOM_SECRET_KEY": "k" * 32,
            "SMTP_HOST": "smtp.example.com",
            "MAIL_FROM": "no-reply@example.com",
        }
    )
    assert settings.environment == "production"
    assert settings.resolved_log_format == "json"
    assert settings.product_port == 9000
    assert settings.data_dir == Path("/srv/blossom")


def test_one_error_names_every_bad_variable() -> None:
    with pytest.raises(ConfigurationError) as failure:
        load_settings(
            {"BLOSSOM_ENV": "staging", "PRODUCT_PORT": "eighty", "DATABASE_URL": "mysql://x", "LOG_LEVEL": "LOUD"}
        )
    message = str(failure.value)
    for name in ("BLOSSOM_ENV", "PRODUCT_PORT", "DATABASE_URL", "LOG_LEVEL"):
        assert name in message, name
    assert "\n" not in message


def test_production_refuses_to_run_without_a_database_server() -> None:
    with pytest.raises(ConfigurationError, match="production needs DATABASE_URL"):
        load_settings({"BLOSSOM_ENV": "production"})


def test_production_needs_a_secret_key_and_refuses_a_short_one() -> None:
    with pytest.raises(ConfigurationError, match="BLOSSOM_SECRET_KEY"):
        load_settings({"BLOSSOM_ENV": "production", "DATABASE_URL": "postgresql://u@db/x"})
    with pytest.raises(ConfigurationError, match="BLOSSOM_SECRET_KEY"):
        load_settings(
            {"BLOSSOM_ENV": "production", "DATABASE_URL": "postgresql://u@db/x", "BLOSSOM_SECRET_KEY": "short"}
        )
    settings = load_settings(
        {
            "BLOSSOM_ENV": "production",
            "DATABASE_URL": "postgresql://u@db/x",
            "BLOSSOM_SECRET_KEY": "s" * 40,
            "SMTP_HOST": "smtp.example.com",
            "MAIL_FROM": "no-reply@example.com",
        }
    )
    assert settings.signing_secret == b"s" * 40
    assert "s" * 40 not in repr(settings)  # never printed


@pytest.mark.parametrize(
    ("environ", "secure"),
    [
        ({}, False),  # development serves plain http on localhost: a Secure cookie would never come back
        ({"BLOSSOM_ENV": "development", "BLOSSOM_INSECURE_COOKIES": "0"}, True),
        ({"BLOSSOM_ENV": "test"}, True),
        ({"BLOSSOM_ENV": "test", "BLOSSOM_INSECURE_COOKIES": "1"}, False),
        ({"BLOSSOM_ENV": "production", "DATABASE_URL": "postgresql://u@db/x", **KEY}, True),
        (
            {
                "BLOSSOM_ENV": "production",
                "DATABASE_URL": "postgresql://u@db/x",
                "BLOSSOM_INSECURE_COOKIES": "0",
                **KEY,
            },
            True,
        ),
    ],
)
def test_session_cookies_are_secure_except_in_development(environ: dict[str, str], secure: bool) -> None:
    assert load_settings(environ).secure_cookies is secure


def test_production_refuses_insecure_cookies() -> None:
    with pytest.raises(ConfigurationError, match="BLOSSOM_INSECURE_COOKIES"):
        load_settings(
            {"BLOSSOM_ENV": "production", "DATABASE_URL": "postgresql://u@db/x", "BLOSSOM_INSECURE_COOKIES": "1", **KEY}
        )


def test_cors_origins_are_a_comma_separated_list_of_origins_never_a_wildcard() -> None:
    settings = load_settings({"CORS_ALLOWED_ORIGINS": "https://app.example.com, http://localhost:5173"})
    assert settings.allowed_origins == ("https://app.example.com", "http://localhost:5173")
    assert load_settings({}).allowed_origins == ()
    for bad in ("*", "https://app.example.com/path", "app.example.com"):
        with pytest.raises(ConfigurationError, match="CORS_ALLOWED_ORIGINS"):
            load_settings({"CORS_ALLOWED_ORIGINS": bad})


PRODUCTION = {"BLOSSOM_ENV": "production", "DATABASE_URL": "postgresql://u@db/x", "BLOSSOM_SECRET_KEY": "k" * 32}


def test_production_needs_a_mail_server_and_a_sender_and_records_no_mail_to_files() -> None:
    for missing, environ in (
        ("SMTP_HOST", PRODUCTION),
        ("MAIL_FROM", {**PRODUCTION, "SMTP_HOST": "smtp.example.com"}),
    ):
        with pytest.raises(ConfigurationError, match=missing) as failure:
            load_settings(environ)
        assert "\n" not in str(failure.value)
    complete = {**PRODUCTION, "SMTP_HOST": "smtp.example.com", "MAIL_FROM": "no-reply@example.com"}
    with pytest.raises(ConfigurationError, match="BLOSSOM_MAIL_OUTBOX"):
        load_settings({**complete, "BLOSSOM_MAIL_OUTBOX": "/srv/blossom/mail.jsonl"})
    settings = load_settings({**complete, "SMTP_USERNAME": "mailer", "SMTP_PASSWORD": "p" * 20})
    assert settings.smtp_security == "starttls"
    assert "p" * 20 not in repr(settings)


def test_smtp_username_and_password_go_together() -> None:
    with pytest.raises(ConfigurationError, match="SMTP_USERNAME and SMTP_PASSWORD"):
        load_settings({"SMTP_HOST": "localhost", "SMTP_USERNAME": "mailer"})


def test_trusted_proxies_match_however_the_server_writes_the_peer() -> None:
    proxies = load_settings({"TRUSTED_PROXIES": "10.0.0.5, 2001:DB8::1"}).proxies
    assert {"10.0.0.5", "::ffff:10.0.0.5", "2001:db8::1"} <= proxies
    with pytest.raises(ConfigurationError, match="TRUSTED_PROXIES"):
        load_settings({"TRUSTED_PROXIES": "proxy.internal"})


def test_a_server_refuses_to_start_without_being_told_where_it_runs() -> None:
    # A deploy that forgot BLOSSOM_ENV must not serve as development (demo routes, public key).
    with pytest.raises(ConfigurationError, match=r"^BLOSSOM_ENV is not set"):
        load_serving_settings({"DATABASE_URL": "postgresql://u@db/x"})
    assert load_serving_settings({"BLOSSOM_ENV": "development"}).environment == "development"
    assert load_settings({}).environment == "development"  # developer commands keep their default

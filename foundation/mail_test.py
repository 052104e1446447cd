"""The mailers: SMTP against a real (local) SMTP server, and which mailer each environment gets."""

import pytest

from foundation.mail import LogMailer, MailNotAccepted, Message, RecordingMailer, SmtpMailer, mailer_for
from foundation.settings import load_settings
from foundation.testing.smtp import smtp_server

PRODUCTION = {
    "BLOSSOM_ENV": "production",
    "DATABASE_URL": "postgresql://u@db/x",
    "BLOSSOM_SECRET_KEY": "k" * 32,
    "SMTP_HOST": "smtp.example.com",
    "MAIL_FROM": "Blossom <no-reply@example.com>",
}


async def test_smtp_delivers_the_message_with_sender_recipient_subject_and_body() -> None:
    with smtp_server() as server:
        mailer = SmtpMailer(load_settings({**server.settings(), "MAIL_FROM": "Blossom <hi@blossom.test>"}))
        await mailer.send(Message(to="ann@example.com", subject="Confirm your email", body="Your code: abc123"))
    [received] = server.messages
    assert (received["From"], received["To"], received["Subject"]) == (
        "Blossom <hi@blossom.test>",
        "ann@example.com",
        "Confirm your email",
    )
    assert "Your code: abc123" in received.get_content()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_smtp_logs_in_with_the_configured_credentials() -> None:
    with smtp_server(credentials=("mailer", "s3cret")) as server:
        await SmtpMailer(load_settings(server.settings())).send(Message(to="a@example.com", subject="s", body="b"))
        wrong = load_settings({**server.settings(), "SMTP_PASSWORD": "nope"})
        with pytest.raises(MailNotAccepted):
            await SmtpMailer(wrong).send(Message(to="a@example.com", subject="s", body="b"))
    assert server.logins == ["mailer"]
    assert len(server.messages) == 1


async def test_a_refusing_or_absent_server_is_an_error_the_outbox_retries() -> None:
    with smtp_server() as server:
        server.refusing = True
        with pytest.raises(MailNotAccepted, match="451"):
            await SmtpMailer(load_settings(server.settings())).send(Message(to="a@example.com", subject="s", body="b"))
    with pytest.raises(MailNotAccepted):  # stopped: nobody listens on the port now
        await SmtpMailer(load_settings(server.settings())).send(Message(to="a@example.com", subject="s", body="b"))


def test_production_always_sends_through_smtp_and_never_logs_mail() -> None:
    assert isinstance(mailer_for(load_settings(PRODUCTION)), SmtpMailer)


def test_development_logs_mail_unless_told_otherwise_and_tests_record_it(tmp_path) -> None:
    assert isinstance(mailer_for(load_settings({})), LogMailer)
    assert isinstance(mailer_for(load_settings({"SMTP_HOST": "localhost"})), SmtpMailer)
    assert isinstance(mailer_for(load_settings({"BLOSSOM_MAIL_OUTBOX": str(tmp_path / "o")})), RecordingMailer)
    assert isinstance(mailer_for(load_settings({"BLOSSOM_ENV": "test"})), RecordingMailer)

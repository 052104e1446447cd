import asyncio
import json

import pytest

from foundation.logging import access_log, bind_context, configure_logging, flush_logs, get_logger, start_request


@pytest.fixture(autouse=True)
def json_logs():
    configure_logging("json", "INFO")
    yield
    flush_logs()


def _lines(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


async def test_lines_of_one_loop_iteration_are_written_together_at_its_end(capsys: pytest.CaptureFixture[str]) -> None:
    get_logger("t").info("first")
    access_log("req_1", route="demo.ping", status=200, latency_ms=1.5)
    assert capsys.readouterr().err == ""  # gathered, not yet written
    await asyncio.sleep(0)  # the loop iteration ends
    assert [line["event"] for line in _lines(capsys.readouterr().err)] == ["first", "rpc"]


def test_outside_an_event_loop_a_line_is_written_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    get_logger("t").info("now")
    assert _lines(capsys.readouterr().err)[0]["event"] == "now"


async def test_flush_logs_writes_pending_lines(capsys: pytest.CaptureFixture[str]) -> None:
    access_log("req_2", route="demo.ping", status=200, latency_ms=1.5)
    flush_logs()
    assert _lines(capsys.readouterr().err)[0]["request_id"] == "req_2"


async def test_the_access_line_has_the_keys_and_timestamp_format_of_structlog_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    start_request("req_3")
    get_logger("blossom.access").info("rpc", route="demo.ping", status=200, latency_ms=1.5)
    access_log("req_3", route="demo.ping", status=200, latency_ms=1.5)
    flush_logs()
    structured, fast = _lines(capsys.readouterr().err)
    assert list(structured) == list(fast)
    assert {key: fast[key] for key in fast if key != "timestamp"} == {
        "route": "demo.ping",
        "status": 200,
        "latency_ms": 1.5,
        "event": "rpc",
        "request_id": "req_3",
        "level": "info",
    }
    assert len(fast["timestamp"]) == len(structured["timestamp"]) == len("2026-11-22T01:02:03.456789Z")
    assert fast["timestamp"][:16] == structured["timestamp"][:16]


async def test_lines_logged_in_a_request_carry_its_id(capsys: pytest.CaptureFixture[str]) -> None:
    async def request(request_id: str) -> None:
        start_request(request_id)
        await asyncio.sleep(0)
        get_logger("t").info("inside")

    await asyncio.gather(asyncio.ensure_future(request("req_a")), asyncio.ensure_future(request("req_b")))
    flush_logs()
    assert sorted(line["request_id"] for line in _lines(capsys.readouterr().err)) == ["req_a", "req_b"]


def test_a_loop_closed_before_its_flush_does_not_silence_later_loops(capsys: pytest.CaptureFixture[str]) -> None:
    first = asyncio.new_event_loop()
    running: list[asyncio.Future[None]] = []

    async def log_in_the_last_iteration() -> None:
        async def other() -> None:
            await asyncio.sleep(0)
            get_logger("t").info("from the first loop")

        running.append(asyncio.ensure_future(other()))
        await asyncio.sleep(0)

    # The loop stops in the iteration that logs, so the flush it scheduled never runs there.
    first.run_until_complete(log_in_the_last_iteration())
    first.close()

    async def log_again() -> None:
        get_logger("t").info("from the second loop")
        await asyncio.sleep(0)

    asyncio.run(log_again())
    events = [line["event"] for line in _lines(capsys.readouterr().err)]
    assert events == ["from the first loop", "from the second loop"]


def test_lines_from_threads_and_the_loop_are_all_written(capsys: pytest.CaptureFixture[str]) -> None:
    import threading

    async def main() -> None:
        def from_a_thread() -> None:
            for n in range(200):
                get_logger("t").info("thread", n=n)

        threads = [threading.Thread(target=from_a_thread) for _ in range(2)]
        for thread in threads:
            thread.start()
        for n in range(200):
            get_logger("t").info("loop", n=n)
            await asyncio.sleep(0)
        for thread in threads:
            thread.join()

    asyncio.run(main())
    flush_logs()
    events = [line["event"] for line in _lines(capsys.readouterr().err)]
    assert events.count("thread") == 400
    assert events.count("loop") == 200


async def test_bound_context_reaches_the_access_line_and_ends_with_the_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    start_request("req_a")
    bind_context(user_id="usr_1")
    access_log("req_a", route="auth.login", status=200, latency_ms=1.0)
    start_request("req_b")  # the next request in this task starts clean
    access_log("req_b", route="auth.login", status=200, latency_ms=1.0)
    flush_logs()
    first, second = _lines(capsys.readouterr().err)
    assert (first["request_id"], first["user_id"]) == ("req_a", "usr_1")
    assert second["request_id"] == "req_b" and "user_id" not in second

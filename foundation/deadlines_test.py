import asyncio

import pytest

from foundation.deadlines import RESOLUTION_SECONDS, Deadlines


async def _watched(deadlines: Deadlines, seconds: float, work: float) -> str:
    task = deadlines.watch(seconds)
    try:
        await asyncio.sleep(work)
    except asyncio.CancelledError:
        if deadlines.expired(task):
            return "timed out"
        raise
    finally:
        deadlines.expired(task)
    return "finished"


async def test_work_within_its_deadline_finishes() -> None:
    assert await _watched(Deadlines(), 1.0, 0.01) == "finished"


async def test_work_past_its_deadline_is_cancelled_within_the_resolution() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await _watched(Deadlines(), 0.02, 10) == "timed out"
    assert loop.time() - started < 0.02 + RESOLUTION_SECONDS + 0.5  # generous: shared machines


async def test_a_timed_out_task_goes_on_uncancelled() -> None:
    deadlines = Deadlines()

    async def then_more() -> str:
        outcome = await _watched(deadlines, 0.01, 10)
        await asyncio.sleep(0)  # would raise if the cancellation were still pending
        return outcome

    assert await then_more() == "timed out"
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


async def test_many_requests_expire_independently() -> None:
    deadlines = Deadlines()
    outcomes = await asyncio.gather(
        _watched(deadlines, 0.02, 10), _watched(deadlines, 5, 0.1), _watched(deadlines, 0.02, 10)
    )
    assert outcomes == ["timed out", "finished", "timed out"]


async def test_a_cancellation_from_elsewhere_is_not_taken_for_a_timeout() -> None:
    task = asyncio.ensure_future(_watched(Deadlines(), 5, 10))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_each_event_loop_gets_its_own_ticker() -> None:
    """Tests run one loop after another over the same app: a ticker left on a closed loop must
    not leave the next loop without one."""
    deadlines = Deadlines()
    assert asyncio.run(_watched(deadlines, 0.01, 10)) == "timed out"
    assert asyncio.run(_watched(deadlines, 0.01, 10)) == "timed out"


async def test_a_cancellation_from_elsewhere_in_the_same_tick_still_unwinds() -> None:
    """A server shutting down cancels the handler just as its deadline passes: answering with a
    timeout and carrying on would swallow the shutdown."""
    deadlines = Deadlines()

    async def handler() -> str:
        task = deadlines.watch(0)
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            if deadlines.expired(task):
                return "timed out"
            raise
        finally:
            deadlines.expired(task)
        return "finished"

    task = asyncio.ensure_future(handler())
    await asyncio.sleep(0)  # the handler is watched and waiting
    deadlines._tick(task.get_loop())  # its deadline passes...
    task.cancel()  # ...and the shutdown arrives before the handler runs again
    with pytest.raises(asyncio.CancelledError):
        await task

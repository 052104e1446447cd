"""`signup_funnel`: how many users reached each step, each step within the one before:
signed up → verified their email → joined an organization → invited someone."""

import itertools

import dagster as dg

from foundation.time import Clock
from pipeline import queries
from pipeline.resources import PipelineDatabase

STEPS = ("signed_up", "verified_email", "joined_an_org", "invited_someone")


@dg.asset(
    group_name="analytics",
    kinds={"postgres"},
    description="Users at each step of signed up → verified email → joined an org → invited someone "
    "(each step among those who reached the previous one). Table analytics.signup_funnel.",
)
def signup_funnel(database: PipelineDatabase, clock: dg.ResourceParam[Clock]) -> dg.MaterializeResult:
    async def replace(conn) -> list[queries.SignupFunnelRow]:
        await queries.delete_signup_funnel(conn)
        await queries.insert_signup_funnel(conn, now=clock.now())
        return await queries.signup_funnel(conn)

    rows = database.run(replace)
    return dg.MaterializeResult(metadata={row.step: row.users for row in rows})


@dg.asset_check(
    asset=signup_funnel,
    blocking=True,
    description="Every step once, in order; no negative count, none above the step before; the first "
    "step is every user.",
)
def signup_funnel_is_consistent(database: PipelineDatabase) -> dg.AssetCheckResult:
    async def read(conn):
        return await queries.signup_funnel(conn), await queries.count_users(conn)

    rows, users = database.run(read)
    assert users is not None
    problems: list[str] = []
    if tuple(row.step for row in rows) != STEPS:
        problems.append(f"steps {[row.step for row in rows]}, expected {list(STEPS)}")
    problems += [f"{row.step} is negative ({row.users})" for row in rows if row.users < 0]
    problems += [
        f"{after.step} ({after.users}) exceeds {before.step} ({before.users})"
        for before, after in itertools.pairwise(rows)
        if after.users > before.users
    ]
    if rows and rows[0].users != users.users:
        problems.append(f"{rows[0].step} is {rows[0].users}, but there are {users.users} users")
    return dg.AssetCheckResult(
        passed=not problems,
        description="; ".join(problems) or "consistent",
        metadata={"problems": len(problems)},
    )

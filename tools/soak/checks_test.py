"""Each of the soak's checks fails when it should: a leak checker that finds nothing in a response
that holds another tenant's marker would make every clean soak meaningless."""

from __future__ import annotations

from tools.soak.checks import LeakChecker, Tally, Tenant, Window, growth, new_marker
from tools.soak.run import Options, Report


def _tenants() -> list[Tenant]:
    return [
        Tenant(index=0, marker=new_marker(0), org_id="org_" + "0" * 26, user_ids=["usr_" + "0" * 26]),
        Tenant(index=1, marker=new_marker(1), org_id="org_" + "1" * 26, user_ids=["usr_" + "1" * 26]),
    ]


def test_a_response_holding_another_tenants_marker_is_a_leak() -> None:
    alpha, beta = _tenants()
    checker = LeakChecker([alpha, beta])
    body = f'{{"orgs": [{{"id": "{alpha.org_id}", "name": "Tenant 0 {alpha.marker}"}}, {{"name": "x {beta.marker}"}}]}}'
    leaks = checker.leaks("orgs.list", alpha.index, body)
    assert [(leak.route, leak.tenant, leak.found) for leak in leaks] == [("orgs.list", 0, beta.marker)]
    assert beta.marker in leaks[0].excerpt
    tally = Tally()
    tally.record_leaks(leaks)
    assert tally.leaks == leaks and tally.problems == [f"orgs.list: tenant 0 saw {beta.marker}: …{leaks[0].excerpt}…"]


def test_own_data_is_no_leak_but_another_tenants_ids_are() -> None:
    alpha, beta = _tenants()
    checker = LeakChecker([alpha, beta])
    assert (
        checker.leaks("members.list", 0, f'{{"user_id": "{alpha.user_ids[0]}", "email": "o-{alpha.marker}@x"}}') == []
    )
    assert [leak.found for leak in checker.leaks("demo.note_count", 0, f'{{"org_id": "{beta.org_id}"}}')] == [
        beta.org_id
    ]
    assert [leak.found for leak in checker.leaks("members.list", 1, f'"{alpha.user_ids[0]}"')] == [alpha.user_ids[0]]


def test_an_anonymous_answer_may_hold_no_tenants_data_and_an_unknown_marker_is_foreign() -> None:
    alpha, beta = _tenants()
    checker = LeakChecker([alpha, beta])
    assert [leak.found for leak in checker.leaks("auth.init", None, f"hello {alpha.marker}")] == [alpha.marker]
    stranger = "soakmark99x0123456789"
    assert [leak.found for leak in checker.leaks("auth.init", 0, stranger)] == [stranger]
    assert checker.leaks("auth.init", None, '{"user": null, "orgs": []}') == []


def test_a_5xx_outside_the_outage_or_any_other_than_503_inside_it_is_a_problem() -> None:
    outage = Window(start=100.0, end=110.0)
    tally = Tally()
    tally.record("orgs.list", sent=101, answered=102, status=503, code="unavailable", window=outage)
    tally.record("orgs.list", sent=99, answered=100.5, status=503, code="unavailable", window=outage)  # overlaps
    assert tally.problems == [] and tally.outage_503 == 2
    tally.record("orgs.list", sent=120, answered=121, status=503, code="unavailable", window=outage)
    tally.record("orgs.list", sent=105, answered=106, status=500, code="internal", window=outage)
    tally.record(
        "orgs.list", sent=130, answered=131, status=None, code=None, window=outage, transport_error="ReadTimeout"
    )
    tally.record("orgs.rename", sent=1, answered=2, status=200, code=None, window=outage, expect_4xx=True)
    assert tally.problems == [
        "orgs.list: 503 unavailable outside the outage",
        "orgs.list: 500 internal during the outage",
        "orgs.list: transport ReadTimeout outside the outage window",
        "orgs.rename: invalid input answered 200",
    ]


def test_growth_beyond_the_tolerance_is_reported() -> None:
    assert growth("RSS", [100, 100, 100], [120, 120], ratio=0.25, slack=0).ok
    grown = growth("RSS", [100, 100, 100], [140, 150], ratio=0.25, slack=10)
    assert not grown.ok and grown.allowed == 135


def test_a_restart_no_request_noticed_and_mail_without_its_invitation_fail_the_run() -> None:
    report = Report(
        options=Options(duration=60),
        tally=Tally(),
        samples=[],
        outage=Window(10, 20),
        outage_began=10,
        outage_lasted=3,
        streams=(0, 0, 0),
        delivered_mail=5,
        invited=3,
        invites_unanswered=1,
    )
    assert sorted(report.problems) == [
        "5 invitation mails delivered and 0 held by a claim for 3 invitations made (1 unanswered)",
        "PostgreSQL was restarted but no request was answered 503 during the outage",
    ]

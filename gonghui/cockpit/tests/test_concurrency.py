"""Two refreshes at once (the beat job and an admin's click) on PostgreSQL: the row lock makes them
take turns, so neither fails on the unique constraints and the figures are whole. (Without the
lock — checked by hand — two of the four fail with a duplicate key on cockpit_flow_unique.)"""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from gonghui.cockpit import services
from gonghui.cockpit.models import Figure, Flow, RefreshRun, RefreshStatus
from gonghui.testing import failures, race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_refreshes_take_turns(cast: Any) -> None:
    services.stats_refresh()
    results = race([partial(services.stats_refresh, full=i % 2 == 0) for i in range(4)])
    errors = failures(results)
    assert errors == []
    assert RefreshRun.objects.filter(status=RefreshStatus.DONE).count() == 5
    assert Figure.objects.get(union=cast.unions["province"], metric="members.total").value == 4
    assert Flow.objects.filter(union=cast.unions["province"], metric="members.joined", period="M").count() == 1

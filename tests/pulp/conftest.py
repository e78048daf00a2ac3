"""One real Pulp for the tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pulp.server import Pulp, server


@pytest.fixture(scope="session")
def pulp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pulp]:
    with server(tmp_path_factory.mktemp("pulp")) as running:
        yield running

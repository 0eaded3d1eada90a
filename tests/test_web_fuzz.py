"""Property-based fuzzing of the JSON API from its own OpenAPI document (schemathesis).

Every operation gets generated requests (bounded: a few dozen each), sent
logged in as an advisor; whatever arrives, the answer is a documented status
with a JSON body, never a server error.
"""

from __future__ import annotations

import base64

import pytest

schemathesis = pytest.importorskip("schemathesis")

from argon2 import PasswordHasher  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from audit import Store  # noqa: E402
from audit import accounts as A  # noqa: E402
from web import security as S  # noqa: E402
from web.app import create_app  # noqa: E402

pytestmark = pytest.mark.slow  # ~30 generated requests per operation, many of them full assessments

AUTH = {"Authorization": "Basic " + base64.b64encode(b"fuzzer:fuzzer-password-1").decode()}


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    saved = S._hasher, S._DUMMY
    S._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # cost is not what is tested here
    S._DUMMY = S._hasher.hash("x")
    db = tmp_path_factory.mktemp("fuzz") / "audit.sqlite3"
    with Store.open(str(db)) as store:
        A.add_account(store, "fuzzer", S.hash_password("fuzzer-password-1"))
    app = create_app(str(db))
    yield app
    app.state.store.close()
    S._hasher, S._DUMMY = saved


def test_the_api_answers_anything_with_a_documented_status_never_a_server_error(fuzz_app):
    from hypothesis import given
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 10
    statuses: dict[str, set[int]] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
        def answers(case):
            response = case.call(headers=AUTH)
            statuses.setdefault(operation.label, set()).add(response.status_code)
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance, content_type_conformance])
            assert response.headers["content-type"][0].startswith("application/json")

        answers()
    # the generator reached past the input checks: cases it made were assessed and recorded
    assert 200 in statuses["POST /api/v1/assess"] and 201 in statuses["POST /api/v1/records"], statuses

"""schemathesis generates requests from the live server's OpenAPI document, for every operation; none may
cause a server error. The only 5xx allowed is the documented 503 (query stopped at its time limit).

(schemathesis' pytest plugin does not run under this pytest, so its strategies drive hypothesis directly.)
"""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

EXAMPLES_PER_OPERATION = 12


def test_no_server_errors(live) -> None:
    schema = schemathesis.openapi.from_url(live.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    seen: dict[str, set[int]] = {}

    for operation in operations:
        name = f"{operation.method.upper()} {operation.path}"

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(base_url=live.url, timeout=30)
            seen.setdefault(name, set()).add(response.status_code)
            if response.status_code == 503:
                assert response.json()["error"]["code"] == "query_timeout", response.text
                return
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400:
                body = response.json()
                assert set(body) == {"error"} and body["error"]["status"] == response.status_code, response.text

        check()
    assert len(seen) == len(operations)

"""Schemathesis checks of the AIOT API (loaded through SCHEMATHESIS_HOOKS by http_fuzz_test.ts).

Every error the API answers, documented or not, has the one shape its `onError` gives it:
`{"error": {"code": str, "message": str, "details"?: [{"path", "message"}]}}` as JSON.
"""
import json

import schemathesis


@schemathesis.check
def error_shape(ctx, response, case):
    """A 4xx/5xx response is JSON of the shape {"error": {"code": str, "message": str}}."""
    if response.status_code < 400:
        return None
    content_type = ",".join(response.headers.get("content-type", []))
    if "application/json" not in content_type:
        raise AssertionError(
            f"{response.status_code} answered with content-type {content_type!r}, not the JSON error shape"
        )
    try:
        body = json.loads(response.content)
    except ValueError as error:
        raise AssertionError(f"{response.status_code} body is not JSON: {error}") from None
    error = body.get("error") if isinstance(body, dict) else None
    if not (
        isinstance(error, dict)
        and isinstance(error.get("code"), str)
        and error["code"]
        and isinstance(error.get("message"), str)
    ):
        raise AssertionError(
            f'{response.status_code} body is not {{"error": {{"code", "message"}}}}: {response.content[:300]!r}'
        )
    details = error.get("details")
    if details is not None and not (
        isinstance(details, list)
        and all(isinstance(d, dict) and isinstance(d.get("path"), str) and isinstance(d.get("message"), str) for d in details)
    ):
        raise AssertionError(f"error.details is not a list of {{path, message}}: {details!r}")
    return None

"""Answering one request to an HTTP trigger: its method, its auth, the invocation, the answer
and the console line. Which trigger a path reaches, the event and the answer's mapping are
``triggers.http``'s; which part of the FC port answers a request is ``dispatch``'s.

Auth per ``authType``: ``anonymous`` lets everything in; ``function`` needs an ACS3-HMAC-SHA256
signature by a key serve accepts (the fake local key, ``ALIBABA_CLOUD_*``, ``--access-key``);
``jwt`` needs a bearer token, which is not verified (the trigger's JWKS is not emulated).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from localfc.fc.api import errors
from localfc.fc.api.errors import ApiError
from localfc.fc.context import FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, credentials_from_env
from localfc.fc.instances.pool import PoolClosedError, ThrottledError
from localfc.fc.signature import ReplayGuard, SignatureError, verify
from localfc.fc.triggers.http import build_event, method_not_allowed, to_response

if TYPE_CHECKING:
    from localfc.fc.invocations import Invoker
    from localfc.fc.options import ServeOptions
    from localfc.fc.triggers.http import HttpRoute
    from localfc.fc.wire import Request, Response


def accepted_keys(options: ServeOptions) -> dict[str, str]:
    """Access key id -> secret of every key a ``function``-auth signature may use."""
    keys = {FAKE_ACCESS_KEY_ID: FAKE_ACCESS_KEY_SECRET}
    env = credentials_from_env()
    keys[env.access_key_id] = env.access_key_secret
    keys.update(options.access_keys)
    return keys


class HttpTriggerCalls:
    """Invokes functions for requests to their HTTP triggers.

    >>> calls.answer(request, route, "/check")   # doctest: +SKIP
    Response(status=200, ...)
    """

    def __init__(self, invoker: Invoker, secrets: dict[str, str]) -> None:
        self.invoker = invoker
        self._secrets = secrets
        self._replays = ReplayGuard()

    def answer(self, request: Request, route: HttpRoute, raw_path: str) -> Response:
        """The function's answer to ``request``; raises ApiError for what FC refuses itself."""
        request_id = str(uuid.uuid4())
        if not route.allows(request.method):
            raise method_not_allowed(route, request.method)
        self._check_auth(request, route, raw_path)
        event = build_event(request, route, raw_path, request_id)
        try:
            invocation = self.invoker.invoke(
                route.function_name, event, qualifier=route.qualifier, trigger="http", request_id=request_id
            )
        except (ThrottledError, PoolClosedError) as exc:
            raise errors.call_refused(exc) from None
        response = to_response(invocation)
        detail = f"{request.method} {raw_path}"
        if not invocation.ok:
            detail += f"  {invocation.outcome.error_message[:120]}"
        self.invoker.report(invocation, str(response.status), detail)
        return response

    def _check_auth(self, request: Request, route: HttpRoute, raw_path: str) -> None:
        if route.auth_type == "anonymous":
            return
        if route.auth_type == "jwt":
            # JWT verification needs the trigger's JWKS: not emulated, but a token is required.
            if not request.header("Authorization").lower().startswith("bearer "):
                raise ApiError(401, "Unauthorized", "this trigger uses jwt auth: send Authorization: Bearer <token>")
            return
        try:
            verify(
                method=request.method,
                paths=(request.path, raw_path),
                query=request.query_pairs(),  # every value the function will see
                headers=request.headers,
                body=request.body,
                secrets=self._secrets,
                replays=self._replays,
            )
        except SignatureError as exc:
            raise ApiError(403, exc.code, exc.message) from None

"""The versions, aliases and layers calls ``release`` and ``layer`` make, through the official FC 3.0 client
(``alibabacloud_fc20230330``), so that they behave the same against the local FC and FC.

The SDK costs ~0.4 s to import: it is imported when the first client is built, never at
module import. Errors come back as ``FcCallError`` with FC's code and message only.

    client = FcClient(connection)
    client.publish_version("prime-checker", "fix rounding")   # -> {"versionId": "3", ...}
"""

from __future__ import annotations

import base64
import functools
import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.release.connection import Connection


class FcCallError(RuntimeError):
    """An FC API call failed: ``code`` is FC's error code ("AliasNotFound", ...) or
    "ConnectionFailed" when the endpoint could not be reached."""

    def __init__(self, code: str, message: str, status: int = 0) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class FcClient:
    """Versions and aliases of FC 3.0 functions, one call per method."""

    def __init__(self, connection: Connection) -> None:
        # Imported here, not at the top: the SDK costs ~0.4 s and most commands never need it.
        sdk_client = importlib.import_module("alibabacloud_fc20230330.client")
        open_api_models = importlib.import_module("alibabacloud_tea_openapi.models")
        self.models: Any = importlib.import_module("alibabacloud_fc20230330.models")
        self._response_error: type[Exception] = importlib.import_module("darabonba.exceptions").ResponseException
        self.connection = connection
        self._client = sdk_client.Client(
            open_api_models.Config(
                access_key_id=connection.access_key_id,
                access_key_secret=connection.access_key_secret,
                security_token=connection.security_token or None,
                endpoint=connection.endpoint,
                protocol=connection.protocol,
                region_id=connection.region,
                connect_timeout=5000,
                read_timeout=30000,
            )
        )

    # --- versions -----------------------------------------------------------------
    def publish_version(self, function_name: str, description: str = "") -> dict[str, Any]:
        models = self.models
        request = models.PublishFunctionVersionRequest(body=models.PublishVersionInput(description=description))
        return self._call(lambda: self._client.publish_function_version(function_name, request))

    def list_versions(self, function_name: str) -> list[dict[str, Any]]:
        """Every version, oldest first (all pages)."""
        models = self.models
        versions: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            request = models.ListFunctionVersionsRequest(direction="FORWARD", limit=100, next_token=token)
            page = self._call(functools.partial(self._client.list_function_versions, function_name, request))
            versions.extend(page.get("versions") or [])
            token = page.get("nextToken")
            if not token:
                return sorted(versions, key=lambda v: int(v.get("versionId", "0")))

    def delete_version(self, function_name: str, version_id: str) -> None:
        self._call(lambda: self._client.delete_function_version(function_name, version_id))

    # --- aliases ------------------------------------------------------------------
    def get_alias(self, function_name: str, alias_name: str) -> dict[str, Any] | None:
        """The alias, or None when it does not exist."""
        try:
            return self._call(lambda: self._client.get_alias(function_name, alias_name))
        except FcCallError as exc:
            if exc.code == "AliasNotFound":
                return None
            raise

    def list_aliases(self, function_name: str) -> list[dict[str, Any]]:
        models = self.models
        aliases: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            request = models.ListAliasesRequest(limit=100, next_token=token)
            page = self._call(functools.partial(self._client.list_aliases, function_name, request))
            aliases.extend(page.get("aliases") or [])
            token = page.get("nextToken")
            if not token:
                return aliases

    def create_alias(
        self, function_name: str, alias_name: str, version_id: str, weights: dict[str, float] | None = None
    ) -> dict[str, Any]:
        models = self.models
        body = models.CreateAliasInput(
            alias_name=alias_name, version_id=version_id, additional_version_weight=weights or {}
        )
        return self._call(lambda: self._client.create_alias(function_name, models.CreateAliasRequest(body=body)))

    def update_alias(
        self,
        function_name: str,
        alias_name: str,
        version_id: str | None = None,
        weights: dict[str, float] | None = None,
    ) -> dict[str, Any]:
        """Change the alias; ``weights={}`` drops the canary, None leaves it as it is."""
        models = self.models
        body = models.UpdateAliasInput(version_id=version_id, additional_version_weight=weights)
        request = models.UpdateAliasRequest(body=body)
        return self._call(lambda: self._client.update_alias(function_name, alias_name, request))

    # --- layers -------------------------------------------------------------------
    def create_layer_version(
        self, layer_name: str, zip_bytes: bytes, *, runtimes: list[str], description: str = ""
    ) -> dict[str, Any]:
        models = self.models
        body = models.CreateLayerVersionInput(
            code=models.InputCodeLocation(zip_file=base64.b64encode(zip_bytes).decode("ascii")),
            compatible_runtime=runtimes,
            description=description,
        )
        request = models.CreateLayerVersionRequest(body=body)
        return self._call(lambda: self._client.create_layer_version(layer_name, request))

    def get_layer_version(self, layer_name: str, version: str) -> dict[str, Any]:
        return self._call(lambda: self._client.get_layer_version(layer_name, version))

    def list_layers(self) -> list[dict[str, Any]]:
        layers: list[dict[str, Any]] = []
        token = None
        while True:
            request = self.models.ListLayersRequest(limit=100, next_token=token)
            page = self._call(functools.partial(self._client.list_layers, request))
            layers += page.get("layers") or []
            token = page.get("nextToken")
            if not token:
                return layers

    def list_layer_versions(self, layer_name: str) -> list[dict[str, Any]]:
        versions: list[dict[str, Any]] = []
        start = None
        while True:
            request = self.models.ListLayerVersionsRequest(limit=100, start_version=start)
            page = self._call(functools.partial(self._client.list_layer_versions, layer_name, request))
            versions += page.get("layers") or []
            start = page.get("nextVersion")
            if not start:
                return versions

    def delete_layer_version(self, layer_name: str, version: str) -> None:
        self._call(lambda: self._client.delete_layer_version(layer_name, version))

    # --- internals ----------------------------------------------------------------
    def _call(self, call: Callable[[], Any]) -> dict[str, Any]:
        try:
            response = call()
        except self._response_error as exc:
            raise _call_error(exc) from None
        except Exception as exc:  # the SDK wraps network failures in UnretryableException
            reason = getattr(exc, "message", None) or exc
            raise FcCallError("ConnectionFailed", f"cannot reach {self.connection.describe()}: {reason}") from None
        body = getattr(response, "body", None)  # None for the 204 answers of deletes
        doc = body.to_map() if body is not None else {}
        return doc if isinstance(doc, dict) else {}


def _call_error(exc: Any) -> FcCallError:
    data = getattr(exc, "data", None)
    code = str(getattr(exc, "code", "") or "Error")
    message = data.get("Message") or data.get("message") if isinstance(data, dict) else None
    status = getattr(exc, "status_code", 0) or 0
    if not message:
        message = str(getattr(exc, "message", "") or exc)
    return FcCallError(code, str(message), int(status))

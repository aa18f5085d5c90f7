"""Layer versions of the local FC, persisted under ``<state>/layers/<layerName>/``:
``state.json`` (the versions' records and the next version number, never reused, as on FC)
and ``<version>.zip``. Written atomically under an exclusive lock (``versions.state``).

Answers are FC's ``Layer`` model (``alibabacloud_fc20230330.models.Layer``): ``layerName``,
``version``, ``description``, ``compatibleRuntime``, ``license``, ``acl``, ``code``
(``location``, ``repositoryType``), ``codeChecksum`` (CRC-64/ECMA of the zip, as OSS computes
it), ``codeSize``, ``createTime``, ``layerVersionArn``.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import zipfile
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from localfc.atomic_files import write_atomic
from localfc.fc.api.errors import ApiError, invalid_argument
from localfc.fc.versions.state import exclusive, now_text
from localfc.project.package.layer_specs import LAYER_NAME, parse_layer_arn
from localfc.services.oss.crc64 import crc64

if TYPE_CHECKING:
    from pathlib import Path

_VERSION = re.compile(r"^\d+$")


def layer_not_found(name: str, version: str | int | None = None) -> ApiError:
    # UNCONFIRMED: FC's exact code for a missing layer version; "LayerNotFound" (404) is the one
    # its error center lists for layers.
    what = f"version {version} of layer '{name}'" if version is not None else f"layer '{name}'"
    return ApiError(404, "LayerNotFound", f"{what} does not exist")


class LayerStore:
    """Layer versions of one local FC; thread- and process-safe."""

    def __init__(self, root: Path, *, region: str, account_id: str) -> None:
        self.root = root
        self.region = region
        self.account_id = account_id

    # --- operations ---------------------------------------------------------------
    def create(
        self,
        name: str,
        code: dict[str, Any],
        *,
        description: str = "",
        compatible_runtime: list[str] | None = None,
        license_: str = "",
    ) -> dict[str, Any]:
        _check_name(name)
        data = _zip_bytes(code)
        checksum = _crc64(data)
        expected = code.get("checksum")
        if expected not in (None, "") and str(expected) != checksum:
            raise invalid_argument(f"code.checksum {expected} does not match the zip's CRC-64 {checksum}")
        with exclusive(self._dir(name) / ".lock"):
            state = self._read(name)
            version = int(state.get("nextVersion", 1))
            record = {
                "layerName": name,
                "version": version,
                "description": description,
                "compatibleRuntime": list(compatible_runtime or []),
                "license": license_,
                "acl": "0",
                "codeChecksum": checksum,
                "codeSize": len(data),
                "createTime": now_text(),
                "layerVersionArn": self.arn(name, version),
            }
            write_atomic(self._dir(name) / f"{version}.zip", data)
            state["nextVersion"] = version + 1
            state.setdefault("versions", {})[str(version)] = record
            self._write(name, state)
        return self._doc(record)

    def get(self, name: str, version: str) -> dict[str, Any]:
        return self._doc(self._record(name, version))

    def get_by_arn(self, arn: str) -> dict[str, Any]:
        parsed = parse_layer_arn(arn)
        if parsed is None:
            raise invalid_argument(
                f"{arn!r} is not a layer version ARN (acs:fc:<region>:<account>:layers/<name>/versions/<n>)"
            )
        return self.get(parsed.name, str(parsed.version))

    def delete(self, name: str, version: str) -> None:
        with exclusive(self._dir(name) / ".lock"):
            self._record(name, version)
            state = self._read(name)
            del state["versions"][str(int(version))]
            self._write(name, state)
            with suppress(FileNotFoundError):
                (self._dir(name) / f"{int(version)}.zip").unlink()

    def list_versions(self, name: str) -> list[dict[str, Any]]:
        """Every version of ``name``, oldest first (404 when it has none)."""
        versions = self._read(name).get("versions", {})
        if not versions:
            raise layer_not_found(name)
        return [self._doc(versions[k]) for k in sorted(versions, key=int)]

    def list_layers(self) -> list[dict[str, Any]]:
        """The newest version of every layer, by name."""
        layers = []
        if self.root.is_dir():
            for directory in sorted(p for p in self.root.iterdir() if p.is_dir()):
                versions = self._read(directory.name).get("versions", {})
                if versions:
                    layers.append(self._doc(versions[max(versions, key=int)]))
        return layers

    def zip_path(self, name: str, version: int) -> Path | None:
        """The zip of a layer version, or None when the local FC does not have it."""
        path = self._dir(name) / f"{version}.zip"
        return path if str(version) in self._read(name).get("versions", {}) and path.is_file() else None

    def arn(self, name: str, version: int) -> str:
        return f"acs:fc:{self.region}:{self.account_id}:layers/{name}/versions/{version}"

    # --- internals ----------------------------------------------------------------
    def _doc(self, record: dict[str, Any]) -> dict[str, Any]:
        path = self._dir(record["layerName"]) / f"{record['version']}.zip"
        return {**record, "code": {"location": path.as_uri(), "repositoryType": "Local"}}

    def _record(self, name: str, version: str) -> dict[str, Any]:
        if not _VERSION.match(str(version)):
            raise invalid_argument(f"version must be a whole number, got {version!r}")
        record = self._read(name).get("versions", {}).get(str(int(version)))
        if record is None:
            raise layer_not_found(name, version)
        return dict(record)

    def _dir(self, name: str) -> Path:
        _check_name(name)
        return self.root / name

    def _read(self, name: str) -> dict[str, Any]:
        try:
            doc = json.loads((self._dir(name) / "state.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ApiError(500, "InternalError", f"layer state of '{name}' cannot be read: {exc}") from None
        return doc if isinstance(doc, dict) else {}

    def _write(self, name: str, state: dict[str, Any]) -> None:
        write_atomic(self._dir(name) / "state.json", json.dumps(state, indent=1).encode("utf-8"))


def _check_name(name: str) -> None:
    if not LAYER_NAME.match(name):
        raise invalid_argument(
            f"layerName {name!r} must start with a letter or _ and hold at most 64 letters, digits, _ or -"
        )


def _zip_bytes(code: dict[str, Any]) -> bytes:
    if code.get("ossBucketName") or code.get("ossObjectName"):
        raise invalid_argument("code from OSS is not supported by the local FC: send code.zipFile (base64)")
    encoded = code.get("zipFile")
    if not isinstance(encoded, str) or not encoded:
        raise invalid_argument("code.zipFile is required: the layer's zip, base64-encoded")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_argument("code.zipFile is not valid base64") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.namelist()
    except zipfile.BadZipFile:
        raise invalid_argument("code.zipFile is not a zip file") from None
    return data


def _crc64(data: bytes) -> str:
    # localfc's own CRC-64 (OSS's): importing runtime here would load the repository's
    # algorithms into the local tools' process, ahead of the code dir an invoke runs.
    return str(crc64(data))

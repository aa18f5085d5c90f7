"""Versions and aliases of the local FC: publish immutable snapshots, point aliases at them
with an optional weighted canary, and resolve a qualifier to the code and props that run.

State lives under ``<state_dir>/versions/<function>/``: ``state.json`` (versions, aliases,
the next version id) and one ``<id>/code`` directory per version, a copy of the files that
``s deploy`` would package. ``LATEST`` is the working tree and s.yaml as they are now.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import shutil
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from localfc.fc.api import errors
from localfc.fc.versions.snapshot import SnapshotError, code_digest, copy_files, package_files
from localfc.fc.versions.state import (
    AliasRecord,
    FunctionState,
    StateFileError,
    VersionRecord,
    exclusive,
    now_text,
    read_state,
    write_state,
)
from localfc.project.syaml.model import LATEST, FunctionProps

if TYPE_CHECKING:
    from pathlib import Path

    from localfc.project.syaml.model import Project

# FC: an alias starts with a letter; letters, digits, '_' and '-'; at most 128 characters.
_ALIAS_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,127}$")
_MAX_DESCRIPTION = 256
# FC lets an alias send traffic to one version besides its own ("a pointer to one or two versions").
MAX_CANARY_VERSIONS = 1


@dataclass(frozen=True)
class ResolvedQualifier:
    """What one invocation runs: the qualifier asked for, the version chosen ("" for LATEST),
    that version's props (triggers are not part of a version) and its code directory."""

    qualifier: str
    version_id: str
    props: FunctionProps
    code_dir: Path


class VersionStore:
    """Versions and aliases of the functions of one project, persisted in ``state_dir``.

    >>> store = VersionStore(Path(".localfc"), load_project("s.yaml"))     # doctest: +SKIP
    >>> store.publish_function_version("prime-checker", "first").versionId  # doctest: +SKIP
    '1'
    >>> store.create_alias("prime-checker", "prod", "1")                    # doctest: +SKIP
    >>> store.resolve("prime-checker", "prod").version_id                   # doctest: +SKIP
    '1'
    """

    def __init__(self, state_dir: Path, project: Project, rng: random.Random | None = None) -> None:
        self.state_dir = state_dir
        self.project = project
        self.rng = rng or random.Random()
        # function -> (file identity, state): re-read only when another writer replaced the file.
        self._cache: dict[str, tuple[tuple[int, int, int], FunctionState]] = {}
        # resolve() runs on every invocation: cache what pathlib and pydantic would redo.
        self._version_cache: dict[tuple[str, str, str], tuple[FunctionProps, Path]] = {}
        self._latest_code_dirs: dict[str, tuple[Project, Path]] = {}
        self._state_files: dict[str, Path] = {}

    # --- paths --------------------------------------------------------------------
    def function_dir(self, function_name: str) -> Path:
        return self.state_dir / "versions" / function_name

    def _state_file(self, function_name: str) -> Path:
        path = self._state_files.get(function_name)
        if path is None:
            path = self._state_files[function_name] = self.function_dir(function_name) / "state.json"
        return path

    def version_code_dir(self, function_name: str, version_id: str) -> Path:
        return self.function_dir(function_name) / version_id / "code"

    # --- versions -----------------------------------------------------------------
    def publish_function_version(self, function_name: str, description: str = "") -> VersionRecord:
        """Freeze LATEST (code + rendered props) as the next version number."""
        props = self._latest(function_name)
        name = props.functionName
        _check_description(description)
        code_dir = self.project.code_dir(props)
        config = props.model_dump(mode="json", exclude={"triggers"})
        config_digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()
        with exclusive(self.function_dir(name) / ".lock"):
            state = self._read(name)
            try:
                files = package_files(code_dir, exclude=[self.state_dir])
                digest = code_digest(code_dir, files)
            except SnapshotError as exc:
                raise errors.invalid_argument(str(exc)) from None
            newest = state.newest_version()
            if newest is not None and (newest.codeDigest, newest.configDigest) == (digest, config_digest):
                raise errors.precondition_failed(
                    f"nothing changed in function '{name}' since version {newest.versionId}:"
                    " change the code or its configuration in s.yaml before publishing"
                )
            version_id = str(state.nextVersionId)
            staging = self.function_dir(name) / f".staging-{uuid.uuid4().hex}"
            try:
                copy_files(code_dir, files, staging / "code")
            except SnapshotError as exc:
                raise errors.ApiError(500, "InternalError", str(exc)) from None
            target = self.function_dir(name) / version_id
            shutil.rmtree(target, ignore_errors=True)  # leftovers of a crash between rename and write
            staging.rename(target)
            stamp = now_text()
            record = VersionRecord(
                versionId=version_id,
                description=description,
                createdTime=stamp,
                lastModifiedTime=stamp,
                codeDigest=digest,
                configDigest=config_digest,
                config=config,
            )
            state.versions[version_id] = record
            state.nextVersionId += 1
            self._write(name, state)
        return record

    def list_function_versions(self, function_name: str) -> list[VersionRecord]:
        """Every version, oldest first."""
        name = self._latest(function_name).functionName
        state = self._cached(name)
        return [state.versions[k] for k in sorted(state.versions, key=int)]

    def get_function_version(self, function_name: str, version_id: str) -> VersionRecord:
        name = self._latest(function_name).functionName
        record = self._cached(name).versions.get(version_id)
        if record is None:
            raise errors.version_not_found(name, version_id)
        return record

    def delete_function_version(self, function_name: str, version_id: str) -> None:
        """Delete a version no alias uses (its number is never given out again)."""
        name = self._latest(function_name).functionName
        with exclusive(self.function_dir(name) / ".lock"):
            state = self._read(name)
            if version_id not in state.versions:
                raise errors.version_not_found(name, version_id)
            users = [
                f"'{a.aliasName}'" + (" (as its canary)" if a.versionId != version_id else "")
                for a in state.aliases.values()
                if version_id == a.versionId or version_id in a.additionalVersionWeight
            ]
            if users:
                raise errors.precondition_failed(
                    f"version {version_id} of function '{name}' is used by alias {', '.join(users)};"
                    " point the alias at another version first"
                )
            del state.versions[version_id]
            self._write(name, state)
        shutil.rmtree(self.function_dir(name) / version_id, ignore_errors=True)

    # --- aliases ------------------------------------------------------------------
    def create_alias(
        self,
        function_name: str,
        alias_name: str,
        version_id: str,
        additional_version_weight: dict[str, Any] | None = None,
        description: str = "",
    ) -> AliasRecord:
        """Create alias ``alias_name`` → ``version_id`` (+ at most one weighted canary version)."""
        name = self._latest(function_name).functionName
        _check_alias_name(alias_name)
        _check_description(description)
        with exclusive(self.function_dir(name) / ".lock"):
            state = self._read(name)
            if alias_name in state.aliases:
                raise errors.ApiError(
                    409, "AliasAlreadyExists", f"alias '{alias_name}' of function '{name}' already exists"
                )
            weights = _checked_routing(name, state, version_id, additional_version_weight or {})
            stamp = now_text()
            record = AliasRecord(
                aliasName=alias_name,
                versionId=version_id,
                additionalVersionWeight=weights,
                description=description,
                createdTime=stamp,
                lastModifiedTime=stamp,
            )
            state.aliases[alias_name] = record
            self._write(name, state)
        return record

    def update_alias(
        self,
        function_name: str,
        alias_name: str,
        version_id: str | None = None,
        additional_version_weight: dict[str, Any] | None = None,
        description: str | None = None,
    ) -> AliasRecord:
        """Change what is given (None keeps the current value; ``{}`` drops the canary)."""
        name = self._latest(function_name).functionName
        if description is not None:
            _check_description(description)
        with exclusive(self.function_dir(name) / ".lock"):
            state = self._read(name)
            current = state.aliases.get(alias_name)
            if current is None:
                raise errors.alias_not_found(name, alias_name)
            new_version = current.versionId if version_id is None else version_id
            new_weights = (
                current.additionalVersionWeight if additional_version_weight is None else additional_version_weight
            )
            weights = _checked_routing(name, state, new_version, new_weights)
            record = current.model_copy(
                update={
                    "versionId": new_version,
                    "additionalVersionWeight": weights,
                    "description": current.description if description is None else description,
                    "lastModifiedTime": now_text(),
                }
            )
            state.aliases[alias_name] = record
            self._write(name, state)
        return record

    def get_alias(self, function_name: str, alias_name: str) -> AliasRecord:
        name = self._latest(function_name).functionName
        record = self._cached(name).aliases.get(alias_name)
        if record is None:
            raise errors.alias_not_found(name, alias_name)
        return record

    def list_aliases(self, function_name: str) -> list[AliasRecord]:
        """Every alias, by name."""
        name = self._latest(function_name).functionName
        state = self._cached(name)
        return [state.aliases[k] for k in sorted(state.aliases)]

    def delete_alias(self, function_name: str, alias_name: str) -> None:
        name = self._latest(function_name).functionName
        with exclusive(self.function_dir(name) / ".lock"):
            state = self._read(name)
            if alias_name not in state.aliases:
                raise errors.alias_not_found(name, alias_name)
            del state.aliases[alias_name]
            self._write(name, state)

    # --- routing ------------------------------------------------------------------
    def resolve(self, function_name: str, qualifier: str) -> ResolvedQualifier:
        """The version one invocation of ``function_name:qualifier`` runs.

        ``LATEST`` (or "") is the working tree; a number is that version; an alias picks its
        canary version with probability equal to its weight, else its own version.
        """
        latest = self._latest(function_name)
        qualifier = qualifier or LATEST
        if qualifier == LATEST:
            return ResolvedQualifier(LATEST, "", latest, self._latest_code_dir(latest))
        name = latest.functionName
        state = self._cached(name)
        if qualifier.isdigit():
            version_id = qualifier
            if version_id not in state.versions:
                raise errors.version_not_found(name, version_id)
        else:
            alias = state.aliases.get(qualifier)
            if alias is None:
                raise errors.alias_not_found(name, qualifier)
            version_id = alias.versionId
            for canary, weight in alias.additionalVersionWeight.items():
                if self.rng.random() < weight:
                    version_id = canary
        props, code_dir = self._version(name, state, version_id)
        return ResolvedQualifier(qualifier, version_id, props, code_dir)

    # --- internals ----------------------------------------------------------------
    def _latest(self, function_name: str) -> FunctionProps:
        try:
            return self.project.function(function_name)[1]
        except LookupError:
            raise errors.function_not_found(function_name) from None

    def _version(self, name: str, state: FunctionState, version_id: str) -> tuple[FunctionProps, Path]:
        record = state.versions[version_id]
        # The digest in the key keeps the cache right even if the state directory was wiped.
        key = (name, version_id, record.configDigest)
        hit = self._version_cache.get(key)
        if hit is None:
            hit = (FunctionProps.model_validate(record.config), self.version_code_dir(name, version_id))
            self._version_cache[key] = hit
        return hit

    def _latest_code_dir(self, props: FunctionProps) -> Path:
        hit = self._latest_code_dirs.get(props.functionName)
        if hit is None or hit[0] is not self.project:  # a reloaded project may move the code
            hit = self._latest_code_dirs[props.functionName] = (self.project, self.project.code_dir(props))
        return hit[1]

    def _read(self, name: str) -> FunctionState:
        try:
            return read_state(self._state_file(name), name)
        except StateFileError as exc:
            raise errors.ApiError(500, "InternalError", str(exc)) from None

    def _write(self, name: str, state: FunctionState) -> None:
        write_state(self._state_file(name), state)
        self._cache.pop(name, None)

    def _cached(self, name: str) -> FunctionState:
        path = self._state_file(name)
        try:
            st = path.stat()
            identity = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            identity = (0, 0, 0)
        hit = self._cache.get(name)
        if hit is not None and hit[0] == identity:
            return hit[1]
        state = self._read(name)
        self._cache[name] = (identity, state)
        return state


def _check_alias_name(alias_name: str) -> None:
    if not isinstance(alias_name, str) or not _ALIAS_NAME.match(alias_name) or alias_name.upper() == LATEST:
        raise errors.invalid_argument(
            f"alias name {alias_name!r} is invalid: start with a letter, then letters, digits, '_' or '-',"
            " at most 128 characters, and not LATEST"
        )


def _check_description(description: Any) -> None:
    if not isinstance(description, str) or len(description) > _MAX_DESCRIPTION:
        raise errors.invalid_argument(f"description must be a string of at most {_MAX_DESCRIPTION} characters")


def _checked_routing(name: str, state: FunctionState, version_id: Any, weights: Any) -> dict[str, float]:
    """Validate an alias's target and canary weights the way FC does; return clean weights."""
    if not isinstance(version_id, str) or not version_id:
        raise errors.invalid_argument("versionId is required: the published version the alias points to")
    if not version_id.isdigit():
        raise errors.invalid_argument(
            f"versionId {version_id!r} is not a published version number (an alias cannot point at LATEST)"
        )
    if version_id not in state.versions:
        raise errors.version_not_found(name, version_id)
    if not isinstance(weights, dict):
        raise errors.invalid_argument('additionalVersionWeight must be an object such as {"2": 0.1}')
    if len(weights) > MAX_CANARY_VERSIONS:
        raise errors.invalid_argument(
            f"additionalVersionWeight names {len(weights)} versions ({', '.join(sorted(map(str, weights)))});"
            " FC allows one canary version per alias besides the version it points to"
        )
    clean: dict[str, float] = {}
    for key, weight in weights.items():
        canary = str(key)
        if canary == version_id:
            raise errors.ApiError(
                400,
                "AdditionalVersionContainsMajorVersion",
                f"additionalVersionWeight {json.dumps(weights)} contains the alias's own version {version_id};"
                " a canary weight must name another version",
            )
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight):
            raise errors.invalid_argument(f"weight of version {canary} must be a number from 0 to 1, got {weight!r}")
        if not 0 <= weight <= 1:
            raise errors.invalid_argument(f"weight of version {canary} must be between 0 and 1, got {weight}")
        if not canary.isdigit() or canary not in state.versions:
            raise errors.version_not_found(name, canary)
        clean[canary] = float(weight)
    return clean

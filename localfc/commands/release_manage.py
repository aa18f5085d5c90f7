"""Listing and removing in ``local_invoke.py release``, as ``s version list|remove`` and
``s alias list|get|remove`` do: tables on stdout, a question before a delete unless
``-y/--assume-yes`` (and a refusal to guess when no one can answer it)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from localfc.release.rollout import RolloutError, Shares
from localfc.terminal import aligned

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from pathlib import Path

    from localfc.release.connection import Connection
    from localfc.release.rollout import Rollout


def version_list(_args: argparse.Namespace, rollout: Rollout, _connection: Connection, _state: Path) -> int:
    versions = rollout.client.list_versions(rollout.function_name)
    if not versions:
        print(f"{rollout.function_name} has no published version yet", file=sys.stderr)
        return 0
    rows = [
        (str(v.get("versionId", "")), str(v.get("createdTime", "")), str(v.get("description", ""))) for v in versions
    ]
    _table(("VERSION", "CREATED", "DESCRIPTION"), rows)
    return 0


def version_remove(args: argparse.Namespace, rollout: Rollout, _connection: Connection, _state: Path) -> int:
    version_id = rollout.version_id(args.version)
    if not _confirmed(args, f"remove version {version_id} of {rollout.function_name}?"):
        return 2
    rollout.remove_version(version_id)
    print(f"removed version {version_id} of {rollout.function_name}")
    return 0


def alias_list(_args: argparse.Namespace, rollout: Rollout, _connection: Connection, _state: Path) -> int:
    aliases = rollout.client.list_aliases(rollout.function_name)
    if not aliases:
        print(f"{rollout.function_name} has no alias yet", file=sys.stderr)
        return 0
    rows = []
    for alias in aliases:
        shares = Shares.of(alias)
        split = ", ".join(f"{v} {s:.0%}" for v, s in shares.split())
        rows.append((shares.alias, shares.version_id, split, str(alias.get("description") or "")))
    _table(("ALIAS", "VERSION", "SHARES", "DESCRIPTION"), rows)
    return 0


def alias_get(args: argparse.Namespace, rollout: Rollout, _connection: Connection, _state: Path) -> int:
    if not args.alias:
        raise RolloutError("alias get needs --alias-name NAME")
    rollout.alias(args.alias)  # the message (and the suggestion) for a missing one
    found: dict[str, Any] = rollout.client.get_alias(rollout.function_name, args.alias) or {}
    print(json.dumps(found, indent=2, ensure_ascii=False, sort_keys=True))
    return 0


def alias_remove(args: argparse.Namespace, rollout: Rollout, _connection: Connection, _state: Path) -> int:
    if not args.alias:
        raise RolloutError("alias remove needs --alias-name NAME")
    if not _confirmed(args, f"remove alias {args.alias!r} of {rollout.function_name}?"):
        return 2
    rollout.remove_alias(args.alias)
    print(f"removed alias {args.alias!r} of {rollout.function_name}")
    return 0


def _confirmed(args: argparse.Namespace, question: str) -> bool:
    if args.assume_yes:
        return True
    if not sys.stdin.isatty():
        print(f"error: {question} — pass -y/--assume-yes to confirm (no terminal to ask on)", file=sys.stderr)
        return False
    answer = input(f"{question} [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        print("not removed", file=sys.stderr)
        return False
    return True


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    for line in aligned(header, rows):
        print(line)


MANAGE_ACTIONS = {
    "version-list": version_list,
    "version-remove": version_remove,
    "alias-list": alias_list,
    "alias-get": alias_get,
    "alias-remove": alias_remove,
}

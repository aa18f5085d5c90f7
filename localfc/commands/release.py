"""``local_invoke.py release``: versions and aliases, canaries and their rollout, with the
official FC 3.0 client, against the local FC (``serve``) or Function Compute (``--fc``).

Flags take ``s``'s names as well as ours: ``--alias-name`` = ``--alias``, ``--version-id`` =
``--version``, and ``--vw '{"2":0.1}'`` (``--additionalVersionWeight``) for the canary share.

    python local_invoke.py release publish prime-checker --description "faster factoring"
    python local_invoke.py release version list prime-checker
    python local_invoke.py release alias prime-checker --alias-name prod --version-id 1
    python local_invoke.py release alias publish prime-checker --alias-name prod --version-id 1 --vw '{"2":0.1}'
    python local_invoke.py release alias get prime-checker --alias-name prod
    python local_invoke.py release canary prime-checker --alias prod --version 2 --weight 0.1
    python local_invoke.py release status prime-checker --alias prod
    python local_invoke.py release canary prime-checker --alias prod --version 2 \\
        --steps 10,50,100 --interval 30s --max-error-rate 0.05 --min-invocations 20

Exit status: 0 done; 1 FC refused the call (no such alias or version, ...) or the
progressive canary rolled back; 2 bad usage (an unknown function, a bad flag, a missing
s.yaml); 3 the FC API could not be reached (``serve`` not running, say).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from localfc.commands.release_args import add_arguments
from localfc.commands.release_manage import MANAGE_ACTIONS
from localfc.commands.release_steps import STEP_ACTIONS
from localfc.project.syaml import ProjectError, load_project
from localfc.release.client import CONNECTION_FAILED, FcCallError, FcClient
from localfc.release.connection import ConnectionSetupError, resolve_connection
from localfc.release.rollout import Rollout, RolloutError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from localfc.project.syaml.model import Project
    from localfc.release.connection import Connection

HELP = "publish versions and canary them through aliases"
EXIT_UNREACHABLE = 3

__all__ = ["HELP", "add_arguments", "run"]

_ACTIONS: dict[str, Callable[[argparse.Namespace, Rollout, Connection, Path], int]] = {
    **STEP_ACTIONS,
    **MANAGE_ACTIONS,
}


class UsageError(ValueError):
    """The flags do not make a complete request; exit 2."""


def run(args: argparse.Namespace) -> int:
    try:
        action, function = _action_and_function(args)
        project = _project(args.template)
        function_name, region = _function(project, function, args.region)
        state_dir = (
            Path(args.state_dir) if args.state_dir else (project.base_dir if project else Path.cwd()) / ".localfc"
        )
        connection = resolve_connection(
            endpoint=args.endpoint,
            use_fc=args.fc,
            region=region,
            account_id=args.account_id,
            access=args.access or (project.access if project else "default"),
            state_dir=state_dir,
        )
    except (ProjectError, ConnectionSetupError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rollout = Rollout(FcClient(connection), function_name)  # imports the SDK (~0.4 s)
    try:
        return _ACTIONS[action](args, rollout, connection, state_dir)
    except RolloutError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except FcCallError as exc:
        if exc.code == CONNECTION_FAILED:
            hint = " — is `python local_invoke.py serve` running?" if connection.is_local else ""
            print(f"error: {exc.message}{hint}", file=sys.stderr)
            return EXIT_UNREACHABLE
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _action_and_function(args: argparse.Namespace) -> tuple[str, str]:
    """``release alias FN`` is ``alias publish``; ``release alias list FN`` names the action."""
    if args.action == "alias":
        words = list(args.words)
        if len(words) == 2 and words[0] in ("publish", "list", "get", "remove"):
            return f"alias-{words[0]}", words[1]
        if len(words) == 1:
            return "alias-publish", words[0]
        raise UsageError("expected `release alias [publish|list|get|remove] FUNCTION`")
    if args.action == "version":
        return f"version-{args.version_action}", args.function
    return str(args.action), str(args.function)


def _project(template: str | None) -> Project | None:
    try:
        return load_project(template)
    except ProjectError:
        if template is not None:
            raise
        return None  # no s.yaml here: fine against FC when --region is given


def _function(project: Project | None, name: str, region: str | None) -> tuple[str, str]:
    if project is None:
        if region is None:
            raise ConnectionSetupError("no s.yaml found: pass -t s.yaml, or --region with the function name")
        return name, region
    try:
        props = project.function(name)[1]
    except LookupError as exc:
        raise UsageError(str(exc)) from None
    return props.functionName, region or props.region

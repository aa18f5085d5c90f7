"""``local_invoke.py release``: publish versions and canary them through aliases, with the
official FC 3.0 client, against the local FC (``serve``) or Function Compute (``--fc``).

    python local_invoke.py release publish prime-checker --description "faster factoring"
    python local_invoke.py release alias   prime-checker --alias prod --version 1
    python local_invoke.py release canary  prime-checker --alias prod --version 2 --weight 0.1
    python local_invoke.py release status  prime-checker --alias prod
    python local_invoke.py release promote prime-checker --alias prod
    python local_invoke.py release rollback prime-checker --alias prod
    python local_invoke.py release canary  prime-checker --alias prod --version 2 \\
        --steps 10,50,100 --interval 30s --max-error-rate 0.05 --min-invocations 20

Exit status: 0 done, 1 the call failed or the progressive canary rolled back, 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from localfc.logstore.metrics import InvocationLog, VersionCounts, count_invocations, log_file, sls_query
from localfc.project.syaml import ProjectError, load_project
from localfc.release.client import FcCallError, FcClient
from localfc.release.connection import ConnectionSetupError, resolve_connection
from localfc.release.rollout import ProgressivePlan, Rollout, RolloutError, Shares, progressive_canary
from localfc.timeparse import TimeInputError, parse_duration

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.project.syaml.model import Project
    from localfc.release.connection import Connection

HELP = "publish versions and canary them through aliases"


def duration(text: str) -> float:
    """Seconds in ``30s``, ``2m``, ``500ms``, ``1h30m`` (the grammar of ``localfc.timeparse``)."""
    try:
        return parse_duration(text)
    except TimeInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def weight(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1 (0.1 = 10 %), got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"a weight is a share from 0 to 1 (0.1 = 10 %), got {text}")
    return value


def steps(text: str) -> list[float]:
    """``10,50,100`` (percent) -> [0.1, 0.5, 1.0], strictly increasing."""
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected percentages such as 10,50,100, got {text!r}") from None
    if not values or any(not 0 < v <= 100 for v in values) or values != sorted(set(values)):
        raise argparse.ArgumentTypeError(f"steps must be increasing percentages in (0, 100], got {text!r}")
    return [v / 100 for v in values]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("function", help="functionName (or resource name) in s.yaml")
    where = common.add_argument_group("where the FC API is")
    where.add_argument("-t", "--template", default=None, help="s.yaml to read (default: ./s.yaml)")
    where.add_argument(
        "--endpoint", default=None, help="FC API endpoint, HOST:PORT or URL (default: FC_ENDPOINT, else serve)"
    )
    where.add_argument(
        "--fc", action="store_true", help="talk to Function Compute: <AccountID>.<region>.fc.aliyuncs.com"
    )
    where.add_argument("--region", default=None, help="region for --fc (default: the function's region in s.yaml)")
    where.add_argument("--account-id", default=None, help="account for --fc (default: ALIBABA_CLOUD_ACCOUNT_ID)")
    where.add_argument("--access", default=None, help="alias in ~/.s/access.yaml for keys (default: s.yaml's access)")
    where.add_argument("--state-dir", default=None, help="local FC state directory (default: <project>/.localfc)")

    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    publish = sub.add_parser("publish", parents=[common], help="publish LATEST as a new version (s version publish)")
    publish.add_argument("--description", default="", help="what changed")

    alias = sub.add_parser("alias", parents=[common], help="create or move an alias, no canary (s alias publish)")
    alias.add_argument("--alias", required=True, help="alias name, e.g. prod")
    alias.add_argument("--version", required=True, help="version number or 'latest'")

    canary = sub.add_parser("canary", parents=[common], help="send a share of an alias to another version")
    canary.add_argument("--alias", required=True, help="alias name, e.g. prod")
    canary.add_argument("--version", required=True, help="the canary version, a number or 'latest'")
    mode = canary.add_mutually_exclusive_group(required=True)
    mode.add_argument("--weight", type=weight, help="share for the canary, 0 to 1 (0.1 = 10 %%)")
    mode.add_argument("--steps", type=steps, help="progressive: percentages, e.g. 10,50,100 (100 = promote)")
    canary.add_argument("--interval", type=duration, default=30.0, help="progressive: watch each step this long (30s)")
    canary.add_argument("--max-error-rate", type=weight, default=0.05, help="progressive: roll back above this (0.05)")
    canary.add_argument(
        "--min-invocations", type=int, default=20, help="progressive: calls needed to judge a step (20)"
    )

    promote = sub.add_parser("promote", parents=[common], help="point the alias at its canary version")
    promote.add_argument("--alias", required=True, help="alias name, e.g. prod")
    promote.add_argument("--version", default=None, help="promote this version instead of the canary")

    rollback = sub.add_parser("rollback", parents=[common], help="drop the canary, or go back one version")
    rollback.add_argument("--alias", required=True, help="alias name, e.g. prod")
    rollback.add_argument("--to-version", default=None, help="version to go back to (default: the previous one)")

    status = sub.add_parser("status", parents=[common], help="who gets which share, with calls and errors per version")
    status.add_argument("--alias", default=None, help="only this alias (and only calls made through it)")
    status.add_argument("--since", type=duration, default=None, help="count calls of the last DURATION only (e.g. 10m)")


def run(args: argparse.Namespace) -> int:
    try:
        project = _project(args.template)
        function_name, region = _function(project, args.function, args.region)
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
        rollout = Rollout(FcClient(connection), function_name)  # imports the SDK (~0.4 s)
        return _ACTIONS[args.action](args, rollout, connection, state_dir)
    except (ProjectError, ConnectionSetupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (RolloutError, FcCallError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


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
        raise ConnectionSetupError(str(exc)) from None
    return props.functionName, region or props.region


# --- actions ------------------------------------------------------------------------------
def _publish(args: argparse.Namespace, rollout: Rollout, connection: Connection, _state: Path) -> int:
    version = rollout.publish(args.description)
    print(f"published version {version.get('versionId')} of {rollout.function_name} on {connection.describe()}")
    return 0


def _alias(args: argparse.Namespace, rollout: Rollout, _connection: Connection, _state: Path) -> int:
    shares = rollout.point(args.alias, rollout.version_id(args.version))
    print(f"alias {shares.alias!r} -> version {shares.version_id} (100 %)")
    return 0


def _canary(args: argparse.Namespace, rollout: Rollout, connection: Connection, state_dir: Path) -> int:
    version_id = rollout.version_id(args.version)
    if args.steps is None:
        shares = rollout.canary(args.alias, version_id, args.weight)
        print(f"alias {args.alias!r}: {_split_text(shares)}")
        return 0
    if not connection.is_local:
        print(
            "error: the progressive canary reads error rates from the local FC's logs; against FC, step with"
            " `release canary --weight` and watch the SLS query `release status` prints",
            file=sys.stderr,
        )
        return 2
    if args.min_invocations < 1:
        print("error: --min-invocations must be at least 1", file=sys.stderr)
        return 2
    plan = ProgressivePlan(args.alias, version_id, args.steps, args.interval, args.max_error_rate, args.min_invocations)
    path = log_file(state_dir, rollout.function_name)

    def counts_since(started: float) -> Callable[[], VersionCounts]:
        log = InvocationLog(path, since=started, qualifier=args.alias)
        return lambda: log.poll().get(version_id, VersionCounts())

    return 0 if progressive_canary(rollout, plan, counts_since, say=_say) else 1


def _promote(args: argparse.Namespace, rollout: Rollout, _connection: Connection, _state: Path) -> int:
    target = rollout.version_id(args.version) if args.version else None
    shares = rollout.promote(args.alias, target)
    print(f"promoted: alias {shares.alias!r} -> version {shares.version_id} (100 %)")
    return 0


def _rollback(args: argparse.Namespace, rollout: Rollout, _connection: Connection, _state: Path) -> int:
    target = rollout.version_id(args.to_version) if args.to_version else None
    _, what = rollout.rollback(args.alias, target)
    print(f"rolled back: {what}")
    return 0


def _status(args: argparse.Namespace, rollout: Rollout, connection: Connection, state_dir: Path) -> int:
    name = rollout.function_name
    print(f"{name} on {connection.describe()}")
    listed = [rollout.alias(args.alias)] if args.alias else None
    aliases = listed or [Shares.of(a) for a in rollout.client.list_aliases(name)]
    for shares in aliases:
        print(f"  alias {shares.alias}: {_split_text(shares)}")
    if not connection.is_local:
        print("invocation and error counts per version are in SLS on FC; run this query in the SLS console:")
        print(f"  {sls_query(name)}")
        return 0
    # With an alias: its versions and the calls made through it. Without: every version, all calls.
    share_of = dict(aliases[0].split()) if args.alias else {}
    versions = list(share_of) if args.alias else [str(v["versionId"]) for v in rollout.client.list_versions(name)]
    since = time.time() - args.since if args.since else None
    path = log_file(state_dir, name)
    counts = count_invocations(path, since, args.alias)
    if not args.alias and "LATEST" in counts:
        versions.append("LATEST")
    window = f" in the last {args.since:g} s" if args.since else ""
    through = f" through alias {args.alias!r}" if args.alias else ""
    print(f"calls{through}{window}, from {path}:")
    print(f"  {'version':<8} {'share':>6} {'calls':>7} {'errors':>7} {'error rate':>10}")
    for version in versions:
        c = counts.get(version, VersionCounts())
        share = f"{share_of[version]:.0%}" if version in share_of else "-"
        print(f"  {version:<8} {share:>6} {c.invocations:>7} {c.errors:>7} {c.error_rate:>10.1%}")
    return 0


def _split_text(shares: Shares) -> str:
    return ", ".join(f"version {v} {s:.0%}" for v, s in shares.split())


def _say(text: str) -> None:
    print(text, flush=True)


_ACTIONS: dict[str, Callable[[argparse.Namespace, Rollout, Connection, Path], int]] = {
    "publish": _publish,
    "alias": _alias,
    "canary": _canary,
    "promote": _promote,
    "rollback": _rollback,
    "status": _status,
}

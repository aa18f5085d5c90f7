"""The release steps of ``local_invoke.py release``: publish, alias (publish), canary
(one weight or progressive), promote, rollback, status. Each prints one short result."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from localfc.logstore.metrics import InvocationLog, count_invocations, log_file, sls_query
from localfc.logstore.stats import VersionStats
from localfc.release.rollout import ProgressivePlan, RolloutError, Shares, progressive_canary

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from pathlib import Path

    from localfc.release.connection import Connection
    from localfc.release.rollout import Rollout


def publish(args: argparse.Namespace, rollout: Rollout, connection: Connection, _state: Path) -> int:
    version = rollout.publish(args.description)
    print(f"published version {version.get('versionId')} of {rollout.function_name} on {connection.describe()}")
    return 0


def alias_publish(args: argparse.Namespace, rollout: Rollout, _connection: Connection, _state: Path) -> int:
    """``s alias publish``: ``--version`` is the main version, ``--vw`` the canary (if any)."""
    if not args.alias or not args.version:
        raise RolloutError("alias publish needs --alias-name NAME and --version-id N (or latest)")
    target = rollout.version_id(args.version)
    weights = {rollout.version_id(v): share for v, share in args.vw.items()} if args.vw is not None else {}
    shares = rollout.publish_alias(args.alias, target, weights)
    print(f"alias {shares.alias!r} -> {split_text(shares) if shares.canary_id else f'version {target} (100 %)'}")
    return 0


def canary(args: argparse.Namespace, rollout: Rollout, connection: Connection, state_dir: Path) -> int:
    if args.vw is not None:
        if not args.vw:
            raise RolloutError("--vw '{}' drops the canary: use `release rollback` (or `alias publish --vw '{}'`)")
        ((version, share),) = args.vw.items()
        if args.version and rollout.version_id(args.version) != rollout.version_id(version):
            raise RolloutError(f"--version {args.version} and --vw {version} name two canary versions: give one")
        args.version, args.weight = version, share
    if not args.version:
        raise RolloutError("canary needs the canary version: --version-id N (or latest), or --vw '{\"N\":0.1}'")
    version_id = rollout.version_id(args.version)
    if args.steps is None:
        shares = rollout.canary(args.alias, version_id, args.weight)
        print(f"alias {args.alias!r}: {split_text(shares)}")
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

    def counts_since(started: float) -> Callable[[], VersionStats]:
        log = InvocationLog(path, since=started, qualifier=args.alias)
        return lambda: log.poll().get(version_id, VersionStats())

    report_every = max(5.0, min(30.0, args.interval / 4))
    return 0 if progressive_canary(rollout, plan, counts_since, say=_say, report_every=report_every) else 1


def promote(args: argparse.Namespace, rollout: Rollout, _connection: Connection, _state: Path) -> int:
    target = rollout.version_id(args.version) if args.version else None
    shares = rollout.promote(args.alias, target)
    print(f"promoted: alias {shares.alias!r} -> version {shares.version_id} (100 %)")
    return 0


def rollback(args: argparse.Namespace, rollout: Rollout, _connection: Connection, _state: Path) -> int:
    target = rollout.version_id(args.to_version) if args.to_version else None
    _, what = rollout.rollback(args.alias, target)
    print(f"rolled back: {what}")
    return 0


def status(args: argparse.Namespace, rollout: Rollout, connection: Connection, state_dir: Path) -> int:
    name = rollout.function_name
    listed = [rollout.alias(args.alias)] if args.alias else None
    aliases = listed or [Shares.of(a) for a in rollout.client.list_aliases(name)]
    print(f"{name} on {connection.describe()}")
    for shares in aliases:
        print(f"  alias {shares.alias}: {split_text(shares)}")
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
        c = counts.get(version, VersionStats())
        share = f"{share_of[version]:.0%}" if version in share_of else "-"
        print(f"  {version:<8} {share:>6} {c.invocations:>7} {c.errors:>7} {c.error_rate:>10.1%}")
    return 0


def split_text(shares: Shares) -> str:
    return ", ".join(f"version {v} {s:.0%}" for v, s in shares.split())


def _say(text: str) -> None:
    print(text, flush=True)


STEP_ACTIONS = {
    "publish": publish,
    "version-publish": publish,
    "alias-publish": alias_publish,
    "canary": canary,
    "promote": promote,
    "rollback": rollback,
    "status": status,
}

"""The flags of ``local_invoke.py release``: ours and ``s``'s names for the same things
(``--alias``/``--alias-name``, ``--version``/``--version-id``, ``--vw``), and the parsers of
their values (weights, ``--vw`` JSON, steps, durations)."""

from __future__ import annotations

import argparse
import json

from localfc.timeparse import TimeInputError, parse_duration


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


def version_weights(text: str) -> dict[str, float]:
    """``--vw '{"2":0.1}'`` as ``s`` takes it: at most one version and its share; ``{}`` drops
    the canary."""
    try:
        doc = json.loads(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--vw takes JSON such as '{{\"2\":0.1}}', got {text!r}") from None
    if not isinstance(doc, dict) or len(doc) > 1:
        raise argparse.ArgumentTypeError(f"--vw takes one version and its share, e.g. '{{\"2\":0.1}}', got {text!r}")
    out = {}
    for version, share in doc.items():
        if not str(version).isdigit() or isinstance(share, bool) or not isinstance(share, (int, float)):
            raise argparse.ArgumentTypeError(f'--vw: expected {{"VERSION": SHARE}}, got {text!r}')
        out[str(version)] = weight(str(share))
    return out


def steps(text: str) -> list[float]:
    """``10,50,100`` (percent) -> [0.1, 0.5, 1.0], strictly increasing."""
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected percentages such as 10,50,100, got {text!r}") from None
    if not values or any(not 0 < v <= 100 for v in values) or values != sorted(set(values)):
        raise argparse.ArgumentTypeError(f"steps must be increasing percentages in (0, 100], got {text!r}")
    return [v / 100 for v in values]


def _alias_flag(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument(
        "--alias", "--alias-name", dest="alias", required=required, metavar="NAME", help="alias name, e.g. prod"
    )


def _version_flag(parser: argparse.ArgumentParser, text: str, *, required: bool = True) -> None:
    parser.add_argument("--version", "--version-id", dest="version", required=required, metavar="N", help=text)


def _vw_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--vw",
        "--additionalVersionWeight",
        dest="vw",
        type=version_weights,
        default=None,
        metavar="JSON",
        help="""canary version and share, as `s`: '{"2":0.1}'; '{}' drops the canary""",
    )


def add_api_location(where: argparse._ArgumentGroup, *, region_default: str) -> None:
    """The flags that say which FC API a command talks to (``release``, ``layer``): the
    running ``serve`` by default, or FC itself; read by ``localfc.release.connection``."""
    where.add_argument(
        "--endpoint", default=None, help="FC API endpoint, HOST:PORT or URL (default: FC_ENDPOINT, else serve)"
    )
    where.add_argument(
        "--fc", action="store_true", help="talk to Function Compute: <AccountID>.<region>.fc.aliyuncs.com"
    )
    where.add_argument("--region", default=None, help=f"region for --fc (default: {region_default})")
    where.add_argument("--account-id", default=None, help="account for --fc (default: ALIBABA_CLOUD_ACCOUNT_ID)")
    where.add_argument("--access", default=None, help="alias in ~/.s/access.yaml for keys (default: s.yaml's access)")
    where.add_argument("--state-dir", default=None, help="local FC state directory (default: <project>/.localfc)")


def _where() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    where = common.add_argument_group("where the FC API is")
    where.add_argument("-t", "--template", default=None, help="s.yaml to read (default: ./s.yaml)")
    add_api_location(where, region_default="the function's region in s.yaml")
    return common


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common = _where()
    function = argparse.ArgumentParser(add_help=False, parents=[common])
    function.add_argument("function", help="functionName (or resource name) in s.yaml")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    publish = sub.add_parser("publish", parents=[function], help="publish LATEST as a new version (s version publish)")
    publish.add_argument("--description", default="", help="what changed")

    version = sub.add_parser("version", help="versions: publish, list, remove (s version ...)")
    version_sub = version.add_subparsers(dest="version_action", required=True, metavar="ACTION")
    version_publish = version_sub.add_parser("publish", parents=[function], help="publish LATEST as a new version")
    version_publish.add_argument("--description", default="", help="what changed")
    version_sub.add_parser("list", parents=[function], help="every published version")
    remove = version_sub.add_parser("remove", parents=[function], help="delete a version (no alias may point at it)")
    _version_flag(remove, "the version to delete")
    remove.add_argument("-y", "--assume-yes", action="store_true", help="do not ask before deleting")

    alias = sub.add_parser(
        "alias",
        parents=[common],
        help="aliases: [publish] (create or move), list, get, remove (s alias ...)",
        description="`release alias FUNCTION --alias-name prod --version-id 1` creates or moves an alias;"
        " `release alias list|get|remove FUNCTION` read or delete them.",
    )
    alias.add_argument("words", nargs="+", metavar="[publish|list|get|remove] FUNCTION")
    _alias_flag(alias, required=False)
    _version_flag(alias, "version number or 'latest' (publish)", required=False)
    _vw_flag(alias)
    alias.add_argument("--description", default=None, help="alias description (publish)")
    alias.add_argument("-y", "--assume-yes", action="store_true", help="do not ask before removing")

    canary = sub.add_parser("canary", parents=[function], help="send a share of an alias to another version")
    _alias_flag(canary)
    _version_flag(canary, "the canary version, a number or 'latest' (taken from --vw when given)", required=False)
    mode = canary.add_mutually_exclusive_group(required=True)
    mode.add_argument("--weight", type=weight, help="share for the canary, 0 to 1 (0.1 = 10 %%)")
    mode.add_argument(
        "--vw",
        "--additionalVersionWeight",
        dest="vw",
        type=version_weights,
        metavar="JSON",
        help="""version and share as `s` writes it: '{"2":0.1}'""",
    )
    mode.add_argument("--steps", type=steps, help="progressive: percentages, e.g. 10,50,100 (100 = promote)")
    canary.add_argument("--interval", type=duration, default=30.0, help="progressive: watch each step this long (30s)")
    canary.add_argument("--max-error-rate", type=weight, default=0.05, help="progressive: roll back above this (0.05)")
    canary.add_argument(
        "--min-invocations", type=int, default=20, help="progressive: calls needed to judge a step (20)"
    )

    promote = sub.add_parser("promote", parents=[function], help="point the alias at its canary version")
    _alias_flag(promote)
    _version_flag(promote, "promote this version instead of the canary", required=False)

    rollback = sub.add_parser("rollback", parents=[function], help="drop the canary, or go back one version")
    _alias_flag(rollback)
    rollback.add_argument("--to-version", default=None, help="version to go back to (default: the previous one)")

    status = sub.add_parser(
        "status", parents=[function], help="who gets which share, with calls and errors per version"
    )
    _alias_flag(status, required=False)
    status.add_argument("--since", type=duration, default=None, help="count calls of the last DURATION only (e.g. 10m)")

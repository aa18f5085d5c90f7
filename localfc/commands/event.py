"""``local_invoke.py event http|oss|timer|invoke``: print a sample event to stdout.

python local_invoke.py event http --method POST --path /check --body '{"number": 7}'
python local_invoke.py event oss --bucket photos --key 'uploads/cat 1.jpg'
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from localfc.fc import samples

HELP = "print a sample trigger event (http, oss, timer, invoke)"


def _key_value(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        name, sep, value = text.partition(":")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    http = kinds.add_parser("http", help="HTTP trigger event (FC v1 format)")
    http.add_argument("--method", default="POST")
    http.add_argument("--path", default="/", help="decoded path, e.g. /check")
    http.add_argument("--body", default=None, help="request body (text); use --body-file for bytes")
    http.add_argument("--body-file", default=None, help="read the body from a file (binary is base64-encoded)")
    http.add_argument("--query", "-q", action="append", type=_key_value, default=[], metavar="K=V")
    http.add_argument("--header", "-H", action="append", type=_key_value, default=[], metavar="NAME:VALUE")

    oss = kinds.add_parser("oss", help="OSS trigger event")
    oss.add_argument("--bucket", required=True)
    oss.add_argument("--key", required=True, action="append", help="object key (repeat for several records)")
    oss.add_argument(
        "--event-name", default="ObjectCreated:PutObject", help="e.g. ObjectCreated:CompleteMultipartUpload"
    )
    oss.add_argument("--size", type=int, default=0)
    oss.add_argument("--etag", default="")
    oss.add_argument("--content-type", default="application/octet-stream")
    oss.add_argument("--region", default="cn-hangzhou")

    timer = kinds.add_parser("timer", help="timer trigger event")
    timer.add_argument("--name", default="timer")
    timer.add_argument("--payload", default="")

    invoke = kinds.add_parser("invoke", help="direct invoke body: a JSON document")
    invoke.add_argument("json", nargs="?", default="{}", help="the JSON input, default {}")


def build(args: argparse.Namespace) -> dict[str, Any] | Any:
    if args.kind == "http":
        body: bytes | str | None = args.body
        if args.body_file:
            with open(args.body_file, "rb") as handle:
                body = handle.read()
        return samples.http_event(args.method, args.path, body, query=dict(args.query), headers=dict(args.header))
    if args.kind == "oss":
        records = [
            samples.oss_record(
                args.bucket,
                key,
                event_name=args.event_name,
                size=args.size,
                etag=args.etag,
                content_type=args.content_type,
                region=args.region,
            )
            for key in args.key
        ]
        return samples.oss_event(*records)
    if args.kind == "timer":
        return samples.timer_event(args.name, args.payload)
    return json.loads(args.json)


def run(args: argparse.Namespace) -> int:
    try:
        event = build(args)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(event, ensure_ascii=False, indent=2))
    return 0

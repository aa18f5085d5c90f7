"""``local_invoke.py oss``: run the local OSS server on its own until Ctrl-C.

python local_invoke.py oss --port 9100 --bucket photos --bucket results
python local_invoke.py oss --no-auto-create --bucket photos

Talk to it with the official oss2 client (any AccessKey works: signatures are not checked).
"""

from __future__ import annotations

import signal
import sys
import time
from typing import TYPE_CHECKING

# Only `local_invoke.py oss` imports this module, so moto's import cost stays with it.
from localfc.services.oss.server import OssServer

if TYPE_CHECKING:
    import argparse

    from localfc.services.oss import ObjectEvent

HELP = "run the local OSS server on its own"

_SNIPPET = """\
import oss2
bucket = oss2.Bucket(oss2.Auth("any-ak", "any-sk"), "{endpoint}", "{bucket}")
bucket.put_object("hello.txt", b"hello")
print(bucket.get_object("hello.txt").read())"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument(
        "--bucket", action="append", default=[], metavar="NAME", help="create this bucket at start (repeatable)"
    )
    parser.add_argument(
        "--no-auto-create",
        dest="auto_create",
        action="store_false",
        help="answer NoSuchBucket for buckets not given with --bucket (default: create them on first use)",
    )
    parser.add_argument("--region", default="cn-hangzhou", help="region reported by GetBucketInfo and listings")
    parser.add_argument("--quiet", action="store_true", help="do not print one line per object change")


def _print_event(event: ObjectEvent) -> None:
    print(f"{event.event_name} {event.bucket}/{event.key} size={event.size}", flush=True)


def run(args: argparse.Namespace) -> int:
    server = OssServer(
        args.port,
        buckets=args.bucket,
        auto_create_buckets=args.auto_create,
        on_event=None if args.quiet else _print_event,
        region=args.region,
    )
    try:
        server.start()
    except ValueError as error:  # a --bucket name OSS would refuse
        print(f"local_invoke.py oss: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    bucket = args.bucket[0] if args.bucket else "my-bucket"
    print(f"local OSS listening on {server.endpoint}", flush=True)
    print(f"buckets: {', '.join(args.bucket) or '(none yet)'}; auto-create: {'on' if args.auto_create else 'off'}")
    print("\n# paste into Python:\n" + _SNIPPET.format(endpoint=server.endpoint, bucket=bucket))
    print("\nCtrl-C to stop.", flush=True)
    # SIGTERM (a supervisor, `kill`) stops as cleanly as Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)  # Ctrl-C interrupts the sleep on every platform
    except KeyboardInterrupt:
        print("stopping", file=sys.stderr)
    finally:
        server.stop()
    return 0

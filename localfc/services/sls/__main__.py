"""Run the local SLS receiver on its own, for ``local_invoke.py invoke`` or your own code:

    python -m localfc.services.sls --port 8070            # journal in .localfc/sls/<project>/<logstore>.jsonl
    python local_invoke.py invoke prime-checker -e '{"number": 7}' \\
        --env APP_SHIP_PROJECT=audit --env APP_SHIP_LOGSTORE=events --env APP_SLS_ENDPOINT=http://127.0.0.1:8070
    python local_invoke.py logs --request-id <id>

``local_invoke.py serve`` starts one by itself; this is for everything else.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from localfc.services.sls.receiver import SlsReceiver


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localfc.services.sls", description="a local SLS PutLogs endpoint")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--dir", default=".localfc/sls", help="journal directory (default: .localfc/sls)")
    args = parser.parse_args(argv)
    with SlsReceiver(args.host, args.port, store_dir=Path(args.dir)) as sls:
        print(f"SLS PutLogs endpoint: {sls.endpoint}  (journal: {Path(args.dir).resolve()}); Ctrl-C stops", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print(f"received {len(sls.records())} log(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

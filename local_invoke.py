#!/usr/bin/env python3
"""Local Function Compute 3.0: invoke, serve, validate and package the functions of s.yaml.

Mirrors `s invoke` and friends without Docker or a cloud account. Every command lives in
its own module under ``localfc/commands`` and is imported only when it runs, so
``local_invoke.py invoke`` does not pay for the local OSS or the FC SDK.

    python local_invoke.py --help
    python local_invoke.py invoke prime-checker -e '{"number": 97}'
"""

from __future__ import annotations

import sys

from localfc.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A local stand-in for SLS PutLogs, for tests and ``local_invoke.py serve``.

from localfc.services.sls import SlsReceiver

with SlsReceiver(store_dir=".localfc/sls") as sls:
    os.environ["APP_SLS_ENDPOINT"] = sls.endpoint   # where runtime/shipping.py sends
    ...
    sls.records(project="audit-project", logstore="prime-audit")
"""

from __future__ import annotations

from localfc.services.sls.protocol import Authorization, PutLogsError, ReceivedLog
from localfc.services.sls.receiver import Faults, ReceivedRequest, SlsReceiver, journal_entry

__all__ = [
    "Authorization",
    "Faults",
    "PutLogsError",
    "ReceivedLog",
    "ReceivedRequest",
    "SlsReceiver",
    "journal_entry",
]

"""The endpoint list ``serve`` prints at start: one endpoint per line, easy to read and to
parse (the first word says what it is, the second is the URL)::

    local FC for /repo/s.yaml (fc-algorithms), 127.0.0.1 only
      api    http://127.0.0.1:9000/2023-03-30/functions/{name}/invocations  InvokeFunction, ...
      http   http://127.0.0.1:9000/prime-checker/  prime-checker  trigger=http  methods=GET,POST ...
      oss    http://127.0.0.1:40123  (local OSS for oss2; functions get it in their environment)
      oss    bucket=data  events=oss:ObjectCreated:PutObject  filter=exports/*.csv  -> table-summary (LATEST)
      timer  0 0 4 * * *  -> table-summary/nightly-reprocess (LATEST)
      docs   http://127.0.0.1:9000/-/docs/  (OpenAPI 3.1 and Swagger UI per HTTP function, dev only)
      deploy prime-checker  from the FC API (s deploy): code 2480133 bytes, crc64 1105121086937610495; replaces s.yaml's
      logs   /repo/.localfc/logs/<function>.jsonl
    ready  http://127.0.0.1:9000  (Ctrl-C drains in-flight calls and stops)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from localfc.fc.api.router import PREFIX
from localfc.fc.api_docs import DOCS_PREFIX

if TYPE_CHECKING:
    from localfc.fc.server import LocalFC

_API_SUMMARY = (
    "InvokeFunction, functions, triggers, async/concurrency configs (s deploy, s info, s remove),"
    " async tasks, versions, aliases"
)


def endpoint_lines(fc: LocalFC) -> list[str]:
    lines = [f"local FC for {fc.project.path} ({fc.project.name}), 127.0.0.1 only"]
    lines.append(f"  api    {fc.url}{PREFIX}functions/{{name}}/invocations  {_API_SUMMARY}")
    for route in fc.routes.routes:
        lines.append(
            f"  http   {fc.url}{route.prefix}/  {route.function_name}  trigger={route.trigger_name}"
            f"  methods={','.join(sorted(route.methods))}  auth={route.auth_type}  qualifier={route.qualifier}"
        )
    if fc.routes.routes:
        lines.append(f"  docs   {fc.url}{DOCS_PREFIX}  (OpenAPI 3.1 and Swagger UI per HTTP function, dev only)")
    if fc.oss is not None:
        lines.append(f"  oss    {fc.oss_endpoint}  (local OSS for oss2; functions get it in their environment)")
    for trigger in fc.oss_triggers:
        where = f"{trigger.prefix}*{trigger.suffix}"
        state = "" if fc.oss is not None else "  (not firing: local OSS not running)"
        lines.append(
            f"  oss    bucket={trigger.bucket}  events={','.join(trigger.events)}  filter={where}"
            f"  -> {trigger.function_name} ({trigger.qualifier}){state}"
        )
    for timer in fc.timers:
        if timer.error:
            state = f"  (not scheduled: {timer.error})"
        elif not timer.enabled:
            state = "  (disabled in s.yaml)"
        elif fc.scheduler is None:
            state = "  (timers off: --no-timers)"
        else:
            state = ""
        lines.append(
            f"  timer  {timer.expression}  -> {timer.function_name}/{timer.trigger_name} ({timer.qualifier}){state}"
        )
    lines.extend(_deployment_lines(fc))
    if fc.sls is not None:
        lines.append(f"  sls    {fc.sls_endpoint}  (local SLS receiver)")
    lines.append(f"  logs   {fc.state.logs}/<function>.jsonl")
    lines.extend(f"  note   {note}" for note in fc.notes)
    lines.append(f"ready  {fc.url}  (Ctrl-C drains in-flight calls and stops)")
    return lines


def _deployment_lines(fc: LocalFC) -> list[str]:
    """What the FC API deployed or removed (kept in the state directory across restarts)."""
    lines = []
    for name, record in sorted(fc.catalog.records.items()):
        in_syaml = fc.catalog.syaml_props(name) is not None
        if record.removed:
            lines.append(f"  deploy {name}  removed through the FC API (s remove); s.yaml's is not served")
            continue
        code = "configuration only, code from the working tree"
        if record.code is not None:
            code = f"code {record.code.size} bytes, crc64 {record.code.checksum}"
        where = "; replaces s.yaml's" if in_syaml else ""
        state = "" if record.state == "Active" else f"  ({record.state}: {record.stateReason})"
        lines.append(f"  deploy {name}  from the FC API (s deploy): {code}{where}{state}")
    if lines:
        lines.append(f"  deploy (delete {fc.state.functions}/<name> to serve s.yaml's function again)")
    return lines

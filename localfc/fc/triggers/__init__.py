"""Triggers of s.yaml, turned into FC-shaped events and invocations: ``http`` (one local
port: routes, the event, the answer) with ``http_calls`` (method and auth checks, the call),
``timers`` (with ``cron`` schedules) and ``oss`` (object events of the local OSS matched
against the OSS triggers)."""

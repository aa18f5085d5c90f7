"""Triggers of s.yaml, turned into FC-shaped events and invocations: ``http`` (one local
port, method and auth checks), ``timers`` (with ``cron`` schedules) and ``oss`` (object
events of the local OSS matched against the OSS triggers)."""

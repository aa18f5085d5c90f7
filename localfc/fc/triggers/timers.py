"""Timer triggers: fire every enabled timer of s.yaml on its schedule.

Each firing queues an asynchronous invocation (so the function's ``asyncInvokeConfig``
retries apply) with FC's timer event ``{"triggerTime", "triggerName", "payload"}``. A timer
whose expression cannot be parsed is reported at start and skipped; the others still run.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from localfc.fc import samples
from localfc.fc.triggers.cron import CronError, parse

if TYPE_CHECKING:
    from localfc.fc.async_queue import AsyncQueues
    from localfc.fc.console import Console
    from localfc.fc.triggers.cron import Schedule
    from localfc.project.syaml.model import Project


@dataclass
class TimerTrigger:
    function_name: str
    trigger_name: str
    expression: str
    payload: str
    qualifier: str
    enabled: bool
    schedule: Schedule | None
    error: str = ""
    next_fire: datetime | None = None


def timer_triggers(project: Project, now: datetime | None = None) -> list[TimerTrigger]:
    """Every timer trigger of the project, parsed (``schedule`` None and ``error`` set if invalid)."""
    now = now or datetime.now(timezone.utc)
    found = []
    for _, props in project.functions():
        for trigger in props.triggers:
            if trigger.triggerType != "timer":
                continue
            try:
                config = trigger.timer()
            except ValueError as exc:
                found.append(
                    TimerTrigger(props.functionName, trigger.triggerName, "", "", "LATEST", False, None, str(exc))
                )
                continue
            schedule: Schedule | None = None
            error = ""
            try:
                schedule = parse(config.cronExpression, now)
            except CronError as exc:
                error = str(exc)
            found.append(
                TimerTrigger(
                    props.functionName,
                    trigger.triggerName,
                    config.cronExpression,
                    config.payload,
                    trigger.qualifier or "LATEST",
                    config.enable,
                    schedule,
                    error,
                )
            )
    return found


class TimerScheduler:
    """A thread that fires the timers when they are due.

    >>> scheduler = TimerScheduler(timer_triggers(project), queues, console)   # doctest: +SKIP
    >>> scheduler.start(); ...; scheduler.stop()                               # doctest: +SKIP
    """

    def __init__(self, timers: list[TimerTrigger], queues: AsyncQueues, console: Console) -> None:
        self.timers = [t for t in timers if t.enabled and t.schedule is not None]
        self.queues = queues
        self.console = console
        self.fired = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="fc-timers", daemon=True)

    def start(self) -> None:
        now = datetime.now(timezone.utc)
        for timer in self.timers:
            assert timer.schedule is not None
            timer.next_fire = timer.schedule.next_after(now)
        if self.timers:
            self._thread.start()

    def replace(self, timers: list[TimerTrigger]) -> None:
        """Schedule ``timers`` instead (a deploy changed them); an unchanged timer keeps its
        next firing time."""
        now = datetime.now(timezone.utc)
        before = {(t.function_name, t.trigger_name, t.expression, t.qualifier): t for t in self.timers}
        fresh = []
        for timer in timers:
            if not timer.enabled or timer.schedule is None:
                continue
            same = before.get((timer.function_name, timer.trigger_name, timer.expression, timer.qualifier))
            timer.next_fire = same.next_fire if same is not None else timer.schedule.next_after(now)
            fresh.append(timer)
        self.timers = fresh
        if fresh and not self._thread.is_alive() and not self._stop.is_set():
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = datetime.now(timezone.utc)
            due = [t for t in self.timers if t.next_fire is not None and t.next_fire <= now]
            for timer in due:
                assert timer.schedule is not None and timer.next_fire is not None
                self._fire(timer, timer.next_fire)
                timer.next_fire = timer.schedule.next_after(max(now, timer.next_fire))
            upcoming = min((t.next_fire for t in self.timers if t.next_fire is not None), default=None)
            wait = 1.0 if upcoming is None else max(0.0, (upcoming - datetime.now(timezone.utc)).total_seconds())
            self._stop.wait(min(wait, 1.0))

    def _fire(self, timer: TimerTrigger, when: datetime) -> None:
        event = json.dumps(samples.timer_event(timer.trigger_name, timer.payload, when)).encode("utf-8")
        try:
            self.queues.submit(timer.function_name, timer.qualifier, event, source="timer")
            self.fired += 1
        except Exception as exc:  # e.g. the alias the trigger names does not exist
            self.console.note(f"timer {timer.function_name}/{timer.trigger_name} could not fire: {exc}")

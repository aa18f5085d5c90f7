"""OSS triggers that OSS refuses as overlapping notification rules, and ``oss:ObjectCreated:*``.

On one bucket, two triggers (of any functions) overlap when they share an event and one's
prefix starts the other's and one's suffix ends the other's: OSS rejects the second rule at
deploy. ``oss:ObjectCreated:*`` is legal but fires on every multipart step (a 3-part upload
fires 5 times): a warning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from localfc.project.validate.oss_rules import WILDCARD_CREATED, OssListener, events_overlap, listeners
from localfc.project.validate.report import Problem

if TYPE_CHECKING:
    from localfc.project.syaml import Project


def check_overlaps(project: Project) -> list[Problem]:
    found = listeners(project)
    problems = []
    for i, later in enumerate(found):
        for earlier in found[:i]:
            if earlier.bucket != later.bucket:
                continue
            shared = events_overlap(earlier.events, later.events)
            if shared and _nested(earlier.prefix, later.prefix) and _nested_suffix(earlier.suffix, later.suffix):
                problems.append(_overlap(earlier, later, shared))
    for listener in found:
        if WILDCARD_CREATED in listener.events:
            problems.append(
                Problem(
                    "warning",
                    listener.resource,
                    f"{listener.path}.triggerConfig.events",
                    f"{WILDCARD_CREATED} fires on every multipart step (a 3-part upload invokes 5 times); for one"
                    " call per finished object list oss:ObjectCreated:PutObject, PostObject and"
                    " CompleteMultipartUpload",
                    "oss-wildcard-event",
                )
            )
    return problems


def _nested(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _nested_suffix(a: str, b: str) -> bool:
    return a.endswith(b) or b.endswith(a)


def _overlap(earlier: OssListener, later: OssListener, shared: list[str]) -> Problem:
    return Problem(
        "error",
        later.resource,
        f"{later.path}.triggerConfig.filter",
        f"overlaps {earlier.describe()} on event(s) {', '.join(shared)}: OSS rejects overlapping notification"
        " rules on one bucket; make the prefixes or suffixes disjoint",
        "oss-overlap",
    )

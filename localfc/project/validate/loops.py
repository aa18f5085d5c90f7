"""OSS trigger loops: a function whose outputs land where its own trigger listens invokes
itself forever (and bills for it); so do A → B → A chains across functions.

>>> # thumbnailer listens on photos/uploads/ and writes to photos/uploads/thumbs/: a loop.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from localfc.project.validate.oss_rules import OUTPUT_PREFIX_ENV, OssListener, OssWriter, listeners, writer
from localfc.project.validate.report import Problem

if TYPE_CHECKING:
    from localfc.project.syaml import Project

_PREFIX_PATH = f"environmentVariables.{OUTPUT_PREFIX_ENV}"


def check_loops(project: Project) -> list[Problem]:
    all_listeners = listeners(project)
    writers: dict[str, OssWriter] = {}
    problems: list[Problem] = []
    for resource, props in project.functions():
        own = [listener for listener in all_listeners if listener.resource == resource]
        out = writer(resource, props, own)
        if out is not None:
            writers[resource] = out
        elif own:
            problems.append(
                Problem(
                    "warning",
                    resource,
                    "environmentVariables",
                    f"has an OSS trigger but no {OUTPUT_PREFIX_ENV}: cannot check that its outputs stay out of"
                    " its trigger's prefix",
                    "oss-output-unknown",
                )
            )
    edges: dict[str, list[tuple[str, OssListener]]] = {name: [] for name in writers}
    for source, out in writers.items():
        for listener in all_listeners:
            if out.can_trigger(listener):
                if listener.resource == source:
                    problems.append(_self_loop(out, listener))
                else:
                    edges[source].append((listener.resource, listener))
    problems.extend(_cycles(edges, writers, [name for name, _ in project.functions()]))
    return problems


def _self_loop(out: OssWriter, listener: OssListener) -> Problem:
    return Problem(
        "error",
        out.resource,
        _PREFIX_PATH,
        f"outputs under {out.prefix!r} in bucket {listener.bucket} match its own trigger {listener.name!r}"
        f" (prefix {listener.prefix!r}, suffix {listener.suffix!r}): each output would invoke it again;"
        " use an output prefix outside the trigger's prefix",
        "oss-loop",
    )


def _cycles(
    edges: dict[str, list[tuple[str, OssListener]]], writers: dict[str, OssWriter], order: list[str]
) -> list[Problem]:
    """One error per cycle of two or more functions (strongly connected components)."""
    problems = []
    rank = {name: i for i, name in enumerate(order)}
    for component in _strongly_connected(edges):
        if len(component) < 2:
            continue
        start = min(component, key=lambda n: rank.get(n, 0))
        cycle = _path_back(start, edges, set(component))
        steps = []
        for here, nxt in pairwise(cycle):
            listener = next(lst for target, lst in edges[here] if target == nxt)
            steps.append(f"{here} writes {writers[here].prefix!r} which fires {listener.describe()}")
        problems.append(
            Problem(
                "error",
                start,
                _PREFIX_PATH,
                f"OSS trigger cycle {' → '.join(cycle)}: " + "; ".join(steps),
                "oss-cycle",
            )
        )
    return problems


def _strongly_connected(edges: dict[str, list[tuple[str, OssListener]]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan; s.yaml files are small, recursion depth is fine
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target, _ in edges.get(node, []):
            if target not in edges:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            result.append(component)

    for node in edges:
        if node not in index:
            visit(node)
    return result


def _path_back(start: str, edges: dict[str, list[tuple[str, OssListener]]], within: set[str]) -> list[str]:
    """Shortest path start → … → start inside one component."""
    frontier = [[start]]
    seen = {start}
    while frontier:
        path = frontier.pop(0)
        for target, _ in edges.get(path[-1], []):
            if target == start:
                return [*path, start]
            if target in within and target not in seen:
                seen.add(target)
                frontier.append([*path, target])
    return [start, start]

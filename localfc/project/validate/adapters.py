"""What a function's handler is built on — ``AlgorithmFunction`` (and its HTTP ``Route``s) or
``ObjectFunction`` (it writes OSS) — and the checks that need it:

- ``http-method-unrouted``: the HTTP trigger allows a method no route serves (FC passes the
  request on and the function answers 405);
- ``oss-role``: an OSS- or timer-triggered function that writes OSS without ``role``: on FC
  it then has no STS credentials and every OSS call is refused.

Read from the source first (``static_resolve``: ``app = AlgorithmFunction(..., routes=[Route
("POST", "/x")])``); when the source does not say (routes built in a loop, a factory), the
handler is imported in a child interpreter (``import_probe``), unless ``--no-import``.

>>> facts = handler_facts(project, props)              # doctest: +SKIP
>>> facts.kind, facts.routes
('algorithm', (('GET', '/check'), ('POST', '/check')))
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from localfc.project.validate.fc3_spec import TRIGGER_CONFIGS
from localfc.project.validate.import_probe import ProbeError, probe_owners
from localfc.project.validate.oss_rules import OUTPUT_BUCKET_ENV, OUTPUT_PREFIX_ENV
from localfc.project.validate.report import Problem
from localfc.project.validate.static_resolve import StaticResolver

if TYPE_CHECKING:
    from pathlib import Path

    from localfc.project.syaml import FunctionProps, Project
    from localfc.project.validate.static_resolve import Owner

ALGORITHM_CLASS = "runtime.app.AlgorithmFunction"
OBJECT_CLASS = "runtime.objects.function.ObjectFunction"
ROUTE_CLASS = "runtime.routing.Route"
# What Router does for HEAD without a HEAD route (runtime/routing.py): GET answers it.
_SERVED_BY = {"HEAD": "GET"}

Route = tuple[str, str]  # (METHOD, /path)
# The methods fc3 accepts (an unknown one is reported by the props check, not here).
_METHODS_SPEC = TRIGGER_CONFIGS["http"].properties["methods"].items
HTTP_METHODS = frozenset(str(m) for m in (_METHODS_SPEC.enum if _METHODS_SPEC is not None else ()))


@dataclass(frozen=True)
class HandlerFacts:
    """``kind``: algorithm | object | other (a plain function) | unknown. ``routes``: the
    HTTP routes, ``()`` when every request goes to the default operation, None if unknown."""

    kind: str
    routes: tuple[Route, ...] | None = None

    @property
    def writes_oss(self) -> bool:
        return self.kind == "object"


UNKNOWN = HandlerFacts("unknown")


def normalise(method: str, path: str) -> Route:
    """As ``runtime.routing.Route`` normalises them (not imported: ``runtime`` loads pydantic)."""
    return method.upper(), "/" + path.strip("/")


def handler_facts(
    project: Project,
    props: FunctionProps,
    *,
    use_import: bool = True,
    resolvers: dict[tuple[Path, ...], StaticResolver] | None = None,
) -> HandlerFacts:
    """The facts for one function (reads its handler module; imports it only if it must).
    ``resolvers`` shares parsed modules with the other checks of one ``validate`` run."""
    code_dir = project.code_dir(props)
    if not props.handler or not code_dir.is_dir():
        return UNKNOWN
    search = [code_dir, code_dir / "python"]
    cache = {} if resolvers is None else resolvers
    resolver = cache.setdefault(tuple(search), StaticResolver(search))
    found = static_facts(resolver, props.handler)
    if found is not None or not use_import:
        return found or UNKNOWN
    try:
        (owner,) = probe_owners(search, [props.handler], props.environmentVariables)
    except ProbeError:
        return UNKNOWN
    return _probed(owner)


def static_facts(resolver: StaticResolver, dotted: str) -> HandlerFacts | None:
    """The facts the source states plainly, or None when only importing can tell."""
    owner = resolver.owner(dotted)
    if owner is None:
        # A plain function is what the import probe would find too: no need to import it.
        return HandlerFacts("other") if resolver.is_plain_function(dotted) else None
    if owner.is_a(OBJECT_CLASS):
        return HandlerFacts("object", ())
    if owner.is_a(ALGORITHM_CLASS):
        routes = _literal_routes(owner)
        return HandlerFacts("algorithm", routes) if routes is not None else None
    return None


def _literal_routes(owner: Owner) -> tuple[Route, ...] | None:
    call = owner.call
    if call is None:
        return None
    given = next((k.value for k in call.keywords if k.arg == "routes"), None)
    if given is None and len(call.args) > 1:
        given = call.args[1]
    if given is None:
        return ()
    if not isinstance(given, (ast.List, ast.Tuple)):
        return None
    routes = []
    for element in given.elts:
        if not isinstance(element, ast.Call) or owner.resolver.value_of(owner.module_name, element.func) != ROUTE_CLASS:
            return None
        words = [a.value for a in element.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        named = {k.arg: k.value for k in element.keywords}
        for name in ("method", "path")[len(words) :]:
            value = named.get(name)
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                words.append(value.value)
        if len(words) < 2 or len(words) < len(element.args):
            return None
        routes.append(normalise(words[0], words[1]))
    return tuple(routes)


def _probed(owner: dict[str, object] | None) -> HandlerFacts:
    if owner is None:
        return HandlerFacts("other")
    classes = owner.get("classes")
    names = set(classes) if isinstance(classes, list) else set()
    if OBJECT_CLASS in names:
        return HandlerFacts("object", ())
    if ALGORITHM_CLASS in names:
        raw = owner.get("routes")
        pairs = raw if isinstance(raw, list) else []
        return HandlerFacts("algorithm", tuple(normalise(str(m), str(p)) for m, p in pairs))
    return HandlerFacts("other")


def check_adapters(
    project: Project, *, use_import: bool = True, resolvers: dict[tuple[Path, ...], StaticResolver] | None = None
) -> list[Problem]:
    problems: list[Problem] = []
    resolvers = {} if resolvers is None else resolvers
    cache: dict[tuple[Path, str], HandlerFacts] = {}
    for resource, props in project.functions():
        if not props.runtime.startswith("python") or not isinstance(props.code, str):
            continue
        key = (project.code_dir(props), props.handler)
        if key not in cache:
            cache[key] = handler_facts(project, props, use_import=use_import, resolvers=resolvers)
        facts = cache[key]
        problems += _http_problems(resource, props, facts)
        problems += _role_problems(resource, props, facts)
    return problems


def _http_problems(resource: str, props: FunctionProps, facts: HandlerFacts) -> list[Problem]:
    if facts.kind != "algorithm" or not facts.routes:
        return []  # no routes: every method and path reaches the default operation
    problems = []
    served = {method for method, _ in facts.routes}
    for index, trigger in enumerate(props.triggers):
        if trigger.triggerType != "http":
            continue
        allowed = [m.upper() for m in trigger.http().methods]
        path = f"triggers[{index}].triggerConfig.methods"
        for method in allowed:
            if method in HTTP_METHODS and method not in served and _SERVED_BY.get(method) not in served:
                routes = ", ".join(f"{m} {p}" for m, p in facts.routes)
                problems.append(
                    Problem(
                        "warning",
                        resource,
                        path,
                        f"{method} is allowed but no route serves it (routes: {routes}): every {method} answers"
                        f" 405; drop {method} from methods",
                        "http-method-unrouted",
                    )
                )
    return problems


def _role_problems(resource: str, props: FunctionProps, facts: HandlerFacts) -> list[Problem]:
    env = props.environmentVariables
    writes = facts.writes_oss or OUTPUT_PREFIX_ENV in env or OUTPUT_BUCKET_ENV in env
    kinds = sorted({t.triggerType for t in props.triggers if t.triggerType in ("oss", "timer")})
    if not writes or not kinds or props.role:
        return []
    return [
        Problem(
            "warning",
            resource,
            "role",
            f"writes OSS ({' and '.join(kinds)}-triggered) but has no role: on FC it gets no STS credentials"
            " and every OSS call is refused; set role to a RAM role with the bucket's permissions"
            " (docs/oss.md has the policy)",
            "oss-role",
        )
    ]

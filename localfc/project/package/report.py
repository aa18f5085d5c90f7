"""What ``package`` says about each zip: sizes, the largest distributions, bytecode, notes, and
warnings near FC's limits.

FC 3.0's limits (Alibaba Cloud, Function Compute 3.0 "Limits" / 使用限制): a code package of at
most 500 MB as a ZIP uploaded through the console, Serverless Devs or an OSS object, and 100 MB
when sent through the SDK/OpenAPI (zipped, then base64-encoded in the request: so about 75 MB
of zip); at most 5 layers per function ("Configure custom layers"). A layer's own size limit is
not in the pages we could read (UNCONFIRMED): layers are created the same way as code (a ZIP in
the request, or an OSS object), so the same two limits are assumed.

    prime-checker  dist/prime-checker.zip  3.1 MB zipped, 9.4 MB unpacked  [python3.10 ...]
      largest: pydantic-core 5.3 MB, pydantic 3.2 MB, typing_extensions 0.2 MB
      bytecode: yes (compiled by python3.10, unchecked-hash)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from localfc.project.package.builder import PackageResult

MB = 1024 * 1024
MAX_ZIP_BYTES = 500 * MB  # console, Serverless Devs, OSS
MAX_API_ZIP_BYTES = 100 * MB * 3 // 4  # 100 MB of base64 in a CreateFunction / CreateLayerVersion request
MAX_LAYERS = 5
NEAR = 0.8  # warn from 80 % of a limit


def size_text(n: float) -> str:
    if n < 1024:
        return f"{n:.0f} B"
    if n < MB:
        return f"{n / 1024:.1f} KB"
    return f"{n / MB:.1f} MB"


def limit_warnings(zip_bytes: int, what: str = "code package") -> list[str]:
    """Warnings for a zip of ``zip_bytes`` near or over FC's limits."""
    if zip_bytes > MAX_ZIP_BYTES:
        return [f"{size_text(zip_bytes)} is over FC's {size_text(MAX_ZIP_BYTES)} limit for a {what}: FC refuses it"]
    if zip_bytes > NEAR * MAX_ZIP_BYTES:
        return [f"{size_text(zip_bytes)} is near FC's {size_text(MAX_ZIP_BYTES)} limit for a {what}"]
    if zip_bytes > MAX_API_ZIP_BYTES:
        return [
            f"{size_text(zip_bytes)} is over what the FC API takes inline (100 MB of base64): deploy it through"
            " OSS (`s deploy` does)"
        ]
    if zip_bytes > NEAR * MAX_API_ZIP_BYTES:
        return [f"{size_text(zip_bytes)} is near what the FC API takes inline (100 MB of base64, ~75 MB of zip)"]
    return []


def render(result: PackageResult) -> tuple[list[str], list[str]]:
    """(lines for stdout, lines for stderr: notes and warnings)."""
    stats = result.stats
    out = [
        f"{result.function}  {result.zip_path}  {size_text(result.zip_bytes)} zipped, "
        f"{size_text(stats.unpacked_bytes)} unpacked  [{result.target.describe()}]"
    ]
    deps = result.dependencies
    if deps is not None and deps.sizes:
        largest = ", ".join(f"{name} {size_text(size)}" for name, size in list(deps.sizes.items())[:5])
        origin = "cached" if deps.cached else "installed"
        out.append(f"  largest: {largest} ({len(deps.sizes)} distributions, {origin})")
    else:
        out.append("  no distributions (the handler imports only its own code and the standard library)")
    if result.layers:
        out.append(f"  layers (at /opt/python, not in the zip): {', '.join(result.layers)}")
    if result.bytecode:
        out.append("  bytecode: no")
    else:
        out.append(f"  bytecode: yes (compiled by python{result.target.python_version}, unchecked-hash)")
    err = [f"note: {result.function}: {note}" for note in result.notes]
    if result.bytecode:
        err.append(f"warning: {result.function}: no bytecode: {result.bytecode}")
    for module, sites in sorted(result.optional.items()):
        err.append(
            f"note: {result.function}: optional import {module} ({sites[0]}) is not in the package; a layer can"
            " provide it"
        )
    err += [f"warning: {result.function}: {w}" for w in limit_warnings(result.zip_bytes)]
    return out, err

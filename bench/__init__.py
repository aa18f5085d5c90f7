"""Benchmarks. Each module has ``main() -> None`` and prints its ratio against a baseline
measured in the same run. ``python -m bench`` runs all; ``python -m bench NAME`` one."""

"""The logs the local FC collected (``<state>/logs/<function>.jsonl``) and the local SLS
received, read back for ``local_invoke.py logs``, ``release status`` and the canary."""

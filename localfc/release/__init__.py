"""Releases through the official FC 3.0 client (``alibabacloud_fc20230330``): publish a
version, point an alias, canary, promote, roll back — against the local FC (``serve``) or
Function Compute itself, with the same calls.

    connection.py   where the calls go and with which keys
    client.py       the versions and aliases calls
    rollout.py      the release steps and the progressive canary
"""

"""The local Function Compute: everything that imitates FC 3.0 on one machine. Dev only,
never deployed (``.fcignore`` leaves it out of every code package).

One package per role, so a behaviour is found by its name:

    cli.py, commands/   ``local_invoke.py`` and one thin module per subcommand
    project/            the repository as ``s deploy`` sees it: s.yaml (``syaml``),
                        ``validate``, ``package``
    fc/                 the emulated FC: server and API, instances (parent, child,
                        in-process), triggers (HTTP, timers, OSS), async queue, versions
    services/           the cloud services around FC, on loopback: ``oss``, ``sls``
    release/            versions and canaries through the official FC 3.0 client, against
                        the local FC or a real one
    logstore/           the logs the local FC and the local SLS collected, read back with
                        one failure rule (``logs``, ``release status``, the canary)
    timeparse.py        durations and times as people write them (``--since 10m``,
                        ``--interval 30s``, ``@every 4m``): one grammar
"""

"""The local Function Compute: everything that imitates FC 3.0 on one machine. Dev only,
never deployed (``.fcignore`` leaves it out of every code package).

One package per role, so a behaviour is found by its name:

    cli.py, commands/   ``local_invoke.py`` and one thin module per subcommand
    project/            the repository as ``s deploy`` sees it: s.yaml (``syaml``),
                        ``validate``, ``package``, ``openapi`` (documents from the models)
    fc/                 the emulated FC: server and API, instances (parent, child,
                        in-process), triggers (HTTP, timers, OSS), async queue, versions
    services/           the cloud services around FC, on loopback: ``oss``, ``sls``
    release/            versions and canaries through the official FC 3.0 client, against
                        the local FC or a real one
    logstore/           the logs the local FC and the local SLS collected, read back with
                        one failure rule (``logs``, ``release status``, the canary)
    names.py            "did you mean" for the names users type
    user_files.py       files named on the command line, read with one clear reason
    terminal.py         colour only on a terminal (``NO_COLOR``), heartbeats for long steps
    timeparse.py        durations and times as people write them (``--since 10m``,
                        ``--interval 30s``, ``@every 4m``): one grammar
"""

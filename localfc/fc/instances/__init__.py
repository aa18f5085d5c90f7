"""Function instances, as FC runs them: import the handler once, initializer once, then
invocations, preStop before the end.

    parent.py      an instance seen from ``serve``: one worker process, its pipes and limits
    code_source.py which Python runs an instance and from where: the dev venv, or an unpacked
                   package (+ layers) run by FC's Python version, isolated from the venv
    child.py       the instance process itself (what FC's runtime bootstrap is on FC)
    protocol.py    the frames between the two
    pool.py        the instances of one function version: warm reuse, scale-out, reaping
    in_process.py  one instance inside the current process (``invoke``, the child's core)
    watchdog.py    FC's timeouts for a call in the current process (``invoke``)
    single.py      one call in a fresh instance process (``invoke --code-from package``)
    logs.py        what the instances print, collected per function
"""

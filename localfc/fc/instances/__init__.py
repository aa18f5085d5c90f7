"""Function instances, as FC runs them: import the handler once, initializer once, then
invocations, preStop before the end.

    spec.py        what instances of one function version start with (InstanceSpec)
    parent.py      an instance seen from ``serve``: starts, calls (with their timeouts),
                   preStop, kill; the parts below are its own
      process.py   its worker process: spawn, signal the group, reap, resident memory
      io_loop.py   its one I/O thread: frames and output read together, pipes drained first
      calls.py     the calls in flight on it, and which one printed a line
      output.py    what it prints, as log records of those calls (and FC's end lines)
      outcome.py   how a call ended (CallOutcome): the result frame, timeout, killed, crashed
    code_source.py which Python runs an instance and from where: the dev venv, or an unpacked
                   package (+ layers) run by FC's Python version, isolated from the venv
    child.py       the instance process itself (what FC's runtime bootstrap is on FC)
    protocol.py    the frames between the two
    pool.py        the instances of one function version: warm reuse, scale-out, reaping
    single.py      one call in a fresh instance process (``invoke`` of a packaged function)
    in_process.py  one instance inside the current process (``invoke``, the child's core)
    watchdog.py    FC's timeouts for a call run in this very process (``invoke``)
    logs.py        what the instances print, collected per function
"""

"""How a call ended when its instance did not answer, in FC's words: what the caller reads in
``errorMessage`` and whether FC may send the call to another instance."""

from __future__ import annotations

from localfc.fc.instances.outcome import from_result, instance_gone, timed_out


def test_timeouts_name_the_phase_and_the_limit_as_fc_does():
    assert timed_out("init", 3.0, []).error_message == "Initializer timed out after 3 seconds"
    outcome = timed_out("invoke", 1.5, [])
    assert (outcome.kind, outcome.error_message, outcome.duration_ms) == (
        "timeout",
        "Function timed out after 1.5 seconds",
        1500.0,
    )
    assert outcome.retires_instance


def test_a_call_the_dead_instance_never_started_may_go_elsewhere():
    unseen = instance_gone("", "", 137, [])
    assert (unseen.kind, unseen.started) == ("crash", False)
    assert unseen.error_message == "the instance process exited unexpectedly (exit status 137)"
    begun = instance_gone("memory", "Function exceeded its memory limit: 300 MB used", None, ["FC Invoke Start"])
    assert (begun.kind, begun.started, begun.error_message) == (
        "memory",
        True,
        "Function exceeded its memory limit: 300 MB used",
    )


def test_result_frames_say_which_kind_of_failure_it_was():
    assert from_result({"op": "result", "init_failed": True, "error_type": "E"}, b"", []).kind == "init"
    assert from_result({"op": "result", "error_type": "ValueError"}, b"{}", []).kind == "error"
    ok = from_result({"op": "result", "duration_ms": 2.5}, b"42", [])
    assert (ok.kind, ok.body, ok.duration_ms) == ("ok", b"42", 2.5)

"""Each line an instance prints is booked to the call that printed it, which is what a caller
sees in its ``x-fc-log-result`` tail; lines of other calls never land there."""

from __future__ import annotations

from localfc.fc.instances.calls import CallsInFlight, PendingCall


def _in_flight(*calls: PendingCall) -> CallsInFlight:
    book = CallsInFlight()
    with book.lock:
        for call in calls:
            book.add(call)
    return book


def test_lines_are_booked_by_fc_framing_or_our_json_request_id():
    a, b = PendingCall(1, "req-a", "LATEST"), PendingCall(2, "req-b", "prod")
    book = _in_flight(a, b)
    assert book.attribute("FC Invoke Start RequestId: req-b") is b
    assert book.attribute('{"level": "INFO", "request_id": "req-a", "message": "hi"}') is a
    # Two calls in flight and a line naming neither: nobody's tail gets it.
    assert book.attribute("print from a thread") is None


def test_the_only_call_in_flight_owns_unnamed_lines_until_it_is_answered():
    call = PendingCall(1, "req-1", "LATEST")
    book = _in_flight(call)
    assert book.attribute("print('hello')") is call
    assert book.pop(1) is call
    assert book.attribute("print('late')") is None
    assert book.pop(1) is None  # a second result for it is ignored


def test_a_calls_tail_keeps_its_newest_lines_within_the_limit():
    call = PendingCall(1, "req-1", "LATEST")
    for i in range(2000):
        call.keep(f"line {i:04d} " + "x" * 20)
    assert call.log_lines[-1].startswith("line 1999")
    assert 0 < sum(len(line) + 1 for line in call.log_lines) <= 16 * 1024
    assert len(call.log_lines) < 2000

"""The request/response algorithm contract.

An algorithm declares its input and output as pydantic models and implements ``run``.
``setup`` does the one-time work (load a model, build a table); FC's initializer calls it
once per instance, before the first request.

    from pydantic import BaseModel

    class Echo(Algorithm["EchoIn", "EchoOut"]):
        name = "echo"
        def run(self, data: EchoIn) -> EchoOut:
            return EchoOut(text=data.text)
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from pydantic import BaseModel

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)


class Algorithm(Generic[In, Out]):
    """Base class: override ``run`` (and ``setup`` when there is one-time work)."""

    #: Short name used in logs and metrics.
    name: ClassVar[str] = "algorithm"

    def setup(self) -> None:
        """One-time work per instance. Must be safe to call again after a failure."""

    def run(self, data: In) -> Out:
        raise NotImplementedError

    def teardown(self) -> None:
        """Release resources before the instance stops (FC's preStop)."""

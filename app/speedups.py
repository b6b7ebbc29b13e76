"""Work FastAPI repeats on every request that depends on the route alone, done once instead.

For each query parameter of each request, FastAPI asks twice whether the parameter's
type is a sequence (`field_annotation_is_sequence`, fastapi/fastapi#13824), walking
the type with `typing.get_origin` each time. The answer depends on the type alone, and
a list of organisations has two dozen parameters: asked anew, that is about a sixth of
the list's cold cost. The answers are remembered per type here. Should FastAPI move or
rename the function, nothing is replaced and everything works as before, only slower
(a test says so).
"""

from collections.abc import Callable
from typing import Any

from fastapi.dependencies import utils

_ORIGINAL: Callable[[Any], bool] | None = getattr(utils, "field_annotation_is_sequence", None)
_answers: dict[Any, bool] = {}


def _remembered(annotation: Any) -> bool:
    assert _ORIGINAL is not None
    try:
        return _answers[annotation]
    except KeyError:
        answer = _answers[annotation] = _ORIGINAL(annotation)
        return answer
    except TypeError:  # a type that cannot be a key (unhashable metadata): asked every time
        return _ORIGINAL(annotation)


def install() -> bool:
    """Remember FastAPI's per-type answers; whether it could (the function is where it was)."""
    if _ORIGINAL is None:
        return False
    utils.field_annotation_is_sequence = _remembered  # type: ignore[attr-defined]
    return True

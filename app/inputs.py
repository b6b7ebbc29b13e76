"""What every request body shares: unknown fields refused, and the common text types."""

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from app.errors import InvalidBody, InvalidParam, quoted

M = TypeVar("M", bound=BaseModel)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
"""A reference to another record: a slug, or a region's code or slug."""


class Input(BaseModel):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: `patch` applied to `target`; `null` removes a member, objects merge."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result


def _nul_at(data: Any, path: str = "") -> str | None:
    """Where in `data` a text holds a NUL character, if anywhere."""
    if isinstance(data, str):
        return path or "body" if "\x00" in data else None
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        found = _nul_at(value, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def validated(model: type[M], data: Any) -> M:
    """`data` as `model`, or InvalidBody naming every field that does not fit.

    No text of the directory holds a NUL character, and PostgreSQL refuses one: it is
    named here as the client's mistake rather than failing in the database.
    """
    nul = _nul_at(data)
    if nul is not None:
        raise InvalidBody(
            f"Invalid field(s) in the body: {nul}.",
            [InvalidParam(name=nul, location="body", reason="contains a NUL character")],
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        params = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "body"
            reason = error["msg"]
            if error["type"] == "extra_forbidden":
                reason = "unknown field"
            elif "input" in error and error["type"] != "missing":
                reason = f"{quoted(error['input'])}: {reason}"
            params.append(InvalidParam(name=name, location="body", reason=reason))
        names = ", ".join(dict.fromkeys(p.name for p in params))
        raise InvalidBody(f"Invalid field(s) in the body: {names}.", params) from None

"""orjson (de)serialisation of topic messages, with errors a dead-letter record can explain."""

from __future__ import annotations

from typing import TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from ..errors import PermanentError

M = TypeVar("M", bound=BaseModel)


class PoisonMessage(PermanentError, ValueError):
    """A message that no retry can fix: it goes to the dead-letter topic."""


def dumps(message: BaseModel) -> bytes:
    return orjson.dumps(message.model_dump(mode="json", exclude_none=False))


def loads(model: type[M], payload: bytes | str | None) -> M:
    if payload is None or payload in (b"", ""):
        raise PoisonMessage("empty payload")
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise PoisonMessage(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PoisonMessage(f"expected a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "<root>"
        raise PoisonMessage(
            f"does not match {model.__name__} schema ({exc.error_count()} errors; first at {where}: {first['msg']})"
        ) from exc

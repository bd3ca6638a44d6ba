"""A small, safe reader of PHP-serialized values (WordPress meta): strings, numbers, booleans, null and arrays.

Objects (`O:`), custom serializations (`C:`) and references (`r:`, `R:`) are refused, never instantiated. PHP
counts string lengths in bytes, so the value is read as UTF-8 bytes. Nesting is bounded.
"""

MAX_DEPTH = 32


class PHPSerialError(ValueError):
    pass


def looks_serialized(text: str) -> bool:
    text = text.strip()
    return len(text) >= 2 and text[:2] in ("a:", "s:", "i:", "d:", "b:", "N;", "O:", "C:")


def loads(text: str):
    """The Python value of one serialized PHP value: str, int, float, bool, None, or dict (arrays keep order)."""
    data = text.strip().encode("utf-8")
    value, position = _read(data, 0, 0)
    if position != len(data):
        raise PHPSerialError(f"Unexpected data after the value at byte {position}.")
    return value


def _expect(data: bytes, position: int, token: bytes) -> int:
    if data[position : position + len(token)] != token:
        raise PHPSerialError(f"Expected {token.decode()!r} at byte {position}.")
    return position + len(token)


def _until(data: bytes, position: int, stop: bytes) -> tuple[bytes, int]:
    end = data.find(stop, position)
    if end < 0:
        raise PHPSerialError(f"Expected {stop.decode()!r} after byte {position}.")
    return data[position:end], end + 1


def _integer(raw: bytes) -> int:
    try:
        return int(raw)
    except ValueError:
        raise PHPSerialError(f"Not an integer: {raw[:20]!r}") from None


def _read(data: bytes, position: int, depth: int):
    if depth > MAX_DEPTH:
        raise PHPSerialError("The value is nested too deeply.")
    kind = data[position : position + 1]
    if kind == b"N":
        return None, _expect(data, position + 1, b";")
    if kind in (b"i", b"b", b"d"):
        raw, position = _until(data, _expect(data, position + 1, b":"), b";")
        if kind == b"d":
            try:
                return float(raw), position
            except ValueError:
                raise PHPSerialError(f"Not a number: {raw[:20]!r}") from None
        number = _integer(raw)
        return (bool(number) if kind == b"b" else number), position
    if kind == b"s":
        raw, position = _until(data, _expect(data, position + 1, b":"), b":")
        length = _integer(raw)
        position = _expect(data, position, b'"')
        value = data[position : position + length]
        if len(value) != length or length < 0:
            raise PHPSerialError("A string is shorter than its stated length.")
        position = _expect(data, position + length, b'";')
        return value.decode("utf-8", errors="replace"), position
    if kind == b"a":
        raw, position = _until(data, _expect(data, position + 1, b":"), b":")
        count = _integer(raw)
        position = _expect(data, position, b"{")
        result = {}
        for _ in range(count):
            key, position = _read(data, position, depth + 1)
            if not isinstance(key, (int, str)):
                raise PHPSerialError("An array key must be an integer or a string.")
            result[key], position = _read(data, position, depth + 1)
        return result, _expect(data, position, b"}")
    raise PHPSerialError(f"Unsupported serialized type {kind.decode(errors='replace')!r} at byte {position}.")

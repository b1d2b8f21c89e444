"""Batch evaluation of JSON Lines intakes (intake contract, "Batch evaluation from the command line").

Each non-blank input line `{"id": ..., "answers": {...}}` gives exactly one output object, in
order: the result, or an error naming what is wrong. A rejected line never stops the lines after
it, and no input, however malformed, raises out of here or yields anything but a JSON object.

What counts as what, for a hostile file as much as for a clinic's:

- Lines end at `\\n` (a `\\r` before it is part of the line end; a lone `\\r` is JSON whitespace
  and stays inside its line). A line is blank, and gives no output, when it holds only spaces,
  tabs, `\\r` and `\\n`. A UTF-8 byte-order mark at the very start of the input is dropped.
- A line must be UTF-8, at most `MAX_LINE_BYTES` long (its line end aside), and strict JSON
  (RFC 8259). `NaN`, `Infinity` and `-Infinity`, numbers too large for a float, integers of more
  digits than Python converts (4,300 by default) and arrays or objects nested more than
  `MAX_DEPTH` deep are rejected, each with its own message.
- The id must be a string of Unicode text (the contract says "any string"): it is then echoed
  back, on errors too. Any other id (a number, null, an object, an array, a string holding a
  lone surrogate) is rejected and the output's id is null; the output is matched to its input by
  its position, which is always the input's.
- An unexpected exception while evaluating a line becomes that line's error object.

`to_json` writes an output object as one line of ASCII-only, strict JSON (non-ASCII characters as
`\\u` escapes), whatever the encoding of the stream it goes to.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from triage.rules.contract import Answers, ContractError
from triage.rules.engine import RuleSet

MAX_LINE_BYTES = 1 << 20  # an intake line is about 2.5 kB
MAX_DEPTH = 64  # an intake needs 2: the line's object and its answers
BOM = b"\xef\xbb\xbf"
_JSON_WHITESPACE = b" \t\r\n"
_JSON_WHITESPACE_STR = " \t\r\n"
_DISCARD_CHUNK = 1 << 16
_TOO_LONG = f"line is longer than {MAX_LINE_BYTES} bytes"

Output = dict[str, Any]

# The one line written when an output object cannot be serialised (never for the objects built
# here; kept so that every input line still gets exactly one output line).
UNWRITABLE = (
    '{"id": null, "error": "internal error: the result for this line could not be written"}'
)


class LineReader(Protocol):
    def readline(self, size: int = ..., /) -> bytes: ...


class _Rejected(ValueError):
    """A line that is JSON to Python's parser but not the strict JSON the contract reads."""


def _reject_constant(name: str) -> Any:
    raise _Rejected(f"{name} is not allowed (strict JSON has no NaN or Infinity)")


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Rejected(f"number {_clip(text)} is too large")
    return value


# Built once: json.loads and json.dumps build a new decoder or encoder per call when given options.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_parse_float)
_ENCODER = json.JSONEncoder(ensure_ascii=True, allow_nan=False)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "a string"


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _too_deep(value: Any) -> bool:
    """Whether arrays or objects nest more than MAX_DEPTH deep in `value` (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        container, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        items = container.values() if isinstance(container, dict) else container
        stack.extend((item, depth + 1) for item in items if isinstance(item, dict | list))
    return False


def _is_text(value: str) -> bool:
    """Whether `value` is Unicode text, i.e. holds no lone surrogate (which no UTF-8 carries)."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _not_utf8(line: bytes, exc: UnicodeDecodeError) -> str:
    if line.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "line is not valid UTF-8 (the file looks like UTF-16: save it as UTF-8)"
    return f"line is not valid UTF-8 (byte {exc.start + 1} of the line)"


def _describe(exc: BaseException) -> str:
    try:
        detail = str(exc)
    except Exception:
        detail = ""
    detail = _clip(detail.encode("utf-8", "backslashreplace").decode("utf-8"), 200)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _evaluate(line: bytes | str, ruleset: RuleSet) -> tuple[Output, bool]:
    if isinstance(line, bytes):
        if (
            len(line) > MAX_LINE_BYTES
            and len(line.removesuffix(b"\n").removesuffix(b"\r")) > MAX_LINE_BYTES
        ):
            return {"id": None, "error": _TOO_LONG}, False
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return {"id": None, "error": _not_utf8(line, exc)}, False
    else:
        text = line
    # Brackets inside strings count too, so this only says when nesting needs a closer look.
    suspicious = text.count("[") + text.count("{") > MAX_DEPTH
    try:
        record = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        if text.startswith("\ufeff"):
            return {
                "id": None,
                "error": "line starts with a byte-order mark (only the input's first line may)",
            }, False
        return {
            "id": None,
            "error": f"line is not valid JSON: {exc.msg} at column {exc.colno}",
        }, False
    except _Rejected as exc:
        return {"id": None, "error": f"line is not strict JSON: {exc}"}, False
    except RecursionError:
        suspicious = True
        record = None
    except ValueError:
        # The only other ValueError json raises: an integer of more digits than int() converts.
        return {
            "id": None,
            "error": f"line holds an integer of more than {sys.get_int_max_str_digits()} digits",
        }, False
    if suspicious and (record is None or _too_deep(record)):
        return {
            "id": None,
            "error": f"line nests arrays or objects more than {MAX_DEPTH} deep",
        }, False
    if not isinstance(record, dict):
        return {
            "id": None,
            "error": 'line must be a JSON object {"id": ..., "answers": {...}}, '
            f"not {_json_kind(record)}",
        }, False

    errors: list[str] = []
    intake_id = record.get("id")
    if "id" not in record:
        errors.append("id is missing")
    elif type(intake_id) is not str:
        errors.append(f"id must be a string, not {_json_kind(intake_id)}")
        intake_id = None
    elif not _is_text(intake_id):
        errors.append("id must be Unicode text, not a string holding a lone surrogate")
        intake_id = None
    if "answers" not in record:
        errors.append("answers is missing")
    else:
        try:
            answers = Answers.from_mapping(record["answers"])
        except ContractError as exc:
            errors.append(str(exc))
    if errors:
        return {"id": intake_id, "error": "; ".join(errors)}, False
    result = ruleset.evaluate(answers)
    return {
        "id": intake_id,
        "urgency": result.urgency.name,
        "rules": result.rule_ids,
        "ruleset": result.ruleset,
    }, True


def evaluate_line(line: bytes | str, ruleset: RuleSet) -> tuple[Output, bool]:
    """The output object for one non-blank input line, and whether the line was evaluated.

    Never raises: an unexpected exception is reported as the line's error."""
    try:
        return _evaluate(line, ruleset)
    except Exception as exc:
        return {
            "id": None,
            "error": f"internal error while evaluating this line ({_describe(exc)})",
        }, False


def is_blank(line: bytes | str) -> bool:
    """Whether a line holds nothing but JSON whitespace (and so gives no output)."""
    if isinstance(line, bytes):
        return not line.strip(_JSON_WHITESPACE)
    return not line.strip(_JSON_WHITESPACE_STR)


def evaluate_lines(lines: Iterable[bytes | str], ruleset: RuleSet) -> Iterator[tuple[Output, bool]]:
    """Evaluate every non-blank line, in order, dropping a byte-order mark from the first."""
    first = True
    for line in lines:
        if first:
            first = False
            if isinstance(line, bytes):
                line = line.removeprefix(BOM)
            else:
                line = line.removeprefix("\ufeff")
        if not is_blank(line):
            yield evaluate_line(line, ruleset)


def evaluate_stream(stream: LineReader, ruleset: RuleSet) -> Iterator[tuple[Output, bool]]:
    """`evaluate_lines` for a binary stream, never holding much more than MAX_LINE_BYTES of a
    line: the rest of a longer line is read and dropped, and the line rejected (unless blank)."""
    limit = MAX_LINE_BYTES + len(b"\r\n") + len(BOM)  # room for the line end, and a first BOM
    first = True
    while line := stream.readline(limit):
        if len(line) == limit and not line.endswith(b"\n"):
            blank = is_blank(line.removeprefix(BOM) if first else line)
            first = False
            while chunk := stream.readline(_DISCARD_CHUNK):
                blank = blank and is_blank(chunk)
                if chunk.endswith(b"\n"):
                    break
            if not blank:
                yield {"id": None, "error": _TOO_LONG}, False
            continue
        if first:
            first = False
            line = line.removeprefix(BOM)
        if not is_blank(line):
            yield evaluate_line(line, ruleset)


def to_json(output: Output) -> str:
    """One line of strict, ASCII-only JSON for an output object."""
    return _ENCODER.encode(output)


def run(stream: LineReader, write: Callable[[str], object], ruleset: RuleSet) -> int:
    """Evaluate every line of `stream`, writing one JSON line (no line end) per non-blank line.

    Returns how many lines were rejected. Only errors reading `stream` or writing escape."""
    rejected = 0
    for output, evaluated in evaluate_stream(stream, ruleset):
        try:
            text = to_json(output)
        except Exception:
            text, evaluated = UNWRITABLE, False
        rejected += not evaluated
        write(text)
    return rejected

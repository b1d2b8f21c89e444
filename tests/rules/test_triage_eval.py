"""`python manage.py triage_eval` as the intake contract describes it, run as a user runs it."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rules.answers import mapping
from triage.rules import batch, ruleset_for

ROOT = Path(__file__).resolve().parents[2]


def triage_eval(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}  # never touched
    return subprocess.run(
        [sys.executable, "manage.py", "triage_eval", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def line(intake_id: str, **changes) -> str:
    return json.dumps({"id": intake_id, "answers": mapping(**changes)})


def test_every_line_is_evaluated_in_order_and_the_exit_code_is_0():
    run = triage_eval(
        "\n".join(
            [
                line("cauda", bladder_or_bowel_change=True),
                line("desk-neck"),
                line(
                    "shunt",
                    recent_significant_trauma=True,
                    trauma_mechanism="simple_rear_end_collision",
                    duration_days=2,
                ),
            ]
        )
        + "\n"
    )
    assert run.returncode == 0, run.stderr
    out = [json.loads(x) for x in run.stdout.splitlines()]
    assert out == [
        {
            "id": "cauda",
            "urgency": "EMERGENCY",
            "rules": ["SPHINCTER_OR_SADDLE_SYMPTOMS"],
            "ruleset": "2026.1",
        },
        {"id": "desk-neck", "urgency": "SELF_CARE", "rules": [], "ruleset": "2026.1"},
        {
            "id": "shunt",
            "urgency": "URGENT",
            "rules": ["LOW_RISK_TRAUMA_ACUTE"],
            "ruleset": "2026.1",
        },
    ]


def test_rejected_lines_name_the_field_the_rest_are_evaluated_and_the_exit_code_is_2():
    bad_answers = mapping(chest_pain="yes")
    del bad_answers["fever_or_chills"]
    run = triage_eval(
        "\n".join(
            [
                "{not json",
                json.dumps({"id": "bad", "answers": bad_answers}),
                json.dumps({"answers": mapping()}),
                json.dumps({"id": "no-answers"}),
                line("after", severe_headache=True),
            ]
        )
        + "\n"
    )
    assert run.returncode == 2
    out = [json.loads(x) for x in run.stdout.splitlines()]
    assert len(out) == 5
    assert out[0]["id"] is None and "JSON" in out[0]["error"]
    assert out[1]["id"] == "bad"
    assert "chest_pain" in out[1]["error"] and "fever_or_chills" in out[1]["error"]
    assert "id" in out[2]["error"]
    assert out[3] == {"id": "no-answers", "error": "answers is missing"}
    assert out[4]["urgency"] == "EMERGENCY"


def test_reads_a_file_named_on_the_command_line(tmp_path):
    intakes = tmp_path / "intakes.jsonl"
    intakes.write_text(line("one", history_of_cancer=True, pain_region="thoracic") + "\n\n")
    run = triage_eval("", str(intakes))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {
        "id": "one",
        "urgency": "URGENT",
        "rules": ["CANCER_HISTORY_WITH_UPPER_SPINAL_PAIN"],
        "ruleset": "2026.1",
    }


def test_a_missing_file_is_an_error():
    run = triage_eval("", "/nonexistent/intakes.jsonl")
    assert run.returncode == 2
    assert "cannot read" in run.stderr


# Hostile input. Whatever the bytes, every non-blank line gets exactly one line of strict JSON
# out, in order, and the run goes on to the end: no traceback, exit 0 only when all evaluated.

BOM = b"\xef\xbb\xbf"


def run_bytes(data: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}  # never touched
    return subprocess.run(
        [sys.executable, "manage.py", "triage_eval", *args],
        input=data,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not strict JSON")


def strict_json(text: str) -> dict[str, Any]:
    """Parse one output line as RFC 8259 JSON: no NaN or Infinity, no lone surrogates."""
    value = json.loads(text, parse_constant=_no_constants)
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # raises on a lone surrogate
    assert isinstance(value, dict) and "id" in value, text
    if "error" in value:
        assert set(value) == {"id", "error"} and isinstance(value["error"], str), text
    else:
        assert set(value) == {"id", "urgency", "rules", "ruleset"}, text
    assert value["id"] is None or isinstance(value["id"], str), text
    return value


def outputs(stdout: bytes | str) -> list[dict[str, Any]]:
    text = stdout.decode("ascii") if isinstance(stdout, bytes) else stdout
    assert text == "" or text.endswith("\n")
    return [strict_json(x) for x in text.split("\n")[:-1]]


def non_blank_lines(data: bytes) -> int:
    """The contract's count: lines end at \\n, a first-line BOM is dropped, and a line of only
    spaces, tabs and \\r is blank."""
    lines = data.split(b"\n")
    lines[0] = lines[0].removeprefix(BOM)
    return sum(1 for x in lines if x.strip(b" \t\r\n"))


def checked(data: bytes, file: Path | None = None) -> tuple[list[dict[str, Any]], int]:
    """Run the command on `data` (from standard input, or from `file`), check the output against
    the contract, and return the output objects and the exit code."""
    if file is None:
        run = run_bytes(data)
    else:
        file.write_bytes(data)
        run = run_bytes(b"", str(file))
    assert b"Traceback" not in run.stderr, run.stderr.decode(errors="replace")
    out = outputs(run.stdout)
    assert len(out) == non_blank_lines(data)
    assert run.returncode == (2 if any("error" in x for x in out) else 0), run.stderr
    return out, run.returncode


def checked_here(data: bytes) -> tuple[list[dict[str, Any]], int]:
    """`checked`, with the command run in this process (quicker; the same exit code)."""
    stdout = io.StringIO()
    code = 0
    with tempfile.TemporaryDirectory() as folder:
        intakes = Path(folder) / "intakes.jsonl"
        intakes.write_bytes(data)
        try:
            call_command("triage_eval", str(intakes), stdout=stdout)
        except CommandError as exc:
            code = exc.returncode
    out = outputs(stdout.getvalue())
    assert len(out) == non_blank_lines(data)
    assert code == (2 if any("error" in x for x in out) else 0)
    return out, code


def good(intake_id: str = "good", **changes: Any) -> bytes:
    return line(intake_id, **changes).encode()


SELF_CARE = {"id": "good", "urgency": "SELF_CARE", "rules": [], "ruleset": "2026.1"}


def test_json_nested_1000_deep_is_rejected_and_the_lines_after_it_are_evaluated():
    deep = b'{"id":"x","answers":' + b"[" * 1000 + b"]" * 1000 + b"}"
    out, code = checked(deep + b"\n" + good() + b"\n")
    assert code == 2
    assert out[0] == {"id": None, "error": "line nests arrays or objects more than 64 deep"}
    assert out[1] == SELF_CARE


def test_nesting_is_rejected_past_64_deep_whatever_recursion_allows():
    nested = [
        b'{"id":"x","answers":' + b"[" * n + b"]" * n + b"}" for n in (63, 64, 100, 5000, 200_000)
    ]
    out, _ = checked(b"\n".join(nested) + b"\n")
    assert ["error" in x and "64 deep" in x["error"] for x in out] == [
        False,
        True,
        True,
        True,
        True,
    ]
    assert out[0]["id"] == "x" and "answers must be an object" in out[0]["error"]


def test_an_integer_of_over_4300_digits_is_rejected():
    huge = b'{"id":"x","answers":{"age":' + b"7" * 4301 + b"}}"
    out, code = checked(huge + b"\n" + good() + b"\n")
    assert code == 2
    assert (
        out[0]["id"] is None and out[0]["error"] == "line holds an integer of more than 4300 digits"
    )
    assert out[1] == SELF_CARE


def test_a_lone_surrogate_in_the_id_is_rejected_and_the_output_is_valid_json():
    data = (
        b'{"id":"\\ud800","answers":' + json.dumps(mapping()).encode() + b"}\n"
        b'{"id":"tail \\udfff","answers":{}}\n' + good() + b"\n"
    )
    out, code = checked(data)
    assert code == 2
    assert out[0] == {
        "id": None,
        "error": "id must be Unicode text, not a string holding a lone surrogate",
    }
    assert out[1]["id"] is None and "lone surrogate" in out[1]["error"]
    assert out[2] == SELF_CARE


def test_a_surrogate_pair_and_other_unicode_in_the_id_are_echoed_back():
    intake_id = "Zoë 😀 \u2028 line\nbreak \x00"
    out, code = checked(good(intake_id) + b"\n")
    assert code == 0
    assert out == [{**SELF_CARE, "id": intake_id}]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_rejected_as_the_id_or_anywhere(constant):
    answers = json.dumps(mapping())
    data = "\n".join(
        [
            f'{{"id": {constant}, "answers": {answers}}}',
            f'{{"id": "a", "answers": {answers[:-1]}, "age": {constant}}}}}',
            f'{{"id": "b", "answers": {answers}, "extra": [{constant}]}}',
            line("good"),
        ]
    )
    out, code = checked(data.encode() + b"\n")
    assert code == 2
    for x in out[:3]:
        assert x == {
            "id": None,
            "error": f"line is not strict JSON: {constant} is not allowed "
            "(strict JSON has no NaN or Infinity)",
        }
    assert out[3] == SELF_CARE


def test_a_number_too_large_for_a_float_is_rejected():
    out, code = checked(b'{"id":"x","answers":{"age":1e400}}\n')
    assert code == 2
    assert out == [{"id": None, "error": "line is not strict JSON: number 1e400 is too large"}]


def test_a_byte_order_mark_at_the_start_is_dropped_and_the_first_line_evaluated(tmp_path):
    data = BOM + good() + b"\r\n" + good("second") + b"\n"
    out, code = checked(data)
    assert code == 0
    assert out == [SELF_CARE, {**SELF_CARE, "id": "second"}]
    assert checked(data, tmp_path / "bom.jsonl") == (out, 0)


def test_a_byte_order_mark_anywhere_else_is_an_error():
    out, code = checked(good() + b"\n" + BOM + good() + b"\n")
    assert code == 2
    assert out[0] == SELF_CARE
    assert out[1] == {
        "id": None,
        "error": "line starts with a byte-order mark (only the input's first line may)",
    }


def test_a_byte_order_mark_alone_on_the_first_line_is_a_blank_line():
    assert checked(BOM + b"\n" + good() + b"\n") == ([SELF_CARE], 0)


def test_line_ends_crlf_a_lone_cr_and_no_final_newline():
    data = good() + b"\r\n" + good() + b"\r" + b"\n\r\n \t\r\n" + good() + b"\r" + good()
    out, code = checked(data)
    assert code == 2
    assert out[:2] == [SELF_CARE, SELF_CARE]
    # A lone \r does not end a line: two intakes on one line are one error.
    assert out[2]["id"] is None and "Extra data" in out[2]["error"]


@pytest.mark.parametrize(
    ("garbage", "error"),
    [
        (b"\xc3\x28 not utf-8", "line is not valid UTF-8 (byte 1 of the line)"),
        (b'{"id": "caf\xe9"}', "line is not valid UTF-8 (byte 12 of the line)"),
        ("[]".encode("utf-16"), "line is not valid UTF-8 (the file looks like UTF-16"),
        (b"\x00", "line is not valid JSON: Expecting value at column 1"),
        (b"\x00" * 5000, "line is not valid JSON: Expecting value at column 1"),
        (b"\x0c\x0b", "line is not valid JSON: Expecting value at column 1"),
        (b"{not json", "line is not valid JSON: Expecting property name"),
        (b"[1, 2]", 'line must be a JSON object {"id": ..., "answers": {...}}, not an array'),
        (b"null", 'line must be a JSON object {"id": ..., "answers": {...}}, not null'),
        (b"123", 'line must be a JSON object {"id": ..., "answers": {...}}, not a number'),
        (b'"text"', 'line must be a JSON object {"id": ..., "answers": {...}}, not a string'),
    ],
)
def test_lines_that_are_not_a_json_object_say_why(garbage, error):
    out, code = checked_here(garbage + b"\n" + good() + b"\n")
    assert code == 2
    assert out[0]["id"] is None and out[0]["error"].startswith(error), out[0]
    assert out[1] == SELF_CARE


@pytest.mark.parametrize(
    ("intake_id", "kind"),
    [
        ("42", "a number"),
        ("-1.5e3", "a number"),
        ("9" * 4000, "a number"),
        ("null", "null"),
        ("true", "true"),
        ('{"nested": {"id": "x"}}', "an object"),
        ('["a", ["b", ["c"]]]', "an array"),
        ("[" * 60 + "]" * 60, "an array"),
    ],
)
def test_an_id_that_is_not_a_string_is_rejected_and_the_output_id_is_null(intake_id, kind):
    # The contract's id is "any string": echoing anything else back would hand a hostile
    # structure on to whoever reads the results, so it is null and the error says why.
    data = f'{{"id": {intake_id}, "answers": {json.dumps(mapping())}}}\n'.encode()
    out, code = checked_here(data + good() + b"\n")
    assert code == 2
    assert out[0] == {"id": None, "error": f"id must be a string, not {kind}"}
    assert out[1] == SELF_CARE


@pytest.mark.parametrize("answers", ["[]", '"all fine"', "null", "42", "[[[[{}]]]]"])
def test_answers_that_are_not_an_object_name_the_field(answers):
    out, code = checked_here(f'{{"id": "x", "answers": {answers}}}\n'.encode())
    assert code == 2
    assert out == [{"id": "x", "error": "answers must be an object of answers keyed by field name"}]


def test_every_broken_field_is_named_together():
    data = json.dumps({"id": 7, "answers": {**mapping(age=[[["old"]]]), "sex": "\ud800"}})
    out, _ = checked_here(data.encode() + b"\n")
    error = out[0]["error"]
    assert out[0]["id"] is None
    assert error.startswith("id must be a string, not a number; ")
    assert "age must be a whole number" in error and "sex must be one of" in error


def test_an_extremely_long_line_is_rejected_without_reading_it_whole():
    long_id = b'{"id": "' + b"x" * (2 << 20) + b'", "answers": {}}'
    blank = b" \t" * (1 << 20)
    blank_then_text = b" " * (2 << 20) + b"x"
    data = b"\n".join([long_id, blank, blank_then_text, good()]) + b"\n"
    out, code = checked(data)
    assert code == 2
    too_long = {"id": None, "error": "line is longer than 1048576 bytes"}
    assert out == [too_long, too_long, SELF_CARE]


def test_a_line_of_exactly_the_limit_is_read():
    intake = good()
    padded = intake[:-1] + b" " * (1048576 - len(intake)) + b"}"
    assert len(padded) == 1048576
    assert checked(padded + b"\r\n" + padded) == ([SELF_CARE, SELF_CARE], 0)
    out, _ = checked(padded + b" ")
    assert out == [{"id": None, "error": "line is longer than 1048576 bytes"}]


def test_a_directory_is_a_clear_error(tmp_path):
    run = run_bytes(b"", str(tmp_path))
    assert run.returncode == 2 and run.stdout == b""
    assert run.stderr.decode().strip() == f"CommandError: cannot read {tmp_path}: Is a directory"


def test_a_file_that_fails_while_being_read_is_a_clear_error():
    run = run_bytes(b"", "/proc/self/mem")  # opens, then every read fails with EIO
    assert run.returncode == 2
    assert b"Traceback" not in run.stderr
    assert b"cannot read /proc/self/mem: Input/output error" in run.stderr


def test_a_reader_that_goes_away_does_not_cause_a_traceback():
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    with subprocess.Popen(
        [sys.executable, "manage.py", "triage_eval"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    ) as proc:
        assert proc.stdin and proc.stdout and proc.stderr
        proc.stdout.close()  # like `triage_eval | head -0`
        try:
            proc.stdin.write((good() + b"\n") * 2000)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        stderr = proc.stderr.read()
        code = proc.wait(timeout=60)
    assert code == 2
    assert stderr.decode().strip() == "CommandError: cannot write the results: Broken pipe"


def test_an_unexpected_exception_on_one_line_is_that_lines_error(monkeypatch, tmp_path):
    from triage.management.commands import triage_eval as command
    from triage.rules import DEFAULT

    class Exploding:
        def evaluate(self, answers):
            if answers.age == 66:
                raise KeyError("boom")
            return DEFAULT.evaluate(answers)

    monkeypatch.setattr(command, "current_ruleset", Exploding)
    intakes = tmp_path / "intakes.jsonl"
    intakes.write_bytes(b"\n".join([good(), good("bad", age=66), good()]) + b"\n")
    stdout = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("triage_eval", str(intakes), stdout=stdout)
    assert raised.value.returncode == 2
    assert outputs(stdout.getvalue()) == [
        SELF_CARE,
        {"id": None, "error": "internal error while evaluating this line (KeyError: 'boom')"},
        SELF_CARE,
    ]


def test_an_output_that_cannot_be_written_still_gives_one_line(monkeypatch):
    def unwritable(output):
        raise TypeError("not serialisable")

    monkeypatch.setattr(batch, "to_json", unwritable)
    written: list[str] = []
    rejected = batch.run(io.BytesIO(good() + b"\n" + good()), written.append, ruleset_for())
    assert rejected == 2
    assert [strict_json(x) for x in written] == [json.loads(batch.UNWRITABLE)] * 2


def hostile_file(lines: int, seed: int) -> tuple[bytes, list[str | None]]:
    """`lines` lines of what a hostile or broken export holds, a valid intake every so often;
    and, for each non-blank line, the id of the valid intake it is (None for garbage)."""
    rng = random.Random(seed)
    answers = json.dumps(mapping())
    garbage: list[Callable[[], bytes]] = [
        lambda: rng.randbytes(rng.randint(1, 300)).replace(b"\n", b""),
        lambda: b"\x00" * rng.randint(1, 50),
        lambda: b"[" * rng.randint(1, 3000),
        lambda: b'{"id":"x","answers":' + b"{" * rng.randint(60, 3000),
        lambda: b'{"id":' + b"[" * rng.randint(1, 200) + b"]" * rng.randint(1, 200) + b"}",
        lambda: b'{"id":' + b"9" * rng.randint(1, 9000) + b',"answers":{}}',
        lambda: b'{"id":"\\ud8%02x","answers":%s}' % (rng.randint(0, 255), answers.encode()),
        lambda: rng.choice([b"NaN", b"Infinity", b"-Infinity", b"1e999"]),
        lambda: b'{"id":"n","answers":{"age":%s}}' % rng.choice([b"NaN", b"-Infinity", b"1e400"]),
        lambda: b'{"id":"x","answers":%s}' % rng.choice([b"[]", b"1", b'"a"', b"null", b"true"]),
        lambda: b'{"id":"x"' + b',"answers":{"age":1' * rng.randint(1, 40),
        lambda: BOM + rng.randbytes(5).replace(b"\n", b""),
        lambda: b"\xff\xfe" + "{}".encode("utf-16-le"),
        lambda: rng.choice([b"{", b"}", b"[", b'"', b"\\", b"\r", b"\t", b"\x0c", b"\x1b"]) * 3,
        lambda: json.dumps({"id": rng.random(), "answers": mapping()}).encode(),
        lambda: json.dumps({"answers": mapping(age=rng.randint(-(10**6), 10**6))}).encode(),
    ]
    chunks: list[bytes] = []
    ids: list[str | None] = []
    for i in range(lines):
        if rng.random() < 0.1:
            chunks.append(good(f"valid-{i}") + rng.choice([b"", b"\r", b" "]))
            ids.append(f"valid-{i}")
        else:
            chunk = rng.choice(garbage)()
            chunks.append(chunk)
            if chunk.strip(b" \t\r\n"):
                ids.append(None)
    return b"\n".join(chunks) + b"\n", ids


def test_five_thousand_hostile_lines_give_five_thousand_json_lines_in_order():
    data, ids = hostile_file(5000, seed=2026)
    out, code = checked(data)
    assert code == 2
    assert len(out) == len(ids)
    for intake_id, result in zip(ids, out, strict=True):
        if intake_id is None:
            assert "error" in result
        else:
            assert result == {**SELF_CARE, "id": intake_id}


# The property, in process (through the command itself, so the exit code is the command's):
# for any bytes, one strict JSON object per non-blank line, and exit 2 iff any was rejected.

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities included
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["id", "answers", "age", "x", ""]) | st.text(), children)
    ),
    max_leaves=12,
)


def _serialised(value: Any, ensure_ascii: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")


@st.composite
def intake_like_lines(draw: st.DrawFn) -> bytes:
    answers: dict[str, Any] = mapping()
    for name in draw(st.lists(st.sampled_from(sorted(answers)), max_size=3)):
        answers[name] = draw(json_values)
    for name in draw(st.lists(st.sampled_from(sorted(answers)), max_size=2, unique=True)):
        del answers[name]
    record: dict[str, Any] = {"answers": answers}
    if draw(st.booleans()):
        record["id"] = draw(st.text() | json_values)
    if draw(st.booleans()):
        record["answers"] = draw(json_values)
    return _serialised(record, draw(st.booleans()))


hostile_lines = st.one_of(
    st.binary(max_size=120),
    st.builds(_serialised, json_values, st.booleans()),
    intake_like_lines(),
    st.builds(lambda intake_id: good(intake_id), st.text(max_size=10)),
    st.sampled_from(
        [
            b"",
            b" \t\r",
            b"\x00",
            BOM,
            b"NaN",
            b'{"id":"x","answers":{"age":' + b"1" * 4301 + b"}}",
            b'{"id":"x","answers":' + b"[" * 1000 + b"]" * 1000 + b"}",
            b'{"id":"\\udc00","answers":{}}',
        ]
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(hostile_lines, max_size=12),
    ends=st.lists(st.sampled_from([b"\n", b"\r\n", b"\r", b"\n\n"]), min_size=12, max_size=12),
    bom=st.booleans(),
)
def test_any_bytes_give_one_strict_json_line_per_non_blank_line(lines, ends, bom):
    data = (BOM if bom else b"") + b"".join(x + end for x, end in zip(lines, ends, strict=False))
    checked_here(data)

"""`python manage.py triage_eval` as the intake contract describes it, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.rules.answers import mapping

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

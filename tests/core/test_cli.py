"""The command line: --help everywhere, thin commands, errors without tracebacks."""

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from omsmethod.cli import build_parser, main

EXE = str(Path(sys.executable).parent / "omsmethod")


def _commands(parser, prefix=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from _commands(sub, (*prefix, name))


COMMANDS = list(_commands(build_parser()))


def test_expected_commands_exist():
    top = {c[0] for c in COMMANDS}
    assert {"questionnaire", "model", "report", "sample-size", "allocate", "estimate", "staffing"} <= top


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_on_every_subcommand(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    assert "usage: omsmethod" in capsys.readouterr().out


def test_questionnaire_export_and_validate(tmp_path, fixtures, capsys):
    out = tmp_path / "staff.xlsx"
    assert main(["questionnaire", "export", "staff", "-o", str(out)]) == 0
    assert out.exists()
    problems = tmp_path / "problems.csv"
    code = main(["questionnaire", "validate", str(fixtures / "responses" / "staff_broken.csv"), "-i", "staff",
                 "-o", str(problems)])
    assert code == 1
    assert problems.read_text(encoding="utf-8").count("\n") == 9  # header + 8 problems
    assert main(["questionnaire", "validate", str(fixtures / "responses" / "staff_gbk.csv"), "-i", "staff"]) == 0


def test_model_copy_round_trip(tmp_path):
    target = tmp_path / "my_model.yaml"
    assert main(["model", "copy", str(target)]) == 0
    assert main(["model", "show", "--path", str(target)]) == 0


def test_errors_are_messages_not_tracebacks(tmp_path):
    run = subprocess.run([EXE, "questionnaire", "validate", str(tmp_path / "missing.csv"), "-i", "staff"],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "file not found" in run.stderr
    assert "Traceback" not in run.stderr

"""The export refuses bad input before it writes anything (no browser needed: it stops before printing).

Each case builds a small course file and notebook folder in a temporary directory, leaves files of
an "earlier export" in the build folder, runs the command line and checks: exit code 2, a message
naming the notebook (or the course file) and the fix, nothing written, the earlier files removed.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.paths import ROOT

if str(ROOT) not in sys.path:  # `tools` is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from tools.export.__main__ import main  # noqa: E402
from tools.export.checks import EXAMPLE_STUDENT_NAME, EXAMPLE_STUDENT_USN, student_notes  # noqa: E402
from tools.export.static import WIDGET_STATE, WIDGET_VIEW  # noqa: E402

COURSE = """
[student]
name = "Test Student"
usn = "1AB21CS001"

[course]
name = "Deep Learning"
code = "21CS6AM11"
credits = 3
semester = "6th"
academic_year = "2022-23"
faculty = "Prof. Test"
{assignments}
"""
ASSIGNMENT = """
[[assignments]]
number = {number}
co = "CO1"
due = "01.03.2024"
{questions}
"""
QUESTION = """
  [[assignments.questions]]
  number = {number}
  notebook = "{notebook}"
  title = "Question {number}"
  co = "CO1"
  bloom = "L2 (Understand)"
  text = "Explain something."
"""


def course_text(layout: dict[int, list[str]]) -> str:
    """A course file whose assignments (number -> notebook ids) are ``layout``."""
    assignments = "".join(ASSIGNMENT.format(number=n, questions="".join(
        QUESTION.format(number=i + 1, notebook=nb) for i, nb in enumerate(notebooks)))
        for n, notebooks in layout.items())
    return COURSE.format(assignments=assignments)


def good_notebook(name: str) -> nbformat.NotebookNode:
    """A small notebook as `make refresh` stores it: header, sections, executed code with output."""
    nb = nbformat.v4.new_notebook()
    header = nbformat.v4.new_code_cell(f'from helpers.course import header\nheader("{name}")', execution_count=1)
    header.outputs = [nbformat.v4.new_output("execute_result", data={"text/markdown": "# Title"}, execution_count=1)]
    code = nbformat.v4.new_code_cell("print(2 + 2)", execution_count=2)
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="4\n")]
    nb.cells = [header, nbformat.v4.new_markdown_cell("## Answer\n\nFour."), code]
    return nb


class Workspace:
    """A course file, a notebook folder and a build folder holding an earlier export's files."""

    def __init__(self, root: Path, layout: dict[int, list[str]]):
        self.course = root / "course.toml"
        self.course.write_text(course_text(layout), encoding="utf-8")
        self.notebooks = root / "notebooks"
        self.notebooks.mkdir()
        for notebooks in layout.values():
            for name in notebooks:
                self.save(name, good_notebook(name))
        self.out = root / "build"
        self.earlier = [self.out / "export" / "assignment_1_submission.pdf",
                        self.out / "submit" / "1AB21CS001_21CS6AM11_assignment_1.zip"]
        for path in self.earlier:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"from an earlier export")

    def save(self, name: str, nb: nbformat.NotebookNode) -> None:
        nbformat.write(nb, str(self.notebooks / f"{name}.ipynb"))

    def export(self, *commands: str) -> int:
        return main([*commands, "--course", str(self.course), "--notebooks", str(self.notebooks),
                     "--out", str(self.out)])

    def files(self) -> list[Path]:
        return sorted(p for p in self.out.rglob("*") if p.is_file())


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path, {1: ["a1_q1_first", "a1_q2_second"]})


def refused(workspace: Workspace, capsys: pytest.CaptureFixture, *needles: str) -> str:
    """Run `submit`; check the refusal, its message, that nothing is left, and return the message."""
    assert workspace.export("submit") == 2
    message = capsys.readouterr().err
    assert "the export refused, nothing was written" in message
    for needle in (*needles, "Fix:"):
        assert needle in message, f"{needle!r} missing from:\n{message}"
    assert workspace.files() == [], "a refused export must leave no file of this or an earlier export"
    return message


def test_a_notebook_without_a_course_entry(workspace: Workspace, capsys: pytest.CaptureFixture) -> None:
    workspace.save("a1_q3_stray", good_notebook("a1_q3_stray"))
    refused(workspace, capsys, "a1_q3_stray.ipynb", "has no entry in the course file", "add it under its assignment")


def test_a_course_entry_without_a_notebook(workspace: Workspace, capsys: pytest.CaptureFixture) -> None:
    (workspace.notebooks / "a1_q2_second.ipynb").unlink()
    refused(workspace, capsys, "a1_q2_second.ipynb", "A1 Q2 has no notebook", "git checkout")


def test_a_duplicate_notebook_id(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    workspace = Workspace(tmp_path, {1: ["a1_q1_first", "a1_q1_first"]})
    refused(workspace, capsys, "course.toml", "notebook id 'a1_q1_first' answers 2 questions")


def test_a_duplicate_assignment_number(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    workspace = Workspace(tmp_path, {1: ["a1_q1_first"]})
    text = workspace.course.read_text(encoding="utf-8")
    workspace.course.write_text(text + ASSIGNMENT.format(number=1, questions=QUESTION.format(
        number=1, notebook="a2_q1_other")), encoding="utf-8")
    workspace.save("a2_q1_other", good_notebook("a2_q1_other"))
    refused(workspace, capsys, "course.toml", "assignment number 1 is used by 2 [[assignments]] tables")


def test_a_stored_error(workspace: Workspace, capsys: pytest.CaptureFixture) -> None:
    nb = good_notebook("a1_q2_second")
    nb.cells[2].outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                                  traceback=[])]
    workspace.save("a1_q2_second", nb)
    refused(workspace, capsys, "a1_q2_second.ipynb, cell 2", "ZeroDivisionError: division by zero", "make refresh NB=")


def test_an_unexecuted_cell(workspace: Workspace, capsys: pytest.CaptureFixture) -> None:
    nb = good_notebook("a1_q1_first")
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    workspace.save("a1_q1_first", nb)
    refused(workspace, capsys, "a1_q1_first.ipynb, cell 3", "was never run", "make refresh NB=")


def explorer_cell(with_values: bool) -> nbformat.NotebookNode:
    """An explorer cell as JupyterLab saves it after a slider moved: new widget model, redrawn figure."""
    cell = nbformat.v4.new_code_cell("ex = explorer(draw, x=(0.0, 1.0, 0.1))", execution_count=3)
    view = nbformat.v4.new_output("display_data", data={
        WIDGET_VIEW: {"model_id": "model-made-in-lab", "version_major": 2, "version_minor": 0},
        "text/plain": "VBox(children=(FloatSlider(value=0.7, description='x'…"})
    figure = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    if with_values:
        figure.metadata = {"workbook": {"explorer": {"x": 0.7}}}
    cell.outputs = [view, figure]
    return cell


def test_an_explorer_figure_without_its_slider_values(workspace: Workspace, capsys: pytest.CaptureFixture) -> None:
    nb = good_notebook("a1_q1_first")
    nb.cells.append(explorer_cell(with_values=False))
    nb.metadata["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {}}}
    workspace.save("a1_q1_first", nb)
    refused(workspace, capsys, "a1_q1_first.ipynb, cell 3", "without the slider values it was drawn with",
            "Save Widget State Automatically")


def test_an_explorer_figure_that_carries_its_values_is_accepted(workspace: Workspace) -> None:
    from tools.export.checks import notebook_problems
    from tools.export.static import static_copy

    nb = good_notebook("a1_q1_first")
    nb.cells.append(explorer_cell(with_values=True))
    assert notebook_problems(Path("a1_q1_first.ipynb"), nb) == []
    note = static_copy(nb).cells[3].outputs[0]["data"]["text/plain"]
    assert note == "Figure drawn with x = 0.7 (sliders in the notebook)"


def test_every_problem_is_listed_at_once(workspace: Workspace, capsys: pytest.CaptureFixture) -> None:
    workspace.save("a1_q3_stray", good_notebook("a1_q3_stray"))
    nb = good_notebook("a1_q1_first")
    nb.cells[2].execution_count = None
    workspace.save("a1_q1_first", nb)
    message = refused(workspace, capsys, "a1_q3_stray.ipynb", "a1_q1_first.ipynb, cell 2")
    assert "(2 problems)" in message


def test_an_unknown_assignment_and_a_missing_folder(workspace: Workspace, capsys: pytest.CaptureFixture) -> None:
    assert workspace.export("pdf", "--assignment", "9") == 2
    message = capsys.readouterr().err
    assert "assignment(s) [9] are not in the course file" in message and "choose from [1]" in message
    assert main(["pdf", "--course", str(workspace.course), "--notebooks", str(workspace.out / "none")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["html", "--course", str(workspace.course.parent / "missing.toml")]) == 2
    assert "not found" in capsys.readouterr().err


def test_the_cover_names_the_student_and_warns_about_the_example(workspace: Workspace) -> None:
    from helpers.course import load_course

    own = load_course(workspace.course)
    assert student_notes(own) == ["cover: Test Student (1AB21CS001)"]
    text = workspace.course.read_text(encoding="utf-8").replace("Test Student", EXAMPLE_STUDENT_NAME)
    workspace.course.write_text(text.replace("1AB21CS001", EXAMPLE_STUDENT_USN), encoding="utf-8")
    notes = student_notes(load_course(workspace.course))
    assert notes[0] == f"cover: {EXAMPLE_STUDENT_NAME} ({EXAMPLE_STUDENT_USN})"
    assert notes[1].startswith("warning: the cover shows the course file's example student")


def test_a_usn_that_cannot_name_a_file(workspace: Workspace, capsys: pytest.CaptureFixture) -> None:
    text = workspace.course.read_text(encoding="utf-8").replace('usn = "1AB21CS001"', 'usn = "1AB/21 CS"')
    workspace.course.write_text(text, encoding="utf-8")
    refused(workspace, capsys, "course.toml", "the USN '1AB/21 CS' is not letters, digits and dashes")


def test_a_failed_print_leaves_nothing_behind(workspace: Workspace, capsys: pytest.CaptureFixture,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    if os.name == "nt":
        pytest.skip("the stand-in browser is a shell script")
    broken = workspace.out.parent / "broken-chromium"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("WORKBOOK_CHROMIUM", str(broken))
    assert workspace.export("submit") == 1
    message = capsys.readouterr()
    assert f"could not start {broken} headless" in message.err
    assert "removed" in message.out and workspace.files() == [], "a failed export must leave no file behind"

from pathlib import Path

import pytest

from helpers.course import CourseFileError, header_markdown, load_course


def test_course_file_has_the_course_the_student_and_all_thirteen_questions():
    c = load_course()
    assert (c.name, c.code, c.credits, c.semester, c.academic_year) == (
        "Deep Learning", "21CS6AM11", 3, "6th", "2022-23")
    assert c.faculty == "Prof. Sahana Shetty"
    assert [len(c.assignment_questions(a)) for a in (1, 2, 3, 4)] == [3, 5, 2, 3]
    assert {q.assignment: q.due for q in c.questions} == {
        1: "01.03.2024", 2: "01.03.2024", 3: "08.03.2024", 4: "15.04.2024"}
    names = [q.notebook for q in c.questions]
    assert names == sorted(names), "notebook ids must sort by assignment and question"
    for q in c.questions:
        assert q.notebook.startswith(f"a{q.assignment}_q{q.number}_")


def test_header_shows_question_outcome_due_date_but_never_the_student():
    c = load_course()
    md = header_markdown("a1_q3_backpropagation", c)
    assert "A1 Q3" in md and "CO1" in md and "01.03.2024" in md and "Learning objectives" in md
    assert c.student_name not in md and c.student_usn not in md


def test_unknown_notebook_names_the_fix():
    with pytest.raises(KeyError, match="course.toml"):
        load_course().question("a9_q9_nothing")


def test_missing_and_malformed_course_files(tmp_path: Path):
    with pytest.raises(CourseFileError, match="not found"):
        load_course(tmp_path / "course.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[course\nname = 1")
    with pytest.raises(CourseFileError, match="not valid TOML"):
        load_course(bad)
    partial = tmp_path / "partial.toml"
    partial.write_text('[student]\nname = "x"\nusn = "y"\n[course]\nname = "DL"\n')
    with pytest.raises(CourseFileError, match="'assignments'"):
        load_course(partial)

"""The export's building blocks that need neither a browser nor the stored notebooks:
widget outputs made static, what goes into the submission, figures on paper, the HTML rendering."""
from __future__ import annotations

import html
import base64
import io
import os
import stat
import struct
import sys
import zlib
from pathlib import Path

import nbformat
import pytest

from helpers.paths import ROOT

if str(ROOT) not in sys.path:  # `tools` is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from tools.export.browser import BrowserNotFoundError, find_browser  # noqa: E402
from tools.export.compose import ANSWER_CODE, KEY_FIGURE, SUBMISSION_SKIP, split_sections, submission  # noqa: E402
from tools.export.document import demoted, scoped  # noqa: E402
from tools.export.figures import (KEY_FIGURE_FONT_PT, MIN_FONT_PT, PREFERRED_FONT_PT,  # noqa: E402
                                  PRINTABLE_WIDTH_IN, SMALLEST_SCALE, FigureSize, figure_size, image_html,
                                  legibility_problems, png_dimensions)
from tools.export.render import render_cells  # noqa: E402
from tools.export.static import HIDE_INPUT_TAG, WIDGET_STATE, WIDGET_VIEW, static_copy  # noqa: E402


def _model(name: str, **state) -> dict:
    return {"model_name": name, "model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
            "state": state}


def _view(model_id: str, fallback: str) -> dict:
    return nbformat.v4.new_output("display_data", data={
        WIDGET_VIEW: {"model_id": model_id, "version_major": 2, "version_minor": 0}, "text/plain": fallback})


def png(width: int, height: int, dpi: float | None) -> str:
    """A blank PNG of the given size (and pHYs resolution), base64-encoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    if dpi:
        per_metre = round(dpi / 0.0254)
        body += chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
    body += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + body).decode("ascii")


def figure_output(width: int = 512, height: int = 320, dpi: float | None = 80, font: float | None = None) -> dict:
    out = nbformat.v4.new_output("display_data", data={"image/png": png(width, height, dpi), "text/plain": "<Figure>"})
    if font is not None:
        out.metadata = {"image/png": {"workbook": {"dpi": dpi, "smallest_font_pt": font}}}
    return out


def notebook(with_state: bool = True) -> nbformat.NotebookNode:
    """A notebook with a header cell, a tqdm bar and an explorer, as `make refresh` stores them."""
    nb = nbformat.v4.new_notebook()
    header = nbformat.v4.new_code_cell('from helpers.course import header\nheader("a1_q1_mle_quality_control")')
    header.outputs = [nbformat.v4.new_output("execute_result", data={"text/markdown": "# A1 Q1. Title"},
                                             execution_count=1)]
    loop = nbformat.v4.new_code_cell("for i in tqdm(range(50)): pass")
    loop.outputs = [_view("bar", "  0%|          | 0/50 [00:00<?, ?it/s]")]
    ex = nbformat.v4.new_code_cell("ex = explorer(make_figure, x1=(0.0, 5.0, 0.1, 2.3), bins=[2, 3, 4])")
    ex.outputs = [_view("box", "VBox(children=(FloatSlider(value=2.3, description='x1'…"), figure_output()]
    nb.cells = [header, loop, ex]
    if with_state:
        nb.metadata["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {
            "bar": _model("HBoxModel", children=["IPY_MODEL_left", "IPY_MODEL_prog", "IPY_MODEL_right"]),
            "left": _model("HTMLModel", value="100%"),
            "prog": _model("FloatProgressModel", value=50.0, max=50.0),
            "right": _model("HTMLModel", value="\u200750/50\u2007[00:00&lt;00:00,\u200712.0it/s]"),
            "box": _model("VBoxModel", children=["IPY_MODEL_x1", "IPY_MODEL_bins"]),
            "x1": _model("FloatSliderModel", value=2.3, description="x1"),
            "bins": _model("DropdownModel", index=1, _options_labels=["2", "3", "4"], description="bins"),
        }}}
    return nb


def test_widget_views_become_their_stored_state_and_the_original_is_untouched():
    nb = notebook()
    static = static_copy(nb)
    assert "widgets" not in static.metadata and "widgets" in nb.metadata
    assert WIDGET_VIEW in nb.cells[1].outputs[0]["data"]
    assert static.cells[1].outputs[0]["data"]["text/plain"] == "100%|██████████| 50/50"
    note = static.cells[2].outputs[0]["data"]
    assert "x1 = 2.3 · bins = 3" in note["text/plain"] and "x1 = 2.3" in note["text/html"]
    assert "image/png" in static.cells[2].outputs[1]["data"], "the explorer's figure must stay"


def test_the_figure_s_own_values_win_over_the_stored_widget_state():
    nb = notebook()
    nb.cells[2].outputs[1].metadata = {"workbook": {"explorer": {"x1": 4.1, "bins": "4"}}}
    note = static_copy(nb).cells[2].outputs[0]["data"]["text/plain"]
    assert note == "Figure drawn with x1 = 4.1 · bins = 4 (sliders in the notebook)"


def test_without_state_progress_bars_are_dropped():
    static = static_copy(notebook(with_state=False))
    assert static.cells[1].outputs == [], "a 0% progress bar would mislead the reader"


def md(text: str, *tags: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = list(tags)
    return cell


def code(source: str, *outputs: dict, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = list(outputs)
    cell.metadata["tags"] = list(tags)
    return cell


def text(value: str) -> dict:
    return nbformat.v4.new_output("stream", name="stdout", text=value)


def question_notebook(tagged: bool) -> nbformat.NotebookNode:
    """Header, Question, Implementation (the algorithm), Experiments (two figures), Explorer, Answer."""
    nb = nbformat.v4.new_notebook()
    tags = {"algorithm": (ANSWER_CODE,) if tagged else (), "second": (KEY_FIGURE,) if tagged else (),
            "log": (SUBMISSION_SKIP,) if tagged else ()}
    nb.cells = [
        code('from helpers.course import header\nheader("a1_q1_x")', text("title")),
        md("## Question\n\nHow?"), code("import numpy as np"),
        md("## Implementation"), code("def algorithm(): pass", tags=tags["algorithm"]),
        md("## Experiments\n\n### Loss curve"), code("plot_loss()", figure_output(), text("loss 0.1\n")),
        md("### Accuracy"), code("plot_accuracy()", figure_output(), tags=tags["second"]),
        code("print(log)", text("a long log\n"), tags=tags["log"]),
        md("## Explorer"), code("explorer(draw)", figure_output()),
        md("## Answer\n\nThe answer is **42**."), code("results.show()", text("table\n")),
        md("## References"),
    ]
    return nb


def test_sections_follow_the_level_two_headings():
    titles = [s.title for s in split_sections(question_notebook(False).cells)]
    assert titles == ["", "Question", "Implementation", "Experiments", "Explorer", "Answer", "References"]


def test_an_untagged_notebook_gets_the_defaults():
    parts = submission(question_notebook(tagged=False))
    assert [c.source for c in parts.answer] == ["The answer is **42**.", "results.show()"]
    assert [f.caption for f in parts.figures] == ["Loss curve", "Accuracy"], "Experiments' figures by default"
    supporting = parts.supporting
    assert all(HIDE_INPUT_TAG in c.metadata.get("tags", []) for c in supporting if c.cell_type == "code")
    assert not any("import numpy" in c.source or "header(" in c.source for c in supporting), \
        "code without output and the header cell leave the submission"
    assert any(c.source == "explorer(draw)" and "image/png" in c.outputs[0]["data"] for c in supporting), \
        "the Explorer's figure is not a key figure by default"
    refs = [o["data"]["text/plain"] for c in supporting for o in c.get("outputs", []) if "text/plain" in o.get("data", {})]
    assert "Figure 1 (Loss curve) is printed after the Answer." in refs


def test_tags_choose_the_key_figures_the_answer_code_and_what_to_skip():
    nb = question_notebook(tagged=True)
    before = nbformat.writes(nb)
    parts = submission(nb)
    assert nbformat.writes(nb) == before, "composing must not change the notebook"
    assert [f.caption for f in parts.figures] == ["Accuracy"]
    algorithm = next(c for c in parts.supporting if c.source.startswith("def algorithm"))
    assert HIDE_INPUT_TAG not in algorithm.metadata["tags"], "answer-code keeps its source"
    assert not any("print(log)" in c.source for c in parts.supporting), "submission-skip leaves the submission"
    loss = next(c for c in parts.supporting if c.source == "plot_loss()")
    assert "image/png" in loss.outputs[0]["data"], "an untagged figure stays in place when others are tagged"


def test_png_size_resolution_and_legibility_on_paper():
    assert png_dimensions(base64.b64decode(png(10, 4, 160))) == (10, 4, pytest.approx(160, abs=0.01))
    assert png_dimensions(base64.b64decode(png(10, 4, None)))[2] is None
    legacy = figure_size(figure_output(512, 320, 80))
    assert legacy.printed_width_in == pytest.approx(6.4) and legibility_problems(legacy) == {"dpi": "80 dpi"}
    wide = figure_size(figure_output(2080, 600, 160, font=8))
    assert wide.printed_width_in == pytest.approx(PRINTABLE_WIDTH_IN)
    assert "text" in legibility_problems(wide) and wide.printed_font_pt < MIN_FONT_PT
    good = figure_size(figure_output(1024, 640, 160, font=10))
    assert good.printed_font_pt == pytest.approx(PREFERRED_FONT_PT) and legibility_problems(good) == {}
    assert good.printed_width_in == pytest.approx(6.4 * PREFERRED_FONT_PT / 10), "shrunk to its preferred text size"
    key = figure_size(figure_output(1024, 640, 160, font=10), preferred_font_pt=KEY_FIGURE_FONT_PT)
    assert key.printed_font_pt == pytest.approx(KEY_FIGURE_FONT_PT), "key figures print larger"
    large = figure_size(figure_output(1024, 640, 160, font=20))
    assert large.print_scale == pytest.approx(SMALLEST_SCALE), "never below the smallest scale"
    assert FigureSize(100, 100, 96).print_scale == 1.0


def test_rendered_cells_are_static_prompt_free_and_sized_for_print(tmp_path: Path):
    nb = notebook()
    static = static_copy(nb)
    head, body = render_cells(static.cells[1:], nb.metadata)
    assert "<title>" not in head and "jp-" in head
    assert WIDGET_VIEW not in body and "unpkg.com" not in body and "<script" not in body
    assert "Out[" not in body and "In&nbsp;[" not in body and "In [" not in body
    assert 'class="wb-figure"' in body and 'style="width: 6.400in"' in body and 'data-dpi="80"' in body
    assert "x1 = 2.3 · bins = 3" in body


def test_fragments_get_scoped_ids_and_demoted_headings():
    fragment = '<h2 id="Answer">Answer<a class="anchor-link" href="#Answer">¶</a></h2><a href="#Answer">x</a>'
    assert scoped(fragment, "q-a1") == '<h2 id="q-a1-Answer">Answer</h2><a href="#q-a1-Answer">x</a>'
    assert demoted("<h1>a</h1><h5>b</h5><h6>c</h6>", 1) == "<h2>a</h2><h6>b</h6><h6>c</h6>"


def test_find_browser_honours_workbook_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    monkeypatch.setenv("WORKBOOK_CHROMIUM", str(fake))
    if os.name != "nt":
        with pytest.raises(BrowserNotFoundError, match="not an executable"):
            find_browser()
        fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
        assert find_browser() == fake


@pytest.mark.skipif(os.name == "nt", reason="POSIX executable bits")
def test_find_browser_looks_in_the_users_applications_folder_on_macos(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    from tools.export import browser

    app = tmp_path / "Applications" / "Google Chrome for Testing.app" / "Contents" / "MacOS"
    app.mkdir(parents=True)
    executable = app / "Google Chrome for Testing"
    executable.write_text("#!/bin/sh\n")
    executable.chmod(0o755)
    for name in ("WORKBOOK_CHROMIUM", "PLAYWRIGHT_BROWSERS_PATH", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(browser.Path, "home", staticmethod(lambda: tmp_path))
    monkeypatch.setattr(browser.sys, "platform", "linux")
    assert find_browser() is None
    monkeypatch.setattr(browser.sys, "platform", "darwin")
    assert find_browser() == executable


def test_the_archive_holds_the_submission_named_with_usn_and_assignment(tmp_path: Path):
    import zipfile

    from helpers.course import load_course
    from tools.export.build import Outputs, Request, archive_path, document_path, submission_archive

    course = load_course()
    request = Request(course, ROOT / "course.toml", ROOT / "notebooks", tmp_path)
    outputs = Outputs({document_path(tmp_path, 2, "submission", "pdf"): b"%PDF",
                       document_path(tmp_path, 2, "submission", "html"): b"<html>"})
    data = submission_archive(request, 2, outputs)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    stem = f"{course.student_usn}_{course.code}_assignment_2_submission"
    assert names == [f"{stem}.pdf", f"{stem}.html"]
    assert archive_path(tmp_path, course, 2).name == f"{course.student_usn}_{course.code}_assignment_2.zip"
    assert submission_archive(request, 2, outputs) == data, "the same files give the same archive"


def test_a_wide_figure_prints_from_its_print_rendition():
    wide = figure_output(2080, 600, 160, font=8)
    wide.metadata["image/png"]["workbook"]["print"] = {"png": png(1140, 560, 160), "smallest_font_pt": 8}
    size = figure_size(wide)
    assert (size.width_px, size.smallest_font_pt) == (1140, 8) and legibility_problems(size) == {}
    assert png(1140, 560, 160) in image_html(wide) and png(2080, 600, 160) not in image_html(wide)


def test_escaped_dollars_reach_the_html_escaped_and_maths_and_code_are_untouched():
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from tools.export.render import escaped_dollars_kept

    source = ("costs 40 k\\$ (sd), then $\\lambda$ and $a\\$b$\n$$x = 1\\\\\ny$$\n"
              "`k\\$` and 2 k\\$\n```\ncode k\\$\n```\n3 k\\$")
    html = markdown2html_mistune(escaped_dollars_kept(source))
    assert "40 k\\$ (sd)" in html and "2 k\\$" in html and "3 k\\$" in html   # MathJax prints \$ as $
    assert "$\\lambda$" in html and "$a\\$b$" in html and "$$x = 1\\\\\ny$$" in html
    assert "<code>k\\$</code>" in html and "code k\\$\n</code>" in html
    assert html.count("$") - html.count("\\$") == markdown2html_mistune("$\\lambda$ $a b$ $$x$$").count("$")
    assert escaped_dollars_kept("no dollars here") == "no dollars here"


def test_long_values_of_the_results_table_are_shortened_in_the_submission_only():
    from tools.export.compose import RESULT_VALUE_CHARS, shortened_value, submission, workbook_cells

    assert shortened_value("0.91") == "0.91"
    long_value = ", ".join(f"{k / 100:.2f}" for k in range(100))
    short = shortened_value(long_value)
    assert short.endswith(" … (in full in the workbook)") and long_value.startswith(short.split(" …")[0])
    assert len(short.split(" …")[0]) <= RESULT_VALUE_CHARS and not short.split(" …")[0].endswith(",")

    row = "<tr><td style='text-align:left'>{}</td><td style='text-align:right'>{}</td></tr>"
    table = f"<table><tbody>{row.format('accuracy', '0.91')}{row.format('per seed', long_value)}</tbody></table>"
    results = nbformat.v4.new_output("display_data", data={"text/html": table, "text/plain": "..."},
                                     metadata={"workbook_results": {"results": {}}})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Answer"),
                                         nbformat.v4.new_markdown_cell("It is 0.91."),
                                         nbformat.v4.new_code_cell("results.show()", outputs=[results])])
    shown = submission(nb).answer[-1].outputs[0]["data"]["text/html"]
    assert ">0.91<" in shown and html.escape(short) in shown and long_value not in shown
    assert long_value in workbook_cells(nb)[-1].outputs[0]["data"]["text/html"]   # the full workbook keeps it


def test_an_explorer_saved_without_widget_state_prints_the_values_its_figure_was_drawn_with():
    from helpers.widgets import CONTROLS_LINE_START
    from tools.export.static import WIDGET_VIEW, widget_output

    view = {"data": {WIDGET_VIEW: {"model_id": "not-stored", "version_major": 2, "version_minor": 0},
                     "text/plain": f"{CONTROLS_LINE_START} x1 = 2.5 (run the notebook to move them)"}}
    note = widget_output(view, states={}, drawn_with={"x1": 2.38})
    assert note is not None and note["data"]["text/plain"].startswith("Figure drawn with x1 = 2.38")
    unrelated = {"data": {WIDGET_VIEW: {"model_id": "gone"}, "text/plain": "Output()"}}
    assert widget_output(unrelated, states={}, drawn_with={"x1": 2.38}) is None

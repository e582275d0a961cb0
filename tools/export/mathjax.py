"""Where the local MathJax 2 is (package ``jupyter-server-mathjax``): the documents typeset maths offline."""
from __future__ import annotations

from pathlib import Path


class MathJaxMissing(RuntimeError):
    """The local MathJax (package jupyter-server-mathjax) is not installed."""


def local_mathjax_url() -> str:
    """``file://`` URL of the local ``MathJax.js``.

    Raises
    ------
    MathJaxMissing
        When ``jupyter-server-mathjax`` is not installed (the message says how to install it).
    """
    try:
        import jupyter_server_mathjax
    except ImportError as exc:
        raise MathJaxMissing("the local MathJax is missing, so maths cannot be typeset; install it with "
                             "`.venv/bin/python -m pip install -r requirements.txt`") from exc
    script = Path(jupyter_server_mathjax.__file__).resolve().parent / "static" / "MathJax.js"
    if not script.is_file():
        raise MathJaxMissing(f"{script} is missing; reinstall it with "
                             "`.venv/bin/python -m pip install --force-reinstall jupyter-server-mathjax`")
    return script.as_uri()

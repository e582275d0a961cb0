"""Shared code of the Deep Learning (21CS6AM11) workbook.

Modules
-------
course    the course file (``course.toml``) and each notebook's header
data      scikit-learn's data sets and the files in ``data/`` as numpy arrays
plotting  one plot style and the plots several notebooks share
widgets   slider explorers that also render a static default figure
results   a notebook's key answers, recorded to ``build/results/<notebook>.json``
nn        a small numpy deep-learning kit (layers, losses, optimisers, training)
"""

__all__ = ["course", "data", "plotting", "widgets", "results", "nn"]

"""Shared code of the Deep Learning (21CS6AM11) workbook.

Modules
-------
course           the course file (``course.toml``) and each notebook's header
data             scikit-learn's data sets and the files in ``data/`` as checked numpy arrays
plotting         one plot style and the plots several notebooks share
widgets          slider explorers that also render a static default figure
progress         progress bars shown in the lab and never stored by a refresh
results          a notebook's key answers, recorded to ``build/results/<notebook>.json``
seeds            one experiment over several seeds, in parallel worker processes, bit-identical to a sequential run
stats            uncertainties for the evidence standard: mean ± sd, paired differences, intervals, tests, 1-SE rule
nn               a small numpy deep-learning kit (layers, losses, optimisers, training)
synthetic        seeded generators for the questions with no real data offline
                 (faces, audio, recsys, trees, driving)
validation       the one set of argument checks every module uses
compat           bridges over differences between supported library versions
files            atomic file writes
paths            where the workbook's folders are
notebooks        reading stored notebooks (tests and exports)
numeric_profile  the conditions under which outputs reproduce bit for bit (``make doctor``)
"""

__all__ = ["course", "data", "plotting", "widgets", "progress", "results", "seeds", "stats", "nn", "synthetic", "validation", "compat", "files",
           "paths", "notebooks", "numeric_profile"]

"""Seeded generators of the synthetic data some questions need, where no real data ships offline.

Modules
-------
faces     labelled cartoon faces and short clips in which an expression develops (A2 Q3)
audio     short music clips of five genres, an order-is-the-label variant, log-mel features (A4 Q3)
recsys    a shop's customer-item interactions with taste structure and popularity skew (A2 Q4)
trees     arithmetic expression trees for the recursive network (A4 Q1)
driving   a lane-keeping environment on the Gymnasium API (A2 Q2)

Every generator takes a ``numpy.random.Generator`` and never touches global random state; the
notebooks that use them say plainly that their data is synthetic and what that means.
"""

__all__ = ["faces", "audio", "recsys", "trees", "driving"]

"""Scaling out on Ray, an optional extra (`pip install -e ".[ray]"`).

* `grid`: the runs of `python -m sac_tf.compare --ray_address=...` as Ray tasks.
* `collection`: `python -m sac_tf.train --collectors=K`: K Ray actors collect,
  this process learns (`RayCollection` feeds the usual `TrainingLoop`).
* `ray_session`: connecting, the install message, worker settings.

Nothing here imports Ray until it is used, so the rest of sac_tf works without it.
"""

from sac_tf.distributed.ray_session import CollectorSettings  # noqa: F401

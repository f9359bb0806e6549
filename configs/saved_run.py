"""The config a run saved in `ROOT/config.json`: `--config=configs/saved_run.py:ROOT`.

`python -m sac_tf.train --root_dir=ROOT` uses it when ROOT holds a run (from
the command line or from `sac_tf.api`) and no `--config` is given.
"""

from sac_tf.run.run_dir import read_run_config


def get_config(root_dir):
    return read_run_config(root_dir)

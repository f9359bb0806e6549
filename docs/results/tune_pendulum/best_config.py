"""The best config of the search in runs/tune_pendulum: trial f1953957, mean evaluation return -143.8 at env step 6,000.

    python -m sac_tf.train --config=runs/tune_pendulum/best_config.py --seed=1
"""

from sac_tf.config import load_config
from sac_tf.distributed.tuning import set_field

BASE = 'configs/sac_pendulum.py'
SEARCHED = {
    'batch_size': 256,
    'sac.actor_lr': 0.0006380556092044456,
    'sac.critic_lr': 0.00042246380742484593,
    'sac.tau': 0.013271988148266467,
}


def get_config():
    config = load_config(BASE)
    for field, value in SEARCHED.items():
        set_field(config, field, value)
    return config

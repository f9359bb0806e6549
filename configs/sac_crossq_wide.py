"""CrossQ with wide critics computing in bfloat16: `configs/sac_crossq.py` with 1,024-wide
critics, `precision="mixed_bfloat16"` and `learner_compile="fused"` (products in oneDNN with
AMX, elementwise ops fused by XLA). Where TensorFlow has no oneDNN bfloat16 (a CPU without
AMX or AVX512-BF16) a graph's bfloat16 products run in scalar code, so there it takes
`learner_compile="auto"` (XLA, at most about as fast as float32 there; docs/guide/precision.md)
and the run warns that float32 is the faster choice.

    --config=configs/sac_crossq_wide.py:Hopper-v5

The paper's critics are 2,048 × 2,048 (Bhatt et al. 2024); 1,024 is the widest that trains
100,000 steps in under three hours on one core of this 2-core CPU, two runs at a time
(HalfCheetah-v5, `benchmarks/throughput.py --precisions --config=sac_crossq
--critic_widths=1024`, one TensorFlow thread: about 22 env-steps/s, 1.5× float32 XLA, so
about 1.3 hours; at 2,048 the learner alone does 6.7 updates/s, over 4 hours).
Everything else is CrossQ's (`configs/sac_crossq.py`, with its stated differences from the
authors' code).
"""

from sac_tf.config import CONFIG_DIR, load_config
from sac_tf.core.precision import onednn_bfloat16

WIDE_CRITIC_WIDTH = 1024


def get_config(env_id="HalfCheetah-v5"):
    config = load_config(f"{CONFIG_DIR / 'sac_crossq.py'}:{env_id}")
    config.sac.critic_hidden_sizes = (WIDE_CRITIC_WIDTH, WIDE_CRITIC_WIDTH)
    config.precision = "mixed_bfloat16"
    config.learner_compile = "fused" if onednn_bfloat16() else "auto"
    return config

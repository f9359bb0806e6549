"""SAC with its hidden layers computing in bfloat16 (mixed precision; `sac_tf.core.precision`).

    --config=configs/sac_bf16.py:Hopper-v5

The env's default SAC config (`configs/sac_mujoco.py` for MuJoCo tasks) with
`precision="mixed_bfloat16"`: variables, optimiser state, network outputs, log-probabilities,
α and the losses stay float32 (Micikevicius et al. 2018 keep a float32 master copy of the
weights and float32 reductions; Keras' mixed-precision policy does the casting). bfloat16's
8 exponent bits need no loss scaling. `learner_compile="auto"` runs it as TensorFlow graphs
with oneDNN on a CPU with AMX or AVX512-BF16, XLA on a GPU and on other CPUs (where bfloat16
gains nothing: the run warns). Learning results beside float32's: docs/guide/precision.md.
"""

from sac_tf.config import default_config


def get_config(env_id="Hopper-v5"):
    config = default_config("sac", env_id)
    config.precision = "mixed_bfloat16"
    return config

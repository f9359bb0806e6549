"""sac_tf: a modular Soft Actor-Critic library on TensorFlow 2."""

import pathlib
import re

from setuptools import find_packages, setup

HERE = pathlib.Path(__file__).resolve().parent
# One version, in sac_tf/__init__.py; the policy (which changes break checkpoints) is in
# CHANGELOG.md.
VERSION = re.search(r'^__version__ = "([^"]+)"', (HERE / "sac_tf" / "__init__.py").read_text(),
                    re.MULTILINE).group(1)

# tf2onnx 1.16 pins protobuf 3.20, which TensorFlow 2.21 cannot use.
ONNX = ["tf2onnx>=1.17", "onnx>=1.16", "onnxruntime>=1.18"]
# Ray core: `compare --ray_address`, `train --collectors` (sac_tf.distributed); tested with 2.60.
RAY = ["ray>=2.40,<3"]
# Hyper-parameter search (`python -m sac_tf.tune`): Ray Tune and Optuna's TPE; tested with
# ray 2.60 and optuna 5.1.
TUNE = ["ray[tune]>=2.40,<3", "optuna>=4"]

setup(
    name="sac_tf",
    version=VERSION,
    description="Soft Actor-Critic (and DDPG/TD3 baselines) on TensorFlow 2: fast on a CPU, "
                "resumable, with policies that deploy with TensorFlow alone.",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    license_files=["LICENSE"],
    author="The sac_tf authors",
    keywords=["reinforcement learning", "soft actor-critic", "sac", "tensorflow",
              "continuous control", "mujoco", "gymnasium"],
    classifiers=[
        "Development Status :: 4 - Beta",
        "Intended Audience :: Science/Research",
        "Intended Audience :: Developers",
        "Operating System :: POSIX :: Linux",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
    # The shipped config files live in the repository's top-level configs/ and install
    # inside the package as sac_tf.configs, so `pip install .` (not editable) has them.
    packages=find_packages(include=["sac_tf", "sac_tf.*"]) + ["sac_tf.configs"],
    package_dir={"sac_tf.configs": "configs"},
    python_requires=">=3.10,<3.13",
    install_requires=[
        # Tested together: see the versions in docs/getting-started.md.
        "tensorflow>=2.20,<2.22",
        "tensorflow-probability[tf]>=0.25,<0.26",  # [tf] pulls tf-keras, needed by TFP's import
        "tf-keras>=2.20,<2.22",
        "keras>=3.10,<4",
        "tensorboard>=2.20,<2.22",
        "gymnasium[mujoco,classic-control]>=1.1,<1.5",
        # 4.0.0 solves large sparse models wrongly (mujoco#3767); 3.x for the `dmc` extra.
        "mujoco>=3.17,!=4.0.0",
        "absl-py>=2.1",
        "ml-collections>=1.0,<2",
        "numpy>=1.26",
        "tqdm>=4.60",
        # Videos and plots of `python -m sac_tf.evaluate`.
        "imageio>=2.30",
        "imageio-ffmpeg>=0.5",
        "Pillow>=10.1",
        "matplotlib>=3.7",  # plots of evaluate and compare
    ],
    extras_require={
        # ONNX export (`python -m sac_tf.export --onnx`) and ONNX Runtime evaluation.
        "onnx": ONNX,
        "ray": RAY,
        "tune": TUNE,
        # The documentation site: `mkdocs build --strict` (docs/, mkdocs.yml).
        "docs": ["mkdocs>=1.6", "mkdocs-material>=9.5", "mkdocstrings[python]>=0.26"],
        # gymnasium-robotics' goal tasks (Fetch, PointMaze) by id; its import needs PettingZoo.
        "robotics": ["gymnasium-robotics==1.4.2", "pettingzoo>=1.24"],
        # DeepMind Control Suite tasks (from pixels): dm-control 1.0.50 was generated for
        # mujoco 3.17 and fails on mujoco 4, so this extra pins mujoco 3 (install it in its
        # own environment; the MuJoCo results in docs/ are on mujoco 4).
        "dmc": ["dm-control==1.0.50", "mujoco>=3.17,<4"],
        "test": ["pytest>=8", "pytest-xdist>=3.5",
                 "nbclient>=0.10", "nbformat>=5.9", "ipykernel>=6.29",  # runs notebooks/
                 *ONNX],
    },
)

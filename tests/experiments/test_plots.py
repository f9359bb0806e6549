"""`plot_eval_returns`: the eval curve's PNG, or a `UserError`."""

import pytest

from sac_tf.experiments.plots import plot_eval_returns
from sac_tf.errors import UserError


@pytest.mark.parametrize("eval_csv, message", [
    (None, "cannot read"),
    ("", "no evaluation rows"),
    ("env_step,return_mean,return_std\n100,-5.0,oops\n", "not a number"),
])
def test_plot_of_a_missing_or_broken_eval_csv_is_a_user_error(tmp_path, eval_csv, message):
    if eval_csv is not None:
        (tmp_path / "eval.csv").write_text(eval_csv)
    with pytest.raises(UserError, match=message):
        plot_eval_returns(tmp_path, tmp_path / "plot.png")

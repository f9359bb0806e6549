"""`CsvLog` and `read_csv`: train.csv and eval.csv across resumes and damage."""

import pytest

from sac_tf.errors import UserError
from sac_tf.run.logs import CsvLog, read_csv


FIELDS = ["env_step", "wall_s", "loss"]


def test_opening_keeps_rows_up_to_the_checkpoint_and_appends_after_them(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("env_step,wall_s,loss\n100,1.5,\n200,3.0,0.25\n300,4.5,0.125\n")
    log = CsvLog(path, FIELDS, keep_until_step=200)
    log.write(dict(env_step=300, wall_s=5.0, loss=None))
    assert path.read_text() == "env_step,wall_s,loss\n100,1.5,\n200,3.0,0.25\n300,5,\n"
    assert [row["env_step"] for row in read_csv(path)] == [100, 200, 300]


@pytest.mark.parametrize("bad_row", ["hello,world", "abc,1.0,2.0"])
def test_a_row_whose_env_step_is_not_a_number_is_a_user_error_and_the_file_stays(tmp_path,
                                                                                 bad_row):
    path = tmp_path / "train.csv"
    text = f"env_step,wall_s,loss\n100,1.5,\n{bad_row}\n"
    path.write_text(text)
    with pytest.raises(UserError, match="train.csv has a row without a numeric env_step"):
        CsvLog(path, FIELDS, keep_until_step=100)
    assert path.read_text() == text


def test_a_long_run_says_its_length_then_its_expected_duration():
    import ml_collections

    from sac_tf.run.logs import LongRunNotice, duration

    lines = []
    config = ml_collections.ConfigDict(dict(agent="sac", env_id="HalfCheetah-v5",
                                            num_steps=3_000_000))
    notice = LongRunNotice(config, 0, lines.append)
    assert lines == ["Training sac on HalfCheetah-v5 for 3,000,000 env steps (config.num_steps; "
                     "--num_steps to change), from step 0. A time estimate follows once "
                     "updates have run for a while."]
    notice.measured(11_000, 50.0)  # the first rate with updates includes XLA compilation
    assert len(lines) == 1
    notice.measured(12_000, 160.0)
    notice.measured(13_000, 160.0)
    assert lines[1:] == ["At 160 env-steps/s the remaining 2,988,000 env steps take about "
                         "5 h 11 min."]
    assert (duration(40), duration(12 * 60 + 10), duration(3 * 3600 + 5 * 60)) == (
        "40 s", "12 min", "3 h 05 min")


def test_a_short_run_prints_no_notice():
    import ml_collections

    from sac_tf.run.logs import LongRunNotice

    lines = []
    config = ml_collections.ConfigDict(dict(agent="sac", env_id="Pendulum-v1", num_steps=10_000))
    notice = LongRunNotice(config, 0, lines.append)
    for step in (2_000, 3_000, 4_000):
        notice.measured(step, 100.0)
    assert lines == []


def test_the_progress_bar_shows_an_eta():
    import io

    import tqdm

    from sac_tf.run.logs import BAR_FORMAT

    out = io.StringIO()
    bar = tqdm.tqdm(total=1000, initial=250, file=out, bar_format=BAR_FORMAT, mininterval=0)
    bar.update(250)
    bar.close()
    assert "ETA " in out.getvalue() and "500/1000" in out.getvalue()

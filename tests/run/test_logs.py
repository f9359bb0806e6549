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

"""`annotate`: the text box of evaluate's video frames."""

import numpy as np

from sac_tf.deploy.video import annotate


def test_annotate_draws_light_text_on_a_dark_box_and_leaves_the_rest():
    frame = np.full((240, 320, 3), 255, np.uint8)
    annotated = annotate(frame, ["step 7", "reward -1.250", "return -9.00"])
    corner = annotated[:60, :100]
    assert (corner < 100).mean() > 0.3 and (corner > 200).any()
    np.testing.assert_array_equal(annotated[120:], frame[120:])

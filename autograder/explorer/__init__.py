"""``autograder explore``: a click-a-word view of a real model's attention, computed by
the student's own functions (:mod:`.attention`) and drawn as one self-contained HTML
page (:mod:`.page`)."""

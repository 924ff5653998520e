import io
import json

from audiogs_core.cli.progress import Progress, end_open_line


def test_jsonl_lines():
    out = io.StringIO()
    p = Progress("jsonl", stream=out)
    p.update(1, 3, loss=0.5)
    p.done(model="m")
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert lines == [{"event": "progress", "step": 1, "total": 3, "loss": 0.5}, {"event": "done", "model": "m"}]


def test_an_unfinished_text_bar_gets_its_newline_before_an_error():
    out = io.StringIO()
    Progress("text", label="train", stream=out).update(1, 3)
    assert not out.getvalue().endswith("\n")
    end_open_line()
    assert out.getvalue().endswith("\n")
    end_open_line()  # nothing open any more: no second newline
    assert not out.getvalue().endswith("\n\n")


def test_a_finished_bar_ends_its_own_line():
    out = io.StringIO()
    Progress("text", stream=out).update(3, 3)
    end_open_line()
    assert out.getvalue().count("\n") == 1

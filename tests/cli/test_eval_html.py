"""`audiogs eval --html OUT_DIR`: the listening page of the scored views."""

from html.parser import HTMLParser

from audiogs_core.cli import main
from audiogs_core.io.audio import read_wav
from audiogs_core.io.capture import load_capture, load_capture_audio


class _Sources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.audio: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        src = dict(attrs).get("src")
        if tag == "audio":
            self.audio.append(src)
        elif tag == "img":
            self.images.append(src)


def test_eval_html_writes_players_spectrograms_and_metrics(freefield_capture, tmp_path, capsys):
    model = tmp_path / "model"
    assert main(["train", str(freefield_capture), "--out", str(model), "--epochs", "1",
                 "--progress", "none", "--device", "cpu"]) == 0
    out = tmp_path / "page"
    assert main(["eval", str(model), str(freefield_capture), "--baselines", "--metrics", "MAG,LRE",
                 "--html", str(out), "--device", "cpu", "--progress", "none"]) == 0
    page = (out / "listen.html").read_text(encoding="utf-8")
    parser = _Sources()
    parser.feed(page)
    methods = ["target", "audiogs", "input", "nearest_view", "idw_mix", "mean_view", "dsp", "implicit_field"]
    assert [s.rsplit("/", 1)[1].removesuffix(".wav") for s in parser.audio] == methods
    assert len(parser.images) == len(methods)
    assert all((out / s).is_file() for s in parser.audio + parser.images)
    # the target is the view's recording
    cap = load_capture(freefield_capture)
    recorded = load_capture_audio(cap).views["view5"]
    heard, rate = read_wav(out / parser.audio[0])
    assert rate == 16000 and abs(heard - recorded[:, :heard.shape[1]]).max() < 1e-4
    assert "view5" in page and "MAG 3s" in page and "<th>implicit_field</th>" in page

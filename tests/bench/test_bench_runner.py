"""A reduced quick benchmark end to end: captures, every method, ablations, report, resume."""

import json

import numpy as np
import pytest

from audiogs_core.bench import plan_units, quick_config, run_bench, shrink
from audiogs_core.bench.protocol import BASELINES
from audiogs_core.bench.report import TURNED_SPREAD
from audiogs_core.bench.runner import part_path

# The quick setting, shrunk further: 3 s of audio, one epoch, few rays, a
# 2-view split B, one ablation, DPAM off (it is slow; its subset logic has its
# own test). Both reference settings, two folds, every method.
TINY = shrink(quick_config(), name="test", seconds=3.0, epochs=1, n_rays=300, splits=("A", "B"),
              max_test_views_b=2, ablations=("mono_only",), ablation_folds=(0,), dpam_folds=(),
              metrics=("MAG", "LRE", "ITDE"), folds_a=(0, 3))


class Received:
    """What each method was actually handed, per unit: the arrays, not the fold plan.

    Wraps the trainer, the implicit field's fit and the baselines' registry
    around ``run_method``, so a fold that lists the right views but passes
    the wrong arrays is caught.
    """

    def __init__(self, monkeypatch):
        import audiogs_core.baselines.implicit_field as implicit_field
        from audiogs_core.baselines import LEARNED
        import audiogs_core.bench.methods as methods
        import audiogs_core.train.trainer as trainer

        self.calls = []  # (unit, targets, what, train audio [V, 2, T], reference [C, T])
        self._fold = None
        run_method, train_model, fit, build_baseline = (methods.run_method, trainer.train_model,
                                                        implicit_field.fit, methods.build_baseline)

        def run_method_seen(name, fold, config):
            self._fold = fold
            try:
                return run_method(name, fold, config)
            finally:
                self._fold = None

        def record(what, train_audio, reference):
            fold = self._fold
            self.calls.append((fold.unit, fold.targets, what, np.array(train_audio), np.array(reference)))

        def train_model_seen(data, *args, **kwargs):
            record("train_model", data.view_audio, data.reference)
            return train_model(data, *args, **kwargs)

        def fit_seen(inputs, *args, **kwargs):
            record("implicit_field.fit", inputs.train_audio, inputs.reference)
            return fit(inputs, *args, **kwargs)

        def build_baseline_seen(name, inputs, options=None):
            method = build_baseline(name, inputs, options)
            if name in LEARNED:
                return method  # the implicit field's fit is recorded above
            inner = method.predict

            def predict(position, rotation):
                record(f"baseline {name}", inputs.train_audio, inputs.reference)
                return inner(position, rotation)
            method.predict = predict  # type: ignore[method-assign]
            return method

        monkeypatch.setattr(methods, "run_method", run_method_seen)
        monkeypatch.setattr(trainer, "train_model", train_model_seen)
        monkeypatch.setattr(implicit_field, "fit", fit_seen)
        monkeypatch.setattr(methods, "build_baseline", build_baseline_seen)


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    steps = []

    class Recorder:
        def update(self, step, total, **fields):
            steps.append((step, total, fields))

    with pytest.MonkeyPatch.context() as mp:
        received = Received(mp)
        results = run_bench(TINY, out, progress=Recorder(), jobs=1, command="test")
    return out, results, steps, received


def test_every_unit_is_scored_and_reported(bench):
    out, results, steps, _ = bench
    assert steps[-1][0] == steps[-1][1]  # the progress bar reaches its end
    assert set(results["groups"]) == {"A/shoebox/close", "A/shoebox/view", "B/shoebox/close"}
    on_disk = json.loads((out / "results.json").read_text())
    assert on_disk["groups"].keys() == results["groups"].keys()
    assert on_disk["protocol"]["settings"]["epochs"] == 1
    assert on_disk["protocol"]["settings"]["seconds"] == 3.0
    for name, g in results["groups"].items():
        main = g["subsets"][g["main_subset"]]
        assert set(main["methods"]) == set(TINY.methods), name
        for m, scores in main["methods"].items():
            assert set(scores) == {"3s", "1s"}
            assert set(scores["3s"]) == {"MAG", "LRE", "ITDE"}  # DPAM was not asked for: absent, not 0
            assert all(np.isfinite(v) for v in scores["3s"].values())
        assert g["timing"]["audiogs"]["train_s"] > 0 and g["timing"]["implicit_field"]["train_s"] > 0
        assert g["timing"]["mean_view"]["train_s"] is None
    a = results["groups"]["A/shoebox/close"]
    assert a["subsets"]["heldout"]["std_over"] == "folds" and "turned" in a["subsets"]
    assert set(a["subsets"]["heldout"]["views"]) == {"fold0/ring0", "fold3/ring3"}
    assert set(a["ablation"]["subsets"]["heldout"]["methods"]) == {"audiogs", "mono_only"}
    assert results["groups"]["A/shoebox/view"]["reference_views"] == {"0": "ring7", "3": "ring2"}
    assert "A/close/heldout" in results["headline"] and "B/close/test" in results["headline"]


def test_no_test_view_is_ever_trained_on(bench):
    """Checked on what the trainer, the field and the baselines received, not on the plan."""
    out, _, _, received = bench
    seen = {}
    for unit, targets, what, train_audio, reference in received.calls:
        seen.setdefault(unit.method, set()).add(what.split()[0])
        assert len(train_audio) >= 2, (unit, what)
        def same(a, b):
            return a.shape == b.shape and np.array_equal(a.astype(np.float32), b.astype(np.float32))
        for t in targets:
            assert not any(same(t.audio, v) for v in train_audio), (unit, what, t.name)
            assert not same(t.audio, reference), (unit, what, t.name)
        if unit.reference == "view":  # the check sees a recording it was handed twice
            assert any(same(reference, v) for v in train_audio), (unit, what)
    # every method of the run went through one of the wrapped entry points
    assert seen["audiogs"] == seen["mono_only"] == {"train_model"}
    assert seen["implicit_field"] == {"implicit_field.fit"}
    assert {m for m, w in seen.items() if w == {"baseline"}} == set(BASELINES) - {"implicit_field"}
    units_trained = {u for u, _, what, _, _ in received.calls if what == "train_model"}
    assert units_trained == {u for u in plan_units(TINY) if u.method in ("audiogs", "mono_only")}
    for unit in plan_units(TINY):
        part = json.loads(part_path(out, unit).read_text())
        if unit.reference == "view":
            assert part["reference_view"] in part["train_views"]


def test_report_files(bench):
    out, results, _, _ = bench
    md = (out / "results.md").read_text()
    assert "## Split A · shoebox · ref=close" in md and "## Split B · shoebox · ref=close" in md
    assert "| **audiogs** |" in md and "### Ablations" in md and "1 epochs = 1 optimizer steps" in md
    # the turned heads' headline names both comparisons it makes
    turned = md[md.index("### A/close/turned"):]
    assert "AudioGS against the best of the baselines" in turned
    assert "ITDE against the best view-copying baseline" in turned
    assert md.count(TURNED_SPREAD) == 2  # A/shoebox/close and A/shoebox/view: their ± is training only
    for png in ("mag.png", "spectrograms.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    best = results["figures"]["spectrogram_view"]["best_baseline"]
    assert best in BASELINES
    assert (out / "audio" / "A-shoebox-close" / "target__ring0.wav").is_file()


def test_a_rerun_reuses_parts_and_captures(bench):
    out, first, _, _ = bench
    again = run_bench(TINY, out, jobs=2)  # a worker pool: it only checks the cached captures
    assert again["run"]["reused_units"] == again["run"]["units"] == len(plan_units(TINY))
    assert again["groups"]["A/shoebox/close"]["subsets"] == first["groups"]["A/shoebox/close"]["subsets"]


def test_a_changed_model_reuses_the_baselines_parts(bench):
    out = bench[0]
    small = shrink(TINY, methods=("audiogs", "nearest_view"), ablations=(), splits=("A",), folds_a=(0,),
                   references=("close",))
    first = run_bench(small, out, jobs=1)
    assert first["run"]["reused_units"] == first["run"]["units"] == 2  # both were scored by the fixture's run
    changed = run_bench(shrink(small, flag_overrides={"near_distance": 0.5}), out, jobs=1)
    assert changed["run"]["units"] == 2 and changed["run"]["reused_units"] == 1  # AudioGS trained again
    scores = changed["groups"]["A/shoebox/close"]["subsets"]["heldout"]["methods"]
    assert scores["nearest_view"] == first["groups"]["A/shoebox/close"]["subsets"]["heldout"]["methods"]["nearest_view"]

"""Report details: ablations that cannot differ from full AudioGS are named."""

from audiogs_core.bench.protocol import Unit
from audiogs_core.bench.report import mark_inert_ablations


def test_ablations_with_the_full_models_flags_are_marked():
    def part(flags):
        return {"info": {"flags": flags}}

    full = {"sh_degree": 0, "attenuation": False}
    parts = {
        Unit("A", "shoebox", "close", 0, "audiogs"): part(full),
        Unit("A", "shoebox", "close", 0, "no_sh"): part(dict(full)),  # already degree 0
        Unit("A", "shoebox", "close", 0, "mono_only"): part({**full, "side": False}),
        Unit("A", "shoebox", "close", 0, "mean_view"): {"info": {}},
    }
    grouped = {"A/shoebox/close": {"ablation": {"folds": [0]}}, "A/shoebox/view": {}}
    mark_inert_ablations(grouped, parts)
    assert grouped["A/shoebox/close"]["ablation"]["same_flags_as_audiogs"] == ["no_sh"]
    assert "ablation" not in grouped["A/shoebox/view"]

"""Report details: ablations that cannot differ from full AudioGS are not run, and named."""

from audiogs_core.bench.protocol import full_config, inert_ablations, plan_units, shrink
from audiogs_core.bench.report import mark_inert_ablations


def test_ablations_that_would_be_full_audiogs_again_are_not_run_but_named():
    config = shrink(full_config(), preset="tuned", splits=("A",), rooms=("shoebox",))
    inert = inert_ablations(config)
    # tuned has SH degree 0, no attenuation (so no decay to share), no delay, no split field
    # (so nothing to occlude), and audiogs_tuned is itself
    assert set(inert) == {"no_sh", "no_attenuation", "no_delay", "global_alpha", "no_occlusion", "audiogs_tuned"}
    planned = {u.method for u in plan_units(config)}
    assert not set(inert) & planned and {"no_phase", "audiogs_published"} <= planned
    grouped = {"A/shoebox/close": {"ablation": {"folds": [0, 4]}}, "A/shoebox/view": {}}
    mark_inert_ablations(config, grouped)
    assert grouped["A/shoebox/close"]["ablation"]["same_flags_as_audiogs"] == sorted(inert)
    assert "ablation" not in grouped["A/shoebox/view"]
    # with the published preset (degree 3, attenuation, delay) those switches matter; it has
    # no reverberant tail and no split field
    published = shrink(config, preset="published")
    assert set(inert_ablations(published)) == {"no_reverb_tail", "no_occlusion", "audiogs_published"}

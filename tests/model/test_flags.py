"""ModelFlags.effective: which switches can change a model."""

from dataclasses import replace

from audiogs_core.model.flags import ModelFlags


def test_switches_without_effect_are_set_to_their_defaults():
    no_atten = ModelFlags(attenuation=False)
    assert ModelFlags(attenuation=False, per_gaussian_decay=False).effective() == no_atten.effective()
    # with attenuation the per-Gaussian decay is read, so it matters
    assert ModelFlags(per_gaussian_decay=False).effective() != ModelFlags().effective()
    # occlusion only matters to the split field's direct sound
    assert ModelFlags(occlusion=False).effective() == ModelFlags().effective()
    split = ModelFlags(reverb_tail=True, sh_degree=0, split_field=True)
    assert ModelFlags(reverb_tail=True, sh_degree=0, split_field=True, occlusion=False).effective() != split.effective()
    # every other switch is kept as it is
    assert ModelFlags(side=False).effective() == ModelFlags(side=False)


def test_a_binaural_recorded_room_needs_the_recorded_room_and_the_references_split():
    split = ModelFlags(reverb_tail=True, sh_degree=0, split_field=True, dereverb_reference=True, recorded_room=True)
    on = replace(split, binaural_recorded_room=True)
    assert on.effective() != split.effective()
    for off in ({"recorded_room": False}, {"dereverb_reference": False}):
        assert replace(on, **off).effective() == replace(split, **off).effective()
    assert replace(on, split_field=False).effective().binaural_recorded_room is False

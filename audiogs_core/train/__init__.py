"""Training Audio Gaussians on the train views of a capture (DESIGN.md §5).

Modules: ``data`` (training inputs, windows, starting gain), ``loss``,
``settings`` (every training setting), ``presets`` (``published``, the
previous default ``tuned`` and the default ``physical``), ``tail_fit`` (where
the reverberant tail starts), ``diffuse_fit`` (the split field's geometry,
direct-to-room balance, room coherence and share of the head's level
difference), ``room_decay`` (a room's decay read blind from a recording made
in it), ``recorded_room`` (the room from the train views'
recordings, for a close mic and for a binaural reference), ``checkpoint`` (atomic
checkpoints), ``trainer`` (the loop).
"""

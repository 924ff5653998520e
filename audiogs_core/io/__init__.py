"""File formats of the project, free of bpy and torch (DESIGN.md §3 and §5).

One schema module per format, the only code that reads or writes it:
``capture`` (capture.json and its recordings), ``listener_path`` (path.json),
``model_folder`` (model.json, gaussians.safetensors, reference.wav).  Their
shared JSON checks are ``json_checks``.  Other files: ``audio`` (WAV samples
via soundfile, resampling), ``wav_header`` (a WAV's rate and length, standard
library only), ``obj_mesh`` (room meshes), ``ply`` (point-cloud export),
``atomic`` (atomic writes).  Nothing is imported here so that importing one
module stays light: the Blender add-on uses them with numpy alone.
"""

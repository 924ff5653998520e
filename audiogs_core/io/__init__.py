"""File formats of the project, free of bpy and torch (design sections 3 and 5).

Modules: ``atomic`` (atomic writes), ``audio`` (WAV read/write/resample),
``capture`` (capture folders), ``listener_path`` (listener paths),
``model_folder`` (trained model folders) and ``ply`` (point-cloud export).
Nothing is imported here so that ``import audiogs_core.io.ply`` stays light:
the Blender add-on reads model folders with only numpy and safetensors.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_model_folder_and_ply_import_without_torch_or_scipy():
    # Blender may have neither torch nor scipy: reading a model folder,
    # writing a PLY and exporting a capture (capture.json, WAV headers, OBJ)
    # must work with numpy and safetensors alone.
    code = (
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "sys.modules['scipy'] = None\n"
        "import audiogs_core.io.model_folder, audiogs_core.io.ply\n"
        "import audiogs_core.io.capture, audiogs_core.io.listener_path\n"
        "import audiogs_core.io.obj_mesh, audiogs_core.io.wav_header\n"
        "print('ok')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"

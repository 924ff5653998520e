"""A command whose optional dependency is missing names the pip extra to install."""

import subprocess
import sys

RUN = ("import sys\nsys.modules[{blocked!r}] = None\n"
       "from audiogs_core.cli import main\nsys.exit(main({argv!r}))\n")


def _run(blocked: str, argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", RUN.format(blocked=blocked, argv=argv)],
                          capture_output=True, text=True, timeout=300)


def test_train_without_scipy_names_the_engine_extra(tmp_path):
    out = _run("scipy", ["train", str(tmp_path / "cap"), "--out", str(tmp_path / "model")])
    assert out.returncode == 1
    assert out.stderr.strip() == ('audiogs train: error: this command needs scipy, which is not installed: '
                                  'install the engine extra with pip install "audiogs-core[engine]"')


def test_simulate_without_pyroomacoustics_names_the_sim_extra(tmp_path):
    out = _run("pyroomacoustics", ["simulate", str(tmp_path / "cap"), "--room", "shoebox", "--seconds", "1"])
    assert out.returncode == 1
    assert 'pip install "audiogs-core[sim]"' in out.stderr and "Traceback" not in out.stderr


def test_debug_keeps_the_traceback(tmp_path):
    out = _run("scipy", ["train", str(tmp_path / "cap"), "--out", str(tmp_path / "model"), "--debug"])
    assert out.returncode != 0 and "ModuleNotFoundError" in out.stderr


def test_help_needs_neither_torch_nor_scipy():
    code = ("import sys\nsys.modules['torch'] = None\nsys.modules['scipy'] = None\n"
            "from audiogs_core.cli import main\nsys.exit(main(['train', '--help']))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "--preset" in out.stdout

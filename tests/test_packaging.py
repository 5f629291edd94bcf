"""Packaging: the kernelspec, a real kernel started from it, and a light ``import jitnb``."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jitnb import kernelspec

ROOT = Path(__file__).resolve().parents[1]
HEAVY_MODULES = ("IPython", "ipywidgets", "bqplot", "capstone", "unicorn")


def _env(**extra: str) -> dict[str, str]:
    """The environment for a child process that must import this source tree's jitnb."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


def _require_extension() -> None:
    """Skip unless a fresh interpreter can import jitnb and find its extension hook."""
    probe = subprocess.run(
        [sys.executable, "-c", "import jitnb; jitnb.load_ipython_extension"],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60,
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        pytest.skip(f"jitnb does not provide load_ipython_extension yet: {last}")


def _installed_spec_dir(prefix: Path) -> Path:
    return prefix / "share" / "jupyter" / "kernels" / "jitnb"


def test_kernelspec_install_into_prefix(tmp_path):
    dest = kernelspec.install(prefix=str(tmp_path))
    spec_dir = _installed_spec_dir(tmp_path)
    assert Path(dest).resolve() == spec_dir.resolve()
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["display_name"] == "Python 3 (jitnb)"
    assert spec["language"] == "python"
    assert spec["argv"][:5] == [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert "--ext=jitnb" in spec["argv"][5:]


def test_kernelspec_cli(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "jitnb.kernelspec", "install", "--prefix", str(tmp_path)],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert (_installed_spec_dir(tmp_path) / "kernel.json").is_file()


def test_kernelspec_install_rejects_two_destinations(tmp_path):
    with pytest.raises(ValueError):
        kernelspec.install(user=True, prefix=str(tmp_path))


def test_kernel_from_spec_preloads_extension(tmp_path, monkeypatch):
    _require_extension()
    from jupyter_client.manager import start_new_kernel

    kernelspec.install(prefix=str(tmp_path))
    # Kernelspecs are looked up on JUPYTER_PATH first, so this one wins over any other "jitnb".
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    km, kc = start_new_kernel(kernel_name="jitnb", startup_timeout=120, cwd=str(tmp_path), env=_env())
    try:
        assert km.kernel_spec.resource_dir.startswith(str(tmp_path))
        reply = kc.execute_interactive(
            "",
            user_expressions={"loaded": "sorted(get_ipython().extension_manager.loaded)"},
            timeout=60,
        )
        content = reply["content"]
        assert content["status"] == "ok", content
        result = content["user_expressions"]["loaded"]
        assert result["status"] == "ok", result
        loaded = result["data"]["text/plain"]
        assert "'jitnb'" in loaded, f"jitnb not among the loaded extensions: {loaded}"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_import_is_light():
    """``import jitnb`` loads none of the heavy libraries and none of the compiler: what it
    costs in time is measured by ``python -m bench cold``, not asserted here."""
    _require_extension()
    script = textwrap.dedent(
        f"""
        import json, sys
        import jitnb
        heavy = [m for m in {HEAVY_MODULES!r} if m in sys.modules]
        compiler = sorted(m for m in sys.modules if m.startswith(("jitnb.jit.trace", "jitnb.jit.opt",
                          "jitnb.jit.backend", "jitnb.emu")))
        print(json.dumps({{"heavy": heavy, "compiler": compiler}}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["heavy"] == [], f"import jitnb pulled in {got['heavy']}"
    assert got["compiler"] == [], f"import jitnb loaded the compiler: {got['compiler']}"

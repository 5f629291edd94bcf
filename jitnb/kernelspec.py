"""Jupyter kernelspec for a Python kernel that preloads the jitnb extension.

The kernel is the ordinary IPython kernel (``ipykernel_launcher``) of the
interpreter that installs it, started with ``--ext=jitnb`` so that ``%%jit``
is available without a ``%load_ext jitnb`` cell.

CLI::

    python -m jitnb.kernelspec install [--user | --sys-prefix | --prefix PREFIX]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile

KERNEL_NAME = "jitnb"
DISPLAY_NAME = "Python 3 (jitnb)"
EXTENSION_OPTION = "--ext=jitnb"


def kernel_argv(executable: str | None = None) -> list[str]:
    """The command line Jupyter runs to start the kernel."""
    return [
        executable or sys.executable,
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
        EXTENSION_OPTION,
    ]


def kernel_spec(executable: str | None = None) -> dict:
    """The contents of ``kernel.json``."""
    return {
        "argv": kernel_argv(executable),
        "display_name": DISPLAY_NAME,
        "language": "python",
        "metadata": {"debugger": True},
    }


def write_kernel_spec(path: str, executable: str | None = None) -> str:
    """Write the kernelspec files (kernel.json and, if found, ipykernel's logos) into ``path``."""
    os.makedirs(path, exist_ok=True)
    try:
        from ipykernel.kernelspec import RESOURCES
    except Exception:  # logos are cosmetic
        RESOURCES = None
    if RESOURCES and os.path.isdir(RESOURCES):
        for name in os.listdir(RESOURCES):
            if name.startswith("logo"):
                shutil.copy(os.path.join(RESOURCES, name), path)
    with open(os.path.join(path, "kernel.json"), "w") as f:
        json.dump(kernel_spec(executable), f, indent=1)
        f.write("\n")
    return path


def install(user: bool = False, sys_prefix: bool = False, prefix: str | None = None) -> str:
    """Install the ``jitnb`` kernelspec and return the directory it went to.

    With no option it goes to the system-wide Jupyter data directory; ``user``
    picks the per-user one, ``sys_prefix`` the current environment's
    (``sys.prefix/share/jupyter/kernels``), ``prefix`` any other prefix.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    if sum(bool(x) for x in (user, sys_prefix, prefix)) > 1:
        raise ValueError("choose at most one of user, sys_prefix and prefix")
    if sys_prefix:
        prefix = sys.prefix
    with tempfile.TemporaryDirectory() as tmp:
        source = write_kernel_spec(os.path.join(tmp, KERNEL_NAME))
        return KernelSpecManager().install_kernel_spec(
            source, kernel_name=KERNEL_NAME, user=user, prefix=prefix
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jitnb.kernelspec", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("install", help="install the jitnb kernelspec")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="install for the current user")
    where.add_argument("--sys-prefix", action="store_true", help="install into sys.prefix (e.g. a virtualenv)")
    where.add_argument("--prefix", metavar="PREFIX", help="install into PREFIX/share/jupyter/kernels")
    args = parser.parse_args(argv)
    if args.command == "install":
        dest = install(user=args.user, sys_prefix=args.sys_prefix, prefix=args.prefix)
        print(f"Installed kernelspec {KERNEL_NAME} ({DISPLAY_NAME}) in {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

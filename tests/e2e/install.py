"""What the end-to-end tests need, installed by the tests themselves, pinned, and cached.

Debian packages go in with apt-get (the tests run as root on these machines); npm packages go
into folders under CACHE, keyed by the exact package specs, so a second run installs nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

CACHE = Path(os.environ.get("ORGANIZE_BACKEND_E2E_CACHE", Path.home() / ".cache" / "organize-backend-e2e"))
_apt_updated = False


def installed_version(package: str) -> str | None:
    """The installed version of a Debian package, or None."""
    result = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}", package], capture_output=True, text=True)
    words = result.stdout.split()
    if result.returncode != 0 or words[:3] != ["install", "ok", "installed"]:
        return None
    return words[3] if len(words) > 3 else None


def apt_install(packages: dict[str, str | None]) -> None:
    """Install Debian packages at a pinned release, if missing.

    A pin is a version prefix (`"0.7.2"`, `"1:28.2"`): the newest Debian build of that release
    is installed, so that a security rebuild (`...+deb12u5`) does not break the tests, while
    another release never slips in. None: whatever Debian has.
    """
    global _apt_updated
    missing = {name: pin for name, pin in packages.items() if not _satisfied(name, pin)}
    if not missing:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if not _apt_updated:
        _run(["apt-get", "update", "-q"], env)
        _apt_updated = True
    wanted = [name if pin is None else f"{name}={_newest_build(name, pin)}" for name, pin in missing.items()]
    _run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *wanted], env)


def _satisfied(name: str, pin: str | None) -> bool:
    version = installed_version(name)
    return version is not None and (pin is None or version.startswith(pin))


def _newest_build(name: str, pin: str) -> str:
    """The newest version of `name` that Debian offers within the pinned release."""
    listing = subprocess.run(["apt-cache", "madison", name], capture_output=True, text=True).stdout
    versions = [line.split("|")[1].strip() for line in listing.splitlines() if line.count("|") >= 2]
    matching = [version for version in versions if version.startswith(pin)]
    if not matching:
        raise RuntimeError(f"Debian offers no {name} {pin}* (it has: {', '.join(versions) or 'none'})")
    return matching[0]  # madison lists the newest first


def npm_install(name: str, specs: list[str], env: dict[str, str] | None = None) -> Path:
    """Install npm packages (exact versions) into a cached prefix folder and return it.

    The folder's name carries a hash of the specs, so changing a pin installs afresh.
    """
    key = hashlib.sha256("\n".join(sorted(specs)).encode()).hexdigest()[:12]
    prefix = CACHE / f"{name}-{key}"
    done = prefix / ".installed"
    if done.is_file():
        return prefix
    if prefix.exists():
        shutil.rmtree(prefix)  # a half-finished install from an interrupted run
    prefix.mkdir(parents=True)
    _run(["npm", "install", "--no-save", "--prefix", str(prefix), *specs], {**os.environ, **(env or {})})
    done.write_text("\n".join(specs) + "\n")
    return prefix


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")

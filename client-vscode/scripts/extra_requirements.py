"""Print the requirements that the installed distributions in TARGET need on some
supported Python/platform but that are not installed there, one per line.

pip evaluates environment markers against the interpreter running it, not against
`--python-version`; building on 3.11+ would leave out `tomli` or `exceptiongroup`
that Python 3.10 needs. This closes that gap: the caller installs what is printed.

Usage: python extra_requirements.py TARGET [REQUIREMENT ...]
"""

import sys
from email.parser import Parser
from pathlib import Path

TARGET = Path(sys.argv[1])
sys.path.insert(0, str(TARGET))  # `packaging` comes with the bundled libraries (rope needs it)
try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pip always vendors it
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name

PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")
PLATFORMS = (("linux", "Linux", "posix"), ("win32", "Windows", "nt"), ("darwin", "Darwin", "posix"))


def environments(extras):
    for version in PYTHONS:
        for sys_platform, system, os_name in PLATFORMS:
            for extra in extras:
                yield {"python_version": version, "python_full_version": version + ".0",
                       "sys_platform": sys_platform, "platform_system": system, "os_name": os_name,
                       "implementation_name": "cpython", "platform_python_implementation": "CPython",
                       "extra": extra}


def needed_somewhere(requirement, extras=("",)):
    """True if some supported environment needs it; `extras`: those asked of its owner."""
    marker = requirement.marker
    return marker is None or any(marker.evaluate(env) for env in environments(extras))


def installed():
    requires = {}
    for info in TARGET.glob("*.dist-info"):
        metadata = Parser().parsestr((info / "METADATA").read_text(encoding="utf-8"))
        requires[canonicalize_name(metadata["Name"])] = metadata.get_all("Requires-Dist") or []
    return requires


def missing_requirements(top_level, present):
    """Walk the requirements some environment needs, from the top level down through what
    is installed; return those naming a distribution that is not installed."""
    queue = [r for r in map(Requirement, top_level) if needed_somewhere(r)]
    seen, missing = set(), set()
    while queue:
        requirement = queue.pop()
        name = canonicalize_name(requirement.name)
        if name not in present:  # every constraint on it, so pip can honour them all
            requirement.marker = None
            missing.add(str(requirement))
            continue
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        asked = {"", *requirement.extras}
        queue += [r for r in map(Requirement, present[name]) if needed_somewhere(r, asked)]
    return sorted(missing)


print("\n".join(missing_requirements(sys.argv[2:], installed())))

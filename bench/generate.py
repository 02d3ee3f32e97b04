"""Generate a flat Python workspace of N modules that import each other.

The import graph is skewed the way real backends are: a few core modules
(`core_0000` ...) are imported by many others, most modules by a handful.
Every module has about 4 KB of code so that 1,600 modules weigh what the
design notes measured (6.4 MB).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

CORE_MODULES = 20  # the widely imported ones; the benchmark moves ten of them


def module_name(index: int) -> str:
    return f"core_{index:04d}" if index < CORE_MODULES else f"mod_{index:04d}"


def pick_imports(rng: random.Random, index: int, count: int) -> list[int]:
    """Modules imported by `index`: mostly core modules, some random peers."""
    chosen: set[int] = set()
    while len(chosen) < min(count, index):
        if rng.random() < 0.5:
            candidate = rng.randrange(min(CORE_MODULES, index))
        else:
            candidate = rng.randrange(index)
        chosen.add(candidate)
    return sorted(chosen)


def module_source(rng: random.Random, index: int) -> str:
    imports = pick_imports(rng, index, rng.randint(3, 6))
    lines = [f'"""Generated module {module_name(index)}."""', "import os", ""]
    for position, imported in enumerate(imports):
        name = module_name(imported)
        if position % 2 == 0:
            lines.append(f"from {name} import helper_{imported}")
        else:
            lines.append(f"import {name}")
    lines.append("")
    for position, imported in enumerate(imports):
        name = module_name(imported)
        call = f"helper_{imported}(value)" if position % 2 == 0 else f"{name}.helper_{imported}(value)"
        lines += [
            f"def use_{imported}(value):",
            f"    # calls into {name}",
            f"    return {call}",
            "",
        ]
    lines += [
        f"def helper_{index}(value):",
        "    total = 0",
        "    for step in range(3):",
        "        total += step * len(str(value))",
        "    return total",
        "",
        f"class Service{index}:",
        '    """A service with a few methods, to give the module realistic weight."""',
        "",
        "    def __init__(self, name):",
        "        self.name = name",
        "        self.path = os.path.join('data', name)",
        "",
    ]
    for method in range(12):
        lines += [
            f"    def method_{method}(self, items):",
            "        result = []",
            "        for item in items:",
            f"            if item % {method + 2} == 0:",
            "                result.append(item * 2)",
            "        return result",
            "",
        ]
    return "\n".join(lines) + "\n"


def generate(target: Path, count: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (target / f"{module_name(index)}.py").write_text(module_source(rng, index))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", type=Path)
    parser.add_argument("--modules", type=int, default=1600)
    args = parser.parse_args()
    generate(args.target, args.modules)


if __name__ == "__main__":
    main()

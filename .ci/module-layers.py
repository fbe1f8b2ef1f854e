#!/usr/bin/env python3
"""Modules within a crate form layers (issue 15): no module of a crate reaches
itself through `crate::…` imports (doc comments and tests aside). Prints each
crate's cycle and exits 1 if there is one."""

import re
import sys
from pathlib import Path

CRATES = Path(__file__).resolve().parent.parent / "crates"


def imports(text: str) -> set[str]:
    code = text.split("#[cfg(test)]")[0]
    code = "\n".join(line for line in code.splitlines() if not line.strip().startswith("//"))
    found = set()
    for match in re.finditer(r"crate::(\{[^}]*\}|[a-z_]+)", code):
        group = match.group(1)
        if group.startswith("{"):
            found.update(re.findall(r"(?:^|[{,\s])([a-z_]+)", group[1:-1]))
        else:
            found.add(group)
    return found


def main() -> int:
    failed = False
    for src in sorted(CRATES.glob("*/src")):
        graph: dict[str, set[str]] = {}
        for path in src.rglob("*.rs"):
            top = path.relative_to(src).parts[0].removesuffix(".rs")
            if top in ("lib", "main"):
                continue
            graph.setdefault(top, set()).update(imports(path.read_text(encoding="utf-8")) - {top})
        for start in sorted(graph):
            path, stack, seen = None, [(start, [start])], set()
            while stack and path is None:
                module, trail = stack.pop()
                for nxt in sorted(graph.get(module, ())):
                    if nxt == start:
                        path = trail + [start]
                        break
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append((nxt, trail + [nxt]))
            if path:
                print(f"{src.parent.name}: {' -> '.join(path)}")
                failed = True
                break
    if not failed:
        print("module layers: no crate has an import cycle")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The layering of src/: which module may import which (STYLE.md's "may import" table, as this
project has grown), checked on every `crate::MODULE` path outside test code. A module that
imports one it may not, or any cycle between modules, fails with the file and the line.

    scripts/check-layers.py [SRC]    # exit 0 when the layers hold, 1 with each breach

Data flows spec → model → live → plan → apply → render → cli; pattern and filter are leaves
(filter reads patterns); the archive reads through live; the read side (archive, query, verdict,
backtest, investigate) sits beside plan and apply; cli may import everything.
"""

import os
import re
import sys

MAY_IMPORT = {
    "pattern": set(),
    "filter": {"pattern"},
    "exit": set(),
    "model": {"pattern", "filter"},
    "spec": {"model", "pattern", "filter"},
    "live": {"model"},
    "archive": {"live", "model"},
    "plan": {"model"},
    "apply": {"plan", "live", "model"},
    "verdict": {"model", "pattern", "filter"},
    "query": {"archive", "live", "model", "pattern", "filter"},
    "backtest": {"archive", "model", "pattern", "filter", "query", "verdict"},
    "investigate": {"model"},
    "init": {"live", "model", "plan"},
    "sigma": {"model", "pattern", "filter"},
    "access": {"live", "model", "plan", "spec"},
    "render": {"model", "plan", "apply", "archive", "backtest", "investigate", "query", "verdict",
               "filter", "pattern"},
}
EVERYTHING = {"cli", "lib", "main"}


def without_tests(text):
    """The text with every `#[cfg(test)]` item (a module, a function, a use) blanked out."""
    out = []
    i = 0
    while True:
        j = text.find("#[cfg(test)]", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        k = j + len("#[cfg(test)]")
        # The item ends at `;` before any `{`, or at the `}` closing its first `{`.
        brace = text.find("{", k)
        semi = text.find(";", k)
        if semi >= 0 and (brace < 0 or semi < brace):
            end = semi + 1
        else:
            depth, end = 0, len(text)
            for p in range(brace, len(text)):
                if text[p] == "{":
                    depth += 1
                elif text[p] == "}":
                    depth -= 1
                    if depth == 0:
                        end = p + 1
                        break
        out.append("\n" * text[j:end].count("\n"))
        i = end
    return "".join(out)


def file_cycles(root):
    """Import cycles between files (`a.rs` uses `b.rs`, which uses `a.rs`): each concept in a
    file of its own, below the files that use it."""
    texts = {}
    for d, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".rs") or f == "tests.rs" or f.endswith("_tests.rs"):
                continue
            rel = os.path.relpath(os.path.join(d, f), root)[:-3].replace(os.sep, "::")
            if rel.endswith("::mod"):
                rel = rel[: -len("::mod")]
            texts[rel] = without_tests(open(os.path.join(d, f), encoding="utf-8").read())
    names = set(texts) - {"lib", "main"}

    def resolve(path, here):
        parts = path.split("::")
        for k in range(len(parts), 0, -1):
            c = "::".join(parts[:k])
            if c in names and c != here:
                return c
        return None

    graph = {}
    for here, text in texts.items():
        if here in ("lib", "main"):
            continue
        code = "\n".join(l for l in text.split("\n") if not l.lstrip().startswith("//"))
        deps = set()
        # `crate::a::{b, c::d}` names `crate::a::b` and `crate::a::c::d`.
        for m in re.finditer(r"crate::((?:[a-z_0-9]+::)*)\{([^}]*)\}", code):
            for item in m.group(2).split(","):
                item = item.strip().split(" as ")[0]
                if item and item != "self":
                    t = resolve(m.group(1) + item, here)
                    if t:
                        deps.add(t)
        for m in re.finditer(r"crate::([a-z_0-9]+(?:::[a-z_0-9]+)*)", code):
            t = resolve(m.group(1), here)
            if t:
                deps.add(t)
        parent = here.rsplit("::", 1)[0] if "::" in here else ""
        for m in re.finditer(r"\bsuper::([a-z_0-9]+)", code):
            t = resolve((parent + "::" if parent else "") + m.group(1), here)
            if t:
                deps.add(t)
        # A module file re-exporting its children is their parent, not a peer.
        graph[here] = {t for t in deps if not t.startswith(here + "::") and not here.startswith(t + "::")}
    index, low, stack, on, found = {}, {}, [], set(), []

    def strong(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append("file import cycle: " + ", ".join(sorted(comp)))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "src")
    breaches, edges = [], {}
    for d, _, files in os.walk(root):
        for f in sorted(files):
            if not f.endswith(".rs") or f == "tests.rs" or f.endswith("_tests.rs"):
                continue
            path = os.path.join(d, f)
            rel = os.path.relpath(path, root)
            module = rel.split(os.sep)[0].removesuffix(".rs")
            text = without_tests(open(path, encoding="utf-8").read())
            for n, line in enumerate(text.split("\n"), 1):
                if line.lstrip().startswith("//"):
                    continue
                for m in re.finditer(r"crate::([a-z_]+)", line):
                    target = m.group(1)
                    if target == module:
                        continue
                    edges.setdefault(module, set()).add(target)
                    if module in EVERYTHING:
                        continue
                    allowed = MAY_IMPORT.get(module)
                    if allowed is None:
                        breaches.append(f"src/{rel}:{n}: module `{module}` is not in the layer table")
                    elif target not in allowed:
                        breaches.append(
                            f"src/{rel}:{n}: `{module}` may not import `{target}` "
                            f"(it may import: {', '.join(sorted(allowed)) or 'nothing'})")
    # Cycles between modules (cli and the crate root aside).
    graph = {m: {t for t in ts if t not in EVERYTHING} for m, ts in edges.items() if m not in EVERYTHING}
    state = {}

    def visit(m, stack):
        state[m] = 1
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                breaches.append("import cycle: " + " → ".join(stack[stack.index(t):] + [t]))
            elif state.get(t) is None:
                visit(t, stack + [t])
        state[m] = 2

    for m in sorted(graph):
        if state.get(m) is None:
            visit(m, [m])
    breaches.extend(file_cycles(root))
    for b in breaches:
        print(b, file=sys.stderr)
    if breaches:
        print(f"check-layers: {len(breaches)} breach(es) of the layer table", file=sys.stderr)
        return 1
    print(f"check-layers: {len(graph)} modules, {sum(len(v) for v in graph.values())} imports, no breach")
    return 0


if __name__ == "__main__":
    sys.exit(main())

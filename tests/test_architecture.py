"""The house rules, read from the code: imports follow ARCHITECTURE.md's table of who
may import whom, no import cycle between domains, no function over 60 lines and no
module over 400 lines in directory/."""

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "directory"
ARCHITECTURE = ROOT / "ARCHITECTURE.md"
TABLE_HEADING = "## Domains and who may import whom"
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 400


def documented_table():
    """{domain: set of domains it builds on}, from the `| domain | builds on |` table
    under TABLE_HEADING in ARCHITECTURE.md."""
    text = ARCHITECTURE.read_text("utf-8")
    assert TABLE_HEADING in text, f"ARCHITECTURE.md has no heading {TABLE_HEADING!r}"
    section = text.split(TABLE_HEADING, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip().lower() for cell in rows[0].strip("|").split("|")]
    assert header[:2] == ["domain", "builds on"], f"unexpected table header {header}"
    table = {}
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        domain = cells[0].strip("`")
        assert domain not in table, f"ARCHITECTURE.md lists {domain} twice"
        table[domain] = set(re.findall(r"`([^`]+)`", cells[1]))
    return table


def code_domains():
    """Every domain of directory/: its packages and its top-level modules."""
    packages = {p.name for p in PACKAGE.iterdir()
                if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.name for p in PACKAGE.glob("*.py")}
    return packages | modules


def domain_of(module, domains):
    """The domain of a dotted module name under `directory`, or None for outside it.
    `directory.x` where x is neither a package nor a module is a name defined in
    directory/__init__.py."""
    parts = module.split(".")
    if parts[0] != "directory":
        return None
    if len(parts) == 1:
        return "__init__.py"
    if parts[1] in domains:
        return parts[1]
    if parts[1] + ".py" in domains:
        return parts[1] + ".py"
    return "__init__.py"


def imported_modules(node, package):
    """The absolute module names one import statement names; `package` is the dotted
    package the importing file is in."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = package.split(".")
        base = base[:len(base) - (node.level - 1)]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module
    # `from x import y` may name a module y of package x
    return [module] + [f"{module}.{alias.name}" for alias in node.names]


def import_edges():
    """[(from domain, to domain, "file:line")] for every import between two domains."""
    domains = code_domains()
    edges = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("").parts
        package = ".".join(relative if path.name == "__init__.py" else relative[:-1])
        package = package.removesuffix(".__init__")
        source = domain_of(".".join(relative), domains)
        where = f"{path.relative_to(ROOT)}"
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            targets = set()
            for module in imported_modules(node, package):
                target = domain_of(module, domains)
                if target is not None:
                    targets.add(target)
            if isinstance(node, ast.ImportFrom) and len(targets) > 1:
                # `from directory import models`: the module, not the package
                targets.discard("__init__.py")
            for target in sorted(targets - {source}):
                edges.append((source, target, f"{where}:{node.lineno}"))
    return edges


def find_cycle(graph):
    """One cycle of `graph` ({node: set of nodes}) as a list of nodes, or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return None


def test_the_table_names_every_domain_and_only_domains():
    table = documented_table()
    domains = code_domains()
    named = set(table) | set().union(*table.values())
    assert domains - set(table) == set(), "domains without a row in ARCHITECTURE.md"
    assert named - domains == set(), "ARCHITECTURE.md names domains the code lacks"


def test_the_table_has_no_cycle():
    assert find_cycle(documented_table()) is None


def test_every_import_follows_the_table():
    table = documented_table()
    forbidden = [f"{where}: {source} imports {target}"
                 for source, target, where in import_edges()
                 if target not in table.get(source, set())]
    assert forbidden == [], ("imports ARCHITECTURE.md does not allow:\n"
                             + "\n".join(forbidden))


def test_every_edge_of_the_table_is_used():
    used = {(source, target) for source, target, _ in import_edges()}
    unused = [f"{source} builds on {target}"
              for source, targets in sorted(documented_table().items())
              for target in sorted(targets) if (source, target) not in used]
    assert unused == [], ("ARCHITECTURE.md allows imports nobody makes:\n"
                          + "\n".join(unused))


def test_no_import_cycle_between_domains():
    graph = defaultdict(set)
    where = {}
    for source, target, place in import_edges():
        graph[source].add(target)
        where.setdefault((source, target), place)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(
        f"{a} ({where[a, b]})" for a, b in zip(cycle, cycle[1:])) + f" → {cycle[-1]}"


def test_no_function_over_60_lines():
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} "
                                f"{node.name}: {lines} lines")
    assert long == [], "functions over 60 lines:\n" + "\n".join(long)


def test_no_module_over_400_lines():
    long = [f"{path.relative_to(ROOT)}: {lines} lines"
            for path in sorted(PACKAGE.rglob("*.py"))
            if (lines := len(path.read_text("utf-8").splitlines())) > MAX_MODULE_LINES]
    assert long == [], "modules over 400 lines:\n" + "\n".join(long)

"""The apps' import order (docs/architecture.md): tooling, then followup, orders, assessment,
cases, and vum at the bottom. An app may import the ones below it, never a later phase; and no
module is in an import circle, so each step's module can be read, tested and
changed on its own. The imports are read from the source by grimp; those under
`if TYPE_CHECKING:` serve the type checker only and do not count."""

import graphlib

import grimp
import pytest

LAYERS = ("tooling", "followup", "orders", "assessment", "cases", "vum")


def later_phase_imports(graph: grimp.ImportGraph, layers: tuple[str, ...]) -> list[str]:
    """Each import of a higher layer by a lower one, as 'importer -> imported'."""
    found = []
    for dependency in graph.find_illegal_dependencies_for_layers(layers=layers):
        for route in dependency.routes:
            for head in route.heads:
                for tail in route.tails:
                    found.append(f"{head} -> {' -> '.join(route.middle)} -> {tail}")
    return sorted(line.replace(" ->  -> ", " -> ") for line in found)


def import_circle(graph: grimp.ImportGraph, packages: tuple[str, ...]) -> list[str]:
    """One circle among the packages' modules (empty when there is none)."""
    modules = {m for m in graph.modules if m.split(".")[0] in packages}
    imports = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    try:
        graphlib.TopologicalSorter(imports).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return []


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*LAYERS, exclude_type_checking_imports=True, cache_dir=None)


def test_no_app_imports_a_later_phase(graph: grimp.ImportGraph) -> None:
    assert later_phase_imports(graph, LAYERS) == []


def test_no_module_is_in_an_import_circle(graph: grimp.ImportGraph) -> None:
    assert import_circle(graph, LAYERS) == []


def test_the_checks_find_a_later_phase_import_and_a_circle() -> None:
    graph = grimp.ImportGraph()
    for layer in LAYERS:
        graph.add_module(layer)
    graph.add_import(importer="cases.services.sag", imported="orders.models")
    graph.add_import(importer="orders.services.levering", imported="cases.models")
    graph.add_import(importer="assessment.services.a", imported="assessment.services.b")
    graph.add_import(importer="assessment.services.b", imported="assessment.selectors.c")
    graph.add_import(importer="assessment.selectors.c", imported="assessment.services.a")

    assert later_phase_imports(graph, LAYERS) == ["cases.services.sag -> orders.models"]
    circle = import_circle(graph, LAYERS)
    assert set(circle) == {
        "assessment.services.a",
        "assessment.services.b",
        "assessment.selectors.c",
    }

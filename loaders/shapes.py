"""The SHACL shapes of ontology/shapes.ttl, checked by SPARQL over the store a load writes.

Copying the graph into rdflib for pyshacl took minutes at ten times the data and did not fit in
memory beyond; the store the loader has just written answers the same questions in seconds.
Each property shape of a node shape with targets becomes one query for the focus nodes that do
not conform to it (and the node shape's own constraints one more); a query's answers are the
results pyshacl would give, by focus node, path and message (tests/test_shapes.py compares the
two). Shapes see the store's default graph: the union of the record graphs, as pyshacl saw it.

Only the constraint components shapes.ttl uses are translated: a shape with any other stops
the checker before it starts (:class:`UnsupportedShape`), so nothing is silently unchecked.
Literal well-formedness ("2024-02-30"^^xsd:date), which pyshacl's sh:datatype also checks, is
the record checks' job: rdf.py writes dates and numbers only from validated records.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
TYPE = f"<{RDF}type>"
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"

# Components that constrain each value node (or, in a node shape, the focus node itself).
VALUE_COMPONENTS = {
    "class",
    "datatype",
    "nodeKind",
    "pattern",
    "in",
    "languageIn",
    "minInclusive",
    "maxInclusive",
    "node",
    "or",
    "and",
    "not",
    "xone",
}
# Components of a property shape that constrain the set of values as a whole.
SET_COMPONENTS = {
    "minCount",
    "maxCount",
    "hasValue",
    "uniqueLang",
    "qualifiedValueShape",
    "qualifiedMinCount",
    "qualifiedMaxCount",
}
# Terms of a shape that say nothing about conformance, or that the queries read elsewhere.
NOT_CONSTRAINTS = {"path", "message", "targetClass", "targetSubjectsOf", "property"}

NODE_KINDS = {
    "IRI": "isIRI({x})",
    "BlankNode": "isBlank({x})",
    "Literal": "isLiteral({x})",
    "BlankNodeOrIRI": "!isLiteral({x})",
    "BlankNodeOrLiteral": "!isIRI({x})",
    "IRIOrLiteral": "!isBlank({x})",
}


class UnsupportedShape(Exception):
    """shapes.ttl uses something the SPARQL translation does not know."""


@dataclass(frozen=True)
class Check:
    """One query for the focus nodes (?this) that fail a shape, and how to report them."""

    shape: str
    path: str | None  # the IRI of the property the results name; None for node constraints
    message: str
    query: str


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str


def checks(shapes_turtle: bytes, subclasses: dict[str, set[str]]) -> list[Check]:
    """The queries for every node shape with targets; raises UnsupportedShape.

    ``subclasses`` gives each class's subclasses (:func:`subclasses`): the instances of a
    class, for sh:class and sh:targetClass, are those of the class or of any subclass.
    """
    graph = _Graph(ox.parse(shapes_turtle, format=ox.RdfFormat.TURTLE))
    translate = _Translator(graph, subclasses)
    out = []
    for shape in graph.node_shapes_with_targets():
        targets = translate.targets(shape)
        own = translate.node_constraints(shape, "?this", properties=False)
        if own != "true":
            out.append(Check(str(shape), None, graph.message(shape), _query(targets, own)))
        for prop in graph.values(shape, "property"):
            path = graph.value(prop, "path")
            out.append(
                Check(
                    str(prop),
                    path.value if isinstance(path, ox.NamedNode) else None,
                    graph.message(prop),
                    _query(targets, translate.conforms(prop, "?this")),
                )
            )
    return out


def subclasses(store: ox.Store) -> dict[str, set[str]]:
    """Each class of the store's default graph → its direct and indirect subclasses.

    Looked up once per store: a query then tests ``?x rdf:type`` against a fixed list, several
    times faster than following ``rdfs:subClassOf*`` for every node.
    """
    direct: dict[str, set[str]] = defaultdict(set)
    for solution in store.query(f"SELECT ?sub ?super {{ ?sub {SUBCLASS} ?super }}"):
        direct[solution["super"].value].add(solution["sub"].value)
    out: dict[str, set[str]] = {}
    for top in direct:
        found, todo = set(), [top]
        while todo:
            for sub in direct.get(todo.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        out[top] = found
    return out


def violations(store: ox.Store, check: Check) -> Iterator[Violation]:
    for solution in store.query(check.query):
        yield Violation(solution["this"].value, check.path, check.message)


def _query(targets: str, conforms: str) -> str:
    return f"SELECT DISTINCT ?this WHERE {{ {targets} FILTER(!({conforms})) }}"


class _Graph:
    """The shapes graph as a lookup table: subject → [(predicate, object)]."""

    def __init__(self, triples):
        self.out: dict[object, list[tuple[str, object]]] = defaultdict(list)
        for t in triples:
            self.out[t.subject].append((t.predicate.value, t.object))

    def values(self, subject, local: str) -> list:
        return [o for p, o in self.out.get(subject, []) if p == SH + local]

    def value(self, subject, local: str):
        found = self.values(subject, local)
        return found[0] if found else None

    def items(self, head) -> list:
        """The members of an RDF list."""
        out = []
        while head != ox.NamedNode(RDF + "nil"):
            fields = dict(self.out[head])
            out.append(fields[RDF + "first"])
            head = fields[RDF + "rest"]
        return out

    def components(self, shape) -> list[tuple[str, object]]:
        """(component name, value) for each sh: term of a shape; raises on unknown ones."""
        out = []
        for predicate, value in self.out.get(shape, []):
            if not predicate.startswith(SH):
                continue
            name = predicate[len(SH) :]
            if name not in VALUE_COMPONENTS | SET_COMPONENTS | NOT_CONSTRAINTS:
                raise UnsupportedShape(f"{shape}: sh:{name} is not translated to SPARQL")
            out.append((name, value))
        return out

    def node_shapes_with_targets(self) -> list:
        return sorted(
            (
                s
                for s in self.out
                if self.values(s, "targetClass") or self.values(s, "targetSubjectsOf")
            ),
            key=str,
        )

    def message(self, shape) -> str:
        found = self.values(shape, "message")
        return found[0].value if found else "does not conform"


class _Translator:
    """Shapes → SPARQL boolean expressions that hold when a node conforms."""

    def __init__(self, graph: _Graph, subclasses: dict[str, set[str]]):
        self.graph = graph
        self.subclasses = subclasses
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        return f"?v{self.count}"

    def targets(self, shape) -> str:
        for kind in ("targetNode", "targetObjectsOf"):
            if self.graph.values(shape, kind):
                raise UnsupportedShape(f"{shape}: sh:{kind} is not translated to SPARQL")
        # A class target includes instances of its subclasses, as in SHACL.
        classes = self.graph.values(shape, "targetClass")
        parts = [f"{{ {self.instance('?this', classes)} }}"] if classes else []
        parts += [f"{{ ?this {p} [] }}" for p in self.graph.values(shape, "targetSubjectsOf")]
        return " UNION ".join(parts)

    def conforms(self, shape, x: str) -> str:
        """Whether node ``x`` conforms to ``shape``, a node or a property shape."""
        path = self.graph.value(shape, "path")
        if path is None:
            return self._all([self.node_constraints(shape, x)])
        return self.property_constraints(shape, self.steps(path), x)

    def node_constraints(self, shape, x: str, properties: bool = True) -> str:
        """The shape's constraints on the node itself, and those of its property shapes
        unless ``properties`` is false (the checks query each property shape on its own)."""
        parts = []
        for name, value in self.graph.components(shape):
            if name == "property":
                if properties:
                    parts.append(self.conforms(value, x))
            elif name == "hasValue":
                parts.append(f"sameTerm({x}, {value})")
            elif name in VALUE_COMPONENTS:
                parts.append(self.value_constraint(shape, name, value, x))
            elif name in SET_COMPONENTS:
                raise UnsupportedShape(f"{shape}: sh:{name} in a shape without sh:path")
        return self._all(parts)

    def property_constraints(self, shape, steps: list[str], x: str) -> str:
        components = self.graph.components(shape)
        given = dict(components)
        path = "/".join(steps)
        parts = []
        values = [(name, value) for name, value in components if name in VALUE_COMPONENTS]
        if values:

            def fails(v):
                return f"!({self._all([self.value_constraint(shape, *c, v) for c in values])})"

            parts.append(f"!{self.some(x, steps, fails)}")
        for name, value in components:
            if name == "minCount":
                parts.append(self.at_least(x, steps, int(value.value)))
            elif name == "maxCount":
                parts.append(f"!{self.at_least(x, steps, int(value.value) + 1)}")
            elif name == "hasValue":
                parts.append(f"EXISTS {{ {x} {path} {value} }}")
            elif name == "uniqueLang" and value.value == "true":
                a, b = self.fresh(), self.fresh()
                parts.append(
                    f"NOT EXISTS {{ {x} {path} {a} . {x} {path} {b} FILTER(!sameTerm({a}, {b})"
                    f' && LANG({a}) != "" && LANG({a}) = LANG({b})) }}'
                )
            elif name == "qualifiedValueShape":
                if self.graph.values(shape, "qualifiedValueShapesDisjoint"):
                    raise UnsupportedShape(f"{shape}: sh:qualifiedValueShapesDisjoint")
                qualified = value

                def fits(v, q=qualified):
                    return self.conforms(q, v)

                if "qualifiedMinCount" in given:
                    parts.append(
                        self.at_least(x, steps, int(given["qualifiedMinCount"].value), fits)
                    )
                if "qualifiedMaxCount" in given:
                    n = int(given["qualifiedMaxCount"].value) + 1
                    parts.append(f"!{self.at_least(x, steps, n, fits)}")
        return self._all(parts)

    def value_constraint(self, shape, name: str, value, x: str) -> str:
        if name == "class":
            return f"EXISTS {{ {self.instance(x, [value])} }}"
        if name == "datatype":
            return f"COALESCE(isLiteral({x}) && sameTerm(DATATYPE({x}), {value}), false)"
        if name == "nodeKind":
            return NODE_KINDS[value.value[len(SH) :]].format(x=x)
        if name == "pattern":
            if self.graph.values(shape, "flags"):
                raise UnsupportedShape(f"{shape}: sh:flags")
            return f"COALESCE(!isBlank({x}) && REGEX(STR({x}), {value}), false)"
        if name == "in":
            return self._any([f"sameTerm({x}, {item})" for item in self.graph.items(value)])
        if name == "languageIn":
            tags = [f"langMatches(LANG({x}), {tag})" for tag in self.graph.items(value)]
            return f"COALESCE(isLiteral({x}) && {self._any(tags)}, false)"
        if name == "minInclusive":
            return f"COALESCE({x} >= {value}, false)"
        if name == "maxInclusive":
            return f"COALESCE({x} <= {value}, false)"
        if name == "node":
            return self.conforms(value, x)
        if name == "or":
            return self._any([self.conforms(s, x) for s in self.graph.items(value)])
        if name == "and":
            return self._all([self.conforms(s, x) for s in self.graph.items(value)])
        if name == "not":
            return f"!({self.conforms(value, x)})"
        if name == "xone":
            ones = " + ".join(f"IF({self.conforms(s, x)}, 1, 0)" for s in self.graph.items(value))
            return f"({ones}) = 1"
        raise UnsupportedShape(f"{shape}: sh:{name}")

    def instance(self, x: str, classes: list) -> str:
        """A pattern that matches when ``x`` is an instance of one of the classes."""
        names = {c.value for c in classes}
        names |= {sub for c in classes for sub in self.subclasses.get(c.value, ())}
        t = self.fresh()
        return f"{x} {TYPE} {t} VALUES {t} {{ {' '.join(f'<{n}>' for n in sorted(names))} }}"

    def at_least(self, x: str, steps: list[str], n: int, fits: Callable | None = None) -> str:
        """Whether ``x`` has ``n`` distinct values along the path (that fit, if given)."""
        if n <= 0:
            return "true"
        if n == 1:
            return self.some(x, steps, fits)
        values = [self.fresh() for _ in range(n)]
        patterns = " . ".join(f"{x} {'/'.join(steps)} {v}" for v in values)
        tests = [f"!sameTerm({a}, {b})" for i, a in enumerate(values) for b in values[i + 1 :]]
        tests += [fits(v) for v in values] if fits else []
        where = f" FILTER({self._all(tests)})" if tests else ""
        return f"EXISTS {{ {patterns}{where} }}"

    def some(self, x: str, steps: list[str], test: Callable | None = None) -> str:
        """Whether ``x`` has a value along the path (that passes ``test``, if given).

        One EXISTS per step, each starting from the node the step before bound: given a
        sequence as one pattern, Oxigraph may start at its far end, which made a two-step
        check (ak:parent/ak:level) grow with the square of the data.
        """
        v = self.fresh()
        inner = self.some(v, steps[1:], test) if steps[1:] else test(v) if test else None
        return f"EXISTS {{ {x} {steps[0]} {v}{f' FILTER({inner})' if inner else ''} }}"

    def steps(self, path) -> list[str]:
        """The IRIs of a path, one per step."""
        if isinstance(path, ox.NamedNode):
            return [str(path)]
        steps = self.graph.out.get(path, [])
        if any(p == RDF + "first" for p, _ in steps):  # a sequence path
            return [iri for step in self.graph.items(path) for iri in self.steps(step)]
        raise UnsupportedShape(f"path {path}: only IRIs and sequences are translated")

    @staticmethod
    def _all(parts: list[str]) -> str:
        parts = [p for p in parts if p != "true"]
        return " && ".join(f"({p})" for p in parts) if parts else "true"

    @staticmethod
    def _any(parts: list[str]) -> str:
        return "(" + " || ".join(f"({p})" for p in parts) + ")" if parts else "false"

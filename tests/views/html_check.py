"""A small DOM built with the standard library's html.parser, for asserting on rendered pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "patients").glob("*.json"))
AS_OF = date(2026, 11, 20)

# Elements a <p> cannot contain: a browser would close the paragraph early and leave a stray </p>.
BLOCK = frozenset({"address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figure",
                   "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p",
                   "pre", "section", "table", "ul"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, predicate: Callable[[Node], bool] | None = None,
                 **attrs: str) -> list[Node]:
        found = []
        for node in self.iter():
            if node is self or (tag and node.tag != tag):
                continue
            if any(node.attrs.get(k.replace("_", "-")) != v for k, v in attrs.items()):
                continue
            if predicate and not predicate(node):
                continue
            found.append(node)
        return found

    def find(self, tag: str | None = None, **attrs: str) -> Node | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    @property
    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return " ".join(" ".join(parts).split())

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        if tag in BLOCK and any(a.tag == "p" for a in node.ancestors()):
            self.errors.append(f"<{tag}> inside <p>")
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is None or node.parent is None:
            self.errors.append(f"stray </{tag}>")
            return
        if node is not self.current:
            self.errors.append(f"</{tag}> closes unclosed <{self.current.tag}>")
        self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> tuple[Node, list[str]]:
    """The document tree and the nesting problems found (an unclosed or stray tag)."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    if builder.current is not builder.root:
        builder.errors.append(f"<{builder.current.tag}> never closed")
    return builder.root, builder.errors


def headings(root: Node) -> list[tuple[int, str]]:
    return [(int(n.tag[1]), n.text) for n in root.iter() if n.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]


def external_urls(root: Node) -> list[tuple[Node, str, str]]:
    """Every attribute that points outside the page: (element, attribute, value)."""
    found = []
    for node in root.iter():
        for attr in ("src", "href", "action", "srcset", "poster", "data", "xlink:href", "formaction"):
            value = node.attrs.get(attr)
            if value and value.strip().lower().startswith(("http:", "https:", "//")):
                found.append((node, attr, value))
    return found

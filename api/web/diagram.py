"""The BPMN diagram drawn as SVG from its own coordinates (BPMN DI), coloured
by where the matter stands: done green, current highlighted, the predicted
next steps blue with their departments, the rest grey."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from lxml import etree

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
FILL = {"done": "#e3f4e6", "current": "#fff1c2", "next": "#e4eefb", "planned": "#f4f4f4", "": "#f4f4f4"}
STROKE = {"done": "#1d6b2f", "current": "#b3000c", "next": "#0b4f9c", "planned": "#9a9a9a", "": "#9a9a9a"}
LEGEND = (("done", "已办理"), ("current", "当前环节"), ("next", "下一步"), ("planned", "待办理"))
EVENTS = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    name: str
    x: float
    y: float
    w: float
    h: float


def _elements(root: etree._Element) -> dict[str, tuple[str, str]]:
    found = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{NS['bpmn']}}}"):
            continue
        ident = element.get("id")
        if ident:
            found[ident] = (etree.QName(element).localname, element.get("name") or "")
    return found


def _label(text: str, x: float, y: float, width: float, size: int = 12) -> str:
    """Centred text, wrapped by characters to fit the box (Chinese has no spaces to break at)."""
    per_line = max(1, int(width // (size + 1)))
    lines = [text[i : i + per_line] for i in range(0, len(text), per_line)][:3]
    first = y - (len(lines) - 1) * (size + 2) / 2
    return "".join(
        f'<text x="{x:.0f}" y="{first + i * (size + 2):.0f}" font-size="{size}" text-anchor="middle" '
        f'dominant-baseline="middle">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )


def _shape(node: Node, state: str, department: str | None) -> str:
    fill, stroke = FILL.get(state, FILL[""]), STROKE.get(state, STROKE[""])
    width = 3 if state == "current" else 1.5
    cx, cy = node.x + node.w / 2, node.y + node.h / 2
    title = f"<title>{escape(node.name or node.id)}</title>"
    if node.kind in EVENTS:
        radius = node.w / 2
        ring = 3 if node.kind == "endEvent" else width
        body = (
            f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{radius:.0f}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{ring}"/>'
        )
        return body + _label(node.name, cx, node.y + node.h + 12, 90, 11) + title
    if node.kind.endswith("Gateway"):
        points = f"{cx},{node.y} {node.x + node.w},{cy} {cx},{node.y + node.h} {node.x},{cy}"
        body = f'<polygon points="{points}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>'
        return body + _label(node.name, cx, node.y - 10, 110, 11) + title
    body = (
        f'<rect x="{node.x:.0f}" y="{node.y:.0f}" width="{node.w:.0f}" height="{node.h:.0f}" rx="8" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>'
    )
    extra = ""
    if department and state in ("current", "next"):
        extra = _label(department, cx, node.y + node.h - 10, node.w, 10)
    return body + _label(node.name, cx, cy - (6 if extra else 0), node.w - 8) + extra + title


def _grouped(node: Node, state: str, department: str | None) -> str:
    """The shape in a group that says its state, so the page can bring the current step into view."""
    return f'<g data-state="{state or "none"}">{_shape(node, state, department)}</g>'


def render(bpmn_xml: str, states: dict[str, str], departments: dict[str, str]) -> str:
    """The SVG markup; an empty string when the file carries no diagram."""
    root = etree.fromstring(bpmn_xml.encode())
    elements = _elements(root)
    nodes: list[Node] = []
    lanes: list[Node] = []
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        bounds = shape.find("dc:Bounds", NS)
        ref = shape.get("bpmnElement") or ""
        if bounds is None or ref not in elements:
            continue
        kind, name = elements[ref]
        node = Node(ref, kind, name, *(float(bounds.get(k, "0")) for k in ("x", "y", "width", "height")))
        (lanes if kind in ("lane", "participant") else nodes).append(node)
    if not nodes:
        return ""
    edges = []
    for edge in root.iterfind(".//bpmndi:BPMNEdge", NS):
        points = [(float(p.get("x", "0")), float(p.get("y", "0"))) for p in edge.iterfind("di:waypoint", NS)]
        if len(points) >= 2:
            edges.append(points)
    all_x = [n.x for n in [*nodes, *lanes]] + [n.x + n.w for n in [*nodes, *lanes]]
    all_y = [n.y for n in [*nodes, *lanes]] + [n.y + n.h for n in [*nodes, *lanes]]
    left, top = min(all_x) - 20, min(all_y) - 30
    width, height = max(all_x) - left + 20, max(all_y) - top + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left:.0f} {top:.0f} {width:.0f} {height:.0f}" '
        f'data-width="{width:.0f}" preserveAspectRatio="xMinYMin meet" role="img" aria-label="办理进度图" '
        'font-family="sans-serif">',  # fitted to the page's width; the page zooms it
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>',
    ]
    for lane in lanes:
        parts.append(
            f'<rect x="{lane.x:.0f}" y="{lane.y:.0f}" width="{lane.w:.0f}" height="{lane.h:.0f}" fill="none" '
            f'stroke="#d0d0d0"/>'
        )
        if lane.kind == "lane":
            parts.append(
                f'<text x="{lane.x + 14:.0f}" y="{lane.y + lane.h / 2:.0f}" font-size="12" fill="#555" '
                f'transform="rotate(-90 {lane.x + 14:.0f} {lane.y + lane.h / 2:.0f})" text-anchor="middle">'
                f"{escape(lane.name)}</text>"
            )
    for points in edges:
        path = " ".join(f"{x:.0f},{y:.0f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#777" marker-end="url(#arrow)"/>')
    for node in nodes:
        parts.append(_grouped(node, states.get(node.id, ""), departments.get(node.id)))
    legend_y = top + height - 25
    for index, (state, text) in enumerate(LEGEND):
        x = left + 20 + index * 110
        parts.append(
            f'<rect x="{x:.0f}" y="{legend_y:.0f}" width="18" height="12" fill="{FILL[state]}" '
            f'stroke="{STROKE[state]}"/>'
            f'<text x="{x + 24:.0f}" y="{legend_y + 10:.0f}" font-size="12">{text}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

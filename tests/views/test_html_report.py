"""The per-patient HTML report: structure, the skeleton map, self-containment, escaping, files."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import hand_built
import pytest
from html_check import EXAMPLES, Node, external_urls, headings, parse

from cds.anatomy import base_bone, laterality
from cds.output import Citation, Evaluation, Link
from cds.views.html import render_report, safe_filename, write_pages
from cds.views.report_model import build_report, classify, score_view
from cds.views.skeleton import LEVELS, level

STEMS = [p.stem for p in EXAMPLES]

# Written from the examples' README, not from the code under test: lesion (by site) → map mark.
EXPECTED_MARKS: dict[str, list[dict[str, str]]] = {
    "01-mescc-surgical-candidate": [{"levels": "T8", "urgency": "critical", "prior-rt": "false"}],
    "02-mescc-short-survival": [{"levels": "T10 T11", "urgency": "critical"}],
    "03-unstable-spine": [{"levels": "L1", "urgency": "critical"}],
    "04-uncomplicated-painful-lesion": [{"levels": "T6", "urgency": "other"}],
    "06-breast-prior-rt-at-site": [{"levels": "T8", "prior-rt": "true"},
                                   {"bone": "ilium", "side": "left", "prior-rt": "false"}],
    "07-polymetastatic-asymptomatic-high-risk": [{"bone": "femoral neck", "side": "left"}, {"levels": "T7"}],
    "08-femur-mirels-9-or-more": [{"bone": "femoral shaft", "side": "left", "urgency": "critical"}],
    "09-renal-radioresistant-spine": [{"levels": "L2"}, {"bone": "rib", "side": "left"}],
    "11-only-kps-documented": [{"levels": "T5"}],
    "12-multiple-lesions-different-treatments": [
        {"levels": "T4", "urgency": "critical"}, {"bone": "rib", "side": "right"},
        {"bone": "femoral shaft", "side": "left", "urgency": "critical"}, {"bone": "ilium", "side": "left"}],
    "13-myeloma-mescc-radiosensitive": [{"levels": "T9", "urgency": "critical"}],
    "15-painful-nonspine-small-sbrt": [{"bone": "scapula", "side": "left"}, {"bone": "rib", "side": "right"}],
}


@pytest.fixture(scope="module")
def pages(example_evaluations: dict[str, Evaluation]) -> dict[str, tuple[str, Node]]:
    result = {}
    for stem, evaluation in example_evaluations.items():
        html = render_report(evaluation)
        root, problems = parse(html)
        assert problems == [], f"{stem}: {problems[:5]}"
        result[stem] = (html, root)
    return result


def map_marks(root: Node) -> list[Node]:
    svg = root.find("svg", id="skeleton-map")
    assert svg is not None
    return svg.find_all("a", predicate=lambda n: "mark" in n.classes)


@pytest.mark.parametrize("stem", STEMS)
def test_report_has_the_required_sections(stem: str, pages: dict[str, tuple[str, Node]],
                                          example_evaluations: dict[str, Evaluation]) -> None:
    evaluation = example_evaluations[stem]
    _, root = pages[stem]
    found = headings(root)
    assert [text for lvl, text in found if lvl == 1] == [f"Patient {evaluation.patient.id}"]
    h2 = [text for lvl, text in found if lvl == 2]
    for title in ("Patient summary", "Skeleton map", "Patient-level data gaps"):
        assert title in h2
    assert sum(1 for t in h2 if t.startswith(("! Lesion", "▲ Lesion", "● Lesion"))) == len(evaluation.lesions)
    # headings never skip a level (h2 → h4)
    levels = [lvl for lvl, _ in found]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    assert root.find("html", lang="en") is not None
    assert "decision support" in root.find("footer").text.lower()
    assert evaluation.ruleset.sha256[:12] in root.find("header").text
    # every lesion has a panel with SINS/Mirels/eligibility where the data say so
    for lesion in evaluation.lesions:
        panel = root.find("article", data_lesion_id=lesion.id)
        assert panel is not None, lesion.id
        assessments = {t.attrs["data-assessment"] for t in panel.find_all("table", predicate=lambda n:
                                                                         "data-assessment" in n.attrs)}
        assert {"sbrt", "sib-imrt"} <= assessments
        assert panel.find("details") is not None  # where each fact came from
    # every table header cell names its scope and every table is named (caption or aria-label)
    for table in root.find_all("table"):
        assert table.find("caption") is not None or table.attrs.get("aria-label"), table.attrs


@pytest.mark.parametrize("stem", STEMS)
def test_map_marks_every_lesion_where_it_is(stem: str, pages: dict[str, tuple[str, Node]],
                                            example_evaluations: dict[str, Evaluation]) -> None:
    evaluation = example_evaluations[stem]
    _, root = pages[stem]
    marks = {m.attrs["data-lesion-id"]: m for m in map_marks(root)}
    assert set(marks) == {lesion.id for lesion in evaluation.lesions}
    for lesion in evaluation.lesions:
        mark = marks[lesion.id]
        assert mark.attrs["aria-label"].startswith("Lesion ")
        assert mark.find("title") is not None
        assert mark.attrs["href"].startswith("#lesion-")
        assert root.find("article", id=mark.attrs["href"][1:]) is not None
        if lesion.levels:
            assert mark.attrs["data-levels"].split() == list(lesion.levels)
            assert [r.attrs["data-level"] for r in mark.find_all("rect")] == list(lesion.levels)
        elif lesion.site == "unspecified":
            assert mark.attrs["data-unplaced"] == "site not documented"
        else:
            site = lesion.bone or lesion.site
            assert mark.attrs["data-bone"] == base_bone(site)
            assert mark.attrs["data-side"] == (laterality(site) or "unknown")
    for expected in EXPECTED_MARKS.get(stem, []):
        matching = [m for m in marks.values()
                    if all(m.attrs.get(f"data-{k}") == v for k, v in expected.items())]
        assert len(matching) == 1, (expected, [m.attrs for m in marks.values()])


def test_unspecified_site_is_listed_beside_the_map(pages: dict[str, tuple[str, Node]]) -> None:
    _, root = pages["10-most-data-missing"]
    listed = root.find("ol", predicate=lambda n: "map-list" in n.classes)
    assert "site not documented" in listed.text
    assert "Site not documented" in root.find("article").find("h2").text


def test_spine_levels_are_all_drawn_and_labelled(pages: dict[str, tuple[str, Node]]) -> None:
    _, root = pages["01-mescc-surgical-candidate"]
    shapes = root.find_all("g", predicate=lambda n: "data-level-shape" in n.attrs)
    names = [g.attrs["data-level-shape"] for g in shapes]
    assert names[0] == "C1" and names[-1] == "S5" and len(names) == 29
    for g in shapes:
        assert g.find("title").text == f"{g.attrs['data-level-shape']} vertebra"
        assert g.find("text").text == g.attrs["data-level-shape"]
    svg = root.find("svg")
    bones = {t.text for t in svg.find_all("title")}
    for bone in ("Skull", "Right femoral shaft", "Left femoral neck and greater trochanter", "Right femoral head",
                 "Mandible", "Right humerus", "Left radius", "Left ulna", "Right ilium",
                 "Left acetabulum", "Right tibia", "Left fibula", "Right clavicle", "Left scapula", "Right rib 6"):
        assert bone in bones


def test_spine_marks_sit_on_their_vertebrae() -> None:
    # the geometry itself: vertebrae run head to tail without overlapping, S5 inside the picture
    for upper, lower in itertools.pairwise(LEVELS):
        assert upper.y + upper.height <= lower.y
    assert level("S5").y + level("S5").height < level("T1").y + 600
    assert level("T8").cy < level("T9").cy


@pytest.mark.parametrize("stem", STEMS)
def test_colour_is_never_the_only_signal(stem: str, pages: dict[str, tuple[str, Node]]) -> None:
    _, root = pages[stem]
    symbols = {"critical": "!", "warning": "▲", "other": "●"}
    for mark in map_marks(root):
        urgency = mark.attrs["data-urgency"]
        assert mark.find("text", predicate=lambda n: "badge-sym" in n.classes).text == symbols[urgency]
        assert re.search(r"critical|caution|no urgent finding", mark.attrs["aria-label"])
        if mark.attrs.get("data-prior-rt") == "true":
            assert "previously irradiated" in mark.attrs["aria-label"]
            assert any(t.text == "RT" for t in mark.find_all("text"))
    for article in root.find_all("article", predicate=lambda n: "lesion" in n.classes):
        line = article.find("p", predicate=lambda n: "urgency-line" in n.classes)
        assert line.text  # the urgency in words
    for cell in root.find_all("span", predicate=lambda n: "status" in n.classes):
        assert re.search(r"\b(met|not met|unknown|eligible|ineligible|undetermined)\b", cell.text), cell.text


@pytest.mark.parametrize("stem", STEMS)
def test_report_is_self_contained(stem: str, pages: dict[str, tuple[str, Node]]) -> None:
    html, root = pages[stem]
    assert "<script" not in html.lower()
    assert "@import" not in html and "url(http" not in html.replace(" ", "")
    for node, attr, value in external_urls(root):
        assert node.tag == "a" and attr == "href", (node.tag, attr, value)
        assert node.classes & {"citation", "ext-link"}, value
    for node in root.iter():
        assert "src" not in node.attrs or node.attrs["src"].startswith("data:")
        if node.tag == "link":
            assert node.attrs["href"].startswith("data:")
    csp = root.find("meta", http_equiv="Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp.attrs["content"]
    assert "@media print" in html and "details::details-content" in html


def test_urgent_banner_only_when_something_is_urgent(pages: dict[str, tuple[str, Node]],
                                                     example_evaluations: dict[str, Evaluation]) -> None:
    for stem, (_, root) in pages.items():
        urgent = any(r.priority == "urgent" for r in example_evaluations[stem].recommendations)
        banner = root.find("section", id="urgent")
        assert (banner is not None) == urgent, stem
    banner = pages["01-mescc-surgical-candidate"][1].find("section", id="urgent")
    assert "Surgical referral" in banner.text and "T8" in banner.text


def test_lesion_panels_come_most_urgent_first(pages: dict[str, tuple[str, Node]]) -> None:
    _, root = pages["12-multiple-lesions-different-treatments"]
    order = [a.attrs["data-urgency"] for a in root.find_all("article", predicate=lambda n: "lesion" in n.classes)]
    assert order == sorted(order, key=["critical", "warning", "other"].index)
    assert order[:2] == ["critical", "critical"]


def test_scores_and_bilsky_are_broken_down(pages: dict[str, tuple[str, Node]]) -> None:
    _, root = pages["03-unstable-spine"]
    sins = root.find("table", data_score="SINS")
    assert "SINS 14" in sins.find("caption").text and "unstable" in sins.find("caption").text
    rows = {r.find("th").text: r.text for r in sins.find("tbody").find_all("tr")}
    assert "3" in rows["Location"] and "junctional" in rows["Location"]
    assert "Bilsky ESCC grade: 1a — low grade" in root.find("p", predicate=lambda n: "bilsky" in n.classes).text
    _, root = pages["08-femur-mirels-9-or-more"]
    mirels = root.find("table", data_score="Mirels")
    assert "Mirels 10" in mirels.find("caption").text
    assert "functional" in mirels.text
    # an incomplete SINS shows the possible points of each missing component
    _, root = pages["11-only-kps-documented"]
    sins = root.find("table", data_score="SINS")
    assert "not documented" in sins.text and "0–3 possible" in sins.text and "could be" in sins.text


def test_bilsky_1c_is_a_grey_zone_label() -> None:
    lesion = {"bilsky_grade": {"value": "1c", "origin": "documented"}}
    urgency = classify(lesion, [])
    assert urgency.level == "warning" and "Bilsky 1c (grey zone)" in urgency.reasons


@pytest.mark.parametrize(("lesion", "level", "reason"), [
    ({"cord_compression": {"value": True}}, "critical", "cord compression"),
    ({"sins": {"minimum": 14, "maximum": 14, "total": 14}}, "critical", "unstable spine (SINS 14)"),
    ({"sins": {"minimum": 8, "maximum": 8, "total": 8}}, "warning", "indeterminate stability (SINS 8)"),
    ({"sins": {"minimum": 1, "maximum": 16}}, "warning", "instability not excluded (SINS 1–16, incomplete)"),
    ({"sins": {"minimum": 2, "maximum": 9}}, "warning", "stability may be indeterminate (SINS 2–9, incomplete)"),
    ({"sins": {"minimum": 2, "maximum": 5}}, "other", None),
    ({"sins": {"minimum": 1, "maximum": 16}, "postoperative": {"value": True}}, "other", None),
    ({"mirels": {"minimum": 10, "maximum": 10, "total": 10}}, "critical", "fracture risk (Mirels 10)"),
    ({"mirels": {"minimum": 8, "maximum": 8, "total": 8}}, "warning", "borderline fracture risk (Mirels 8)"),
    ({"pathological_fracture": {"value": True}}, "critical", "pathological fracture"),
    ({"cord_compression": {"value": False}}, "other", None),
])
def test_urgency_classes(lesion: dict, level: str, reason: str | None) -> None:
    urgency = classify(lesion, [])
    assert urgency.level == level
    if reason:
        assert reason in urgency.reasons


def test_prior_rt_is_flagged_separately() -> None:
    urgency = classify({"prior_rt": {"at_site": {"value": True, "origin": "derived"}}}, [])
    assert urgency.level == "other" and urgency.prior_rt


def test_score_view_lists_missing_components_with_their_possible_points() -> None:
    view = score_view({"name": "Mirels", "minimum": 6, "maximum": 10, "components": {"site": "lower-limb"},
                       "points": {"site": 2}, "missing": ["pain", "lesion", "size"]},
                      {"site": {"upper-limb": 1, "lower-limb": 2}, "pain": {"mild": 1, "functional": 3},
                       "lesion": {"blastic": 1, "lytic": 3}, "size": {"a": 1, "b": 3}}, {})
    assert view is not None and view.total == "6–10" and not view.complete
    assert [(r.component, r.points) for r in view.rows] == [
        ("Site", "2"), ("Pain", "1–3 possible"), ("Lesion", "1–3 possible"), ("Size", "1–3 possible")]


def test_derived_and_undocumented_facts_say_so(pages: dict[str, tuple[str, Node]]) -> None:
    _, root = pages["11-only-kps-documented"]
    ecog = root.find("tr", data_fact="ecog")
    assert "2" in ecog.text and "derived" in ecog.text and "KPS" in ecog.text
    histology = root.find("tr", data_fact="histology")
    assert "not documented" in histology.text
    _, root = pages["10-most-data-missing"]
    summary = root.find("section", id="summary")
    assert summary.text.count("not documented") >= 8
    assert "could not be derived" in summary.text


def test_every_fact_names_its_fhir_resources(pages: dict[str, tuple[str, Node]]) -> None:
    _, root = pages["12-multiple-lesions-different-treatments"]
    t4 = root.find("article", data_lesion_id="Condition/ex12-multi-lesion-met-t4")
    where = next(d for d in t4.find_all("details") if "Where each fact came from" in d.find("summary").text)
    assert "Observation/ex12-multi-lesion-bilsky-grade-1" in where.text
    assert "Condition/ex12-multi-lesion-mescc-1" in where.text
    patient = root.find("details", id="patient-provenance")
    assert "Observation/ex12-multi-lesion-ecog-1" in patient.text


def test_recommendations_show_regimens_bed_and_citations(pages: dict[str, tuple[str, Node]]) -> None:
    _, root = pages["05-oligometastatic-breast-sib-imrt"]
    sib = root.find("section", data_code="sib-imrt")
    assert "Schedule A" in sib.text and "35 Gy in 5 fractions" in sib.text and "59.5 Gy" in sib.text
    assert "20 Gy" in sib.text  # the elective (compartment) dose
    links = [a for a in sib.find_all("a") if "citation" in a.classes]
    assert links and all(a.attrs["href"].startswith("https://") for a in links)
    assert "sib.oligometastatic-breast" in sib.text
    _, root = pages["09-renal-radioresistant-spine"]
    assert any("nominal" in s.text for s in root.find_all("section", data_code="sbrt"))


def hostile(evaluation: Evaluation) -> Evaluation:
    bad = '<script>alert(1)</script>'
    lesion = evaluation.lesions[0]
    rec = evaluation.recommendations[0]
    return evaluation.model_copy(update={
        "patient": evaluation.patient.model_copy(update={"id": bad}),
        "lesions": (lesion.model_copy(update={"site": '"><img src=x onerror=alert(2)>'}),),
        "recommendations": (rec.model_copy(update={
            "summary": bad, "rationale": "</p><iframe src='https://evil.example'>",
            "citations": (Citation(key="x", label="<b>label</b>", url="javascript:alert(3)"),),
            "links": (Link(label="evil", url="https://evil.example/\"onmouseover=\"alert(4)"),),
        }),),
    })


def test_hostile_strings_are_escaped(example_evaluations: dict[str, Evaluation]) -> None:
    evaluation = hostile(example_evaluations["01-mescc-surgical-candidate"])
    html = render_report(evaluation)
    root, problems = parse(html)
    assert problems == []
    assert "<script" not in html and "<iframe" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html  # not escaped into an href: dropped, the label stays as text
    assert "&lt;b&gt;label&lt;/b&gt;" in html
    assert not any(k.startswith("on") for n in root.iter() for k in n.attrs)
    assert root.find("h1").text == "Patient <script>alert(1)</script>"


def test_safe_file_names() -> None:
    assert safe_filename("ex01-mescc-surgical") == "ex01-mescc-surgical"
    assert safe_filename("../../etc/passwd") == "etc_passwd"
    assert safe_filename("<script>alert(1)</script>") == "script_alert_1_script"
    assert safe_filename("...") == "patient"
    assert safe_filename("index") == "patient-index"
    assert safe_filename("urn:uuid:1234") == "urn_uuid_1234"


def test_write_pages(tmp_path: Path, example_evaluations: dict[str, Evaluation]) -> None:
    evaluations = list(example_evaluations.values())[:3]
    twin = evaluations[0].model_copy(update={"patient": evaluations[0].patient.model_copy(
        update={"id": evaluations[0].patient.id + "/"})})  # sanitises to the same stem
    hostile_id = evaluations[1].model_copy(update={"patient": evaluations[1].patient.model_copy(
        update={"id": "../../outside"})})
    out = tmp_path / "pages"
    written = write_pages([*evaluations, twin, hostile_id], out)
    assert [p.name for p in written] == [f"{e.patient.id}.html" for e in evaluations] + [
        f"{evaluations[0].patient.id}-2.html", "outside.html", "index.html"]
    assert all(p.parent == out and p.is_file() for p in written)
    index, problems = parse((out / "index.html").read_text(encoding="utf-8"))
    assert problems == []
    hrefs = [a.attrs["href"] for a in index.find_all("a") if not a.attrs["href"].startswith("#")]
    assert hrefs == [p.name for p in written[:-1]]
    page, _ = parse(written[0].read_text(encoding="utf-8"))
    assert page.find("h1").text == f"Patient {evaluations[0].patient.id}"


def test_write_pages_with_no_patients(tmp_path: Path) -> None:
    written = write_pages([], tmp_path)
    assert [p.name for p in written] == ["index.html"]


def test_report_view_numbers_and_anchors_are_unique(example_evaluations: dict[str, Evaluation]) -> None:
    for evaluation in example_evaluations.values():
        report = build_report(evaluation)
        anchors = [v.anchor for v in report.lesions]
        assert len(set(anchors)) == len(anchors)
        assert [v.number for v in report.lesions] == list(range(1, len(anchors) + 1))


def test_missing_chromium_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    import cds.views.browser as browser

    monkeypatch.setattr(browser, "CHROMIUM", Path("/nonexistent/chromium"))
    problem = browser.chromium_problem()
    assert problem is not None and "apt-get install -y chromium" in problem


def test_at_a_glance_comes_first_with_each_lesions_top_recommendation(pages: dict[str, tuple[str, Node]]) -> None:
    html, root = pages["12-multiple-lesions-different-treatments"]
    glance = root.find("section", id="glance")
    assert glance is not None
    rows = glance.find_all("tr", predicate=lambda n: "data-lesion-id" in n.attrs)
    assert [r.find("a").text for r in rows] == ["1. T4", "2. left femoral shaft", "3. right rib", "4. left ilium"]
    assert "EBRT 8 Gy × 1" in rows[2].text and "8 Gy / 1 [BED10 14.4]" in rows[2].text
    assert "No treatment recommendation" in rows[3].text
    assert html.index('id="glance"') < html.index('id="summary"')


def test_new_contract_fields_in_the_report() -> None:
    html = render_report(hand_built.evaluation())
    root, problems = parse(html)
    assert problems == []
    banner = root.find("section", id="urgent")
    assert banner is not None and "within 24 h" in banner.text
    confirm = root.find("section", id="confirm")
    assert confirm is not None and "no radiotherapy to L3 elsewhere" in confirm.text
    assert html.index('id="confirm"') < html.index('id="summary"')
    row = root.find("tr", data_criterion="no-prior-rt-at-site")
    assert row is not None and "met — not recorded, confirm" in row.text
    stale = root.find("tr", data_gap_status="stale")
    assert stale is not None and "re-assess (last documented 2023-02-01)" in stale.text and "out of date" in stale.text
    unrecognised = root.find("tr", data_gap_status="not-recognised")
    assert unrecognised is not None and "code not recognised" in unrecognised.text
    avoid = root.find("section", data_code="avoid")
    assert avoid is not None
    assert avoid.find("h4").text.startswith("✘ Avoid") and "preferred" not in avoid.find("h4").text


def test_deceased_patient_report_has_one_line_and_no_recommendations() -> None:
    evaluation = hand_built.evaluation(deceased=True)
    html = render_report(evaluation)
    root, problems = parse(html)
    assert problems == []
    assert html.count("Recorded as deceased on 2026-10-01") == 1
    assert not root.find_all("section", predicate=lambda n: "rec" in n.classes)
    assert root.find("section", id="glance") is None and root.find("section", id="urgent") is None
    assert "Recommendations" not in [text for _, text in headings(root)]


def test_lesion_without_site_reads_site_not_documented() -> None:
    root, _ = parse(render_report(hand_built.no_site_evaluation()))
    assert "unspecified:" not in root.text
    assert root.find("article", data_lesion_id=hand_built.NOSITE).find("h2").text.endswith("Site not documented")

"""Given steps about one bone metastasis: its site, scores, compression, fracture risk, pain,
surgery and previous radiotherapy. A lesion is recorded on its first mention ("SINS 14 at L1"
implies a bone metastasis at L1); contiguous levels ("T10–T11") are one lesion."""

from __future__ import annotations

import re
from collections.abc import Callable

from pytest_bdd import given, parsers

from cds.synthetic.builder import Lesion, PatientBuilder
from steps.context import ScenarioContext
from steps.vocabulary import MIRELS_COMPONENTS, SINS_COMPONENTS, lookup, site_key, site_names

DAYS_PER_MONTH = 30.4375
SITE = r"(?P<site>.+?)"
SINS_FAVOURABLE = {"pain": "pain-free", "bone_lesion": "blastic", "alignment": "normal", "collapse": "none",
                   "posterolateral": "none"}


def components(text: str, names: dict[str, str], kind: str) -> dict[str, str]:
    """'location semi-rigid, pain pain-free, bone lesion blastic' → builder keyword arguments."""
    out: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        match = re.fullmatch(r"(?P<name>[a-z ]+?) (?P<answer>[\w-]+)", part)
        if match is None:
            raise AssertionError(f"{kind} component {part!r}: write '<component> <answer>', e.g. 'pain mechanical'")
        out[lookup(names, match["name"], f"{kind} component")] = match["answer"]
    return out


# ---- the lesion itself ----------------------------------------------------------------------------


@given(parsers.re(rf"a bone metastasis (?:at|in) {SITE}"))  # "… at an unspecified site": no bodySite
def _metastasis(bdd: ScenarioContext, site: str) -> None:
    bdd.spec().lesion(site)


@given(parsers.re(rf"the metastasis at {SITE} was diagnosed (?P<months>\d+) months ago"))
def _metastasis_onset(bdd: ScenarioContext, site: str, months: str) -> None:
    bdd.spec().lesion(site).diagnosed_days_ago = int(months) * DAYS_PER_MONTH


@given(parsers.re(rf"pain of (?P<score>\d+)/10 at {SITE}"))
def _pain(bdd: ScenarioContext, score: str, site: str) -> None:
    bdd.spec().at(site, "pain", lambda b, les: b.pain(les, int(score)))


@given(parsers.re(rf"the lesion at {SITE} is (?P<kind>lytic|mixed|blastic)"))
def _lesion_type(bdd: ScenarioContext, site: str, kind: str) -> None:
    bdd.spec().at(site, "lesion-type", lambda b, les: b.lesion_type(les, kind))  # type: ignore[arg-type]


@given(parsers.re(rf"the lesion at {SITE} measures (?P<cm>\d+(?:\.\d+)?) cm"))
def _size(bdd: ScenarioContext, site: str, cm: str) -> None:
    bdd.spec().at(site, "size", lambda b, les: b.lesion_size(les, cm=float(cm)))


@given(parsers.re(rf"cortical involvement of (?P<fraction>under-one-third|one-to-two-thirds|over-two-thirds) "
                  rf"at {SITE}"))
def _cortex(bdd: ScenarioContext, fraction: str, site: str) -> None:
    bdd.spec().at(site, "cortex", lambda b, les: b.cortical_involvement(les, fraction))  # type: ignore[arg-type]


@given(parsers.re(rf"posterior elements (?P<neg>not )?involved at {SITE}"))
def _posterior(bdd: ScenarioContext, neg: str | None, site: str) -> None:
    bdd.spec().at(site, "posterior", lambda b, les: b.posterior_elements(les, neg is None))


@given(parsers.re(rf"(?P<n>\d+) contiguous bone compartments? to treat at {SITE}"))
def _compartments(bdd: ScenarioContext, n: str, site: str) -> None:
    bdd.spec().at(site, "compartments", lambda b, les: b.contiguous_compartments(les, int(n)))


# ---- scores ----------------------------------------------------------------------------------------


@given(parsers.re(rf"SINS (?P<total>\d+) at {SITE}"))
def _sins_total(bdd: ScenarioContext, total: str, site: str) -> None:
    bdd.spec().at(site, "sins", lambda b, les: b.sins(les, int(total)))


@given(parsers.re(rf"SINS components at {SITE}: all favourable except (?P<answers>.+)"))
def _sins_except(bdd: ScenarioContext, site: str, answers: str) -> None:
    """Pain-free, blastic, normal alignment, no collapse, no posterolateral involvement, location from
    the level — except the components named."""
    kwargs = {**SINS_FAVOURABLE, **components(answers, SINS_COMPONENTS, "SINS")}
    bdd.spec().at(site, "sins", lambda b, les: b.sins(les, **kwargs))


@given(parsers.re(rf"SINS components at {SITE}: (?!all favourable except )(?P<answers>.+)"))
def _sins_components(bdd: ScenarioContext, site: str, answers: str) -> None:
    kwargs = components(answers, SINS_COMPONENTS, "SINS")
    bdd.spec().at(site, "sins", lambda b, les: b.sins(les, **kwargs))


@given(parsers.re(rf"Bilsky grade (?P<grade>0|1a|1b|1c|2|3) at {SITE}"))
def _bilsky(bdd: ScenarioContext, grade: str, site: str) -> None:
    bdd.spec().at(site, "bilsky", lambda b, les: b.bilsky(les, grade))  # type: ignore[arg-type]


@given(parsers.re(rf"Mirels (?P<total>\d+) at {SITE}"))
def _mirels_total(bdd: ScenarioContext, total: str, site: str) -> None:
    bdd.spec().at(site, "mirels", lambda b, les: b.mirels(les, int(total)))


@given(parsers.re(rf"Mirels components at {SITE}: (?P<answers>.+)"))
def _mirels_components(bdd: ScenarioContext, site: str, answers: str) -> None:
    kwargs = components(answers, MIRELS_COMPONENTS, "Mirels")
    bdd.spec().at(site, "mirels", lambda b, les: b.mirels(les, **kwargs))


# ---- neurological and mechanical complications --------------------------------------------------


@given(parsers.re(rf"(?:one-level |two-level |three-level )?cord compression at {SITE}"
                  r"(?: with leg weakness for (?P<hours>\d+) hours)?"))
def _cord_compression(bdd: ScenarioContext, site: str, hours: str | None) -> None:
    spec = bdd.spec()
    onset = int(hours) / 24 if hours else 1.0
    spec.at(site, "compression", lambda b, les: b.cord_compression(les, onset_days_ago=onset))
    if hours:
        spec.set("deficit", lambda b: b.neurology(deficit=True))
        spec.set("motor-onset", lambda b: b.neurology(motor_deficit_days=int(hours) / 24))


@given(parsers.re(rf"no cord compression at {SITE}"))
def _no_cord_compression(bdd: ScenarioContext, site: str) -> None:
    bdd.spec().at(site, "compression", lambda b, les: b.no_cord_compression(les))


@given(parsers.re(rf"cauda equina compression at {SITE}"))
def _cauda_equina(bdd: ScenarioContext, site: str) -> None:
    bdd.spec().at(site, "compression", lambda b, les: b.cauda_equina(les, onset_days_ago=1))


@given(parsers.re(rf"a pathological fracture (?:at|of) {SITE}"))
def _fracture(bdd: ScenarioContext, site: str) -> None:
    bdd.spec().at(site, "fracture", lambda b, les: b.pathological_fracture(les, True, onset_days_ago=2))


@given(parsers.re(rf"no pathological fracture at {SITE}"))
def _no_fracture(bdd: ScenarioContext, site: str) -> None:
    bdd.spec().at(site, "fracture", lambda b, les: b.pathological_fracture(les, False))


@given(parsers.re(rf"an impending fracture documented at {SITE}"))
def _impending(bdd: ScenarioContext, site: str) -> None:
    bdd.spec().at(site, "impending", lambda b, les: b.impending_fracture(les, True))


# ---- surgery ---------------------------------------------------------------------------------------


@given(parsers.re(rf"surgery scheduled at {SITE}"))
def _planned_surgery(bdd: ScenarioContext, site: str) -> None:
    bdd.spec().at(site, "planned-surgery", lambda b, les: b.planned_surgery(les, True))


@given(parsers.re(rf"no surgery scheduled at {SITE}"))
def _no_planned_surgery(bdd: ScenarioContext, site: str) -> None:
    bdd.spec().at(site, "planned-surgery", lambda b, les: b.planned_surgery(les, False))


@given(parsers.re(rf"(?P<what>surgery|decompression and stabilisation|fixation) at {SITE} "
                  r"(?P<weeks>\d+) weeks ago"))
def _surgery_done(bdd: ScenarioContext, what: str, site: str, weeks: str) -> None:
    bdd.spec().at(site, "surgery-done",
                  lambda b, les: b.surgery_done(les, days_ago=7 * int(weeks), description=f"{what} at {les.label}"))


# ---- previous radiotherapy -------------------------------------------------------------------------


def _add_course(bdd: ScenarioContext, site: str, dose: str | None, fractions: str | None, months_ago: str,
                sbrt: bool) -> None:
    """A course to a lesion's site, or to a site without a known metastasis ('T9 was irradiated …').
    A documented course replaces a blanket 'no previous radiotherapy anywhere'."""
    spec = bdd.spec()
    spec.ops.pop("no-prior-rt", None)
    course = _course(dose, fractions, months_ago, sbrt)
    if site_key(site) in spec.lesions:
        spec.at(site, f"prior-rt {months_ago}", course)
    else:
        names = site_names(site)
        spec.set(f"prior-rt {site_key(site)} {months_ago}", lambda b: course(b, names))


CourseOp = Callable[[PatientBuilder, Lesion | tuple[str, ...]], None]


def _course(dose: str | None, fractions: str | None, months_ago: str, sbrt: bool) -> CourseOp:
    def op(b: PatientBuilder, site: Lesion | tuple[str, ...]) -> None:
        b.prior_radiotherapy(site, dose_gy=float(dose) if dose else None,
                             fractions=int(fractions) if fractions else None,
                             days_ago=round(float(months_ago) * DAYS_PER_MONTH), stereotactic=sbrt)
    return op


@given(parsers.re(rf"{SITE} was irradiated with (?P<dose>\d+(?:\.\d+)?) Gy in (?P<fractions>\d+) fractions? "
                  r"(?P<months>\d+(?:\.\d+)?) months ago"))
def _prior_rt(bdd: ScenarioContext, site: str, dose: str, fractions: str, months: str) -> None:
    _add_course(bdd, site, dose, fractions, months, sbrt=False)


@given(parsers.re(rf"{SITE} was treated with SBRT (?P<dose>\d+(?:\.\d+)?) Gy in (?P<fractions>\d+) fractions? "
                  r"(?P<months>\d+(?:\.\d+)?) months ago"))
def _prior_sbrt(bdd: ScenarioContext, site: str, dose: str, fractions: str, months: str) -> None:
    _add_course(bdd, site, dose, fractions, months, sbrt=True)


@given(parsers.re(rf"{SITE} was irradiated with (?P<dose>\d+(?:\.\d+)?) Gy in (?P<fractions>\d+) fractions? "
                  r"(?P<days>\d+) days ago"))
def _prior_rt_days(bdd: ScenarioContext, site: str, dose: str, fractions: str, days: str) -> None:
    _add_course(bdd, site, dose, fractions, str(int(days) / DAYS_PER_MONTH), sbrt=False)


@given(parsers.re(rf"neuropathic pain at {SITE}"))
def _neuropathic(bdd: ScenarioContext, site: str) -> None:
    bdd.spec().at(site, "neuropathic-pain", lambda b, les: b.neuropathic_pain(les, True))


@given(parsers.re(rf"a spine surgeon judged {SITE} (?P<verdict>stable|unstable)"))
def _surgeon_stability(bdd: ScenarioContext, site: str, verdict: str) -> None:
    bdd.spec().at(site, "surgeon-stability", lambda b, les: b.surgeon_judged_stable(les, verdict == "stable"))


@given(parsers.re(rf"surgery at {SITE} (?:was declined|is not possible)"))
def _surgery_declined(bdd: ScenarioContext, site: str) -> None:
    bdd.spec().at(site, "surgery-declined", lambda b, les: b.surgery_declined(les, True))


@given(parsers.re(rf"{SITE} was irradiated (?P<months>\d+(?:\.\d+)?) months ago, dose not documented"))
def _prior_rt_unknown_dose(bdd: ScenarioContext, site: str, months: str) -> None:
    _add_course(bdd, site, None, None, months, sbrt=False)


@given(parsers.re(rf"no previous radiotherapy at {SITE}"))
def _no_prior_rt(bdd: ScenarioContext, site: str) -> None:
    bdd.spec().at(site, "prior-rt", lambda b, les: b.no_prior_radiotherapy(les))

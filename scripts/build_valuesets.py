"""Build the mapper's FHIR ValueSets (fhir_mappings/valuesets/ValueSet-*.json).

Run: ``python scripts/build_valuesets.py MCODE_EXPANSIONS_DIR [MCODE_FSH_DIR]``, where the first
folder holds the mCODE ValueSet expansions published with the mCODE Extraction Framework (Apache-2.0,
github.com/mcode/mcode-extraction-framework, ``src/helpers/valueSets/``):
``ValueSet-mcode-primary-or-uncertain-behavior-cancer-disorder-vs.json`` and
``ValueSet-mcode-secondary-cancer-disorder-vs.json`` (SNOMED CT expansions made by a terminology
server) and the second the mCODE IG's FSH source (CC0, github.com/HL7/fhir-mCODE-ig, ``input/fsh``),
whose named body structures give the body-site ValueSets. Without the folders, the SNOMED concept
lists of the existing files are kept and the hand-curated parts rewritten.

The SNOMED CT concepts of those two expansions are sorted into the project's histology groups and
metastasis sites by the rules below, which read each concept's fully specified display. The rules
are conservative: a concept they cannot place in a group is "other" (a named site outside the
groups) or needs its bodySite (a generic code); uncertain-behaviour, in-situ and benign neoplasms
are not primary cancers. Every generated file says that its grouping needs terminology review.

ICD-10-CM, WHO ICD-10 and ICD-O-3 entries are curated here by prefix: a code listed in a ValueSet
of these systems stands for itself and every code below it (see fhir_mappings/terminology.py).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "fhir_mappings" / "valuesets"
BASE = "http://bone-mets-cds.org/fhir/ValueSet/"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"
LOINC = "http://loinc.org"
AJCC = "http://cancerstaging.org"
VERSION = "1.0.0"
SNOMED_COPYRIGHT = ("This value set includes content from SNOMED CT, which is copyright © 2002+ International "
                    "Health Terminology Standards Development Organisation (IHTSDO); implementers need their own "
                    "SNOMED CT licence. ICD-10-CM is in the public domain (CDC/NCHS); ICD-10 and ICD-O-3 are WHO "
                    "classifications; LOINC is © Regenstrief Institute under the LOINC licence.")
REVIEW = "Grouping derived by the rules in scripts/build_valuesets.py; needs terminology review before clinical use."

# --------------------------------------------------------------------------- SNOMED classification

_NOT_INVASIVE = re.compile(r"uncertain behavio|borderline|in situ|benign|low malignant potential|"
                           r"premalignant|precancerous|suspected|at risk|screening|history of|family history")
# Only when nothing in the display says malignant.
_NOT_MALIGNANT = re.compile(r"\bintraepithelial\b|\bdysplasia\b|\bnevus\b|\bcyst\b")
_SECONDARY = re.compile(r"secondary|metastat|metastasis")
_GENERIC = re.compile(r"^(primary )?(malignant (neoplastic disease|neoplasm|tumou?r)|carcinoma|cancer|"
                      r"neoplasm, malignant|malignant neoplasm of (unknown|uncertain|unspecified) (primary )?site|"
                      r"carcinoma of unknown primary( origin)?|cancer of unknown primary( origin| site)?|"
                      r"malignant neoplasm without specification of site|"
                      r"malignant (neoplasm|tumou?r) of (unknown|ill-defined|other and ill-defined) (primary )?"
                      r"sites?|adenocarcinoma|squamous cell carcinoma|small cell carcinoma|sarcoma|"
                      r"malignant neoplasm, primary|primary malignant neoplasm of (unknown|ill-defined) sites?|"
                      r"disseminated malignancy of unknown primary|carcinomatosis)$")
_SKIN = re.compile(r"(of|involving) (the )?skin\b|\bskin of\b|cutaneous|basal cell|\bskin (cancer|carcinoma)")
# Morphology-led groups first: the cell type decides the group whatever the site.
_MORPHOLOGY_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("myeloma", re.compile(r"myeloma|plasmacytoma|plasma cell (leuk|neoplasm|dyscrasia)")),
    ("leukaemia", re.compile(r"leuka?emi")),
    ("lymphoma", re.compile(r"lymphoma|hodgkin|mycosis fungoides|s[ée]zary|waldenstr|heavy chain disease|"
                            r"lymphoproliferative|lymphosarcoma|reticulosarcoma")),
    ("melanoma", re.compile(r"melanoma")),
    ("germ-cell", re.compile(r"seminoma|germ cell|teratoma|yolk sac|choriocarcinoma|embryonal carcinoma|"
                             r"endodermal sinus|polyembryoma")),
)
_LUNG = re.compile(r"\blung\b|bronch|pulmonary|\blobe of lung\b|pancoast|superior sulcus")
_SCLC = re.compile(r"(?<!non-)(?<!non )small cell|oat cell")
_NSCLC = re.compile(r"non-small cell|non small cell|adenocarcinoma|squamous cell|large cell|bronchioloalveolar|"
                    r"adenosquamous|nsclc")
_NEUROENDOCRINE = re.compile(r"neuroendocrine|carcinoid|merkel cell|islet cell|insulinoma|gastrinoma|"
                             r"vipoma|glucagonoma|somatostatinoma")
_SARCOMA = re.compile(r"(?<!carcino)sarcoma\b|ewing|chordoma|gastrointestinal stromal|\bgist\b|"
                      r"malignant fibrous histiocytoma|malignant (peripheral )?nerve sheath|"
                      r"malignant (neoplasm|tumou?r) of (bone|soft tissue|connective|cartilage|"
                      r"articular cartilage)|primary malignant neoplasm of (bone|soft tissue|connective)|"
                      r"malignant (neoplasm|tumou?r) of (long|short|flat)? ?bones?\b|"
                      r"malignant (neoplasm|tumou?r) of (the )?[a-z ]*\b(bone|carpal|calcaneus|talus|tarsal|"
                      r"metatarsal|metacarpal|vertebra|vertebral column|femur|tibia|fibula|humerus|radius|ulna|"
                      r"rib|ribs|sternum|clavicle|scapula|ilium|ischium|pubis|sacrum|coccyx|mandible|maxilla|"
                      r"skull|phalanx|phalanges|patella|acetabulum|blood vessels?)\b")
_NOT_SARCOMA = re.compile(r"kaposi|bone marrow|carcinosarcoma")
# Site-led groups, in order (the first that matches wins).
_SITE_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("breast", re.compile(r"breast|nipple|areola|mammary")),
    ("prostate", re.compile(r"prostat")),
    ("kidney", re.compile(r"kidney|\brenal\b|renal cell|renal pelvis|hypernephroma|nephroblastoma|wilms|"
                          r"grawitz|pelvis of kidney|pelviureteric")),
    ("thyroid", re.compile(r"thyroid")),
    ("liver", re.compile(r"\bliver\b|hepatocellular|hepatoblastoma|hepatoma|hepatocarcinoma|intrahepatic bile duct|"
                         r"hepatic\b(?! flexure)")),
    ("colorectal", re.compile(r"\bcolon\b|colonic|\brectum\b|\brectal\b|rectosigmoid|sigmoid|\banus\b|"
                              r"\banal\b|anorectal|anal canal|cecum|caecum|appendix|appendiceal|hepatic flexure|"
                              r"splenic flexure|large intestine|large bowel|colorectal|ascending colon|"
                              r"descending colon|transverse colon|ileoc(a)?ecal")),
    ("gi-other", re.compile(r"esophag|oesophag|stomach|gastric|gastro-?esophageal|cardia\b|pylor|duoden|"
                            r"small intestine|small bowel|jejun|ileum\b|gallbladder|gall bladder|biliary|"
                            r"bile duct|cystic duct|cholangio|ampulla|pancrea|vater|digestive|intestin")),
    ("ovary", re.compile(r"\bovary\b|ovarian")),
    ("germ-cell", re.compile(r"testis|testicular|testes")),
)


def _clean(display: str) -> str:
    text = display.lower().strip()
    text = re.sub(r"\s*\((disorder|finding|morphologic abnormality|body structure|situation)\)$", "", text)
    return re.sub(r"\s+", " ", text)


def classify_primary(display: str) -> str:
    """A concept of the primary-or-uncertain-behaviour cancer expansion → group, or a bucket:
    ``not-primary`` (not a malignant primary), ``generic`` (site from bodySite) or ``other``."""
    text = _clean(display)
    if _NOT_INVASIVE.search(text) and not re.search(r"invasive|infiltrating", text):
        return "not-primary"
    if _NOT_MALIGNANT.search(text) and not re.search(r"malignant|carcinoma|melanoma|sarcoma", text):
        return "not-primary"
    combined = re.match(r"^(.*?) (metastatic|with metastasis) to ", text)
    if combined:  # "malignant neoplasm of rectosigmoid junction metastatic to brain": primary part first
        text = combined.group(1)
    elif _SECONDARY.search(text) and not re.search(r"primary", text):
        return "not-primary"  # a metastasis code that strayed into the primary list
    for group, pattern in _MORPHOLOGY_GROUPS:
        if pattern.search(text):
            return group
    if "kaposi" in text:
        return "other"  # Kaposi sarcoma: neither the sarcoma group nor the organ it involves
    if re.search(r"syndrome|\bpolyposis|predisposition", text):
        return "not-primary"  # a cancer syndrome or risk, not a cancer
    if _LUNG.search(text) and not _SKIN.search(text):
        if _SCLC.search(text):
            return "lung-sclc"
        if _NEUROENDOCRINE.search(text):
            return "lung"  # large-cell neuroendocrine / carcinoid of lung: subtype for the rules unclear
        if _NSCLC.search(text):
            return "lung-nsclc"
        return "lung"
    if _NEUROENDOCRINE.search(text):
        return "neuroendocrine"
    if _SARCOMA.search(text) and not _NOT_SARCOMA.search(text):
        return "sarcoma"
    if _SKIN.search(text):
        return "other"  # non-melanoma skin cancer, wherever the skin is
    for group, pattern in _SITE_GROUPS:
        if pattern.search(text):
            return group
    if _GENERIC.match(text) or "unknown primary" in text or "unspecified site" in text:
        return "generic"
    return "other"


# Metastasis sites and the burden kinds each counts as (contract: visceral = C78.*, C79.0–C79.4, C79.6–C79.9).
_SECONDARY_SITES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("nodal", re.compile(r"lymph node|lymph nodes|\bnodal\b|lymphatic|secondary nodes")),
    ("bone", re.compile(r"\bbones?\b|bone marrow|vertebra|spine|spinal column|vertebral column|sacrum|coccyx|"
                        r"skull|rib\b|ribs\b|sternum|pelvi(s|c) bone|pelvic girdle|ilium|ischium|pubis|"
                        r"acetabul|femur|femoral|humerus|humeral|tibia|fibula|radius|ulna|scapula|clavicle|"
                        r"skelet|osseous|acromion|olecranon|calcane|carpal|tarsal|metacarp|metatars|phalan|"
                        r"patella|mandible|\bmaxilla\b|cranium|iliac crest")),
    ("brain", re.compile(r"brain|cerebr|cerebell|meninge|leptomening|intracranial|central nervous|"
                         r"spinal cord|\bdura\b|mening")),
    ("liver", re.compile(r"\bliver\b|(?<!extra)hepatic(?! flexure)")),
    ("lung", re.compile(r"\blung\b|pulmonary|bronch|trachea")),
    ("pleura", re.compile(r"pleura")),
    ("adrenal", re.compile(r"adrenal|suprarenal")),
    ("peritoneum", re.compile(r"peritone|omentum|omental|mesenter|retroperitone")),
)


def classify_secondary(display: str) -> tuple[str, str | None]:
    """A concept of the secondary cancer expansion → (metastasis site, primary group it names or None).

    ``site`` is one of the metastasis ValueSets, or ``generic`` (no site: resolved by bodySite),
    ``visceral-other`` (an organ not listed separately) or ``other`` (skin, soft tissue, …)."""
    text = _clean(display)
    primary: str | None = None
    found_from = re.search(r"\bfrom (.*)$", text)
    if found_from:
        origin = found_from.group(1)
        group = classify_primary(f"malignant neoplasm of {origin}")
        primary = group if group not in {"generic", "other", "not-primary"} else None
        text = text[: found_from.start()]
    combined = re.match(r"^(.*?),? (metastatic|with metastasis) to (.+)$", text)
    if combined and primary is None:  # "primary malignant neoplasm of thyroid gland, metastatic to bone"
        group = classify_primary(combined.group(1))
        primary = group if group not in {"generic", "other", "not-primary"} else None
        text = f"metastasis to {combined.group(3)}"
    named = re.match(r"^metastatic (.+)$", text)
    if named and primary is None:  # "metastatic renal cell carcinoma" names the primary's histology
        group = classify_primary(named.group(1))
        primary = group if group not in {"generic", "other", "not-primary"} else None
    prepositions = r"\b(to|of|in|involving)\b "
    site_part = re.sub(r"^.*?" + prepositions, "", text) if re.search(prepositions, text) else ""
    noun_only = not site_part
    if noun_only:  # "omental metastasis", "malignant meningitis": the site, if any, is in the noun
        site_part = text
    if not site_part:
        return "generic", primary
    for site, pattern in _SECONDARY_SITES:
        if pattern.search(site_part):
            return site, primary
    if re.search(r"skin|cutaneous|subcutaneous|soft tissue|muscle|breast|chest wall", site_part):
        return "other", primary
    return ("generic" if noun_only else "visceral-other"), primary


# --------------------------------------------------------------------------- curated ICD lists

PRIMARY_GROUPS: dict[str, dict[str, Any]] = {
    "breast": {"title": "Breast cancer", "icd10cm": ["C50"], "icd10": ["C50"], "topography": ["C50"]},
    "prostate": {"title": "Prostate cancer", "icd10cm": ["C61"], "icd10": ["C61"], "topography": ["C61"]},
    "lung": {"title": "Lung cancer, subtype not coded", "icd10cm": ["C34"], "icd10": ["C34"],
             "topography": ["C34"]},
    "lung-nsclc": {"title": "Non-small-cell lung cancer", "icd10cm": [], "icd10": [], "topography": []},
    "lung-sclc": {"title": "Small-cell lung cancer", "icd10cm": [], "icd10": [], "topography": []},
    "kidney": {"title": "Kidney and renal pelvis cancer", "icd10cm": ["C64", "C65"], "icd10": ["C64", "C65"],
               "topography": ["C64", "C65"]},
    "melanoma": {"title": "Melanoma", "icd10cm": ["C43"], "icd10": ["C43"], "topography": []},
    "thyroid": {"title": "Thyroid cancer", "icd10cm": ["C73"], "icd10": ["C73"], "topography": ["C73"]},
    "liver": {"title": "Liver and intrahepatic bile duct cancer", "icd10cm": ["C22"], "icd10": ["C22"],
              "topography": ["C22"]},
    "colorectal": {"title": "Colorectal and anal cancer", "icd10cm": ["C18", "C19", "C20", "C21"],
                   "icd10": ["C18", "C19", "C20", "C21"], "topography": ["C18", "C19", "C20", "C21"]},
    "gi-other": {"title": "Other digestive-tract cancer",
                 "icd10cm": ["C15", "C16", "C17", "C23", "C24", "C25", "C26"],
                 "icd10": ["C15", "C16", "C17", "C23", "C24", "C25", "C26"],
                 "topography": ["C15", "C16", "C17", "C23", "C24", "C25", "C26"]},
    "sarcoma": {"title": "Bone and soft-tissue sarcoma", "icd10cm": ["C40", "C41", "C49"],
                "icd10": ["C40", "C41", "C49"], "topography": ["C40", "C41", "C49"]},
    "myeloma": {"title": "Multiple myeloma and plasmacytoma", "icd10cm": ["C90.0", "C90.2", "C90.3"],
                "icd10": ["C90.0", "C90.2", "C90.3"], "topography": []},
    "lymphoma": {"title": "Lymphoma", "icd10cm": ["C81", "C82", "C83", "C84", "C85", "C86", "C88"],
                 "icd10": ["C81", "C82", "C83", "C84", "C85", "C86", "C88"], "topography": []},
    "leukaemia": {"title": "Leukaemia", "icd10cm": ["C90.1", "C91", "C92", "C93", "C94", "C95"],
                  "icd10": ["C90.1", "C91", "C92", "C93", "C94", "C95"], "topography": []},
    "germ-cell": {"title": "Germ-cell tumours (testis)", "icd10cm": ["C62"], "icd10": ["C62"],
                  "topography": ["C62"]},
    "ovary": {"title": "Ovarian cancer", "icd10cm": ["C56"], "icd10": ["C56"], "topography": ["C56"]},
    "neuroendocrine": {"title": "Neuroendocrine tumours", "icd10cm": ["C7A"], "icd10": [], "topography": []},
    # Malignant primaries at a named site outside the groups: histology "other" (TEACHH/Rades "other").
    "other": {"title": "Other primary cancer (named site outside the groups)",
              "icd10cm": ["C00", "C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10", "C11", "C12",
                          "C13", "C14", "C30", "C31", "C32", "C33", "C37", "C38", "C39", "C44", "C45", "C46",
                          "C47", "C48", "C4A", "C51", "C52", "C53", "C54", "C55", "C57", "C58", "C60", "C63",
                          "C66", "C67", "C68", "C69", "C70", "C71", "C72", "C74", "C75", "C76", "C96"],
              "icd10": ["C00", "C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10", "C11", "C12",
                        "C13", "C14", "C30", "C31", "C32", "C33", "C37", "C38", "C39", "C44", "C45", "C46", "C47",
                        "C48", "C51", "C52", "C53", "C54", "C55", "C57", "C58", "C60", "C63", "C66", "C67",
                        "C68", "C69", "C70", "C71", "C72", "C74", "C75", "C76", "C96", "C97"],
              "topography": []},
}
# Malignant, primary site not stated (C80; C7B is secondary neuroendocrine): histology from bodySite.
GENERIC_PRIMARY_ICD = {"icd10cm": ["C80"], "icd10": ["C80"]}

METASTASIS_SITES: dict[str, dict[str, Any]] = {
    # ICD-10-CM splits bone (C79.51) from bone marrow (C79.52); WHO ICD-10 has only C79.5 for both.
    "bone": {"title": "Bone metastasis", "icd10cm": ["C79.51", "C79.52", "C7B.03"], "icd10": ["C79.5"]},
    "brain": {"title": "Brain and meningeal metastasis", "icd10cm": ["C79.3"], "icd10": ["C79.3"]},
    "liver": {"title": "Liver metastasis", "icd10cm": ["C78.7", "C7B.02"], "icd10": ["C78.7"]},
    "lung": {"title": "Lung metastasis", "icd10cm": ["C78.0", "C7B.01"], "icd10": ["C78.0"]},
    "pleura": {"title": "Pleural metastasis", "icd10cm": ["C78.2"], "icd10": ["C78.2"]},
    "adrenal": {"title": "Adrenal metastasis", "icd10cm": ["C79.7"], "icd10": ["C79.7"]},
    "peritoneum": {"title": "Peritoneal and retroperitoneal metastasis", "icd10cm": ["C78.6", "C7B.04"],
                   "icd10": ["C78.6"]},
    "visceral-other": {"title": "Other visceral metastasis",
                       "icd10cm": ["C78.1", "C78.3", "C78.4", "C78.5", "C78.8", "C79.0", "C79.1", "C79.2",
                                   "C79.4", "C79.6", "C79.8", "C79.9"],
                       "icd10": ["C78.1", "C78.3", "C78.4", "C78.5", "C78.8", "C79.0", "C79.1", "C79.2",
                                 "C79.4", "C79.6", "C79.8", "C79.9"]},
    "nodal": {"title": "Lymph-node metastasis", "icd10cm": ["C77", "C7B.01"], "icd10": ["C77"]},
    "other": {"title": "Metastasis at a site outside the lists", "icd10cm": ["C7B.09", "C7B.1", "C7B.8"],
              "icd10": []},
    "generic": {"title": "Metastatic (secondary) malignant neoplasm, site from bodySite", "icd10cm": ["C7B.00"],
                "icd10": []},
}
# C7B.01 is "secondary carcinoid tumours of distant lymph nodes": nodal; listed under lung by mistake? No:
# keep it nodal only.
METASTASIS_SITES["lung"]["icd10cm"].remove("C7B.01")

# ICD-O-3 morphology (first digits, behaviour /3): groups that the cell type decides.
MORPHOLOGY_GROUPS: dict[str, list[str]] = {
    "melanoma": ["872", "873", "874", "875", "876", "877", "878", "879"],
    "myeloma": ["9731", "9732", "9734"],
    "lymphoma": ["959", "965", "966", "967", "968", "969", "970", "971", "972"],
    "leukaemia": ["980", "981", "982", "983", "984", "986", "987", "989", "990", "991", "992", "993", "994"],
    "sarcoma": ["880", "881", "882", "883", "884", "885", "886", "887", "888", "889", "890", "891", "892",
                "899", "904", "912", "913", "918", "919", "920", "921", "922", "923", "924", "926", "937"],
    "germ-cell": ["906", "907", "908", "909", "910"],
    "neuroendocrine": ["824", "8013"],
    "small-cell": ["804"],
    "non-small-cell": ["814", "807", "801", "8012", "8046", "825", "856"],
}


def _concepts(items: list[tuple[str, str | None]]) -> list[dict[str, str]]:
    out = []
    for code, display in items:
        entry = {"code": code}
        if display:
            entry["display"] = display
        out.append(entry)
    return out


def valueset(vid: str, title: str, description: str, systems: dict[str, list[tuple[str, str | None]]],
             *, prefix_note: bool = True) -> dict[str, Any]:
    include = []
    contains = []
    for system, items in systems.items():
        if not items:
            continue
        items = sorted(dict.fromkeys(items), key=lambda i: i[0])
        if system in {ICD10CM, ICD10, ICDO3} and prefix_note:
            for code, _display in items:  # a listed code stands for itself and every code below it
                include.append({"system": system, "filter": [{"property": "concept", "op": "is-a",
                                                              "value": code}]})
        # Enumerated concepts are given once, in the expansion (the compose would repeat them).
        contains.extend({"system": system, **c} for c in _concepts(items))
    return {
        "resourceType": "ValueSet",
        "id": vid,
        "url": BASE + vid,
        "version": VERSION,
        "name": "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]", vid) if part),
        "title": title,
        "status": "draft",
        "experimental": False,
        "publisher": "bone-mets-cds project",
        "description": f"{description} {REVIEW}",
        "copyright": SNOMED_COPYRIGHT,
        **({"compose": {"include": include}} if include else {}),
        "expansion": {"identifier": f"urn:bone-mets-cds:{vid}:{VERSION}", "timestamp": "2025-01-01T00:00:00Z",
                      "total": len(contains), "contains": contains},
    }


def _existing_snomed(vid: str) -> list[tuple[str, str | None]]:
    path = OUT / f"ValueSet-{vid}.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(c["code"], c.get("display")) for c in data.get("expansion", {}).get("contains", [])
            if c.get("system") == SNOMED]


def _load_expansion(folder: Path, name: str) -> list[dict[str, str]]:
    data = json.loads((folder / name).read_text(encoding="utf-8"))
    return [c for c in data["expansion"]["contains"] if c.get("system") == SNOMED]


# Concepts added by hand, each seen in real data (source in fhir_mappings/valuesets/README.md).
EXTRA_PRIMARY_SNOMED: dict[str, list[tuple[str, str]]] = {
    "breast": [("254837009", "Malignant neoplasm of breast (disorder)")],
    "prostate": [("399068003", "Malignant tumor of prostate (disorder)")],
    "lung": [("93880001", "Primary malignant neoplasm of lung (disorder)")],
}
# Neoplasm codes that do not state malignancy but name a cancer's primary site in real records
# (Synthea codes prostate cancer as 126906006): histology derived from them, with a warning.
UNSPECIFIED_BEHAVIOUR_SNOMED: dict[str, list[tuple[str, str]]] = {
    "prostate": [("126906006", "Neoplasm of prostate (disorder)")],
}
# Generic metastasis codes (site from bodySite), beside those the secondary expansion yields.
EXTRA_SECONDARY_SNOMED = [("128462008", "Metastatic neoplasm (disease)"),
                          ("14799000", "Neoplasm, metastatic (morphologic abnormality)")]


def build(folder: Path | None) -> dict[str, dict[str, Any]]:
    primaries: dict[str, list[tuple[str, str | None]]] = {g: [] for g in [*PRIMARY_GROUPS, "generic", "not-primary"]}
    secondaries: dict[str, list[tuple[str, str | None]]] = {s: [] for s in METASTASIS_SITES}
    secondary_from: dict[str, list[tuple[str, str | None]]] = {g: [] for g in PRIMARY_GROUPS}
    if folder is not None:
        for concept in _load_expansion(folder, "ValueSet-mcode-primary-or-uncertain-behavior-cancer-disorder-vs.json"):
            primaries[classify_primary(concept["display"])].append((concept["code"], concept["display"]))
        for concept in _load_expansion(folder, "ValueSet-mcode-secondary-cancer-disorder-vs.json"):
            site, origin = classify_secondary(concept["display"])
            secondaries[site].append((concept["code"], concept["display"]))
            if origin is not None:
                secondary_from[origin].append((concept["code"], concept["display"]))
    else:
        for group in primaries:
            primaries[group] = _existing_snomed(f"primary-{group}")
        for site in secondaries:
            secondaries[site] = _existing_snomed(f"metastasis-{site}")
        for group in secondary_from:
            secondary_from[group] = _existing_snomed(f"metastasis-from-{group}")
    for group, items in EXTRA_PRIMARY_SNOMED.items():
        primaries[group].extend(items)
    secondaries["generic"].extend(EXTRA_SECONDARY_SNOMED)

    out: dict[str, dict[str, Any]] = {}
    for group, spec in PRIMARY_GROUPS.items():
        vid = f"primary-{group}"
        out[vid] = valueset(vid, f"Primary cancer: {spec['title']}",
                            f"Condition codes of a primary cancer read as histology group '{group}'.", {
                                SNOMED: primaries[group],
                                ICD10CM: [(c, None) for c in spec["icd10cm"]],
                                ICD10: [(c, None) for c in spec["icd10"]],
                            })
        if spec["topography"]:
            vid = f"primary-site-{group}"
            out[vid] = valueset(vid, f"Primary site: {spec['title']}",
                                f"ICD-O-3 topography (bodySite of a generic primary-cancer code) read as "
                                f"histology group '{group}'.", {ICDO3: [(c, None) for c in spec["topography"]]})
    out["primary-generic"] = valueset(
        "primary-generic", "Primary cancer, site not in the code",
        "Malignant-neoplasm codes that do not name a site: the group comes from the bodySite (ICD-O-3 "
        "topography) or the histology-morphology extension (ICD-O-3 morphology), else it is unknown.",
        {SNOMED: primaries["generic"], ICD10CM: [(c, None) for c in GENERIC_PRIMARY_ICD["icd10cm"]],
         ICD10: [(c, None) for c in GENERIC_PRIMARY_ICD["icd10"]]})
    out["neoplasm-not-primary-cancer"] = valueset(
        "neoplasm-not-primary-cancer", "Neoplasms that are not a primary cancer",
        "Uncertain-behaviour, in-situ and benign neoplasms: oncological, but never read as the primary cancer.",
        {SNOMED: primaries["not-primary"], ICD10CM: [(c, None) for c in ["D00", "D01", "D02", "D03", "D04", "D05",
                                                                          "D06", "D07", "D09", "D37", "D38",
                                                                          "D39", "D40", "D41", "D42", "D43",
                                                                          "D44", "D45", "D46", "D47", "D48",
                                                                          "D49"]],
         ICD10: [(c, None) for c in ["D00", "D01", "D02", "D03", "D04", "D05", "D06", "D07", "D09", "D37", "D38",
                                     "D39", "D40", "D41", "D42", "D43", "D44", "D45", "D46", "D47", "D48"]]})
    for group, items in UNSPECIFIED_BEHAVIOUR_SNOMED.items():
        vid = f"neoplasm-site-{group}"
        out[vid] = valueset(vid, f"Neoplasm of the {group} (behaviour not coded)",
                            f"Neoplasm codes that name the {group} but not malignancy; read as histology "
                            f"'{group}' only as a derived value, with a warning.", {SNOMED: list(items)})
    for site, spec in METASTASIS_SITES.items():
        vid = f"metastasis-{site}"
        out[vid] = valueset(vid, spec["title"], f"Condition codes of a metastasis at site '{site}'.", {
            SNOMED: secondaries[site],
            ICD10CM: [(c, None) for c in spec["icd10cm"]],
            ICD10: [(c, None) for c in spec["icd10"]],
        })
    for group, items in secondary_from.items():
        if items:
            vid = f"metastasis-from-{group}"
            out[vid] = valueset(vid, f"Metastasis naming its primary: {PRIMARY_GROUPS[group]['title']}",
                                f"Secondary-cancer codes that name the primary ('metastasis from …'): the "
                                f"primary's histology group is '{group}'.", {SNOMED: items})
    for group, prefixes in MORPHOLOGY_GROUPS.items():
        vid = f"morphology-{group}"
        out[vid] = valueset(vid, f"ICD-O-3 morphology: {group}",
                            "ICD-O-3 morphology codes (first digits) of the mCODE histology-morphology-behavior "
                            "extension that decide the histology group.", {ICDO3: [(p, None) for p in prefixes]})
    return out


# Body structures (bodySite of a generic cancer code) by the organ they name.
_BODY_SITES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("lymph-node", re.compile(r"lymph node")),
    ("bone", re.compile(r"\bbone\b|vertebra|\brib\b|femur|femoral|pelvi|sacr|coccyx|skull|cran|acetabul|ilium|"
                        r"ischium|pubi|humer|scapula|clavicle|sternum|radius|ulna|tibia|fibula|patella|mandible|"
                        r"maxilla|atlas|\baxis\b|innominate|skelet|spinal column|vertebral column")),
    ("brain", re.compile(r"brain|cerebr|cerebell|mening")),
    ("lung", re.compile(r"\blung\b|bronch")),
    ("liver", re.compile(r"\bliver\b|hepatic")),
    ("pleura", re.compile(r"pleura")),
    ("adrenal", re.compile(r"adrenal")),
    ("peritoneum", re.compile(r"periton")),
    ("breast", re.compile(r"breast")),
    ("prostate", re.compile(r"prostat")),
    ("kidney", re.compile(r"kidney|renal")),
    ("thyroid", re.compile(r"thyroid")),
    ("colorectal", re.compile(r"\bcolon\b|rectum|rectal|sigmoid|cecum|caecum|\banus\b|anal canal")),
    ("gi-other", re.compile(r"esophag|stomach|gastric|pancrea|duoden|jejun|ileum|gallbladder|bile duct")),
    ("ovary", re.compile(r"ovary|ovarian")),
)
_NOT_A_SITE = re.compile(r"marrow sampling|spinal cord|parathyroid|cartilage|ligament|urethra|combined site")
# The contract's anatomy codes (fhir_mappings/codelists.yaml) are bone sites too.
_CONTRACT_BONE_CODES = ("vertebrae", "spine_regions", "bones")


def body_site_valuesets(fsh_folder: Path | None) -> dict[str, dict[str, Any]]:
    """body-site-<organ> ValueSets from the body structures named in the mCODE IG source (CC0)."""
    found: dict[str, list[tuple[str, str | None]]] = {name: [] for name, _ in _BODY_SITES}
    if fsh_folder is not None:
        pattern = re.compile(r'SCT#([0-9]+) "([^"]*\(body structure\))"')
        for path in sorted(fsh_folder.glob("*.fsh")):
            for code, display in pattern.findall(path.read_text(encoding="utf-8")):
                text = display.lower()
                for name, rule in _BODY_SITES:
                    if rule.search(text) and not _NOT_A_SITE.search(text):
                        found[name].append((code, display))
                        break
    else:
        for name in found:
            found[name] = _existing_snomed(f"body-site-{name}")
    import yaml  # only the build needs it

    lists = yaml.safe_load((OUT.parent / "codelists.yaml").read_text(encoding="utf-8"))
    for key in _CONTRACT_BONE_CODES:
        found["bone"].extend((str(code), None) for code in lists[key])
    out = {}
    for name, items in found.items():
        if not items:
            continue
        vid = f"body-site-{name}"
        out[vid] = valueset(vid, f"Body site: {name}", f"bodySite codes that place a cancer in/at the {name}.",
                            {SNOMED: items})
    return out


AJCC_SYSTEM = AJCC
# Observation codes and values the mapper reads (disease status, TNM staging), each seen in the mCODE IG
# (STU1 and STU4 source), the mCODE Extraction Framework or the trial-matching examples.
CURATED: dict[str, tuple[str, str, dict[str, list[tuple[str, str | None]]]]] = {
    "disease-status-observation": ("Cancer disease status observation codes", "STU4 and STU1 codes.", {
        LOINC: [("97509-4", "Cancer Disease Progression"), ("88040-1", "Response to cancer treatment")]}),
    "disease-status-progressing": ("Disease status: progressing", "", {SNOMED: [
        ("271299001", "Patient's condition worsened (finding)"), ("230993007", "Worsening (qualifier value)"),
        ("255314001", "Progressive (qualifier value)")]}),
    "disease-status-stable": ("Disease status: stable", "", {SNOMED: [
        ("359746009", "Patient's condition stable (finding)"), ("58158008", "Stable (qualifier value)"),
        ("260388006", "No status change (qualifier value)")]}),
    "disease-status-improving": ("Disease status: improving (including partial remission)", "", {SNOMED: [
        ("268910001", "Patient's condition improved (finding)"), ("385633008", "Improving (qualifier value)"),
        ("551001000124108", "Malignant neoplasm in partial remission (disorder)"),
        ("103337004", "In partial remission (qualifier value)")]}),
    "disease-status-complete-remission": ("Disease status: complete remission / no evidence of disease", "", {
        SNOMED: [("550991000124107", "Malignant neoplasm in full remission (disorder)"),
                 ("103338009", "In full remission (qualifier value)"), ("260415000", "Not detected (qualifier value)"),
                 ("281900007", "No abnormality detected (finding)")]}),
    "disease-status-undetermined": ("Disease status: undetermined", "", {SNOMED: [
        ("709137006", "Patient condition undetermined (finding)")]}),
    "disease-status-distant-metastasis": ("Disease status: distant metastasis present", "", {SNOMED: [
        ("399409002", "Distant metastasis present (finding)")]}),
    "stage-group-observation": ("TNM stage group observation codes", "", {
        SNOMED: [("399390009", "TNM stage grouping"), ("399537006", "Clinical TNM stage grouping"),
                 ("399588009", "Pathologic TNM stage grouping")],
        LOINC: [("21908-9", "Stage group.clinical Cancer"), ("21902-2", "Stage group.pathology Cancer"),
                ("21914-7", "Stage group.other Cancer")]}),
    "tnm-m-observation": ("TNM distant metastasis (M) category observation codes", "", {
        SNOMED: [("277208005", "M category"), ("399387003", "cM category"), ("371497001", "pM category")],
        LOINC: [("21907-1", "Distant metastases.clinical [Class] Cancer"),
                ("21901-4", "Distant metastases.pathology [Class] Cancer"),
                ("21913-9", "Distant metastases.other [Class] Cancer")]}),
    "tnm-t-n-observation": ("TNM T and N category observation codes (read, not used)", "", {
        SNOMED: [("399504009", "cT category"), ("399534004", "cN category"), ("384625004", "pT category"),
                 ("371494008", "pN category")],
        LOINC: [("21905-5", "Primary tumor.clinical [Class] Cancer"), ("21899-0", "Primary tumor.pathology Cancer"),
                ("21906-3", "Regional lymph nodes.clinical [Class] Cancer"),
                ("21900-6", "Regional lymph nodes.pathology [Class] Cancer")]}),
    "stage-iv": ("Stage group IV (evidence of distant metastasis)", "", {
        SNOMED: [("1222837003", "American Joint Committee on Cancer stage IV (qualifier value)")],
        AJCC_SYSTEM: [(c, None) for c in ("4", "IV", "4A", "4B", "4C", "IVA", "IVB", "IVC", "Stage IV",
                                          "Stage IVA", "Stage IVB", "Stage IVC")]}),
    "tnm-m1": ("TNM M1 (distant metastasis)", "", {
        SNOMED: [("1229903009", "American Joint Committee on Cancer cM1"),
                 ("1229904003", "American Joint Committee on Cancer cM1a"),
                 ("1229907005", "American Joint Committee on Cancer cM1b"),
                 ("1229910003", "American Joint Committee on Cancer cM1c"),
                 ("1229916009", "American Joint Committee on Cancer pM1")],
        AJCC_SYSTEM: [(c, None) for c in ("M1", "cM1", "pM1", "M1a", "M1b", "M1c", "M1d", "cM1a", "cM1b", "cM1c",
                                          "cM1d", "pM1a", "pM1b", "pM1c", "pM1d")]}),
    "condition-stage-iv": ("Condition codes that state stage 4", "", {SNOMED: [
        ("423121009", "Non-small cell carcinoma of lung, TNM stage 4 (disorder)"),
        ("67841000119103", "Primary small cell malignant neoplasm of lung, TNM stage 4 (disorder)")]}),
}


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else None
    fsh = Path(argv[2]) if len(argv) > 2 else None
    OUT.mkdir(parents=True, exist_ok=True)
    built = build(folder)
    built.update(body_site_valuesets(fsh))
    for vid, (title, description, systems) in CURATED.items():
        built[vid] = valueset(vid, title, description or title + ".", systems)
    for vid, data in built.items():
        (OUT / f"ValueSet-{vid}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
    print(f"wrote {len(built)} ValueSets to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

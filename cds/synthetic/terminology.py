"""Code tables the synthetic-data builder writes.

Facts the mapper reads use only the codes of the contract (``fhir-input.md``) and
``fhir_mappings/codelists.yaml``; tests check that every code below that carries a clinical
fact maps back to the intended value through those code lists. The "noise" tables (vital
signs, labs, comorbidities, medications, routine procedures) are ordinary EHR codes chosen so
that none of them collides with a code the mapper matches on.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from fhir_mappings.codes import ICD10CM, LOINC, SNOMED

RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
DICOM_DCM: Final = "http://dicom.nema.org/resources/ontology/DCM"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/condition-category"
MCODE: Final = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
CODEXRT: Final = "http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/"

# Extension URLs (from codelists.yaml "extensions" and the mCODE STU4 examples).
EXT_RELATED_CONDITION: Final = "http://hl7.org/fhir/StructureDefinition/condition-related"
EXT_LATERALITY: Final = MCODE + "mcode-laterality-qualifier"
EXT_DOSE_DELIVERED: Final = MCODE + "mcode-radiotherapy-dose-delivered-to-volume"
EXT_SESSIONS: Final = MCODE + "mcode-radiotherapy-sessions"
EXT_PROCEDURE_INTENT: Final = MCODE + "mcode-procedure-intent"
EXT_DOSE_PLANNED: Final = CODEXRT + "codexrt-radiotherapy-dose-planned-to-volume"
EXT_REIRRADIATION: Final = CODEXRT + "codexrt-radiotherapy-course-involves-reirradiation"

PROFILE_PRIMARY: Final = MCODE + "mcode-primary-cancer-condition"
PROFILE_SECONDARY: Final = MCODE + "mcode-secondary-cancer-condition"
PROFILE_PATIENT: Final = MCODE + "mcode-cancer-patient"
PROFILE_RT_COURSE: Final = MCODE + "mcode-radiotherapy-course-summary"
PROFILE_RT_VOLUME: Final = MCODE + "mcode-radiotherapy-volume"
PROFILE_ECOG: Final = MCODE + "mcode-ecog-performance-status"
PROFILE_KPS: Final = MCODE + "mcode-karnofsky-performance-status"
PROFILE_DISEASE_STATUS: Final = MCODE + "mcode-cancer-disease-status"
PROFILE_TUMOR_MARKER: Final = MCODE + "mcode-tumor-marker-test"


class Code(NamedTuple):
    system: str
    code: str
    display: str | None = None


# Primary cancer by histology (cds.state.Histology). ICD-10-CM billable codes whose prefix is in
# codelists.yaml; SNOMED only where the contract names one (lung subtypes). Breast uses the
# billable C50.919/C50.929 (female/male, unspecified site) rather than the category C50.9.
PRIMARY_CODES: Final[dict[str, Code]] = {
    "breast": Code(ICD10CM, "C50.919", "Malignant neoplasm of unspecified site of unspecified female breast"),
    "prostate": Code(ICD10CM, "C61", "Malignant neoplasm of prostate"),
    "lung": Code(ICD10CM, "C34.90", "Malignant neoplasm of unspecified part of unspecified bronchus or lung"),
    "lung-nsclc": Code(SNOMED, "254637007", "Non-small cell lung cancer"),
    "lung-sclc": Code(SNOMED, "254632001", "Small cell carcinoma of lung"),
    "kidney": Code(ICD10CM, "C64.9", "Malignant neoplasm of unspecified kidney, except renal pelvis"),
    "melanoma": Code(ICD10CM, "C43.9", "Malignant melanoma of skin, unspecified"),
    "thyroid": Code(ICD10CM, "C73", "Malignant neoplasm of thyroid gland"),
    "liver": Code(ICD10CM, "C22.0", "Liver cell carcinoma"),
    "colorectal": Code(ICD10CM, "C18.9", "Malignant neoplasm of colon, unspecified"),
    "gi-other": Code(ICD10CM, "C16.9", "Malignant neoplasm of stomach, unspecified"),
    "sarcoma": Code(ICD10CM, "C49.9", "Malignant neoplasm of connective and soft tissue, unspecified"),
    "myeloma": Code(ICD10CM, "C90.00", "Multiple myeloma not having achieved remission"),
    "lymphoma": Code(ICD10CM, "C85.90", "Non-Hodgkin lymphoma, unspecified, unspecified site"),
    "germ-cell": Code(ICD10CM, "C62.90", "Malignant neoplasm of unspecified testis"),
    "ovary": Code(ICD10CM, "C56.9", "Malignant neoplasm of unspecified ovary"),
    # Deliberately unmappable: the contract turns it into histology "unknown" plus a data gap.
    "unknown": Code(ICD10CM, "C80.1", "Malignant (primary) neoplasm, unspecified"),
}
MALE_BREAST: Final = Code(ICD10CM, "C50.929", "Malignant neoplasm of unspecified site of unspecified male breast")
# The contract's SNOMED alternatives, for builders that want SNOMED-coded primaries.
PRIMARY_SNOMED: Final[dict[str, Code]] = {
    "breast": Code(SNOMED, "254837009", "Malignant neoplasm of breast"),
    "prostate": Code(SNOMED, "399068003", "Malignant tumor of prostate"),
    "lung": Code(SNOMED, "93880001", "Primary malignant neoplasm of lung"),
    "lung-nsclc": PRIMARY_CODES["lung-nsclc"],
    "lung-sclc": PRIMARY_CODES["lung-sclc"],
}

BONE_METASTASIS_SNOMED: Final = Code(SNOMED, "94222008", "Secondary malignant neoplasm of bone")
BONE_METASTASIS_ICD10: Final = Code(ICD10CM, "C79.51", "Secondary malignant neoplasm of bone")

VISCERAL_CODES: Final[dict[str, Code]] = {
    "liver": Code(ICD10CM, "C78.7", "Secondary malignant neoplasm of liver and intrahepatic bile duct"),
    "brain": Code(ICD10CM, "C79.31", "Secondary malignant neoplasm of brain"),
    "lung": Code(ICD10CM, "C78.00", "Secondary malignant neoplasm of unspecified lung"),
    "pleura": Code(ICD10CM, "C78.2", "Secondary malignant neoplasm of pleura"),
    "adrenal": Code(ICD10CM, "C79.70", "Secondary malignant neoplasm of unspecified adrenal gland"),
    "peritoneum": Code(ICD10CM, "C78.6", "Secondary malignant neoplasm of retroperitoneum and peritoneum"),
    # Nodal disease is not visceral (contract: C77.* is its own class).
    "lymph-node": Code(ICD10CM, "C77.9", "Secondary and unspecified malignant neoplasm of lymph node, unspecified"),
    "mediastinal-nodes": Code(ICD10CM, "C77.1", "Secondary malignant neoplasm of intrathoracic lymph nodes"),
    "axillary-nodes": Code(ICD10CM, "C77.3", "Secondary malignant neoplasm of axilla and upper limb lymph nodes"),
}

CORD_COMPRESSION: Final = Code(SNOMED, "71286001", "Spinal cord compression")
CAUDA_EQUINA: Final = Code(SNOMED, "192970008", "Cauda equina syndrome")
PARAPLEGIA: Final = Code(SNOMED, "60389000", "Paraplegia")
PATHOLOGICAL_FRACTURE: Final = Code(SNOMED, "268029009", "Pathological fracture")
SURGICAL_PROCEDURE: Final = Code(SNOMED, "387713003", "Surgical procedure")
RT_COURSE: Final = Code(SNOMED, "1217123003", "Radiotherapy course of treatment")
RT_STEREOTACTIC: Final = Code(SNOMED, "395096001", "Stereotactic radiotherapy")
PALLIATIVE_INTENT: Final = Code(SNOMED, "363676003", "Palliative - procedure intent")
LEFT: Final = Code(SNOMED, "7771000", "Left")
RIGHT: Final = Code(SNOMED, "24028007", "Right")

LOINC_ECOG: Final = Code(LOINC, "89247-1", "ECOG Performance Status score")
LOINC_KPS: Final = Code(LOINC, "89243-0", "Karnofsky Performance Status score")
LOINC_SURVIVAL: Final = Code(LOINC, "75327-7", "Estimated survival")
LOINC_DISEASE_STATUS: Final = Code(LOINC, "97509-4", "Cancer disease progression")
LOINC_PAIN: Final = Code(LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
LOINC_RECEPTORS: Final[dict[str, Code]] = {
    "er": Code(LOINC, "85337-4", "Estrogen receptor Ag [Presence] in Breast cancer specimen by Immune stain"),
    "pr": Code(LOINC, "85339-0", "Progesterone receptor Ag [Presence] in Breast cancer specimen by Immune stain"),
    "her2": Code(LOINC, "48676-1", "HER2 [Interpretation] in Tissue"),
}
LOINC_IMAGING_STUDY: Final = Code(LOINC, "18748-4", "Diagnostic imaging study")
LOINC_RADIOLOGY_CATEGORY: Final = Code(LOINC, "LP29684-5", "Radiology")
ECOG_ANSWERS: Final[dict[int, str]] = {
    0: "LA9622-7",
    1: "LA9623-5",
    2: "LA9624-3",
    3: "LA9625-0",
    4: "LA9626-8",
    5: "LA9627-6",
}
RECEPTOR_VALUES: Final[dict[str, Code]] = {
    "positive": Code(SNOMED, "10828004", "Positive"),
    "negative": Code(SNOMED, "260385009", "Negative"),
}
DISEASE_STATUS_VALUES: Final[dict[str, Code]] = {
    "progressing": Code(SNOMED, "271299001", "Patient's condition worsened"),
    "stable": Code(SNOMED, "359746009", "Patient's condition stable"),
    "improving": Code(SNOMED, "268910001", "Patient's condition improved"),
}

# Imaging modalities: DICOM codes for ImagingStudy.modality.
IMAGING_MODALITIES: Final[dict[str, tuple[str, ...]]] = {
    "PET-CT": ("PT", "CT"),
    "CT": ("CT",),
    "MRI": ("MR",),
    "bone scan": ("NM",),
    "X-ray": ("DX",),
}

# ---- EHR noise -------------------------------------------------------------------------------


class Measure(NamedTuple):
    code: str
    display: str
    unit: str
    mean: float
    sd: float
    decimals: int


VITALS: Final[dict[str, Measure]] = {
    "heart-rate": Measure("8867-4", "Heart rate", "/min", 80, 12, 0),
    "respiratory-rate": Measure("9279-1", "Respiratory rate", "/min", 16, 2.5, 0),
    "body-temperature": Measure("8310-5", "Body temperature", "Cel", 36.8, 0.4, 1),
    "oxygen-saturation": Measure("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", 96, 2, 0),
    "body-weight": Measure("29463-7", "Body weight", "kg", 72, 14, 1),
}
BLOOD_PRESSURE_PANEL: Final = Code(LOINC, "85354-9", "Blood pressure panel with all children optional")
SYSTOLIC: Final = Measure("8480-6", "Systolic blood pressure", "mm[Hg]", 132, 16, 0)
DIASTOLIC: Final = Measure("8462-4", "Diastolic blood pressure", "mm[Hg]", 78, 10, 0)

LABS: Final[dict[str, Measure]] = {
    "haemoglobin": Measure("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 11.8, 1.6, 1),
    "leukocytes": Measure("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 6.8, 2.2, 1),
    "platelets": Measure("777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 240, 70, 0),
    "creatinine": Measure("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.95, 0.25, 2),
    "calcium": Measure("17861-6", "Calcium [Mass/volume] in Serum or Plasma", "mg/dL", 9.6, 0.7, 1),
    "alkaline-phosphatase": Measure(
        "6768-6", "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 140, 70, 0
    ),
    "albumin": Measure("1751-7", "Albumin [Mass/volume] in Serum or Plasma", "g/dL", 3.7, 0.5, 1),
    "sodium": Measure("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 139, 3, 0),
    "potassium": Measure("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 4.2, 0.4, 1),
}
TUMOUR_MARKER_LABS: Final[dict[str, Measure]] = {
    "prostate": Measure("2857-1", "Prostate specific Ag [Mass/volume] in Serum or Plasma", "ng/mL", 40, 30, 1),
    "breast": Measure("6875-9", "Cancer Ag 15-3 [Units/volume] in Serum or Plasma", "U/mL", 60, 40, 0),
    "colorectal": Measure("2039-6", "Carcinoembryonic Ag [Mass/volume] in Serum or Plasma", "ng/mL", 25, 20, 1),
}

COMORBIDITIES: Final[dict[str, Code]] = {
    "hypertension": Code(SNOMED, "38341003", "Hypertensive disorder"),
    "type-2-diabetes": Code(SNOMED, "44054006", "Diabetes mellitus type 2"),
    "hyperlipidaemia": Code(SNOMED, "55822004", "Hyperlipidemia"),
    "copd": Code(SNOMED, "13645005", "Chronic obstructive lung disease"),
    "hypothyroidism": Code(SNOMED, "40930008", "Hypothyroidism"),
    "osteoarthritis": Code(SNOMED, "396275006", "Osteoarthritis"),
    "depression": Code(SNOMED, "35489007", "Depressive disorder"),
    "gord": Code(SNOMED, "235595009", "Gastroesophageal reflux disease"),
    "atrial-fibrillation": Code(SNOMED, "49436004", "Atrial fibrillation"),
    "ckd-3": Code(SNOMED, "433144002", "Chronic kidney disease stage 3"),
    "anaemia": Code(SNOMED, "271737000", "Anemia"),
    "obesity": Code(SNOMED, "414916001", "Obesity"),
}

MEDICATIONS: Final[dict[str, Code]] = {
    # anticancer (systemic therapy)
    "letrozole": Code(RXNORM, "72965", "letrozole"),
    "anastrozole": Code(RXNORM, "84857", "anastrozole"),
    "tamoxifen": Code(RXNORM, "10324", "tamoxifen"),
    "fulvestrant": Code(RXNORM, "282357", "fulvestrant"),
    "palbociclib": Code(RXNORM, "1601374", "palbociclib"),
    "trastuzumab": Code(RXNORM, "224905", "trastuzumab"),
    "capecitabine": Code(RXNORM, "194000", "capecitabine"),
    "paclitaxel": Code(RXNORM, "56946", "paclitaxel"),
    "docetaxel": Code(RXNORM, "72962", "docetaxel"),
    "carboplatin": Code(RXNORM, "40048", "carboplatin"),
    "pemetrexed": Code(RXNORM, "68446", "pemetrexed"),
    "pembrolizumab": Code(RXNORM, "1547545", "pembrolizumab"),
    "nivolumab": Code(RXNORM, "1597876", "nivolumab"),
    "osimertinib": Code(RXNORM, "1721560", "osimertinib"),
    "enzalutamide": Code(RXNORM, "1307298", "enzalutamide"),
    "abiraterone": Code(RXNORM, "1100072", "abiraterone"),
    "leuprolide": Code(RXNORM, "42375", "leuprolide"),
    "sunitinib": Code(RXNORM, "357977", "sunitinib"),
    "cabozantinib": Code(RXNORM, "1363268", "cabozantinib"),
    "lenalidomide": Code(RXNORM, "342369", "lenalidomide"),
    "bortezomib": Code(RXNORM, "358258", "bortezomib"),
    # supportive and unrelated
    "zoledronic-acid": Code(RXNORM, "77655", "zoledronic acid"),
    "denosumab": Code(RXNORM, "993449", "denosumab"),
    "dexamethasone": Code(RXNORM, "3264", "dexamethasone"),
    "oxycodone": Code(RXNORM, "7804", "oxycodone"),
    "morphine": Code(RXNORM, "7052", "morphine"),
    "acetaminophen": Code(RXNORM, "161", "acetaminophen"),
    "ondansetron": Code(RXNORM, "26225", "ondansetron"),
    "lisinopril": Code(RXNORM, "29046", "lisinopril"),
    "amlodipine": Code(RXNORM, "17767", "amlodipine"),
    "metformin": Code(RXNORM, "6809", "metformin"),
    "atorvastatin": Code(RXNORM, "83367", "atorvastatin"),
    "omeprazole": Code(RXNORM, "7646", "omeprazole"),
    "levothyroxine": Code(RXNORM, "10582", "levothyroxine"),
    "metoprolol": Code(RXNORM, "6918", "metoprolol"),
}
ANTICANCER: Final = frozenset(
    {
        "letrozole",
        "anastrozole",
        "tamoxifen",
        "fulvestrant",
        "palbociclib",
        "trastuzumab",
        "capecitabine",
        "paclitaxel",
        "docetaxel",
        "carboplatin",
        "pemetrexed",
        "pembrolizumab",
        "nivolumab",
        "osimertinib",
        "enzalutamide",
        "abiraterone",
        "leuprolide",
        "sunitinib",
        "cabozantinib",
        "lenalidomide",
        "bortezomib",
    }
)

# Routine procedures. Never 387713003 (it documents surgery at a lesion) nor any RT code.
ROUTINE_PROCEDURES: Final[dict[str, Code]] = {
    "venipuncture": Code(SNOMED, "82078001", "Collection of blood specimen for laboratory"),
    "ct": Code(SNOMED, "77477000", "Computerized axial tomography"),
    "mri": Code(SNOMED, "113091000", "Magnetic resonance imaging"),
    "radiography": Code(SNOMED, "168537006", "Plain radiography"),
    "medication-reconciliation": Code(SNOMED, "430193006", "Medication reconciliation"),
    "biopsy": Code(SNOMED, "86273004", "Biopsy"),
    "chemotherapy": Code(SNOMED, "367336001", "Chemotherapy"),
    "colonoscopy": Code(SNOMED, "73761001", "Colonoscopy"),
}

ENCOUNTER_CLASSES: Final[dict[str, str]] = {
    "AMB": "ambulatory",
    "IMP": "inpatient encounter",
    "EMER": "emergency",
    "VR": "virtual",
}

"""The discovery document: the three services, their hooks and prefetch templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from cds.service.prefetch import TEMPLATES

Kind = Literal["patient-view", "order-check"]


@dataclass(frozen=True)
class ServiceDefinition:
    id: str
    hook: str
    title: str
    description: str
    kind: Kind
    usage: str

    def discovery(self) -> dict[str, Any]:
        return {"hook": self.hook, "id": self.id, "title": self.title, "description": self.description,
                "prefetch": dict(TEMPLATES), "usageRequirements": self.usage}


_USAGE = ("Send the prefetch (or fhirServer with fhirAuthorization so the service can fetch it) and a JWT "
          "signed by a trusted issuer. Bone metastases are read from Conditions; lesion findings from "
          "Observations focused on them.")

SERVICES: dict[str, ServiceDefinition] = {s.id: s for s in (
    ServiceDefinition(
        id="bone-mets-rt", hook="patient-view", kind="patient-view",
        title="Radiotherapy of bone metastases",
        description="Per-lesion recommendations for radiotherapy or surgical referral of bone metastases "
                    "(conventional RT, SBRT, SIB-IMRT), with eligibility, BED, citations and data gaps.",
        usage=_USAGE),
    ServiceDefinition(
        id="bone-mets-rt-order-select", hook="order-select", kind="order-check",
        title="Radiotherapy order check (selection)",
        description="Checks a selected draft radiotherapy ServiceRequest (site, regimen, technique) against "
                    "the patient's bone-metastasis evaluation; silent when the order matches.",
        usage=_USAGE),
    ServiceDefinition(
        id="bone-mets-rt-order-sign", hook="order-sign", kind="order-check",
        title="Radiotherapy order check (signing)",
        description="Checks every draft radiotherapy ServiceRequest about to be signed against the patient's "
                    "bone-metastasis evaluation; silent when the orders match.",
        usage=_USAGE),
)}


def discovery_document() -> dict[str, Any]:
    return {"services": [s.discovery() for s in SERVICES.values()]}

"""CSV for screening a cohort: one row per patient and lesion."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from cds.output import Evaluation

COLUMNS = ["patient", "lesion", "site", "region", "recommendations", "urgent", "sib_imrt", "sbrt",
           "mescc_surgery", "data_gaps", "ruleset_version", "error"]
"""``error``: empty, or the one-line problem of an input or patient that could not be evaluated."""


def rows(evaluation: Evaluation) -> Iterable[dict[str, str]]:
    lesions = evaluation.lesions or ()
    if not lesions:
        yield {"patient": evaluation.patient.id, "lesion": "", "site": "", "region": "", "recommendations": "",
               "urgent": "", "sib_imrt": "", "sbrt": "", "mescc_surgery": "",
               "data_gaps": str(len(evaluation.data_gaps)), "ruleset_version": evaluation.ruleset.version}
        return
    for lesion in lesions:
        recs = evaluation.recommendations_for(lesion.id)
        gaps = [g for g in evaluation.data_gaps if g.lesion in (lesion.id, None)]
        yield {
            "patient": evaluation.patient.id,
            "lesion": lesion.id,
            "site": lesion.site,
            "region": lesion.region,
            "recommendations": ";".join(f"{r.code}:{r.reason}:{r.priority}" for r in recs),
            "urgent": "yes" if any(r.priority == "urgent" for r in recs) else "no",
            "sib_imrt": lesion.eligibility["sib-imrt"].status if "sib-imrt" in lesion.eligibility else "",
            "sbrt": lesion.eligibility["sbrt"].status if "sbrt" in lesion.eligibility else "",
            "mescc_surgery": (lesion.eligibility["mescc-surgery"].status
                              if "mescc-surgery" in lesion.eligibility else ""),
            "data_gaps": ";".join(sorted({g.fact for g in gaps})),
            "ruleset_version": evaluation.ruleset.version,
        }


class CsvWriter:
    """Writes the header once, then rows as evaluations arrive."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self._writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
        self._writer.writeheader()

    def write(self, evaluation: Evaluation) -> None:
        for row in rows(evaluation):
            self._writer.writerow(row)

"""The clinician review report: the BDD run, the rules it exercised and a sign-off table per feature."""

from cds.review.report import ReviewReportError, build_review_report

__all__ = ["ReviewReportError", "build_review_report"]

"""The CDS Hooks service: patient-view, order-select, order-sign and feedback (see docs/service.md)."""

"""Clinical decision support for radiotherapy of bone metastases."""

__version__ = "0.1.0"

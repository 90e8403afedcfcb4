"""The platform's own bookkeeping tables (no school records live here)."""

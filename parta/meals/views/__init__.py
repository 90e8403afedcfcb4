"""The meals pages: the family's (``family``), the simulated payment provider's (``provider``) and
the school cafeteria's (``cafeteria``)."""

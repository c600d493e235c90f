"""Plain-data context -> HTML (Jinja) -> PDF (WeasyPrint). No Flask."""

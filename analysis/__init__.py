"""Pure numpy/scipy statistics for Lentera: no Flask, no database, no instruments."""

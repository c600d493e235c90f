"""The Lentera Flask app: the only package that imports Flask; it wires the other three."""

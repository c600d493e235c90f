"""A minimal valid instrument file, and helpers to break it one rule at a time."""

MINIMAL = """\
format = 1
id = "demo"
version = "1.0"
kind = "culture"
title.id = "Contoh"
title.en = "Example"
intro.id = "Pengantar."
intro.en = "Introduction."
citation = "Nobody (2020). A framework."
licence.id = "Bebas dipakai."
licence.en = "Free to use."

[[scales]]
code = "DM"
name.id = "Skala contoh"
name.en = "Example scale"
points = 3
labels.id = ["Tidak", "Kadang", "Ya"]
labels.en = ["No", "Sometimes", "Yes"]
referent = "collective"
direction = "higher_better"

[[dimensions]]
code = "DM-A"
scale = "DM"
name.id = "Dimensi A"
name.en = "Dimension A"
description.id = "Tentang A."
description.en = "About A."

[[dimensions.actions]]
kind = "training"
text.id = "Pelatihan A."
text.en = "Training A."

[[items]]
code = "DM-A1"
dimension = "DM-A"
text.id = "Butir satu."
text.en = "Item one."

[[items]]
code = "DM-A2"
dimension = "DM-A"
reverse = true
text.id = "Butir dua."
text.en = "Item two."
"""


def skm_text() -> str:
    """A minimal valid SKM file: 9 unsur U1..U9, one dimension each, answered 1-4."""
    head = MINIMAL.split("[[scales]]")[0].replace('"demo"', '"skmdemo"')
    head = head.replace('kind = "culture"', 'kind = "skm"')
    parts = [head, """\
[[scales]]
code = "SK"
name.id = "Kepuasan"
name.en = "Satisfaction"
points = 4
labels.id = ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]
labels.en = ["Not appropriate", "Less appropriate", "Appropriate", "Very appropriate"]
referent = "individual"
direction = "higher_better"
reversible = false
"""]
    for n in range(1, 10):
        parts.append(f"""
[[dimensions]]
code = "SK-U{n}"
scale = "SK"
name.id = "Unsur {n}"
name.en = "Element {n}"
description.id = "Unsur ke-{n}."
description.en = "Element number {n}."
actions = [{{ kind = "other", text.id = "Perbaiki {n}.", text.en = "Improve {n}." }}]

[[items]]
code = "U{n}"
dimension = "SK-U{n}"
text.id = "Pertanyaan {n}?"
text.en = "Question {n}?"
""")
    return "".join(parts)


def mutate(text: str, old: str, new: str) -> str:
    """Replace `old` (which must occur exactly once, so the test breaks what it means to)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)

"""The survey in pages: which questions each page holds.

Page rule: one instrument per page while it has at most `MAX_QUESTIONS` (15) questions. A
longer instrument is split into the fewest pages of at most 15 questions that keep every
dimension whole (its respondent questions, if any, count as one more block), the pages as even
as possible, an earlier page the larger one on a tie. A dimension of more than 15 items is a
page of its own. The optional cut question (jabatan) comes last, on the last page, and after
it the optional comment box (`comment`, stored redacted and apart from the answers).

The shipped culture survey (17 + 12 + 21 items) is thus 5 pages of 9, 8, 12, 12 and 9 + 1
questions. The pages depend only on the wave's pinned instruments, so every page POST
computes them again and nothing about them travels in the form except the page number.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from instruments.model import Dimension, Instrument, Question, Scale

MAX_QUESTIONS = 15


@dataclass(frozen=True)
class Block:
    """What cannot be split across pages: one dimension (with its scale), or an instrument's
    respondent questions."""

    scale: Scale | None
    dimension: Dimension | None
    questions: tuple[Question, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        """The form fields of the block, in form order."""
        if self.dimension is not None:
            return tuple(item.code for item in self.dimension.items)
        return tuple(q.code for q in self.questions)


@dataclass(frozen=True)
class Page:
    """One page of the survey: blocks of one instrument, and on the last page the cut."""

    number: int  # 1-based
    instrument: Instrument
    blocks: tuple[Block, ...]
    cut: bool
    comment: bool = False  # the last page: the optional comment box

    @property
    def fields(self) -> tuple[str, ...]:
        """The form fields answered on this page, in form order."""
        fields = tuple(f for block in self.blocks for f in block.fields)
        return (*fields, "cut") if self.cut else fields

    @property
    def form_fields(self) -> tuple[str, ...]:
        """Every field the page posts of its own: the questions and the comment box."""
        return (*self.fields, "comment") if self.comment else self.fields


def paginate(instruments: Sequence[Instrument], cut: bool,
             limit: int = MAX_QUESTIONS) -> tuple[Page, ...]:
    """The pages of a survey of `instruments` (module docstring); `cut`: the wave asks it."""
    groups = [group for inst in instruments for group in
              ((inst, blocks) for blocks in _split(_blocks(inst), limit))]
    return tuple(Page(number, inst, blocks, cut and number == len(groups),
                      number == len(groups))
                 for number, (inst, blocks) in enumerate(groups, start=1))


def _blocks(inst: Instrument) -> list[Block]:
    blocks = [Block(scale, dim) for scale in inst.scales for dim in scale.dimensions]
    if inst.respondent_questions:
        blocks.append(Block(None, None, inst.respondent_questions))
    return blocks


def _split(blocks: list[Block], limit: int) -> list[tuple[Block, ...]]:
    """Contiguous groups of `blocks`: the fewest whose largest holds at most `limit`
    questions (a single larger block stands alone), as even as possible."""
    if not blocks:
        return []
    sizes = [len(b.fields) for b in blocks]
    bounds: tuple[int, ...] = tuple(range(len(blocks) + 1))  # one block a page, the fallback
    for pages in range(min(len(blocks), math.ceil(sum(sizes) / limit)) or 1, len(blocks)):
        cuts = min(itertools.combinations(range(1, len(blocks)), pages - 1),
                   key=lambda cuts: _evenness(sizes, cuts, limit))
        if _evenness(sizes, cuts, limit)[0] == 0:
            bounds = (0, *cuts, len(blocks))
            break
    return [tuple(blocks[a:b]) for a, b in itertools.pairwise(bounds)]


def _evenness(sizes: list[int], cuts: tuple[int, ...],
              limit: int) -> tuple[int, int, tuple[int, ...]]:
    """Sort key of a split: pages over `limit` with more than one block (0 for a valid
    split), then its largest page, then earlier pages larger."""
    bounds = (0, *cuts, len(sizes))
    pages = [(sum(sizes[a:b]), b - a) for a, b in itertools.pairwise(bounds)]
    over = sum(1 for size, blocks in pages if size > limit and blocks > 1)
    return over, max(size for size, _ in pages), tuple(-size for size, _ in pages)

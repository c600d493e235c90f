"""Service layer: plain functions that change the session and flush; the caller commits once."""

from .dataset import WaveDataset, closed_waves, training_log, wave_dataset, wave_datasets
from .publication import ReportingError, UnitCount, unit_counts
from .responses import (
                        CUT_CHOICES,
                        AnswersInvalid,
                        CodeRefused,
                        FormTampered,
                        Receipt,
                        StoredAnswer,
                        check_code,
                        store_response,
                        validate_answers,
                        wave_instruments,
)
from .units import ImportRejected, RowError, import_units, subtree_ids, units_in_tree_order
from .waves import (
                        IssuedCode,
                        WaveRuleError,
                        add_audit_entry,
                        add_training,
                        close_wave,
                        create_wave,
                        issue_codes,
                        open_wave,
                        update_draft,
)

__all__ = [
    "CUT_CHOICES", "AnswersInvalid", "CodeRefused", "FormTampered", "ImportRejected",
    "IssuedCode", "Receipt", "ReportingError", "RowError", "StoredAnswer", "UnitCount",
    "WaveDataset", "WaveRuleError", "add_training", "add_audit_entry",
    "check_code", "close_wave", "closed_waves", "create_wave", "import_units", "issue_codes",
    "open_wave", "store_response", "subtree_ids",
    "training_log", "unit_counts", "units_in_tree_order", "update_draft", "validate_answers",
    "wave_dataset", "wave_datasets", "wave_instruments",
]

"""The referral API's request and response models, with OpenAPI examples, built from the terms of
:mod:`referral.schemas.vocabulary` (each defined once, so a field's name means the same in every model)."""

from referral.schemas.children import CHILD_REQUIRED_FIELDS, CensusQueryOut, ChildIn, ChildOut, ChildPatch, PossibleMatch
from referral.schemas.imports import ChildrenImportAnswer, ChildrenImportIn
from referral.schemas.referrals import (
    ContactItem,
    ContactOut,
    CorrectionIn,
    DecisionIn,
    DecisionOut,
    InformationAnswerIn,
    InformationRequestIn,
    InformationRequestOut,
    QueueItem,
    ReferralIn,
    ReferralOut,
    ReferralSummary,
    Referrer,
)

__all__ = [
    "CHILD_REQUIRED_FIELDS",
    "CensusQueryOut",
    "ChildIn",
    "ChildOut",
    "ChildPatch",
    "ChildrenImportAnswer",
    "ChildrenImportIn",
    "ContactItem",
    "ContactOut",
    "CorrectionIn",
    "DecisionIn",
    "DecisionOut",
    "InformationAnswerIn",
    "InformationRequestIn",
    "InformationRequestOut",
    "PossibleMatch",
    "QueueItem",
    "ReferralIn",
    "ReferralOut",
    "ReferralSummary",
    "Referrer",
]

"""The closed vocabularies of the contracts, as Python enums (values equal the Avro symbols)."""

from __future__ import annotations

from enum import StrEnum


class Agency(StrEnum):
    POLICE = "police"
    HEALTH = "health"
    EDUCATION = "education"
    GUARDIANSHIP = "guardianship"
    SOCIAL = "social"


class SignalType(StrEnum):
    DOMESTIC_VIOLENCE = "domestic_violence"
    PARENT_INTOXICATED = "parent_intoxicated"
    CHILD_UNSUPERVISED = "child_unsupervised"
    PARENT_DETAINED = "parent_detained"
    MISSING_CHILD = "missing_child"
    SUSPICIOUS_INJURY = "suspicious_injury"
    NEWBORN_ABANDONMENT_RISK = "newborn_abandonment_risk"
    MISSED_CHECKUPS = "missed_checkups"
    MALNUTRITION = "malnutrition"
    PARENT_SUBSTANCE_TREATMENT = "parent_substance_treatment"
    PROLONGED_ABSENCE = "prolonged_absence"
    SIGNS_OF_NEGLECT = "signs_of_neglect"
    NOT_ENROLLED = "not_enrolled"
    PARENTAL_RIGHTS_RESTRICTED = "parental_rights_restricted"
    PARENTAL_RIGHTS_TERMINATED = "parental_rights_terminated"
    TEMPORARY_PLACEMENT_REQUEST = "temporary_placement_request"
    CHILD_WITHOUT_CARE = "child_without_care"
    INSTITUTIONAL_PLACEMENT = "institutional_placement"
    DIFFICULT_LIFE_SITUATION = "difficult_life_situation"
    HOUSING_LOSS = "housing_loss"
    OTHER = "other"


SIGNAL_TYPES_BY_AGENCY: dict[Agency, frozenset[SignalType]] = {
    Agency.POLICE: frozenset(
        {
            SignalType.DOMESTIC_VIOLENCE,
            SignalType.PARENT_INTOXICATED,
            SignalType.CHILD_UNSUPERVISED,
            SignalType.PARENT_DETAINED,
            SignalType.MISSING_CHILD,
        }
    ),
    Agency.HEALTH: frozenset(
        {
            SignalType.SUSPICIOUS_INJURY,
            SignalType.NEWBORN_ABANDONMENT_RISK,
            SignalType.MISSED_CHECKUPS,
            SignalType.MALNUTRITION,
            SignalType.PARENT_SUBSTANCE_TREATMENT,
        }
    ),
    Agency.EDUCATION: frozenset(
        {SignalType.PROLONGED_ABSENCE, SignalType.SIGNS_OF_NEGLECT, SignalType.NOT_ENROLLED}
    ),
    Agency.GUARDIANSHIP: frozenset(
        {
            SignalType.PARENTAL_RIGHTS_RESTRICTED,
            SignalType.PARENTAL_RIGHTS_TERMINATED,
            SignalType.TEMPORARY_PLACEMENT_REQUEST,
            SignalType.CHILD_WITHOUT_CARE,
            SignalType.INSTITUTIONAL_PLACEMENT,
        }
    ),
    Agency.SOCIAL: frozenset({SignalType.DIFFICULT_LIFE_SITUATION, SignalType.HOUSING_LOSS}),
}


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class PersonRole(StrEnum):
    CHILD = "child"
    MOTHER = "mother"
    FATHER = "father"
    GUARDIAN = "guardian"
    RELATIVE = "relative"
    OTHER_ADULT = "other_adult"


class ReceiptStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    AMENDED = "amended"
    REJECTED = "rejected"


class AlertType(StrEnum):
    CASE_OPENED = "case_opened"
    CASE_ESCALATED = "case_escalated"
    SIGNAL_ADDED = "signal_added"
    POSSIBLE_MATCH = "possible_match"
    ACK_OVERDUE = "ack_overdue"
    REVIEW_DUE = "review_due"
    CASE_REOPENED = "case_reopened"


class PriorityLevel(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"

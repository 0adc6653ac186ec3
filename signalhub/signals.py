"""The edge model of `RiskSignal` (schemas/avro/RiskSignal/v2.avsc): the one validation of a signal.

Producers validate with it before encoding; intake validates decoded messages with it again.
Contracts:
- `RiskSignalModel` has exactly the Avro fields (`extra="forbid"`); `to_avro()` gives the dict
  the codec encodes and `from_avro()` reads the dict the codec decodes (round trip is identity).
- Rules beyond the schema: at least one child; children have role `child`, adults do not;
  `signal_type` belongs to the agency (or is `other`); the SNILS checksum is checked when present
  (birth certificate and OMS policy pass as recorded: linkage ignores those that do not
  normalise, and a typo in one must not cost a child's signal); times are timezone-aware and
  kept to the millisecond (as Avro keeps them), `reported_at` is not in the future and not before
  `occurred_at`; OKTMO has 8 or 11 digits, the region code 2; lengths are bounded; texts, names
  and birth dates follow `signalhub.signal_rules` (no control characters, no lone combining marks,
  born 1900 or later and not in the future, children under 18).
- `validate_signal(data, rules)` is the one validation every edge runs (publisher, gateway, file
  import, intake), with the hub's `SignalRules` (region, oldest `occurred_at`).
- Errors never carry input values (personal data): use `field_errors()` or `SignalValidationError`,
  never `str()` of a pydantic `ValidationError` (it quotes the input). Both live in
  `signalhub.signal_errors` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from signalhub.domain.identifiers import snils_valid
from signalhub.domain.vocabulary import SIGNAL_TYPES_BY_AGENCY, Agency, PersonRole, Severity, SignalType
from signalhub.signal_errors import FieldError, SignalValidationError, field_errors
from signalhub.signal_rules import (
    SignalRules,
    check_birth_date,
    check_line,
    check_name,
    check_prose,
    check_signal,
)

__all__ = [
    "AddressModel",
    "FieldError",
    "PersonModel",
    "ReporterModel",
    "RiskSignalModel",
    "SignalRules",
    "SignalValidationError",
    "field_errors",
    "validate_signal",
]

# Clocks of agency systems drift; a little skew must not reject a signal.
CLOCK_SKEW = timedelta(minutes=5)

Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(check_name)]
Text = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(check_line)]


Line = Annotated[str, AfterValidator(check_line)]  # bounded where used: Annotated[Line, Field(...)]
Prose = Annotated[str, AfterValidator(check_prose)]


class _Edge(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PersonModel(_Edge):
    """A person as the agency recorded them; identifiers kept as written (SNILS checked when present)."""

    role: PersonRole
    surname: Name
    first_name: Name
    patronymic: Name | None = None
    birth_date: Annotated[date, AfterValidator(check_birth_date)] | None = None
    sex: Annotated[str, Field(pattern=r"^[MF]$")] | None = None
    snils: Annotated[Line, Field(max_length=20)] | None = None
    birth_cert: Annotated[Line, Field(max_length=30)] | None = None
    oms_policy: Annotated[Line, Field(max_length=30)] | None = None

    @field_validator("snils")
    @classmethod
    def _snils(cls, value: str | None) -> str | None:
        if value is not None and not snils_valid(value):
            raise ValueError("SNILS must have 11 digits and a valid checksum")
        return value


class AddressModel(_Edge):
    text: Text
    locality: Name | None = None
    street: Name | None = None
    house: Annotated[Line, Field(max_length=20)] | None = None
    flat: Annotated[Line, Field(max_length=20)] | None = None
    fias_guid: Annotated[Line, Field(max_length=40)] | None = None


class ReporterModel(_Edge):
    name: Name
    position: Annotated[Line, Field(max_length=200)] | None = None
    phone: Annotated[Line, Field(max_length=40)] | None = None
    email: (
        Annotated[str, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+$"), AfterValidator(check_line)] | None
    ) = None


class RiskSignalModel(_Edge):
    """One family-risk signal, valid by the hub's rules (see the module docstring)."""

    event_id: UUID
    agency: Agency
    source_system: Annotated[Line, Field(min_length=1, max_length=200)]
    source_record_id: Annotated[Line, Field(min_length=1, max_length=200)]
    signal_type: SignalType
    severity: Severity
    occurred_at: AwareDatetime
    reported_at: AwareDatetime
    region_code: Annotated[str, Field(pattern=r"^\d{2}$")]
    municipality_code: Annotated[str, Field(pattern=r"^(\d{8}|\d{11})$")]
    children: Annotated[list[PersonModel], Field(min_length=1, max_length=50)]
    adults: Annotated[list[PersonModel], Field(max_length=50)] = []
    address: AddressModel | None = None
    description: Annotated[Prose, Field(max_length=4000)] | None = None
    reporter: ReporterModel | None = None
    legal_basis: Annotated[Prose, Field(max_length=1000)] | None = None

    @field_validator("children")
    @classmethod
    def _children_are_children(cls, value: list[PersonModel]) -> list[PersonModel]:
        if any(p.role is not PersonRole.CHILD for p in value):
            raise ValueError("every person in children must have role 'child'")
        return value

    @field_validator("adults")
    @classmethod
    def _adults_are_adults(cls, value: list[PersonModel]) -> list[PersonModel]:
        if any(p.role is PersonRole.CHILD for p in value):
            raise ValueError("a person with role 'child' belongs in children")
        return value

    @field_validator("occurred_at", "reported_at", mode="after")
    @classmethod
    def _millis(cls, value: datetime) -> datetime:
        """Avro keeps milliseconds: truncate here so that the Avro round trip is exact."""
        return value.replace(microsecond=value.microsecond // 1000 * 1000)

    @field_validator("signal_type")
    @classmethod
    def _type_of_agency(cls, value: SignalType, info: ValidationInfo) -> SignalType:
        agency = info.data.get("agency")
        if (
            agency is not None
            and value is not SignalType.OTHER
            and value not in SIGNAL_TYPES_BY_AGENCY[agency]
        ):
            raise ValueError(f"signal_type {value.value} is not one of agency {agency.value}")
        return value

    @field_validator("reported_at")
    @classmethod
    def _reported_in_order(cls, value: datetime, info: ValidationInfo) -> datetime:
        if value > datetime.now(UTC) + CLOCK_SKEW:
            raise ValueError("reported_at is in the future")
        occurred = info.data.get("occurred_at")
        if occurred is not None and occurred > value + CLOCK_SKEW:
            raise ValueError("reported_at is before occurred_at")
        return value

    def to_avro(self) -> dict[str, Any]:
        """The record for `Codec("RiskSignal").encode`: plain strings for enums and the UUID."""
        record = self.model_dump(mode="python")
        record["event_id"] = str(self.event_id)
        return _plain(record)  # type: ignore[no-any-return]

    @classmethod
    def from_avro(cls, record: Mapping[str, Any], rules: SignalRules | None = None) -> RiskSignalModel:
        """Validate a record decoded by the codec; raises `SignalValidationError`."""
        return validate_signal(record, rules)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)  # StrEnum -> str
    return value


def validate_signal(
    data: Mapping[str, Any] | RiskSignalModel, rules: SignalRules | None = None
) -> RiskSignalModel:
    """Return a valid model or raise `SignalValidationError` (never pydantic's own error).

    `rules` are the hub's bounds; every edge passes them (None checks the signal on its own)."""
    if isinstance(data, RiskSignalModel):
        model = data
    else:
        try:
            model = RiskSignalModel.model_validate(dict(data))
        except ValidationError as e:
            raise SignalValidationError(field_errors(e)) from None
    errors = check_signal(model, rules)
    if errors:
        raise SignalValidationError(errors)
    return model

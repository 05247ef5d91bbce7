"""Typed values passed between the ingestion stages."""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.lexicon import EntityRef, MetricRef
from kg.periods import Period

__all__ = ["ObservationFact", "RelationFact", "Extraction"]


@dataclass
class ObservationFact:
    """A metric figure about a subject, with the normalised span it was read from."""

    subject: EntityRef
    metric: MetricRef
    spans: list[tuple[int, int]]
    period: Period | None = None
    value: float | None = None
    unit: str | None = None  # CNY USD … Percent Count Ratio
    bound: str | None = None
    change: float | None = None
    change_unit: str | None = None  # Percent PercentagePoint Multiple or a currency
    change_basis: str | None = None  # YearOverYear QuarterOverQuarter
    change_bound: str | None = None
    qualitative: str | None = None
    qualifier: str | None = None
    as_written: str = ""
    forecast: bool = False
    consecutive_periods: int | None = None
    compared_to: EntityRef | None = None
    reported_by: EntityRef | None = None
    per_quantity: float | None = None
    per_unit: str | None = None
    cues: tuple[str, ...] = ()  # the rule and phrasebook entries that read it (kgo:extractedBy)
    estimate: str | None = None  # consensus / forecast / guidance: not a reported actual
    fiscal_period: Period | None = None  # the subject's fiscal name of ``period`` (FY2025-Q4-M03), when it differs
    prior: bool = False  # the value a change started from (「由152億元…下降至37億元」), of the earlier period

    def key(self) -> tuple[object, ...]:
        return (self.subject.iri, self.metric.iri, self.period, self.value, self.unit, self.bound,
                self.change, self.change_unit, self.change_basis, self.qualitative, self.qualifier,
                self.per_quantity, self.estimate)


@dataclass
class RelationFact:
    subject: EntityRef
    predicate: str  # local name in kgo: owns launched develops founded integrates runsOn worksFor said
    spans: list[tuple[int, int]]
    object: EntityRef | None = None
    object_literal: str | None = None
    year: int | None = None
    role: str | None = None

    def key(self) -> tuple[object, ...]:
        return (self.subject.iri, self.predicate, self.object.iri if self.object else None,
                self.object_literal, self.year, self.role)


@dataclass
class Extraction:
    observations: list[ObservationFact] = field(default_factory=list)
    relations: list[RelationFact] = field(default_factory=list)
    entities: dict[str, tuple[EntityRef, tuple[int, int]]] = field(default_factory=dict)  # iri -> first mention

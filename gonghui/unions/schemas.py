"""API schemas of the unions app. Related values come through dotted aliases (``union.uuid``); the
resolvers left are for optional relations (a dotted alias cannot give None for a missing one without
turning the field optional in the OpenAPI schema) and for the brand tree."""

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema


class UnionRef(Schema):
    """A union named in another app's answer (one class for all apps: one OpenAPI component)."""

    uuid: UUID
    name: str


class UnionOut(Schema):
    uuid: UUID
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    level: int
    level_label: str = Field(..., alias="get_level_display")
    region_code: str
    address: str
    parent: UUID | None
    depth: int
    is_active: bool

    @staticmethod
    def resolve_parent(obj) -> UUID | None:
        return obj.parent.uuid if obj.parent_id else None


class UnionIn(Schema):
    parent: UUID = Field(..., description="上级工会")
    name: str = Field(..., max_length=200)
    kind: str = "grassroots"
    level: int | None = None
    region_code: str = Field("", max_length=12)
    address: str = Field("", max_length=300)


class UnionPatch(Schema):
    name: str | None = Field(None, max_length=200)
    kind: str | None = None
    region_code: str | None = Field(None, max_length=12)
    address: str | None = Field(None, max_length=300)


class MoveIn(Schema):
    new_parent: UUID


class EmployerOut(Schema):
    uuid: UUID
    name: str
    uscc: str
    industry: str
    size: str
    address: str
    employee_count: int | None
    union: UUID = Field(..., alias="union.uuid")
    union_name: str = Field(..., alias="union.name")
    grid: UUID | None
    liaison: UUID | None
    liaison_name: str | None
    union_established: bool

    @staticmethod
    def resolve_grid(obj) -> UUID | None:
        return obj.grid.uuid if obj.grid_id else None
    @staticmethod
    def resolve_liaison(obj) -> UUID | None:
        return obj.liaison.uuid if obj.liaison_id else None
    @staticmethod
    def resolve_liaison_name(obj) -> str | None:
        return obj.liaison.name if obj.liaison_id else None


class EmployerIn(Schema):
    union: UUID
    name: str = Field(..., max_length=200)
    uscc: str = Field(..., max_length=40)
    industry: str = Field("", max_length=1)
    size: str = Field("", max_length=10)
    address: str = Field("", max_length=300)
    employee_count: int | None = Field(None, ge=0, le=10_000_000)
    union_established: bool = False


class EmployerPatch(Schema):
    name: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=1)
    size: str | None = Field(None, max_length=10)
    address: str | None = Field(None, max_length=300)
    employee_count: int | None = Field(None, ge=0, le=10_000_000)
    union_established: bool | None = None
    grid: UUID | None = None
    liaison: UUID | None = None


class VisitIn(Schema):
    visited_on: date
    notes: str = Field(..., max_length=5000)


class VisitOut(Schema):
    uuid: UUID
    visited_on: date
    visitor_name: str = Field(..., alias="visitor.name")
    notes: str


class ProblemIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=2000)


class ProblemEventOut(Schema):
    from_status: str
    to_status: str
    actor_name: str = Field(..., alias="actor.name")
    note: str
    created_at: datetime


class ProblemOut(Schema):
    uuid: UUID
    title: str
    description: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    raised_at: datetime
    events: list[ProblemEventOut]


class AdvanceIn(Schema):
    to_status: str
    note: str = Field("", max_length=300)


class GridOut(Schema):
    uuid: UUID
    name: str


class NameIn(Schema):
    name: str = Field(..., max_length=100)
    description: str = Field("", max_length=300)
    parent: UUID | None = None


class BrandOut(Schema):
    uuid: UUID
    name: str
    description: str
    children: list["BrandOut"] = []
    @staticmethod
    def resolve_children(obj) -> list:
        return list(obj.children.all()) if obj.parent_id is None else []

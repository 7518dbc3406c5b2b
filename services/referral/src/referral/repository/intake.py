"""The intake's statements: the referral service's hot path, and the one place its data path
differs from the house's (decision 44).

Everywhere else the repository runs SQLAlchemy Core statements through ``tx.session``, as every
service does. An intake instead runs prebuilt statements on the unit of work's driver connection
(``continuum.persistence.db.Prebuilt``, ``tx.fetch``/``tx.execute``: decision 29), and writes the
child, the referral and the outbox and audit rows the unit of work collected in ONE statement
(``continuum.persistence.uow.WithCollectedRows``), given ``final=True`` so that with no
transaction open it is the whole commit (decision 32). A child sent as new is not looked up
first: the write itself inserts the child only when the register holds none the lookup would
find, and otherwise writes nothing and raises :class:`RegisteredAlike`; the intake then runs
again, looking up first (decision 33). Together they make a new child's intake one round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, and_, bindparam, exists, func, insert, select, union_all
from sqlalchemy.exc import IntegrityError

from continuum.persistence.db import Prebuilt
from continuum.persistence.uow import Transaction, WithCollectedRows
from referral.domain import SAME_NAME_AND_BIRTH, Candidate, ChildIdentity, ChildState, ReferralState
from referral.repository.children import already_registered
from referral.repository.rows import KnownChild, bound, child_values, known, known_children, prefixed, referral_values
from referral.tables import CHILDREN, REFERRALS

# A registered child with the NHS number or UPN looked for (the same child), or with the name and
# date of birth (a possible match). Each is looked up on its own index: PostgreSQL keeps a prepared
# statement's generic plan, and one planned for "NHS number OR UPN" on a small register scans it
# whole, a plan that stays as the register grows.
_HAS_NHS_NUMBER = CHILDREN.c.nhs_number == bindparam("nhs_number")
_HAS_UPN = CHILDREN.c.upn == bindparam("upn")
_HAS_NAME_AND_BIRTH = and_(
    func.lower(CHILDREN.c.family_name) == bindparam("family_name"),
    func.lower(CHILDREN.c.given_name) == bindparam("given_name"),
    CHILDREN.c.date_of_birth == bindparam("date_of_birth"),
)
_SAME_NHS_NUMBER = known_children(_HAS_NHS_NUMBER, "identifier")
_SAME_UPN = known_children(_HAS_UPN, "identifier")
_SAME_NAME_AND_BIRTH = known_children(_HAS_NAME_AND_BIRTH, "name")
#: The register lookup, by (identifiers given, names looked for).
SAME = {
    (True, True): Prebuilt(union_all(_SAME_NHS_NUMBER, _SAME_UPN, _SAME_NAME_AND_BIRTH)),
    (True, False): Prebuilt(union_all(_SAME_NHS_NUMBER, _SAME_UPN)),
    (False, True): Prebuilt(_SAME_NAME_AND_BIRTH),
}

_NEW_CHILD_VALUES = bound(CHILDREN, "new_child_", leave_out=("created_at", "updated_at"))
_NEW_CHILD = insert(CHILDREN).values(_NEW_CHILD_VALUES).cte("new_child")
# ... unless the register holds a child that a ChildLookup would find (its parameters, unprefixed).
_NEW_CHILD_UNLESS_ALIKE = (
    insert(CHILDREN)
    .from_select(
        list(_NEW_CHILD_VALUES),
        select(*(value.label(name) for name, value in _NEW_CHILD_VALUES.items())).where(
            ~exists().where(_HAS_NHS_NUMBER),
            ~exists().where(_HAS_UPN),
            ~and_(bindparam("by_name", type_=Boolean()), exists().where(_HAS_NAME_AND_BIRTH)),
        ),
    )
    .cte("new_child")
)
# A referral, with the outbox and audit rows collected so far.
_INSERT_REFERRAL = WithCollectedRows(insert(REFERRALS).values(bound(REFERRALS)))
# ... and a new child with it: the foreign key is checked at the statement's end, so a referral
# whose new child was held back fails the whole statement.
_INSERT_REFERRAL_AND_CHILD = WithCollectedRows(insert(REFERRALS).values(bound(REFERRALS)).add_cte(_NEW_CHILD))
INSERT_REFERRAL_AND_CHILD_UNLESS_ALIKE = WithCollectedRows(
    insert(REFERRALS).values(bound(REFERRALS)).add_cte(_NEW_CHILD_UNLESS_ALIKE)
)
_REFERRAL_OF_NO_CHILD = "fk_referrals_child_id_children"


@dataclass(frozen=True)
class ChildLookup:
    """What the register is searched for when a child is sent as new: the registered child with
    ``identity``'s NHS number or UPN (the same child) and, when ``by_name``, the children with its
    name and date of birth (possible matches)."""

    identity: ChildIdentity
    by_name: bool

    @property
    def by_identifier(self) -> bool:
        return bool(self.identity.nhs_number or self.identity.upn)

    def params(self) -> dict[str, Any]:
        identity = self.identity
        return {
            # a None never matches: NULL = NULL is not true
            "nhs_number": identity.nhs_number,
            "upn": identity.upn,
            "family_name": identity.family_name.lower(),
            "given_name": identity.given_name.lower(),
            "date_of_birth": identity.date_of_birth,
            "by_name": self.by_name,  # read by the guarded write; the lookup has a statement per kind
        }


class RegisteredAlike(Exception):
    """A guarded write of a new child wrote nothing: the register holds a child that the lookup
    finds (see :func:`insert_referral`). Look it up, and let the domain decide what it is."""


async def same_children(tx: Transaction, lookup: ChildLookup) -> tuple[KnownChild | None, list[Candidate]]:
    """What ``lookup`` finds on the register: the same child, and the possible matches (one query)."""
    if not (lookup.by_identifier or lookup.by_name):
        return None, []
    rows = await tx.fetch(SAME[lookup.by_identifier, lookup.by_name], lookup.params())
    same = next((known(r) for r in rows if r.matched == "identifier"), None)
    candidates = [Candidate(r.id, r.la_child_id, SAME_NAME_AND_BIRTH) for r in rows if r.matched == "name"]
    return same, candidates


async def insert_referral(
    tx: Transaction, referral: ReferralState, *, new_child: ChildState | None = None, unless_found: ChildLookup | None = None
) -> None:
    """The referral, with the child registered with it (if new) and the outbox and audit rows
    collected so far, in one statement: the intake's last write (``final``; with no transaction
    open, the whole commit: see :meth:`continuum.persistence.uow.UnitOfWork.execute`).

    ``unless_found``: the new child was not looked up first. The statement then writes nothing,
    and :class:`RegisteredAlike` is raised, when the register holds a child that the lookup finds;
    the lookup runs inside the write, so a new child costs one round trip instead of two."""
    values = referral_values(referral)
    if new_child is None:
        await tx.execute(_INSERT_REFERRAL, values, final=True)
        return
    values |= prefixed(child_values(new_child), "new_child_")
    statement = _INSERT_REFERRAL_AND_CHILD
    if unless_found is not None:
        statement, values = INSERT_REFERRAL_AND_CHILD_UNLESS_ALIKE, values | unless_found.params()
    try:
        await tx.execute(statement, values, final=True)
    except IntegrityError as exc:
        if unless_found is not None and _REFERRAL_OF_NO_CHILD in str(exc.orig):
            raise RegisteredAlike from None
        raise already_registered(exc) from exc

"""Every query of the referral service, and rows <-> domain states, one module per record kind.

Reads and writes are SQLAlchemy Core statements built once from the table metadata and bound per
call, run through the unit of work's session as in every service (no ORM unit of work: decision
15). Loads that a caller may not see audit the refusal and answer as if there were no such record.
The intake's statements (:mod:`referral.repository.intake`) are the one exception: the service's
hot path, on the driver connection, in one statement (decision 44).
"""

from referral.repository.children import Children, child, insert_child, known_child, update_child, visible_child
from referral.repository.contacts import contact_became, contacts, contacts_of_referral, held_contacts, insert_contact
from referral.repository.information import information_request, information_requests, insert_information_request, save_answer
from referral.repository.intake import ChildLookup, RegisteredAlike, insert_referral, same_children
from referral.repository.lists import queue, referrals_of_child
from referral.repository.referrals import referral_of_case, save_closure, save_decision, visible_referral
from referral.repository.rows import KnownChild

__all__ = [
    "ChildLookup",
    "Children",
    "KnownChild",
    "RegisteredAlike",
    "child",
    "contact_became",
    "contacts",
    "contacts_of_referral",
    "held_contacts",
    "information_request",
    "information_requests",
    "insert_child",
    "insert_contact",
    "insert_information_request",
    "insert_referral",
    "known_child",
    "queue",
    "referral_of_case",
    "referrals_of_child",
    "same_children",
    "save_answer",
    "save_closure",
    "save_decision",
    "update_child",
    "visible_child",
    "visible_referral",
]

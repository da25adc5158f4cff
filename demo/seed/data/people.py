"""The fictional payments team: who they are and their role in the workspace."""

from __future__ import annotations

from workspaces.models import Role

from ..specs import DEMO_USERNAME, Person

PEOPLE = (
    Person("priya.raman", "Priya", "Raman", Role.ADMIN, "VP Engineering"),
    Person(DEMO_USERNAME, "Dana", "Morgan", Role.EDITOR, "Technical product manager"),
    Person("sofia.alvarez", "Sofia", "Alvarez", Role.CONTRIBUTOR, "Principal architect"),
    Person("marco.rossi", "Marco", "Rossi", Role.CONTRIBUTOR, "Senior backend engineer"),
    Person("jonas.berg", "Jonas", "Berg", Role.CONTRIBUTOR, "Backend engineer"),
    Person("aisha.khan", "Aisha", "Khan", Role.CONTRIBUTOR, "Frontend engineer"),
    Person("nina.okafor", "Nina", "Okafor", Role.CONTRIBUTOR, "Product designer (UX)"),
    Person("omar.haddad", "Omar", "Haddad", Role.CONTRIBUTOR, "Security engineer"),
    Person("li.wei", "Li", "Wei", Role.CONTRIBUTOR, "QA engineer"),
    Person("helen.cho", "Helen", "Cho", Role.LEADERSHIP, "Director of Product"),
)
DEMO_PERSON = next(person for person in PEOPLE if person.username == DEMO_USERNAME)

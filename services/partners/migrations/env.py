"""Alembic environment: the partners service's tables, on the database in CONTINUUM_DATABASE_URL."""

from continuum.persistence.migrations import run_migrations
from partners.tables import Base

run_migrations(Base.metadata)

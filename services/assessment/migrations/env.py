"""Alembic environment: the assessment service's tables, on the database in CONTINUUM_DATABASE_URL."""

from assessment.tables import Base
from continuum.persistence.migrations import run_migrations

run_migrations(Base.metadata)

"""Alembic environment: the insight service's tables, on the database in CONTINUUM_DATABASE_URL."""

from continuum.persistence.migrations import run_migrations
from insight.tables import Base

run_migrations(Base.metadata)

"""The task app's tables as the application sees them (after the newest revision)."""
import uuid
from datetime import datetime
from typing import Optional

from sqlalchemy import Column, ForeignKey, text
from sqlalchemy.dialects.postgresql import ARRAY, TEXT
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(unique=True)
    name: str
    created_at: datetime = Field(sa_column_kwargs={"server_default": text("now()")})


class Priority(SQLModel, table=True):
    __tablename__ = "priorities"
    id: int = Field(primary_key=True)
    name: str = Field(unique=True)
    rank: int = Field(unique=True)


class Category(SQLModel, table=True):
    __tablename__ = "categories"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    name: str


class Task(SQLModel, table=True):
    __tablename__ = "tasks"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    title: str
    description: Optional[str] = None
    completed: bool = False
    tags: Optional[list[str]] = Field(default=None, sa_column=Column(ARRAY(TEXT)))
    priority_id: int = Field(default=2, foreign_key="priorities.id", index=True)
    category_id: Optional[uuid.UUID] = Field(
        default=None, sa_column=Column(ForeignKey("categories.id", ondelete="SET NULL"), index=True)
    )
    subtask_count: int = 0
    created_at: datetime = Field(sa_column_kwargs={"server_default": text("now()")})


class Subtask(SQLModel, table=True):
    __tablename__ = "subtasks"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    task_id: uuid.UUID = Field(foreign_key="tasks.id", ondelete="CASCADE", index=True)
    title: str
    done: bool = False
    position: int = 0


class LegacyTaskMap(SQLModel, table=True):
    __tablename__ = "legacy_task_map"
    legacy_id: int = Field(primary_key=True)
    task_id: uuid.UUID = Field(foreign_key="tasks.id", ondelete="CASCADE", unique=True)
    legacy_title: str

"""SQLAlchemy 2 typed ORM models of the original app's data model."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from speaking_pipeline.domain.lifecycle import SessionStatus

__all__ = [
    "Base",
    "DeliveryReceipt",
    "InsightRow",
    "PatternProfile",
    "ProfileCodeSession",
    "ProfileSession",
    "SessionStatus",
    "SpeakingSession",
    "Transcript",
    "User",
    "new_id",
]

JsonType = JSON().with_variant(JSONB(), "postgresql")


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    external_id: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    display_name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    sessions: Mapped[list[SpeakingSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    profile: Mapped[PatternProfile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class SpeakingSession(Base):
    __tablename__ = "speaking_sessions"
    __table_args__ = (
        Index("ix_speaking_sessions_user_created", "user_id", "created_at"),
        Index("ix_speaking_sessions_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[SessionStatus] = mapped_column(
        Enum(SessionStatus, name="session_status"), default=SessionStatus.CREATED
    )
    audio_url: Mapped[str | None] = mapped_column(Text)
    audio_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    audio_format: Mapped[str | None] = mapped_column(String(16))
    duration_secs: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(16), default="en")
    topic: Mapped[str | None] = mapped_column(Text)
    focus_next: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    analyzer_version: Mapped[str | None] = mapped_column(String(64))
    fluency: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    error_message: Mapped[str | None] = mapped_column(Text)
    processing_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    user: Mapped[User] = relationship(back_populates="sessions")
    transcript: Mapped[Transcript | None] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True
    )
    insights: Mapped[list[InsightRow]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True
    )


class Transcript(Base):
    __tablename__ = "transcripts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("speaking_sessions.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int | None] = mapped_column(Integer)
    words: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonType)
    language: Mapped[str | None] = mapped_column(String(16))
    model: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    session: Mapped[SpeakingSession] = relationship(back_populates="transcript")


class InsightRow(Base):
    __tablename__ = "insights"
    __table_args__ = (Index("ix_insights_session", "session_id"), Index("ix_insights_code", "code"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("speaking_sessions.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(32))
    pattern: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
    frequency: Mapped[int] = mapped_column(Integer)
    severity: Mapped[str] = mapped_column(String(16))
    examples: Mapped[list[str]] = mapped_column(JsonType)
    suggestion: Mapped[str] = mapped_column(Text)
    analyzer_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    session: Mapped[SpeakingSession] = relationship(back_populates="insights")


class PatternProfile(Base):
    __tablename__ = "pattern_profiles"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    patterns: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    focus_areas: Mapped[list[Any] | None] = mapped_column(JsonType)
    # Analysed sessions counted in `patterns`; NULL until the per-session rows below were
    # built for this learner (a profile from before them), which the next update does.
    analysed_sessions: Mapped[int | None] = mapped_column(Integer)
    last_updated: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    user: Mapped[User] = relationship(back_populates="profile")


class ProfileSession(Base):
    """An analysed session counted in its learner's profile: the profile's history in rows."""

    __tablename__ = "profile_sessions"
    __table_args__ = (
        Index("ix_profile_sessions_user_order", "user_id", "created_at", "session_id"),
    )

    session_id: Mapped[str] = mapped_column(
        ForeignKey("speaking_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_secs: Mapped[float | None] = mapped_column(Float)


class ProfileCodeSession(Base):
    """One code's contribution to a learner's profile from one session, keyed
    (learner, code, session) so that a retried or repeated update replaces, never adds."""

    __tablename__ = "profile_code_sessions"
    __table_args__ = (
        Index("ix_profile_code_sessions_order", "user_id", "code", "created_at", "session_id"),
        Index("ix_profile_code_sessions_session", "session_id"),
    )

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(128), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("speaking_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    frequency: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(32))
    pattern: Mapped[str] = mapped_column(Text)


class DeliveryReceipt(Base):
    """A signed delivery already accepted, remembered until its signature expires."""

    __tablename__ = "delivery_receipts"

    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

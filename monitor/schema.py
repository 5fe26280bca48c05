"""The database schema, declared once (SQLAlchemy 2 typed models). Money is integer 分 (BigInteger)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Submission statuses: accepted (current), superseded (a newer file replaced it), rejected (unreadable or
#: every row rejected), withdrawn (taken back by a person).
SUBMISSION_STATUSES = ("accepted", "superseded", "rejected", "withdrawn")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Town(Base):
    __tablename__ = "towns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str | None] = mapped_column(String(100), unique=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    #: normalised name (whitespace, full-width forms, punctuation and place prefix folded)
    name_key: Mapped[str] = mapped_column(String(500))
    village: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200))
    owner: Mapped[str | None] = mapped_column(String(200))
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_projects_town_key", "town_id", "name_key"),)


class ProjectAlias(Base):
    """A confirmed other name of a project in a town: rows under this name key belong to ``project_id``."""

    __tablename__ = "project_aliases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"))
    name: Mapped[str] = mapped_column(String(500))
    name_key: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("town_id", "name_key", name="uq_project_aliases_town_key"),)


class Allocation(Base):
    """One allocation of money to a project (fund year, batch, level, document number)."""

    __tablename__ = "allocations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    fund_year: Mapped[int] = mapped_column(Integer)
    batch: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(50))
    doc_no: Mapped[str | None] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    #: "register" (the bureau's project library) or "submission" (a town's 下达资金)
    source: Mapped[str] = mapped_column(String(20))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class StoredFile(Base):
    """The original bytes of every file received, addressed by sha256."""

    __tablename__ = "files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    first_name: Mapped[str] = mapped_column(String(500))
    stored_at: Mapped[datetime] = mapped_column(DateTime)


class Submission(Base):
    """One file a town sent for one month, and what became of it."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(ForeignKey("files.sha256"), index=True)
    #: sha256 + town + period: the same bytes for the same town and period are one submission
    dedupe_key: Mapped[str] = mapped_column(String(400), unique=True)
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id"), index=True)
    period: Mapped[str | None] = mapped_column(String(7), index=True)
    #: when the file reached the bureau; None when unknown (a backfilled month): then neither on time nor late
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    ingested_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20))
    #: "town_report" (a town's monthly figures) or "register" (the bureau's project library)
    kind: Mapped[str] = mapped_column(String(20), default="town_report", server_default="town_report")
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    sheet: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(10))
    is_template: Mapped[bool] = mapped_column(default=False)
    town_source: Mapped[str | None] = mapped_column(String(20))
    period_source: Mapped[str | None] = mapped_column(String(20))
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text)
    header_map: Mapped[dict | None] = mapped_column(JSON)


class ReportRow(Base):
    """One project's figures in one submission, traceable to its sheet and Excel row."""

    __tablename__ = "report_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    sheet: Mapped[str] = mapped_column(String(200))
    excel_row: Mapped[int] = mapped_column(Integer)
    fund_year: Mapped[int | None] = mapped_column(Integer)
    allocated_fen: Mapped[int | None] = mapped_column(BigInteger)
    requested_fen: Mapped[int | None] = mapped_column(BigInteger)
    disbursed_fen: Mapped[int | None] = mapped_column(BigInteger)
    spent_fen: Mapped[int] = mapped_column(BigInteger)
    spent_ytd_fen: Mapped[int | None] = mapped_column(BigInteger)
    #: physical progress and the file's own spend-rate cell, in 1/10000 (0.4567 → 4567), exact everywhere
    progress_bp: Mapped[int | None] = mapped_column(Integer)
    reported_rate_bp: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String(20))
    village: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200))
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    issues: Mapped[str | None] = mapped_column(Text)
    remarks: Mapped[str | None] = mapped_column(Text)
    #: the row's cells as the file shows them: header label → raw text
    raw: Mapped[dict] = mapped_column(JSON)


class FindingRow(Base):
    """A finding about a submission, cell by cell, in Chinese."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    sheet: Mapped[str | None] = mapped_column(String(200))
    row: Mapped[int | None] = mapped_column(Integer)
    col: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(200))
    raw: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(50))
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)


class Correction(Base):
    """The log of every change a person made after ingest (withdraw, restore, reassign, merge)."""

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(30))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(100))


class DispatchSnapshot(Base):
    """What one weekly dispatch reported, keyed by ISO week: projects, towns and the submissions it saw.

    ``content`` is the snapshot of :mod:`monitor.snapshots` (money in integer 分); the next week's dispatch
    compares with it, so a correction made in between shows as a change. Rerunning a week replaces its row.
    """

    __tablename__ = "dispatch_snapshots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ISO week as ``%G-W%V`` (2023-W45); the key
    week: Mapped[str] = mapped_column(String(8), unique=True)
    day: Mapped[date] = mapped_column(Date)
    period: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    content: Mapped[dict] = mapped_column(JSON)


#: Letter kinds (DESIGN §6 Letters) and statuses; a letter counts toward escalation once issued.
LETTER_KINDS = ("reminder", "supervision", "finance", "report")
LETTER_STATUSES = ("draft", "issued", "replied")


class Letter(Base):
    """One letter in the register (发函登记): numbered once, ``{prefix}〔year〕seq号``, drafted, issued, replied."""

    __tablename__ = "letters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    #: 成文日期: the run date that drafted it; rerunning that date rewrites the same letters
    day: Mapped[date] = mapped_column(Date, index=True)
    #: the report month whose figures it cites (for 催报: the month not received)
    period: Mapped[str] = mapped_column(String(7), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    file_name: Mapped[str] = mapped_column(String(500))
    reply_due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    issued_on: Mapped[date | None] = mapped_column(Date)
    replied_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_letters_year_seq"),)


class LetterProject(Base):
    """A project named in a letter. ``channel`` is ``town`` (提醒函/督办函) or ``finance`` (区财政局): a project is
    in at most one letter per report month and channel, however often the letters job runs.

    ``project_id`` is deliberately not a foreign key: the register keeps what a letter said even if the
    project is later merged into another; the name and code are kept as the letter printed them.
    """

    __tablename__ = "letter_projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    period: Mapped[str] = mapped_column(String(7))
    channel: Mapped[str] = mapped_column(String(10))
    project_name: Mapped[str] = mapped_column(String(500))
    project_code: Mapped[str | None] = mapped_column(String(100))
    #: why it is in the letter: "red", "yellow-twice" and flag codes
    reasons: Mapped[list] = mapped_column(JSON)
    #: the issued letter a 督办函 cites for this project
    cites_letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    __table_args__ = (UniqueConstraint("project_id", "period", "channel", name="uq_letter_projects_project_period"),)


class RunLog(Base):
    """One run of a scheduled job under its key (``weekly:2023-W44``): the unique key makes a second run of
    the same week or month a no-op, whichever scheduler or person starts it."""

    __tablename__ = "run_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    job: Mapped[str] = mapped_column(String(20), index=True)
    #: the moment the run stands for (its injected clock), in the schedule's time zone, naive
    at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: renewed every half minute while the run is under way: a stale one means its process died
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: running | ok | failed | deferred (the month's deadline had not passed: runs once it has)
    outcome: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    #: who ran it: host:pid, and whether the scheduler or a person (``schedule run``)
    runner: Mapped[str] = mapped_column(String(200))
    trigger: Mapped[str] = mapped_column(String(20))
    #: the files written, the files taken in, counts — what the clerk looks for afterwards
    outputs: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


class SchedulerLease(Base):
    """Who runs the scheduler on this database: APScheduler's job store must never be shared by two
    schedulers, so a second one waits until the holder's lease expires (it stopped or died)."""

    __tablename__ = "scheduler_lease"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(DateTime)
    renewed_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)

-- The advice service (issue 16): requests for advice in antibiotic therapy as pseudonymised
-- cases (age, sex and clinical facts; never a name, a date of birth or an address), routed to
-- an EMA team and the member on duty, their thread of answers and questions, their trace, their
-- attachments, the day-7 follow-up; each team's hours, closures, target and duty rota.
-- Kept in step with migrations/postgres/0021_advice.sql.

-- A team's working time for advice (its public `ema_teams.hours` stays the text people read).
CREATE TABLE advice_team_settings (
    team_id INTEGER PRIMARY KEY REFERENCES ema_teams(id) ON DELETE CASCADE,
    -- `lun 09:00-18:00;mar 09:00-18:00;…` in Paris time.
    hours TEXT NOT NULL,
    -- First-answer target, in working minutes.
    target_minutes INTEGER NOT NULL DEFAULT 240 CHECK (target_minutes BETWEEN 15 AND 14400),
    -- Days after the first answer when the requester is asked for the follow-up.
    follow_up_days INTEGER NOT NULL DEFAULT 7 CHECK (follow_up_days BETWEEN 1 AND 90),
    updated_at TEXT NOT NULL
);

-- Periods a team does not answer besides the public holidays (both days included).
CREATE TABLE advice_closures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id INTEGER NOT NULL REFERENCES ema_teams(id) ON DELETE CASCADE,
    from_day TEXT NOT NULL,
    to_day TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    CHECK (to_day >= from_day)
);
CREATE INDEX advice_closures_team ON advice_closures(team_id);

-- Who answers on which weekday (1 = Monday) and half-day, every week.
CREATE TABLE advice_rota (
    team_id INTEGER NOT NULL REFERENCES ema_teams(id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    half_day TEXT NOT NULL CHECK (half_day IN ('am', 'pm')),
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, weekday, half_day, user_id)
);

CREATE TABLE advice_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- `AV-2026-00042`, said in e-mails and on the phone.
    reference TEXT NOT NULL UNIQUE,
    region_code TEXT NOT NULL REFERENCES regions(code),
    team_id INTEGER REFERENCES ema_teams(id),
    assignee_id INTEGER REFERENCES users(id),
    -- The requester: an account, or a caller entered by the member who took the call.
    requester_id INTEGER REFERENCES users(id),
    requester_name TEXT NOT NULL,
    requester_profession TEXT,
    requester_professional_id INTEGER REFERENCES professionals(id),
    requester_rpps TEXT,
    entered_by_id INTEGER REFERENCES users(id),
    channel TEXT NOT NULL,
    sector TEXT NOT NULL CHECK (sector IN ('ES', 'EMS', 'VILLE')),
    establishment_id INTEGER REFERENCES establishments(id),
    department_code TEXT NOT NULL REFERENCES departments(code),
    ward_type TEXT,
    -- The case: empty for a request loaded from a team's past log.
    age INTEGER CHECK (age BETWEEN 0 AND 120),
    sex TEXT CHECK (sex IN ('F', 'M')),
    weight_kg REAL,
    pregnant BOOLEAN NOT NULL DEFAULT FALSE,
    egfr REAL,
    allergies TEXT,
    beta_lactam_allergy BOOLEAN NOT NULL DEFAULT FALSE,
    immunosuppressed BOOLEAN NOT NULL DEFAULT FALSE,
    infection_site TEXT NOT NULL,
    question_type TEXT NOT NULL,
    -- The antibiotics given, as JSON (`[{"atc":…,"dose":…,"route":…,"started_on":…}]`).
    antibiotics TEXT NOT NULL DEFAULT '[]',
    microbiology TEXT,
    question TEXT NOT NULL DEFAULT '',
    urgency TEXT NOT NULL DEFAULT 'routine',
    status TEXT NOT NULL CHECK (status IN ('queued', 'open', 'answered', 'closed')),
    asked_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    first_answer_at TEXT,
    -- Every recommendation of its answers (`switch|shorten`), for the statistics.
    recommendations TEXT NOT NULL DEFAULT '',
    closed_at TEXT,
    overdue_notified_at TEXT,
    follow_up_due_on TEXT,
    follow_up_asked_at TEXT,
    followed TEXT CHECK (followed IN ('followed', 'partly', 'not_followed')),
    outcome TEXT CHECK (outcome IN ('cured', 'improved', 'failed', 'died', 'unknown')),
    followed_at TEXT,
    -- Loaded from a team's past log (no case, no thread).
    imported BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX advice_requests_region ON advice_requests(region_code, asked_at);
CREATE INDEX advice_requests_team ON advice_requests(team_id, status);
CREATE INDEX advice_requests_requester ON advice_requests(requester_id);

-- The thread: the team's answers and the requester's questions.
CREATE TABLE advice_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES advice_requests(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('answer', 'question')),
    author_id INTEGER REFERENCES users(id),
    author_name TEXT NOT NULL,
    at TEXT NOT NULL,
    body TEXT NOT NULL,
    recommendations TEXT NOT NULL DEFAULT '',
    -- Recommended antibiotics and references, as JSON arrays.
    antibiotics TEXT NOT NULL DEFAULT '[]',
    refs TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX advice_messages_request ON advice_messages(request_id);

-- The trace: taken, handed over, forwarded, closed, reopened…
CREATE TABLE advice_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES advice_requests(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX advice_events_request ON advice_events(request_id);

CREATE TABLE advice_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES advice_requests(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX advice_attachments_request ON advice_attachments(request_id);

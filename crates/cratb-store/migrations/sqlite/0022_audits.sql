-- Appropriateness audits and action plans (issue 17): the library of grids (every version kept,
-- a campaign audits the version it started with), the campaigns of a region and their
-- participating establishments, the cases entered (pseudonymised: the establishment's own case
-- number, age, sex, ward type, the answers; never a name or a date of birth), the
-- establishments' action plans and their actions.
-- Kept in step with migrations/postgres/0022_audits.sql.

-- The library is national: the regions pool their grids.
CREATE TABLE audit_grids (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    title_fr TEXT NOT NULL,
    -- The grid's JSON file, exactly as `cratb_audit::Grid::to_json` writes it.
    definition TEXT NOT NULL,
    -- Shipped with cratb (`crates/cratb-audit/grids/`), rather than written by a centre.
    shipped BOOLEAN NOT NULL DEFAULT FALSE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (code, version)
);

CREATE TABLE audit_campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL REFERENCES regions(code),
    grid_id INTEGER NOT NULL REFERENCES audit_grids(id),
    title TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    -- The CPTS whose practices take part, for a primary-care campaign.
    territory_id INTEGER REFERENCES territories(id),
    -- Cases asked of each establishment.
    target INTEGER NOT NULL CHECK (target BETWEEN 1 AND 10000),
    closed BOOLEAN NOT NULL DEFAULT FALSE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX audit_campaigns_region ON audit_campaigns(region_code, starts_on);

CREATE TABLE audit_participants (
    campaign_id INTEGER NOT NULL REFERENCES audit_campaigns(id) ON DELETE CASCADE,
    establishment_id INTEGER NOT NULL REFERENCES establishments(id),
    PRIMARY KEY (campaign_id, establishment_id)
);

CREATE TABLE audit_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL REFERENCES audit_campaigns(id) ON DELETE CASCADE,
    establishment_id INTEGER NOT NULL REFERENCES establishments(id),
    -- The establishment's own number for the case.
    case_number TEXT NOT NULL,
    age INTEGER CHECK (age IS NULL OR age BETWEEN 0 AND 120),
    sex TEXT CHECK (sex IS NULL OR sex IN ('F', 'M')),
    ward_type TEXT,
    -- A JSON object: criterion code → answer (as typed in a draft, canonical once validated).
    answers TEXT NOT NULL,
    validated BOOLEAN NOT NULL DEFAULT FALSE,
    source TEXT NOT NULL CHECK (source IN ('form', 'api', 'sheet', 'demo')),
    entered_by_id INTEGER REFERENCES users(id),
    entered_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (campaign_id, establishment_id, case_number)
);
CREATE INDEX audit_cases_campaign ON audit_cases(campaign_id, establishment_id);

CREATE TABLE action_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL REFERENCES regions(code),
    establishment_id INTEGER NOT NULL REFERENCES establishments(id),
    -- The campaign it follows, if it follows one.
    campaign_id INTEGER REFERENCES audit_campaigns(id),
    title TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX action_plans_region ON action_plans(region_code, establishment_id);

CREATE TABLE plan_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES action_plans(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    -- A professional of the directory.
    owner_id INTEGER REFERENCES professionals(id),
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'abandoned')),
    aim_kind TEXT NOT NULL CHECK (aim_kind IN ('criterion', 'consumption', 'resistance', 'other')),
    -- The criterion's code, the ATC class, the organism / antibiotic pair.
    aim TEXT,
    notes TEXT,
    -- When the owner was reminded of the due date, and told it had passed (once each).
    reminded_soon_at TEXT,
    reminded_overdue_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX plan_actions_plan ON plan_actions(plan_id);
CREATE INDEX plan_actions_due ON plan_actions(status, due_on);

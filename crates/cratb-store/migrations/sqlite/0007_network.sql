-- The stewardship network around the directory: where professionals work, the regional
-- centre's public contact, the multidisciplinary antibiotic teams (EMA) with their members and
-- the departments they serve, and the conventions that bind a team to an establishment or a CPTS.

-- The town of an establishment (the public search finds teams by commune).
ALTER TABLE establishments ADD COLUMN commune TEXT;

CREATE TABLE professional_establishments (
    professional_id INTEGER NOT NULL REFERENCES professionals(id) ON DELETE CASCADE,
    establishment_id INTEGER NOT NULL REFERENCES establishments(id),
    PRIMARY KEY (professional_id, establishment_id)
);
CREATE INDEX professional_establishments_establishment ON professional_establishments(establishment_id);

-- The CRAtb of a region, as the public search shows it.
CREATE TABLE regional_centres (
    region_code TEXT PRIMARY KEY REFERENCES regions(code),
    name TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    website TEXT,
    address TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE ema_teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL REFERENCES regions(code),
    name TEXT NOT NULL,
    ght_id INTEGER REFERENCES territories(id),
    host_establishment_id INTEGER NOT NULL REFERENCES establishments(id),
    -- Sectors served, comma-separated (`ES,EMS,VILLE`).
    sectors TEXT NOT NULL,
    phone TEXT,
    hours TEXT,
    email TEXT,
    -- Tele-expertise address (secure messaging or platform URL).
    teleexpertise TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (region_code, name)
);

CREATE TABLE ema_team_departments (
    team_id INTEGER NOT NULL REFERENCES ema_teams(id) ON DELETE CASCADE,
    department_code TEXT NOT NULL REFERENCES departments(code),
    PRIMARY KEY (team_id, department_code)
);
CREATE INDEX ema_team_departments_department ON ema_team_departments(department_code);

CREATE TABLE ema_members (
    team_id INTEGER NOT NULL REFERENCES ema_teams(id) ON DELETE CASCADE,
    professional_id INTEGER NOT NULL REFERENCES professionals(id),
    discipline TEXT NOT NULL,
    -- Share of a full-time equivalent given to the team (0 < fte <= 1).
    fte REAL NOT NULL CHECK (fte > 0 AND fte <= 1),
    PRIMARY KEY (team_id, professional_id)
);
CREATE INDEX ema_members_professional ON ema_members(professional_id);

CREATE TABLE conventions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL REFERENCES regions(code),
    team_id INTEGER NOT NULL REFERENCES ema_teams(id),
    -- The partner: an establishment (ES or EMS) or a CPTS, never both.
    establishment_id INTEGER REFERENCES establishments(id),
    cpts_id INTEGER REFERENCES territories(id),
    -- What the team provides, comma-separated (`advice,audits,training`).
    scope TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'signed', 'expired', 'terminated')),
    signed_on TEXT,
    expires_on TEXT,
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((establishment_id IS NULL) <> (cpts_id IS NULL)),
    CHECK (expires_on IS NULL OR signed_on IS NULL OR expires_on > signed_on)
);
CREATE INDEX conventions_region ON conventions(region_code, status);
CREATE INDEX conventions_establishment ON conventions(establishment_id);

-- The signed convention, as a PDF kept by the application.
CREATE TABLE convention_documents (
    convention_id INTEGER PRIMARY KEY REFERENCES conventions(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);

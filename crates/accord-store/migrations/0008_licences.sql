-- Licences issued by approved cases, and the shipments drawn against them; records are JSON in `data`.
CREATE TABLE licences (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    authority_id TEXT NOT NULL REFERENCES authorities (id),
    status TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    version BIGINT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX licences_by_organisation ON licences (organisation_id);

CREATE TABLE shipments (
    id TEXT PRIMARY KEY,
    licence_id TEXT NOT NULL REFERENCES licences (id),
    reported_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX shipments_by_licence ON shipments (licence_id, reported_at);

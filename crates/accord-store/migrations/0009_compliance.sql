-- Exporters' compliance profiles (certification, training, audits) as JSON, one per organisation.
CREATE TABLE compliance_profiles (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations (id),
    data TEXT NOT NULL
);

-- Per-authority settings of the fast track (automatic approval with standard conditions, or a short queue).
CREATE TABLE fast_track_settings (
    authority_id TEXT PRIMARY KEY REFERENCES authorities (id),
    data TEXT NOT NULL
);

-- The consignees each organisation has applied for (normalised names), for the first-shipment risk factor.
CREATE TABLE application_consignees (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    PRIMARY KEY (organisation_id, name)
);

-- Vignette reminders (issue 5; features::vignette::reminders): one row per vehicle, campaign
-- and kind ('opened', 'ending'), written in the transaction that queues the message. The
-- primary key is what makes a reminder go out once, whichever app server runs the job and
-- however often.

CREATE TABLE vignette_reminders (
    vehicle_id TEXT NOT NULL REFERENCES vehicles (id),
    campaign_year BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('opened', 'ending')),
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (vehicle_id, campaign_year, kind)
);

-- Whether the account wants vignette reminders (the "stop" link in every reminder turns them
-- off; the notifications page turns them back on).
ALTER TABLE accounts ADD COLUMN vignette_reminders BIGINT NOT NULL DEFAULT 1
    CHECK (vignette_reminders IN (0, 1));

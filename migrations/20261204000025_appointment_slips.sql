-- Issue 22, the slip: each appointment's seal (domain::idcard::slip::SlipSeal, signed with the
-- active signing key when the appointment is made), which the slip's QR code carries and the
-- officer scans at check-in. NULL only for appointments made before slips existed.
ALTER TABLE idcard_appointments ADD COLUMN seal TEXT;

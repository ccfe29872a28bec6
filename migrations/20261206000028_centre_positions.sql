-- Where each service centre is, for "nearest centre first" when the browser shares its
-- position (issue 22). The centres of service-centres-qa.csv are demonstration ones, one per
-- municipality; each is placed at its municipality's main town (public map coordinates, to
-- about a hundred metres), in millionths of a degree. A centre added without a position is
-- listed after the others.
ALTER TABLE service_centres ADD COLUMN latitude_e6 INTEGER;
ALTER TABLE service_centres ADD COLUMN longitude_e6 INTEGER;
UPDATE service_centres SET latitude_e6 = 25285400, longitude_e6 = 51531000 WHERE code = 'DOH';
UPDATE service_centres SET latitude_e6 = 25291900, longitude_e6 = 51424400 WHERE code = 'RAY';
UPDATE service_centres SET latitude_e6 = 25171500, longitude_e6 = 51603400 WHERE code = 'WAK';
UPDATE service_centres SET latitude_e6 = 25680400, longitude_e6 = 51496900 WHERE code = 'KHR';
UPDATE service_centres SET latitude_e6 = 25415200, longitude_e6 = 51406500 WHERE code = 'USL';
UPDATE service_centres SET latitude_e6 = 25420000, longitude_e6 = 51490000 WHERE code = 'DAY';
UPDATE service_centres SET latitude_e6 = 26129300, longitude_e6 = 51200900 WHERE code = 'SHM';
UPDATE service_centres SET latitude_e6 = 25371000, longitude_e6 = 51204000 WHERE code = 'SHH';

-- Exemptions in the citizen's language, with their legal basis (issue 5). The reference file
-- gives each row's reason in English only and its legal bases once, in its header ("Code du
-- timbre art. 302, the tax administration's 'not concerned' list, finance laws 2025 and 2026").
-- The translations and the basis of each row live here, as data next to the rows, so that a
-- row added later brings its own texts and no code lists exemptions. A test checks that no
-- row is left without them.

ALTER TABLE vignette_exemptions ADD COLUMN reason_ar TEXT NOT NULL DEFAULT '';
ALTER TABLE vignette_exemptions ADD COLUMN reason_fr TEXT NOT NULL DEFAULT '';
ALTER TABLE vignette_exemptions ADD COLUMN basis_ar TEXT NOT NULL DEFAULT '';
ALTER TABLE vignette_exemptions ADD COLUMN basis_fr TEXT NOT NULL DEFAULT '';
ALTER TABLE vignette_exemptions ADD COLUMN basis_en TEXT NOT NULL DEFAULT '';

-- Legal bases. Exemptions of the Stamp Code (art. 302); the 2026 finance law for the fuels it
-- changed; the tax administration's list for vehicles outside the tax.
UPDATE vignette_exemptions SET
    basis_ar = 'قانون الطابع، المادة 302',
    basis_fr = 'Code du timbre, article 302',
    basis_en = 'Stamp Duty Code, article 302'
WHERE kind = 'exempt';

UPDATE vignette_exemptions SET
    basis_ar = 'قانون الطابع، المادة 302؛ قانون المالية لسنة 2026',
    basis_fr = 'Code du timbre, article 302 ; loi de finances pour 2026',
    basis_en = 'Stamp Duty Code, article 302; Finance Law for 2026'
WHERE criterion = 'fuel' AND value = 'lpg';

UPDATE vignette_exemptions SET
    basis_ar = 'قانون المالية لسنة 2026',
    basis_fr = 'Loi de finances pour 2026',
    basis_en = 'Finance Law for 2026'
WHERE criterion = 'fuel' AND value IN ('electric', 'hybrid');

UPDATE vignette_exemptions SET
    basis_ar = 'قائمة المركبات غير المعنية بالقسيمة، المديرية العامة للضرائب',
    basis_fr = 'Liste des véhicules non concernés par la vignette, Direction générale des impôts',
    basis_en = 'Tax administration (DGI) list of vehicles not concerned by the vignette'
WHERE kind = 'not_subject';

-- Reasons.
UPDATE vignette_exemptions SET
    reason_ar = 'المركبات التي تعمل بغاز البترول المميع (سيرغاز) معفاة إلى غاية حملة 2025، وخاضعة للقسيمة ابتداء من 2026',
    reason_fr = 'Les véhicules roulant au GPL (GPL-c) sont exonérés jusqu''à la campagne 2025 ; imposables à partir de 2026'
WHERE criterion = 'fuel' AND value = 'lpg';
UPDATE vignette_exemptions SET
    reason_ar = 'المركبات التي تعمل بالغاز الطبيعي (GNC) معفاة',
    reason_fr = 'Les véhicules roulant au gaz naturel (GNC) sont exonérés'
WHERE criterion = 'fuel' AND value = 'cng';
UPDATE vignette_exemptions SET
    reason_ar = 'المركبات الكهربائية معفاة ابتداء من 2026',
    reason_fr = 'Les véhicules électriques sont exonérés à partir de 2026'
WHERE criterion = 'fuel' AND value = 'electric';
UPDATE vignette_exemptions SET
    reason_ar = 'المركبات الهجينة معفاة ابتداء من 2026',
    reason_fr = 'Les véhicules hybrides sont exonérés à partir de 2026'
WHERE criterion = 'fuel' AND value = 'hybrid';
UPDATE vignette_exemptions SET
    reason_ar = 'سيارات الإسعاف',
    reason_fr = 'Ambulances'
WHERE criterion = 'status' AND value = 'ambulance';
UPDATE vignette_exemptions SET
    reason_ar = 'المركبات المجهزة بعتاد صحي',
    reason_fr = 'Véhicules équipés de matériel sanitaire'
WHERE criterion = 'status' AND value = 'sanitary_equipment';
UPDATE vignette_exemptions SET
    reason_ar = 'المركبات المجهزة بعتاد مكافحة الحرائق',
    reason_fr = 'Véhicules équipés de matériel de lutte contre l''incendie'
WHERE criterion = 'status' AND value = 'fire_fighting';
UPDATE vignette_exemptions SET
    reason_ar = 'المركبات المهيأة للأشخاص ذوي الإعاقة',
    reason_fr = 'Véhicules aménagés pour les personnes handicapées'
WHERE criterion = 'status' AND value = 'disability_adapted';
UPDATE vignette_exemptions SET
    reason_ar = 'مركبات المالكين المتمتعين بالامتيازات الدبلوماسية أو القنصلية',
    reason_fr = 'Véhicules des titulaires de privilèges diplomatiques ou consulaires'
WHERE criterion = 'status' AND value = 'diplomatic';
UPDATE vignette_exemptions SET
    reason_ar = 'المركبات ذات الترقيم الخاص التابعة للدولة والجماعات المحلية',
    reason_fr = 'Véhicules à immatriculation spéciale de l''État et des collectivités locales'
WHERE criterion = 'status' AND value = 'state_special_registration';
UPDATE vignette_exemptions SET
    reason_ar = 'الجرارات والآلات الفلاحية',
    reason_fr = 'Tracteurs et engins agricoles'
WHERE criterion = 'plate_category' AND value = '6';
UPDATE vignette_exemptions SET
    reason_ar = 'المقطورات ونصف المقطورات',
    reason_fr = 'Remorques et semi-remorques'
WHERE criterion = 'plate_category' AND value = '8';
UPDATE vignette_exemptions SET
    reason_ar = 'المركبات ذات أقل من أربع عجلات (الدراجات النارية والدراجات الآلية)',
    reason_fr = 'Véhicules de moins de quatre roues (motocyclettes, cyclomoteurs)'
WHERE criterion = 'plate_category' AND value = '9';

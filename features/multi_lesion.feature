Feature: Patients with several lesions
  Clinical intent: decisions are made per lesion, in the NOMS order, with the patient's facts
  shared: one patient may need decompression at one level, fixation of a femur, 8 Gy × 1 to a
  painful rib and nothing for a small painless lesion. Eligibility is per lesion — "no previous
  irradiation at the selected site" is a property of the site — and data gaps name the lesion
  they belong to. Compression at two separate areas is outside the Patchell trial.
  Sources: laufer2013, patchell2005, mirels1989, marazzi2025, nieder2006, vandervelden2022

  @needs-clinical-review
  Scenario: Four lesions, four different treatments (cord compression, impending fracture, painful rib, painless ilium)
    Given a 67-year-old man with non-small-cell lung cancer
    And ECOG 2
    And an expected survival of 10 months
    And 4 bone metastases and 7 metastatic lesions in total on the latest imaging
    And medically operable
    And no previous radiotherapy anywhere
    And one-level cord compression at T4 with leg weakness for 48 hours
    And Bilsky grade 3 at T4
    And still walking
    And a bone metastasis at the right rib
    And pain of 6/10 at the right rib
    And no pathological fracture at the right rib
    And a bone metastasis at the left femoral shaft
    And Mirels 10 at the left femoral shaft
    And no pathological fracture at the left femoral shaft
    And a bone metastasis at the left ilium
    And the lesion at the left ilium measures 1.5 cm
    And pain of 0/10 at the left ilium
    And no pathological fracture at the left ilium
    When the patient is evaluated on 2026-11-20
    Then the lesion at T4 gets an urgent surgical referral for MESCC decompression
    And the lesion at T4 does not get ablative RT
    And the lesion at the left femoral shaft gets an urgent orthopaedic referral for an impending fracture
    And the lesion at the right rib gets 8 Gy in 1 fraction for pain (preferred)
    And the lesion at the right rib does not get SBRT
    And the lesion at the left ilium gets no radiotherapy or surgery recommendation
    And the lesion at the left ilium is not a high-risk site
    And SBRT is "ineligible" at T4 because "no-cord-compression" is "not-met"
    And SBRT is "ineligible" at the left femoral shaft because "no-fracture" is "not-met"

  Scenario: Previous RT at one site rules out SIB-IMRT there only; the new lesion stays eligible
    Given a 57-year-old woman with breast cancer
    And ECOG 1
    And an expected survival of 30 months
    And bone-only disease with 2 bone metastases
    And restaging PET-CT 14 days ago
    And disease stable at the last evaluation
    And no neurological deficit
    And a bone metastasis at T8
    And pain of 5/10 at T8
    And SINS 4 at T8
    And Bilsky grade 0 at T8
    And no pathological fracture at T8
    And no surgery scheduled at T8
    And T8 was irradiated with 20 Gy in 5 fractions 20 months ago
    And a bone metastasis at the left ilium
    And pain of 4/10 at the left ilium
    And no pathological fracture at the left ilium
    And no surgery scheduled at the left ilium
    And no previous radiotherapy at the left ilium
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "ineligible" at T8 because "no-prior-rt-at-site" is "not-met"
    And SIB-IMRT is "eligible" at the left ilium
    And the lesion at T8 gets 8 Gy in 1 fraction as re-irradiation
    And the lesion at T8 does not get SIB-IMRT
    And the lesion at the left ilium gets SIB-IMRT for oligometastatic breast cancer (preferred)

  Scenario: Cord compression at two separate areas: RT to both, no decompression
    Given a 70-year-old woman with breast cancer
    And ECOG 2
    And an expected survival of 5 months
    And bone-only disease with 5 bone metastases
    And medically operable
    And no previous radiotherapy anywhere
    And cord compression at T3 with leg weakness for 24 hours
    And cord compression at T11
    And still walking
    When the patient is evaluated on 2026-11-20
    Then decompressive surgery is "ineligible" at T3 because "single-area" is "not-met"
    And the decompressive surgery criterion "single-area" at T11 says "compression in 2 separate areas"
    And the lesion at T3 gets 20 Gy in 5 fractions for cord compression (urgent)
    And the lesion at T11 gets 20 Gy in 5 fractions for cord compression (urgent)

  Scenario: Contiguous levels are one lesion and one compression area
    Given a 70-year-old woman with breast cancer
    And ECOG 2
    And an expected survival of 12 months
    And bone-only disease with 2 bone metastases
    And medically operable
    And no previous radiotherapy anywhere
    And two-level cord compression at T10–T11 with leg weakness for 12 hours
    And still walking
    When the patient is evaluated on 2026-11-20
    Then decompressive surgery is "eligible" at T10–T11
    And the decompressive surgery criterion "single-area" at T10–T11 says "compression in one area (T10–T11)"
    And the lesion at T10–T11 gets an urgent surgical referral for MESCC decompression

  @needs-clinical-review
  Scenario: Oligometastatic renal cancer — SBRT at both lesions, for different reasons
    Given a 63-year-old man with renal cell carcinoma
    And ECOG 1
    And an expected survival of 30 months
    And bone-only disease with 2 bone metastases
    And the primary tumour is controlled
    And no previous radiotherapy anywhere
    And no neurological deficit
    And a bone metastasis at L2
    And pain of 6/10 at L2
    And SINS 5 at L2
    And Bilsky grade 1a at L2
    And no pathological fracture at L2
    And a bone metastasis at the left rib
    And pain of 2/10 at the left rib
    And the lesion at the left rib measures 1.5 cm
    And no pathological fracture at the left rib
    When the patient is evaluated on 2026-11-20
    Then the lesion at L2 gets SBRT for a radioresistant tumour (preferred)
    And the lesion at L2 does not get SBRT for oligometastatic disease
    And the lesion at the left rib gets SBRT for oligometastatic disease (preferred)
    And the recommendation offers 35 Gy in 5 fractions with a BED10 of 59.5 Gy
    And SIB-IMRT is "ineligible" at L2 because "breast-cancer" is "not-met"

  Scenario: Data gaps name the lesion they belong to
    Given a 66-year-old woman with breast cancer
    And ECOG 1
    And an expected survival of 20 months
    And a bone metastasis at T6
    And SINS 3 at T6
    And a bone metastasis at the right femoral neck
    And Mirels 6 at the right femoral neck
    When the patient is evaluated on 2026-11-20
    Then "sins" is not a data gap for T6
    And "mirels" is not a data gap for the right femoral neck
    And "pain" is a data gap for T6
    And "pain" is a data gap for the right femoral neck
    And "bilsky-grade" is a data gap for T6
    And "bilsky-grade" is not a data gap for the right femoral neck

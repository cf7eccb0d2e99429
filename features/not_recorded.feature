Feature: What the record does not say — documented, not recorded, unknown; facts have dates; death
  Clinical intent: a fact is documented (present, or explicitly absent), not recorded (the record
  covers the kind of resource that would hold it and none does) or unknown (the input does not
  cover it). Which silences may be read as absence, and for which decisions, is declared per fact
  in the fact catalogue (rules/facts.yaml) with its reason; a verdict or recommendation that rests
  on such a reading lists it under "confirm before acting". A silence is never read as absence for
  the compression status or SINS of an ablative decision, and an unknown fact is never read at all.
  Each fact is current only for the window its catalogue entry declares: a stale fact is unknown
  and the data gap asks to re-assess it. A deceased patient gets no treatment recommendation.
  Sources: marazzi2025, alcorn2024, vandervelden2022, bilsky2010, nice2023

  Scenario: The canonical Marazzi patient is eligible for SIB-IMRT, with what was read from silence listed to confirm
    An ordinary EHR record: it never says "no previous radiotherapy" or "no surgery planned".
    Given a 55-year-old woman with breast cancer
    And ECOG 0
    And restaging PET-CT 12 days ago
    And a bone metastasis at L3
    And a bone metastasis at the left ilium
    And SINS 4 at L3
    And Bilsky grade 0 at L3
    And pain of 5/10 at L3
    And pain of 4/10 at the left ilium
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "eligible" at L3
    And SIB-IMRT is "eligible" at the left ilium
    And the SIB-IMRT criterion "no-prior-rt-at-site" is met because it is not recorded at L3
    And the SIB-IMRT criterion "no-surgery-scheduled" is met because it is not recorded at the left ilium
    And the lesion at L3 gets SIB-IMRT asking to confirm "no radiotherapy to L3 or next to it given elsewhere"
    And the lesion at the left ilium gets SIB-IMRT asking to confirm "no surgery planned at left ilium"
    And the evaluation asks to confirm "no bone metastases other than the 2 recorded"
    And the evaluation asks to confirm "no radiotherapy to left ilium or next to it given elsewhere"

  Scenario: An explicitly documented absence is documented, not an assumption
    Given a 55-year-old woman with breast cancer
    And ECOG 0
    And restaging PET-CT 12 days ago
    And no previous radiotherapy anywhere
    And a bone metastasis at L3
    And no surgery scheduled at L3
    When the patient is evaluated on 2026-11-20
    Then the SIB-IMRT criterion "no-prior-rt-at-site" is met as documented at L3
    And the SIB-IMRT criterion "no-surgery-scheduled" is met as documented at L3
    And the evaluation does not ask to confirm "no radiotherapy to L3"
    And the evaluation does not ask to confirm "no surgery planned at L3"

  Scenario: A CDS Hooks call that did not fetch Procedures leaves previous radiotherapy unknown, never "none"
    Given a 55-year-old woman with breast cancer
    And ECOG 0
    And restaging PET-CT 12 days ago
    And a bone metastasis at L3
    And SINS 4 at L3
    And Bilsky grade 0 at L3
    And the EHR sent only its Patient, Condition, Observation, ImagingStudy and DiagnosticReport resources
    When the patient is evaluated on 2026-11-20
    Then the SIB-IMRT criterion "no-prior-rt-at-site" is "unknown" at L3
    And SIB-IMRT is "undetermined" at L3
    And "prior-radiotherapy" is a data gap for L3 needed for "sib-imrt"
    And the lesion at L3 does not get SIB-IMRT

  Scenario: A painful femoral shaft lesion with Mirels 6 gets 8 Gy × 1, confirming what the record leaves out
    Given a 70-year-old man with prostate cancer
    And ECOG 1
    And a bone metastasis at the left femoral shaft
    And Mirels 6 at the left femoral shaft
    And pain of 6/10 at the left femoral shaft
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left femoral shaft gets 8 Gy in 1 fraction for pain asking to confirm "no pathological fracture at left femoral shaft"
    And the evaluation asks to confirm "no radiotherapy to left femoral shaft or next to it given elsewhere"

  Scenario: A painful T11 lesion, SINS 5 and Bilsky 0, in polymetastatic NSCLC is offered SC24 SBRT with its assumptions
    Given a 64-year-old man with non-small-cell lung cancer
    And ECOG 1
    And an expected survival of 8 months
    And 8 bone metastases and 12 metastatic lesions in total on the latest imaging
    And a bone metastasis at T11
    And SINS 5 at T11
    And Bilsky grade 0 at T11
    And pain of 7/10 at T11
    When the patient is evaluated on 2026-11-20
    Then the lesion at T11 gets preferred SBRT for a painful spinal metastasis
    And the recommendation offers 24 Gy in 2 fractions
    And the lesion at T11 gets SBRT for a painful spinal metastasis asking to confirm "no neurological deficit"
    And the SBRT criterion "no-neurological-deficit" is met because it is not recorded at T11

  Scenario: Without a documented compression status, a neurological deficit that is not recorded stays unknown for SBRT
    Given a 64-year-old man with non-small-cell lung cancer
    And ECOG 1
    And an expected survival of 8 months
    And a bone metastasis at T11
    And SINS 5 at T11
    And pain of 7/10 at T11
    When the patient is evaluated on 2026-11-20
    Then the SBRT criterion "no-neurological-deficit" is "unknown" at T11
    And the lesion at T11 does not get SBRT
    And the lesion at T11 gets 8 Gy in 1 fraction for pain asking to confirm "no cord or cauda equina compression at T11"

  Scenario: Cord compression is never read from silence for an ablative decision
    Given a 64-year-old man with non-small-cell lung cancer
    And ECOG 1
    And an expected survival of 8 months
    And a bone metastasis at T11
    And SINS 5 at T11
    And pain of 7/10 at T11
    When the patient is evaluated on 2026-11-20
    Then the SBRT criterion "no-cord-compression" is "unknown" at T11
    And "cord-compression" is a data gap for T11 needed for "sbrt"

  Scenario: A documented neurological deficit always counts
    Given a 64-year-old man with non-small-cell lung cancer
    And ECOG 1
    And an expected survival of 8 months
    And a neurological deficit
    And a bone metastasis at T11
    And SINS 5 at T11
    And Bilsky grade 0 at T11
    And pain of 7/10 at T11
    When the patient is evaluated on 2026-11-20
    Then the SBRT criterion "no-neurological-deficit" is "not-met" at T11
    And the lesion at T11 does not get SBRT

  Scenario: A partial extract says nothing about what it left out: every silence is unknown
    Given a 70-year-old man with prostate cancer
    And ECOG 1
    And a bone metastasis at the left femoral shaft
    And Mirels 6 at the left femoral shaft
    And pain of 6/10 at the left femoral shaft
    And the record is a partial extract: what it does not hold is unknown
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left femoral shaft gets no radiotherapy or surgery recommendation
    And "pathological-fracture" is a data gap for the left femoral shaft
    And the evaluation asks to confirm nothing

  Scenario: Performance status older than its currency window is re-assessed, not used
    Given a 55-year-old woman with breast cancer
    And an ECOG of 0 recorded 120 days ago
    And restaging PET-CT 12 days ago
    And a bone metastasis at L3
    And SINS 4 at L3
    And Bilsky grade 0 at L3
    And pain of 5/10 at L3
    When the patient is evaluated on 2026-11-20
    Then the SIB-IMRT criterion "ecog-0-2" is "unknown" at L3
    And "performance-status" is a stale data gap saying "last documented 2026-07-23"
    And the lesion at L3 does not get SIB-IMRT

  Scenario: A pain score from months ago does not make a lesion painful today
    Given a 70-year-old man with prostate cancer
    And ECOG 1
    And a bone metastasis at the left femoral shaft
    And Mirels 6 at the left femoral shaft
    And a pain score of 6/10 at the left femoral shaft recorded 75 days ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left femoral shaft does not get 8 Gy in 1 fraction for pain
    And "pain" is a stale data gap for the left femoral shaft saying "Re-assess pain at the lesion"

  Scenario: A deceased patient gets no treatment recommendation, and every verdict says why
    Given a 68-year-old woman with breast cancer
    And ECOG 1
    And an expected survival of 12 months
    And medically operable
    And one-level cord compression at T8 with leg weakness for 12 hours
    And the patient died on 2026-03-01
    When the patient is evaluated on 2026-11-20
    Then the patient gets no treatment recommendation
    And every verdict at T8 is "ineligible" because the patient died
    And the output warns "The patient died on 2026-03-01: no treatment recommendation"

  Scenario: Age is counted to the death, not past it
    Given a 68-year-old woman with breast cancer
    And a bone metastasis at T8
    And the patient died on 2024-11-20
    When the patient is evaluated on 2026-11-20
    Then the patient's age is 66

  Scenario: A death recorded without a date still stops every treatment recommendation
    Given a 68-year-old woman with breast cancer
    And a bone metastasis at T8
    And pain of 6/10 at T8
    And the record says the patient has died, without a date
    When the patient is evaluated on 2026-11-20
    Then the patient gets no treatment recommendation

Feature: Re-irradiation and cumulative spinal-cord dose
  Clinical intent: a painful, previously irradiated site can be treated again (ASTRO 2024: spine
  8/1, 20/5, 24/6, 20/8; non-spine 8/1, 20/5, 24/6). In the spine the cumulative spinal-cord dose
  is checked against Nieder 2006: cumulative BED2 (α/β 2 Gy) ≤ 135.5 Gy with at least 6 months
  between courses; SBRT re-irradiation follows Sahgal 2012 (cord EQD2 of the new course ≤ 20–25 Gy,
  cumulative ≤ ~70 Gy, interval ≥ 5 months). When the previous dose is not documented the check
  cannot be made: that is a data gap, never an assumption. Previous RT at the site also rules out
  SIB-IMRT (Marazzi) and may rule out 30 Gy/10 after decompression (Patchell).
  Sources: alcorn2024, nieder2006, sahgal2012, sahgal2019, marazzi2025, patchell2005

  Background:
    Given a 61-year-old woman with breast cancer
    And ECOG 1
    And an expected survival of 30 months
    And bone-only disease with 2 bone metastases
    And restaging MRI 12 days ago
    And no neurological deficit
    And a bone metastasis at T8
    And pain of 6/10 at T8
    And SINS 4 at T8
    And Bilsky grade 0 at T8
    And no pathological fracture at T8

  Scenario: 20 Gy in 5 fractions 14 months ago leaves room for 8 Gy or 20 Gy again (cumulative BED2 100 and 120 Gy)
    Given T8 was irradiated with 20 Gy in 5 fractions 14 months ago
    When the patient is evaluated on 2026-11-20
    Then the previous cord BED2 at T8 is 60.0 Gy, 14.0 months ago
    And the lesion at T8 gets 8 Gy in 1 fraction as re-irradiation (preferred)
    And the recommendation's rationale mentions "cumulative 100.0 Gy ≤ 135.5 Gy"
    And the recommendation cites "Nieder 2006"
    And the lesion at T8 gets 20 Gy in 5 fractions as re-irradiation (alternative)
    And the recommendation's rationale mentions "cumulative 120.0 Gy ≤ 135.5 Gy"
    And the recommendation offers 20 Gy in 8 fractions as alternative
    And the lesion at T8 does not get 8 Gy in 1 fraction for pain
    And SIB-IMRT is "ineligible" at T8 because "no-prior-rt-at-site" is "not-met"
    And the SIB-IMRT criterion "no-prior-rt-at-site" at T8 says "20 Gy in 5 fractions"

  Scenario: SBRT re-irradiation within Sahgal's cumulative cord EQD2 is an alternative
    Previous EQD2 to the cord 30 Gy leaves 40 Gy under ~70 Gy.
    Given T8 was irradiated with 20 Gy in 5 fractions 14 months ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at T8 gets SBRT for a painful spinal metastasis (alternative)
    And the recommendation rests on rule "reirradiation.spine-sbrt"
    And the recommendation cites "Sahgal 2012"
    And the recommendation's rationale mentions "Previous cord EQD2 30.0 Gy"

  Scenario: 40 Gy in 20 fractions leaves room for 8 Gy × 1 (cumulative 120 Gy) but not 20 Gy/5 (140 Gy)
    Given T8 was irradiated with 40 Gy in 20 fractions 20 months ago
    When the patient is evaluated on 2026-11-20
    Then the previous cord BED2 at T8 is 80.0 Gy, 20.0 months ago
    And the lesion at T8 gets 8 Gy in 1 fraction as re-irradiation
    And the lesion at T8 does not get 20 Gy in 5 fractions as re-irradiation

  @safety
  Scenario: Two previous courses exhaust the cord tolerance: conventional re-irradiation is advised against
    30 Gy/10 (BED2 75 Gy) and 8 Gy × 1 (40 Gy) leave 20.5 Gy under 135.5 Gy, less than even 8 Gy × 1.
    Given T8 was irradiated with 30 Gy in 10 fractions 30 months ago
    And T8 was irradiated with 8 Gy in 1 fraction 9 months ago
    When the patient is evaluated on 2026-11-20
    Then the previous cord BED2 at T8 is 115.0 Gy, 9.0 months ago
    And the lesion at T8 is warned to avoid "beyond the cumulative cord BED2 of 135.5 Gy"
    And the recommendation's rationale mentions "leaves 20.5 Gy under Nieder's 135.5 Gy"
    And the lesion at T8 does not get conventional RT

  @boundary
  Scenario Outline: <months> months after the previous course: <outcome>
    Given T8 was irradiated with 20 Gy in 5 fractions <months> months ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at T8 <caution> warned to avoid "less than 6 months after the previous course"
    And the lesion at T8 <conventional> 8 Gy in 1 fraction as re-irradiation
    And the lesion at T8 <sbrt> SBRT for a painful spinal metastasis

    Examples:
      | months | outcome                                   | caution | conventional | sbrt         |
      | 4      | too early for any re-irradiation          | is      | does not get | does not get |
      | 5.5    | SBRT (≥ 5 months) but not conventional RT | is      | does not get | gets         |
      | 6      | conventional RT (≥ 6 months) and SBRT     | is not  | gets         | gets         |

  Scenario: An undocumented previous dose is a data gap, not an assumption
    Given T8 was irradiated 14 months ago, dose not documented
    When the patient is evaluated on 2026-11-20
    Then the previous dose at T8 is unknown
    And "prior-radiotherapy-dose" is a data gap for T8
    And the lesion at T8 does not get conventional RT
    And the lesion at T8 does not get SBRT
    And SIB-IMRT is "ineligible" at T8 because "no-prior-rt-at-site" is "not-met"

  Scenario: With cord compression and an undocumented previous dose, surgical candidacy is undetermined
    Given T8 was irradiated 14 months ago, dose not documented
    And one-level cord compression at T8 with leg weakness for 12 hours
    And still walking
    And medically operable
    When the patient is evaluated on 2026-11-20
    Then decompressive surgery is "undetermined" at T8 because "prior-rt-permits-30gy" is "unknown"
    And "prior-radiotherapy-dose" is a data gap for T8 needed for "mescc-surgery"
    And the lesion at T8 gets an urgent surgical referral for MESCC decompression

  @safety @needs-clinical-review
  Scenario: Previous RT that leaves no room for 30 Gy/10 is outside Patchell, yet the patient sees a surgeon and gets only what the cord tolerates
    Given T8 was irradiated with 30 Gy in 10 fractions 20 months ago
    And one-level cord compression at T8 with leg weakness for 12 hours
    And still walking
    And medically operable
    And an expected survival of 12 months
    When the patient is evaluated on 2026-11-20
    Then decompressive surgery is "ineligible" at T8 because "prior-rt-permits-30gy" is "not-met"
    And the decompressive surgery criterion "prior-rt-permits-30gy" at T8 says "cord BED2 headroom 60.5 Gy"
    And the lesion at T8 gets an urgent surgical referral for MESCC decompression
    And the recommendation rests on rule "mescc.previously-irradiated-surgical-opinion"
    And the lesion at T8 does not get 30 Gy in 10 fractions for cord compression
    And the lesion at T8 gets 20 Gy in 5 fractions for cord compression (urgent)

  Scenario: After SBRT the cord dose depends on the plan: it is not computed from the prescription
    Given T8 was treated with SBRT 24 Gy in 2 fractions 12 months ago
    When the patient is evaluated on 2026-11-20
    Then "prior-radiotherapy-dose" is a data gap for T8
    And the lesion at T8 does not get 8 Gy in 1 fraction as re-irradiation

  Scenario: A painful previously irradiated site outside the spine: 8 Gy × 1, or 20 Gy/5 or 24 Gy/6
    Given a bone metastasis at the left ilium
    And pain of 7/10 at the left ilium
    And no pathological fracture at the left ilium
    And the left ilium was irradiated with 8 Gy in 1 fraction 10 months ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left ilium gets 8 Gy in 1 fraction as re-irradiation (preferred)
    And the recommendation offers 20 Gy in 5 fractions as alternative
    And the recommendation offers 24 Gy in 6 fractions as alternative with a BED10 of 33.6 Gy
    And the recommendation cites "Alcorn 2024"

  @safety
  Scenario: Radiotherapy to the next level counts: field edges and the cord dose overlap
    Given T9 was irradiated with 20 Gy in 5 fractions 14 months ago
    When the patient is evaluated on 2026-11-20
    Then the SIB-IMRT criterion "no-prior-rt-at-site" is "not-met" at T8
    And the SIB-IMRT criterion "no-prior-rt-at-site" at T8 says "T9, next to T8"
    And the lesion at T8 does not get 8 Gy in 1 fraction for pain
    And the lesion at T8 gets 8 Gy in 1 fraction as re-irradiation

Feature: Stereotactic body radiotherapy (SBRT) and the BED table
  Clinical intent: dose escalation where it helps. A painful, stable spinal metastasis without cord
  compression in a patient with ECOG 0–2 gets 24 Gy in 2 fractions (SC24), never 16–18 Gy × 1
  (RTOG 0631) and 24 Gy × 1 only accepting its fracture risk (Sprave). A painful non-spine
  metastasis with excellent performance status, long expected survival and limited burden gets
  12 Gy × 1 (≥ 4 cm) or 16 Gy × 1 (< 4 cm) (Nguyen 2019). Oligometastatic disease with a controlled
  primary gets ablative SBRT (SABR-COMET: 35/5, 54/3, 60/8), not for femoral lesions or lesions
  near the cord; for breast cancer the output says that NRG-BR002 showed no survival benefit.
  Radioresistant histology with low-grade ESCC favours SBRT (NOMS). SBRT is contra-indicated with
  instability, undecompressed high-grade ESCC, a fracture, a neurological deficit, poor
  performance status or short expected survival. BED10 = n·d·(1 + d/10), nominal above 8 Gy per
  fraction.
  Sources: sahgal2021, ryu2023, sprave2018, nguyen2019, palma2020, lievens2020, chmura2022, laufer2013, alcorn2024

  Background:
    Given a 60-year-old man with prostate cancer
    And ECOG 1
    And an expected survival of 30 months
    And bone-only disease with 3 bone metastases
    And no previous radiotherapy anywhere
    And no neurological deficit

  Scenario: SC24 — a painful, stable spinal metastasis gets 24 Gy in 2 fractions
    Given a bone metastasis at T9
    And pain of 6/10 at T9
    And SINS 5 at T9
    And Bilsky grade 0 at T9
    And no pathological fracture at T9
    When the patient is evaluated on 2026-11-20
    Then SBRT is "eligible" at T9
    And the lesion at T9 gets SBRT for a painful spinal metastasis (preferred)
    And the recommendation offers 24 Gy in 2 fractions with a BED10 of 52.8 Gy
    And the recommendation cites "Sahgal 2021"
    And the recommendation's rationale mentions "35% vs 14%"
    And the lesion at T9 gets 8 Gy in 1 fraction for pain (alternative)
    And the recommendation's rationale mentions "8 Gy × 1 remains a reasonable alternative"

  @needs-clinical-review
  Scenario: 28 Gy in 2 fractions is the dose-escalated SC24 option (Zeng, not re-checked)
    Given a bone metastasis at T9
    And pain of 6/10 at T9
    And SINS 5 at T9
    And Bilsky grade 0 at T9
    And no pathological fracture at T9
    When the patient is evaluated on 2026-11-20
    Then the lesion at T9 gets SBRT for a painful spinal metastasis (preferred)
    And the recommendation offers 28 Gy in 2 fractions as alternative with a BED10 of 67.2 Gy

  Scenario: Spine SBRT never uses 16–18 Gy × 1 (RTOG 0631) and 24 Gy × 1 only accepting its fracture risk
    Given a bone metastasis at T9
    And pain of 6/10 at T9
    And SINS 5 at T9
    And the lesion at T9 is lytic
    And Bilsky grade 0 at T9
    And no pathological fracture at T9
    When the patient is evaluated on 2026-11-20
    Then the lesion at T9 is warned to avoid "16–18 Gy × 1 spine SBRT"
    And the recommendation cites "Ryu 2023"
    And the recommendation offers 16 Gy in 1 fraction as avoid with a BED10 of 41.6 Gy
    And the lesion at T9 is warned to avoid "24 Gy × 1 spine SBRT"
    And the recommendation cites "Sprave 2018"
    And the recommendation offers 24 Gy in 1 fraction as avoid with a BED10 of 81.6 Gy
    And the recommendation's rationale mentions "8.7% vs 4.3%"
    And the recommendation's rationale mentions "the lesion at T9 is lytic"

  @boundary
  Scenario Outline: SBRT treats at most 3 contiguous vertebral levels (<levels>: <status>)
    Given a bone metastasis at <levels>
    And pain of 6/10 at <levels>
    And SINS 5 at <levels>
    And Bilsky grade 0 at <levels>
    And no pathological fracture at <levels>
    When the patient is evaluated on 2026-11-20
    Then SBRT is "<verdict>" at <levels> because "spine-at-most-3-segments" is "<status>"

    Examples:
      | levels  | verdict    | status  |
      | T8–T10  | eligible   | met     |
      | T8–T11  | ineligible | not-met |

  @boundary
  Scenario Outline: SBRT needs ECOG 0–2 (ECOG <ecog>: <status>)
    Given ECOG <ecog>
    And a bone metastasis at T9
    And pain of 6/10 at T9
    And SINS 5 at T9
    And Bilsky grade 0 at T9
    And no pathological fracture at T9
    When the patient is evaluated on 2026-11-20
    Then SBRT is "<verdict>" at T9 because "ecog-0-2" is "<status>"
    And the lesion at T9 <outcome> SBRT

    Examples:
      | ecog | verdict    | status  | outcome      |
      | 2    | eligible   | met     | gets         |
      | 3    | ineligible | not-met | does not get |

  @boundary
  Scenario Outline: SBRT needs an expected survival of at least 3 months (<months> months: <status>)
    Given an expected survival of <months> months
    And a bone metastasis at T9
    And pain of 6/10 at T9
    And SINS 5 at T9
    And Bilsky grade 0 at T9
    And no pathological fracture at T9
    When the patient is evaluated on 2026-11-20
    Then SBRT is "<verdict>" at T9 because "survival-not-short" is "<status>"

    Examples:
      | months | verdict    | status  |
      | 2.9    | ineligible | not-met |
      | 3      | eligible   | met     |

  @needs-clinical-review @boundary
  Scenario Outline: Nguyen 2019 — a painful non-spine metastasis of <cm> cm gets <dose> Gy in a single fraction
    The limited-burden condition (≤ 5 lesions) of the non-spine SBRT rules awaits clinical review.
    Given ECOG 0
    And a bone metastasis at the left ilium
    And pain of 6/10 at the left ilium
    And the lesion at the left ilium measures <cm> cm
    And no pathological fracture at the left ilium
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left ilium gets SBRT for a painful non-spine metastasis (preferred)
    And the recommendation offers <dose> Gy in 1 fraction with a BED10 of <bed> Gy
    And the recommendation cites "Nguyen 2019"
    And the recommendation is marked as needing clinical review

    Examples:
      | cm  | dose | bed  |
      | 3.9 | 16   | 41.6 |
      | 4   | 12   | 26.4 |
      | 6.5 | 12   | 26.4 |

  @needs-clinical-review @boundary
  Scenario Outline: Non-spine SBRT needs a long expected survival (<months> months)
    Given ECOG 0
    And an expected survival of <months> months
    And a bone metastasis at the left ilium
    And pain of 6/10 at the left ilium
    And the lesion at the left ilium measures 3 cm
    And no pathological fracture at the left ilium
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left ilium <outcome> SBRT for a painful non-spine metastasis

    Examples:
      | months | outcome      |
      | 11.9   | does not get |
      | 12     | gets         |

  @needs-clinical-review
  Scenario: Non-spine SBRT needs excellent performance status: with ECOG 2, 8 Gy in a single fraction
    Given ECOG 2
    And a bone metastasis at the left ilium
    And pain of 6/10 at the left ilium
    And the lesion at the left ilium measures 3 cm
    And no pathological fracture at the left ilium
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left ilium does not get SBRT for a painful non-spine metastasis
    And the lesion at the left ilium gets 8 Gy in 1 fraction for pain (preferred)

  Scenario: SABR-COMET — oligometastatic disease with a controlled primary gets ablative SBRT
    Given the primary tumour is controlled
    And no history of polymetastatic or treated oligometastatic disease
    And no active systemic therapy
    And a bone metastasis at the right rib
    And pain of 3/10 at the right rib
    And no pathological fracture at the right rib
    When the patient is evaluated on 2026-11-20
    Then the lesion at the right rib gets SBRT for oligometastatic disease (preferred)
    And the recommendation offers 35 Gy in 5 fractions with a BED10 of 59.5 Gy
    And the recommendation offers 54 Gy in 3 fractions as alternative
    And the recommendation offers 60 Gy in 8 fractions as alternative
    And the recommendation cites "Palma 2020"
    And the recommendation's rationale mentions "42.3% vs 17.7%"
    And the recommendation's rationale mentions "de-novo metachronous oligorecurrence"

  Scenario: SABR-COMET excluded femoral metastases
    Given the primary tumour is controlled
    And a bone metastasis at the left femoral shaft
    And pain of 3/10 at the left femoral shaft
    And Mirels 6 at the left femoral shaft
    And no pathological fracture at the left femoral shaft
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left femoral shaft does not get SBRT for oligometastatic disease

  @needs-clinical-review
  Scenario: SABR-COMET excluded lesions within about 3 mm of the cord (Bilsky 1c abuts the cord)
    Given the primary tumour is controlled
    And a bone metastasis at T9
    And pain of 6/10 at T9
    And SINS 5 at T9
    And Bilsky grade 1c at T9
    And no pathological fracture at T9
    When the patient is evaluated on 2026-11-20
    Then the lesion at T9 does not get SBRT for oligometastatic disease
    And the lesion at T9 gets SBRT for a painful spinal metastasis

  Scenario: Without a controlled primary there is no ablative SBRT for oligometastatic disease
    Given the primary tumour is not controlled
    And a bone metastasis at the right rib
    And pain of 3/10 at the right rib
    And no pathological fracture at the right rib
    When the patient is evaluated on 2026-11-20
    Then the lesion at the right rib does not get SBRT for oligometastatic disease

  @needs-clinical-review
  Scenario: NOMS — a radioresistant tumour with low-grade ESCC favours SBRT over conventional RT
    Given the primary cancer is renal cell carcinoma
    And a bone metastasis at L2
    And pain of 6/10 at L2
    And SINS 5 at L2
    And Bilsky grade 1a at L2
    And no pathological fracture at L2
    When the patient is evaluated on 2026-11-20
    Then the lesion at L2 gets SBRT for a radioresistant tumour (preferred)
    And the recommendation offers 24 Gy in 2 fractions with a BED10 of 52.8 Gy
    And the recommendation cites "Laufer 2013"
    And the recommendation's rationale mentions "renal cell carcinoma is radioresistant"
    And the recommendation is marked as needing clinical review

  @needs-clinical-review
  Scenario: Breast cancer — SBRT names the NRG-BR002 caveat
    The NRG-BR002 reference has no registry id in the criteria (◐).
    Given the primary cancer is breast cancer
    And a bone metastasis at T9
    And pain of 6/10 at T9
    And SINS 5 at T9
    And Bilsky grade 0 at T9
    And no pathological fracture at T9
    When the patient is evaluated on 2026-11-20
    Then the lesion at T9 gets SBRT for a painful spinal metastasis
    And the recommendation's rationale mentions "NRG-BR002 found no progression-free or overall survival benefit"
    And the recommendation cites "Chmura 2022"
    And the recommendation rests on caveat "caveat.breast-omd-ablation"

  Scenario Outline: SBRT contra-indication — <contra-indication>
    Given a bone metastasis at T9
    And pain of 6/10 at T9
    And SINS 5 at T9
    And Bilsky grade 0 at T9
    And no pathological fracture at T9
    And <finding>
    When the patient is evaluated on 2026-11-20
    Then SBRT is "ineligible" at T9 because "<criterion>" is "not-met"
    And the lesion at T9 does not get SBRT

    Examples:
      | contra-indication       | finding                     | criterion               |
      | neurological deficit    | a neurological deficit      | no-neurological-deficit |
      | surgery scheduled       | surgery scheduled at T9     | no-surgery-scheduled    |
      | pathological fracture   | a pathological fracture at T9 | no-fracture           |
      | impending fracture      | an impending fracture documented at T9 | no-fracture  |

  @safety
  Scenario Outline: Safety precedence — a lesion with <problem> is never offered SBRT as if uncomplicated
    Given a bone metastasis at L1
    And pain of 6/10 at L1
    And no neurological deficit
    And <finding>
    When the patient is evaluated on 2026-11-20
    Then the lesion at L1 gets <first>
    And the lesion at L1 does not get ablative RT
    And the lesion at L1 is warned to avoid "<avoid>"
    And SBRT is "ineligible" at L1 because "<criterion>" is "not-met"
    And SIB-IMRT is "ineligible" at L1 because "<sib criterion>" is "not-met"

    Examples:
      | problem         | finding              | first                                               | avoid                 | criterion           | sib criterion       |
      | unstable spine  | SINS 15 at L1        | an urgent surgical referral for spinal instability  | before stabilisation  | sins-below-12       | stable-spine        |
      | high-grade ESCC | Bilsky grade 3 at L1 | 30 Gy in 10 fractions for cord compression          | before decompression  | no-cord-compression | no-cord-compression |

  Scenario Outline: BED10 of <dose> Gy in <fractions> fraction(s) is <bed> Gy <nominal> (criteria table)
    Given the linear-quadratic model with an α/β of 10 Gy for tumour
    Then <dose> Gy in <fractions> fractions has a BED10 of <bed> Gy <nominal>

    Examples:
      | dose | fractions | bed  | nominal    |
      | 8    | 1         | 14.4 |            |
      | 20   | 5         | 28.0 |            |
      | 24   | 6         | 33.6 |            |
      | 30   | 10        | 39.0 |            |
      | 16   | 2         | 28.8 |            |
      | 12   | 1         | 26.4 | (nominal)  |
      | 16   | 1         | 41.6 | (nominal)  |
      | 24   | 2         | 52.8 | (nominal)  |
      | 28   | 2         | 67.2 | (nominal)  |
      | 24   | 1         | 81.6 | (nominal)  |
      | 35   | 5         | 59.5 |            |
      | 30   | 5         | 48.0 |            |
      | 40   | 5         | 72.0 |            |
      | 30   | 3         | 60.0 | (nominal)  |
      | 50   | 10        | 75.0 |            |

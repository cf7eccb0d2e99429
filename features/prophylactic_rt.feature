@needs-clinical-review
Feature: Prophylactic RT for asymptomatic high-risk lesions (Gillespie 2024)
  Clinical intent: in a polymetastatic patient (> 5 sites), radiotherapy to an asymptomatic or
  minimally symptomatic (pain ≤ 3/10) high-risk lesion cut skeletal events at one year from 29% to
  1.6% and improved median survival (1.7 vs 1.0 years). High risk: ≥ 2 cm; hip (acetabulum,
  femoral head/neck), shoulder or sacroiliac joint; a long bone with 1/3–2/3 of the cortex
  involved; junctional spine (C7–T1, T12–L1, L5–S1); spinal posterior elements. The trial
  population is verified (✔) but the high-risk list is from domain knowledge (○), so every
  scenario here awaits clinical review. A lesion that needs a surgeon is referred, not
  irradiated prophylactically.
  Sources: gillespie2024, mirels1989, fisher2010

  Background:
    Given a 69-year-old man with non-small-cell lung cancer
    And ECOG 1
    And an expected survival of 10 months
    And 6 bone metastases and 11 metastatic lesions in total on the latest imaging
    And no previous radiotherapy anywhere

  Scenario: A painless 2.5 cm femoral neck lesion with Mirels 7 gets prophylactic RT
    Given a bone metastasis at the left femoral neck
    And the lesion at the left femoral neck measures 2.5 cm
    And pain of 0/10 at the left femoral neck
    And Mirels 7 at the left femoral neck
    And no pathological fracture at the left femoral neck
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left femoral neck gets prophylactic RT to a high-risk lesion (preferred)
    And the recommendation offers 20 Gy in 5 fractions with a BED10 of 28.0 Gy
    And the recommendation offers 8 Gy in 1 fraction as alternative
    And the recommendation offers 30 Gy in 10 fractions as alternative
    And the recommendation offers 27 Gy in 3 fractions as alternative
    And the recommendation cites "Gillespie 2024"
    And the recommendation's rationale mentions "1.6% vs 29%"
    And the recommendation is marked as needing clinical review
    And the lesion at the left femoral neck does not get a surgical referral

  Scenario Outline: High-risk criterion outside the spine — <criterion>
    Given a bone metastasis at <site>
    And the lesion at <site> measures <cm> cm
    And pain of 1/10 at <site>
    And no pathological fracture at <site>
    And <finding>
    When the patient is evaluated on 2026-11-20
    Then the lesion at <site> is a high-risk site
    And the lesion at <site> gets prophylactic RT to a high-risk lesion

    Examples:
      | criterion                    | site                 | cm  | finding                                                        |
      | size of 2 cm or more         | the right rib        | 2.0 | the lesion at the right rib is mixed                           |
      | hip: acetabulum              | the right acetabulum | 1.2 | the lesion at the right acetabulum is mixed                    |

  Scenario: High-risk criterion — a long bone with 1/3 to 2/3 of the cortex involved
    Given a bone metastasis at the left humerus
    And the lesion at the left humerus measures 1.5 cm
    And pain of 0/10 at the left humerus
    And no pathological fracture at the left humerus
    And cortical involvement of one-to-two-thirds at the left humerus
    And Mirels components at the left humerus: pain mild, lesion mixed
    When the patient is evaluated on 2026-11-20
    Then the Mirels score at the left humerus is 6 (low-risk)
    And the lesion at the left humerus gets prophylactic RT to a high-risk lesion

  Scenario: The Mirels size component is the cortical involvement: 1/3 to 2/3 makes a long bone high risk
    Given a bone metastasis at the left humerus
    And the lesion at the left humerus measures 1.5 cm
    And pain of 0/10 at the left humerus
    And no pathological fracture at the left humerus
    And Mirels components at the left humerus: pain mild, lesion mixed, size one-to-two-thirds
    When the patient is evaluated on 2026-11-20
    Then the Mirels score at the left humerus is 6 (low-risk)
    And the lesion at the left humerus is a high-risk site
    And the lesion at the left humerus gets prophylactic RT to a high-risk lesion

  Scenario Outline: High-risk criterion in a stable spine without compression — <criterion>
    Given a bone metastasis at <level>
    And the lesion at <level> measures 1.0 cm
    And pain of 1/10 at <level>
    And SINS 5 at <level>
    And Bilsky grade 0 at <level>
    And no pathological fracture at <level>
    And <finding>
    When the patient is evaluated on 2026-11-20
    Then the lesion at <level> gets prophylactic RT to a high-risk lesion

    Examples:
      | criterion            | level | finding                              |
      | junctional spine C7  | C7    | posterior elements not involved at C7 |
      | junctional spine T12 | T12   | posterior elements not involved at T12 |
      | junctional spine L1  | L1    | posterior elements not involved at L1 |
      | junctional spine L5  | L5    | posterior elements not involved at L5 |
      | posterior elements   | T7    | posterior elements involved at T7    |

  Scenario Outline: Not high risk — <description>
    Given a bone metastasis at <site>
    And the lesion at <site> measures <cm> cm
    And pain of 0/10 at <site>
    And <finding>
    When the patient is evaluated on 2026-11-20
    Then the lesion at <site> is not a high-risk site
    And the lesion at <site> gets no radiotherapy or surgery recommendation

    Examples:
      | description                                  | site          | cm  | finding                                   |
      | a 1.9 cm rib lesion                          | the right rib | 1.9 | no pathological fracture at the right rib |
      | a small T7 lesion without posterior elements | T7            | 1.0 | posterior elements not involved at T7     |
      | a small femoral shaft lesion with a thin cortical rim | the left femoral shaft | 1.0 | cortical involvement of under-one-third at the left femoral shaft |

  @boundary
  Scenario Outline: Only polymetastatic patients: <total> metastatic lesions <outcome> prophylactic RT
    Given 4 bone metastases and <total> metastatic lesions in total on the latest imaging
    And a bone metastasis at the left femoral neck
    And the lesion at the left femoral neck measures 2.5 cm
    And pain of 0/10 at the left femoral neck
    And Mirels 6 at the left femoral neck
    And no pathological fracture at the left femoral neck
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left femoral neck <outcome> prophylactic RT

    Examples:
      | total | outcome      |
      | 5     | does not get |
      | 6     | gets         |

  @boundary
  Scenario Outline: Minimally symptomatic means pain ≤ 3/10 (pain <pain>/10)
    Given a bone metastasis at the right rib
    And the lesion at the right rib measures 3 cm
    And pain of <pain>/10 at the right rib
    And no pathological fracture at the right rib
    When the patient is evaluated on 2026-11-20
    Then the lesion at the right rib <prophylactic> prophylactic RT
    And the lesion at the right rib <pain RT> 8 Gy in 1 fraction for pain

    Examples:
      | pain | prophylactic | pain RT      |
      | 3    | gets         | gets         |
      | 4    | does not get | gets         |

  @safety
  Scenario: A high-risk lesion with Mirels 9 is fixed first, not irradiated prophylactically
    Given a bone metastasis at the left femoral neck
    And the lesion at the left femoral neck measures 3 cm
    And pain of 2/10 at the left femoral neck
    And Mirels 9 at the left femoral neck
    And no pathological fracture at the left femoral neck
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left femoral neck gets an urgent orthopaedic referral for an impending fracture
    And the lesion at the left femoral neck does not get prophylactic RT

  Scenario: A previously irradiated high-risk lesion is not irradiated prophylactically again
    Given a bone metastasis at the left femoral neck
    And the lesion at the left femoral neck measures 3 cm
    And pain of 0/10 at the left femoral neck
    And Mirels 6 at the left femoral neck
    And no pathological fracture at the left femoral neck
    And the left femoral neck was irradiated with 8 Gy in 1 fraction 10 months ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left femoral neck does not get prophylactic RT

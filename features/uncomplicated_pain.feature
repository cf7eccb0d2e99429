Feature: Uncomplicated painful bone metastasis
  Clinical intent: a painful bone metastasis without an actual or threatened fracture and without
  spinal cord or cauda equina compression (in the spine: SINS 0–6) is treated with 8 Gy in a single
  fraction. 20 Gy/5, 24 Gy/6 and 30 Gy/10 relieve pain equally well with fewer re-treatments
  (about 8% vs 20%, Rich 2018 — numbers not re-checked, ○), reasonable when travel allows or
  expected survival is longer. A painless lesion is not irradiated for pain; a complicated one
  follows the surgical and neurological pathways first.
  Sources: vandervelden2022, alcorn2024, rich2018, grosinger2024

  Background:
    Given a 74-year-old man with prostate cancer
    And ECOG 2
    And an expected survival of 2 months
    And bone-only disease with 9 bone metastases
    And no previous radiotherapy anywhere
    And no neurological deficit

  Scenario: A painful, stable spinal metastasis gets 8 Gy in a single fraction
    Given a bone metastasis at T6
    And pain of 7/10 at T6
    And SINS components at T6: location semi-rigid, pain occasional, bone lesion blastic, alignment normal, collapse none, posterolateral none
    And Bilsky grade 0 at T6
    And no pathological fracture at T6
    When the patient is evaluated on 2026-11-20
    Then the lesion at T6 gets 8 Gy in 1 fraction for pain (preferred)
    And the recommendation offers 8 Gy in 1 fraction with a BED10 of 14.4 Gy
    And the recommendation cites "van der Velden 2022"
    And the recommendation cites "Alcorn 2024"
    And the recommendation's rationale mentions "SINS 2 (stable)"
    And the recommendation's rationale mentions "no fracture and no cord compression"
    And the lesion at T6 does not get a surgical referral

  @needs-clinical-review
  Scenario: Multi-fraction courses are the alternative, with the re-treatment trade-off
    The re-treatment and response rates (8% vs 20%; 60% overall, 23% complete) are quoted from Rich 2018 (○).
    Given a bone metastasis at T6
    And pain of 7/10 at T6
    And SINS 2 at T6
    And Bilsky grade 0 at T6
    And no pathological fracture at T6
    When the patient is evaluated on 2026-11-20
    Then the lesion at T6 gets 20 Gy in 5 fractions for pain (alternative)
    And the recommendation offers 20 Gy in 5 fractions with a BED10 of 28.0 Gy
    And the recommendation offers 24 Gy in 6 fractions as alternative with a BED10 of 33.6 Gy
    And the recommendation offers 30 Gy in 10 fractions as alternative with a BED10 of 39.0 Gy
    And the recommendation's rationale mentions "fewer re-treatments (about 8% vs 20%)"
    And the recommendation cites "Rich 2018"
    And the recommendation is marked as needing clinical review

  @needs-clinical-review
  Scenario: A long expected survival favours the longer course
    Given an expected survival of 2 years
    And a bone metastasis at the left ilium
    And pain of 6/10 at the left ilium
    And no pathological fracture at the left ilium
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left ilium gets 8 Gy in 1 fraction for pain (preferred)
    And the lesion at the left ilium gets 20 Gy in 5 fractions for pain (alternative)
    And the recommendation's rationale mentions "favours the longer course"

  Scenario Outline: A painful <site> lesion outside the spine is uncomplicated without a fracture
    Given a bone metastasis at the <site>
    And pain of 5/10 at the <site>
    And no pathological fracture at the <site>
    When the patient is evaluated on 2026-11-20
    Then the lesion at the <site> gets 8 Gy in 1 fraction for pain (preferred)

    Examples:
      | site            |
      | right rib       |
      | left ilium      |
      | right scapula   |
      | cranium         |
      | right acetabulum |

  Scenario: A painless lesion is not irradiated for pain
    Given a bone metastasis at T6
    And pain of 0/10 at T6
    And SINS 2 at T6
    And Bilsky grade 0 at T6
    And no pathological fracture at T6
    When the patient is evaluated on 2026-11-20
    Then the lesion at T6 gets no radiotherapy or surgery recommendation

  Scenario: Pain that is not documented is a data gap, not "painless"
    Given a bone metastasis at the right rib
    And no pathological fracture at the right rib
    When the patient is evaluated on 2026-11-20
    Then "pain" is a data gap for the right rib
    And the lesion at the right rib gets no radiotherapy or surgery recommendation

  Scenario: Mechanical pain recorded in the SINS makes the lesion painful
    Given SINS components at L3: pain mechanical, bone lesion blastic, alignment normal, collapse none, posterolateral none
    And Bilsky grade 0 at L3
    And no pathological fracture at L3
    When the patient is evaluated on 2026-11-20
    Then the SINS at L3 is 5 (stable)
    And the lesion at L3 gets 8 Gy in 1 fraction for pain (preferred)

  @safety
  Scenario Outline: A complicated lesion (<complication>) is not treated as uncomplicated pain
    Given a bone metastasis at <site>
    And pain of 7/10 at <site>
    And <finding>
    When the patient is evaluated on 2026-11-20
    Then the lesion at <site> does not get 8 Gy in 1 fraction for pain
    And the lesion at <site> does not get 20 Gy in 5 fractions for pain
    And the lesion at <site> gets <instead>

    Examples:
      | complication          | site                | finding                                    | instead                                           |
      | cord compression      | T6                  | Bilsky grade 3 at T6                       | 20 Gy in 5 fractions for cord compression         |
      | unstable spine        | T6                  | SINS 15 at T6                              | surgical referral for spinal instability          |
      | indeterminate SINS    | T6                  | SINS 8 at T6                               | surgical consultation for spinal instability      |
      | pathological fracture | the left humerus    | a pathological fracture of the left humerus | orthopaedic referral for a pathological fracture |
      | Mirels 9              | the left humerus    | Mirels 9 at the left humerus               | orthopaedic referral for an impending fracture    |

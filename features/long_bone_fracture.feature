Feature: Long-bone impending and pathological fracture (Mirels)
  Clinical intent: the mechanical step of NOMS for the appendicular skeleton. The Mirels score
  (site, pain, lesion type, fraction of the cortex involved; 4–12) predicts pathological
  fracture: ≤ 7 radiotherapy and observe, 8 clinical judgement (orthopaedic opinion), ≥ 9
  prophylactic fixation, then RT. An existing pathological fracture goes to orthopaedic fixation,
  then postoperative RT. A lesion with an actual or threatened fracture is never offered SBRT or
  SIB-IMRT as if it were uncomplicated.
  Sources: mirels1989, grosinger2024, vandervelden2022, sprave2018

  Background:
    Given a 67-year-old woman with thyroid cancer
    And ECOG 1
    And an expected survival of 20 months
    And bone-only disease with 4 bone metastases
    And no previous radiotherapy anywhere
    And medically operable

  Scenario Outline: Mirels site from the bone: <bone> scores <points> (<site>)
    Given Mirels components at the <bone>: pain mild, lesion blastic, size under-one-third
    When the patient is evaluated on 2026-11-20
    Then the Mirels score at the <bone> is <total> (low-risk)

    Examples:
      | bone               | site             | points | total |
      | left humerus       | upper-limb       | 1      | 4     |
      | right radius       | upper-limb       | 1      | 4     |
      | left femoral shaft | lower-limb       | 2      | 5     |
      | right fibula       | lower-limb       | 2      | 5     |
      | left femoral neck  | peritrochanteric | 3      | 6     |

  Scenario Outline: Mirels components <site> / <pain> / <lesion> / <size> add up to <total> (<band>)
    Given Mirels components at the right femur: site <site>, pain <pain>, lesion <lesion>, size <size>
    When the patient is evaluated on 2026-11-20
    Then the Mirels score at the right femur is <total> (<band>)

    Examples:
      | site             | pain       | lesion  | size              | total | band       |
      | upper-limb       | mild       | blastic | under-one-third   | 4     | low-risk   |
      | lower-limb       | mild       | blastic | under-one-third   | 5     | low-risk   |
      | peritrochanteric | mild       | blastic | under-one-third   | 6     | low-risk   |
      | upper-limb       | moderate   | blastic | under-one-third   | 5     | low-risk   |
      | upper-limb       | functional | blastic | under-one-third   | 6     | low-risk   |
      | upper-limb       | mild       | mixed   | under-one-third   | 5     | low-risk   |
      | upper-limb       | mild       | lytic   | under-one-third   | 6     | low-risk   |
      | upper-limb       | mild       | blastic | one-to-two-thirds | 5     | low-risk   |
      | upper-limb       | mild       | blastic | over-two-thirds   | 6     | low-risk   |
      | lower-limb       | moderate   | mixed   | under-one-third   | 7     | low-risk   |
      | lower-limb       | moderate   | mixed   | one-to-two-thirds | 8     | borderline |
      | lower-limb       | moderate   | lytic   | one-to-two-thirds | 9     | high-risk  |
      | peritrochanteric | functional | lytic   | over-two-thirds   | 12    | high-risk  |

  @boundary
  Scenario: Mirels 7 — radiotherapy and observe
    Given a bone metastasis at the left femoral shaft
    And Mirels 7 at the left femoral shaft
    And pain of 5/10 at the left femoral shaft
    And no pathological fracture at the left femoral shaft
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left femoral shaft does not get a surgical referral
    And the lesion at the left femoral shaft gets 8 Gy in 1 fraction for pain (preferred)
    And the recommendation's rationale mentions "Mirels 7"
    And the SBRT criterion "no-fracture" is "met" at the left femoral shaft

  @boundary
  Scenario: Mirels 8 — clinical judgement: an orthopaedic opinion before RT alone
    Given a bone metastasis at the left femoral shaft
    And Mirels 8 at the left femoral shaft
    And pain of 5/10 at the left femoral shaft
    And no pathological fracture at the left femoral shaft
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left femoral shaft gets an orthopaedic referral for an impending fracture (preferred)
    And the recommendation rests on rule "fracture.mirels-borderline"
    And the recommendation cites "Mirels 1989"
    And the lesion at the left femoral shaft does not get 8 Gy in 1 fraction for pain
    And SBRT is "ineligible" at the left femoral shaft because "no-fracture" is "not-met"

  @boundary @safety
  Scenario Outline: Mirels <mirels> — prophylactic fixation, then RT; no ablative RT before it
    Given a bone metastasis at the left femoral shaft
    And Mirels <mirels> at the left femoral shaft
    And pain of 7/10 at the left femoral shaft
    And no pathological fracture at the left femoral shaft
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left femoral shaft gets an urgent orthopaedic referral for an impending fracture
    And the recommendation rests on rule "fracture.mirels-fixation"
    And the recommendation offers 30 Gy in 10 fractions as postoperative with a BED10 of 39.0 Gy
    And the recommendation offers 20 Gy in 5 fractions as alternative
    And the lesion at the left femoral shaft does not get ablative RT
    And the lesion at the left femoral shaft does not get 8 Gy in 1 fraction for pain
    And SBRT is "ineligible" at the left femoral shaft because "no-fracture" is "not-met"
    And SIB-IMRT is "ineligible" at the left femoral shaft because "no-fracture" is "not-met"

    Examples:
      | mirels |
      | 9      |
      | 12     |

  Scenario: Mirels 9 or more is certain from site, lesion type and cortex even without the pain component
    Lower limb 2 + lytic 3 + over two thirds of the cortex 3 = 8, plus pain 1–3: 9 to 11.
    Given a bone metastasis at the left femoral shaft
    And the lesion at the left femoral shaft is lytic
    And cortical involvement of over-two-thirds at the left femoral shaft
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left femoral shaft gets an urgent orthopaedic referral for an impending fracture

  Scenario: A Mirels score that may be 7 or 9 is a data gap, not a low risk
    Upper limb 1 + mixed 2 + one to two thirds 2 = 5, plus pain 1–3: 6 to 8.
    Given a bone metastasis at the left humerus
    And Mirels components at the left humerus: lesion mixed, size one-to-two-thirds
    And pain of 6/10 at the left humerus
    And no pathological fracture at the left humerus
    When the patient is evaluated on 2026-11-20
    Then "mirels" is a data gap for the left humerus
    And the lesion at the left humerus does not get 8 Gy in 1 fraction for pain
    And SBRT is "undetermined" at the left humerus because "no-fracture" is "unknown"

  @safety
  Scenario: An existing pathological fracture goes to orthopaedic fixation, then postoperative RT
    Given a bone metastasis at the left humerus
    And a pathological fracture of the left humerus
    And pain of 8/10 at the left humerus
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left humerus gets an urgent orthopaedic referral for a pathological fracture
    And the recommendation offers 30 Gy in 10 fractions as postoperative
    And the recommendation cites "van der Velden 2022"
    And the lesion at the left humerus does not get ablative RT
    And the lesion at the left humerus does not get 8 Gy in 1 fraction for pain
    And SBRT is "ineligible" at the left humerus because "no-fracture" is "not-met"
    And the SBRT criterion "no-fracture" at the left humerus says "pathological fracture"

  Scenario: A clinician-documented impending fracture outside the spine needs an orthopaedic referral
    Given a bone metastasis at the right acetabulum
    And an impending fracture documented at the right acetabulum
    And pain of 6/10 at the right acetabulum
    When the patient is evaluated on 2026-11-20
    Then the lesion at the right acetabulum gets an urgent orthopaedic referral for an impending fracture
    And the recommendation rests on rule "fracture.documented-impending"
    And SBRT is "ineligible" at the right acetabulum because "no-fracture" is "not-met"

  Scenario: After fixation the bone gets postoperative RT, not a second referral
    Given a bone metastasis at the left femoral shaft
    And Mirels 10 at the left femoral shaft
    And fixation at the left femoral shaft 3 weeks ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left femoral shaft does not get a surgical referral
    And the lesion at the left femoral shaft gets 30 Gy in 10 fractions after surgery (preferred)

Feature: Spinal instability (SINS)
  Clinical intent: the mechanical step of NOMS. The Spinal Instability Neoplastic Score adds six
  components (location, pain, bone lesion, alignment, vertebral body collapse, posterolateral
  involvement) to a total of 0–18: 0–6 stable, 7–12 indeterminate (possibly impending
  instability) → surgical consultation, 13–18 unstable → stabilisation before RT. SBRT and
  SIB-IMRT are never offered to an unstable spine; SC24 enrolled only SINS < 12. When only some
  components are documented the engine reasons on the range of possible totals and names the
  missing components; it never guesses them.
  Sources: fisher2010, laufer2013, sahgal2021, grosinger2024

  Background:
    Given a 58-year-old man with prostate cancer
    And ECOG 1
    And an expected survival of 24 months
    And bone-only disease with 3 bone metastases
    And no previous radiotherapy anywhere
    And no neurological deficit

  Scenario Outline: The SINS location is scored from the vertebral level: <level> is <location> (<points> points)
    Given SINS components at <level>: all favourable except bone lesion blastic
    When the patient is evaluated on 2026-11-20
    Then the SINS at <level> is <points> (stable)

    Examples:
      | level | location   | points |
      | C1    | junctional | 3      |
      | C2    | junctional | 3      |
      | C4    | mobile     | 2      |
      | C7    | junctional | 3      |
      | T2    | junctional | 3      |
      | T3    | semi-rigid | 1      |
      | T10   | semi-rigid | 1      |
      | T11   | junctional | 3      |
      | L1    | junctional | 3      |
      | L3    | mobile     | 2      |
      | L5    | junctional | 3      |
      | S1    | junctional | 3      |
      | S3    | rigid      | 0      |

  Scenario Outline: SINS <component> "<answer>" scores <points> points
    At T5 (semi-rigid, 1 point) every other component is favourable (0 points).
    Given SINS components at T5: all favourable except <component> <answer>
    When the patient is evaluated on 2026-11-20
    Then the SINS at T5 is <total> (<band>)

    Examples:
      | component      | answer                       | points | total | band          |
      | location       | junctional                   | 3      | 3     | stable        |
      | location       | mobile                       | 2      | 2     | stable        |
      | location       | rigid                        | 0      | 0     | stable        |
      | pain           | mechanical                   | 3      | 4     | stable        |
      | pain           | occasional                   | 1      | 2     | stable        |
      | pain           | pain-free                    | 0      | 1     | stable        |
      | bone lesion    | lytic                        | 2      | 3     | stable        |
      | bone lesion    | mixed                        | 1      | 2     | stable        |
      | alignment      | subluxation                  | 4      | 5     | stable        |
      | alignment      | deformity                    | 2      | 3     | stable        |
      | collapse       | collapse-50-or-more          | 3      | 4     | stable        |
      | collapse       | collapse-under-50            | 2      | 3     | stable        |
      | collapse       | no-collapse-over-50-involved | 1      | 2     | stable        |
      | posterolateral | bilateral                    | 3      | 4     | stable        |
      | posterolateral | unilateral                   | 1      | 2     | stable        |

  Scenario: Every component at its worst adds up to SINS 18 (unstable)
    Given SINS components at L1: pain mechanical, bone lesion lytic, alignment subluxation, collapse collapse-50-or-more, posterolateral bilateral
    When the patient is evaluated on 2026-11-20
    Then the SINS at L1 is 18 (unstable)

  @boundary
  Scenario Outline: SINS <sins> is stable: no surgeon needed, 8 Gy in 1 fraction for pain
    Given a bone metastasis at T6
    And SINS <sins> at T6
    And pain of 6/10 at T6
    And Bilsky grade 0 at T6
    And no pathological fracture at T6
    When the patient is evaluated on 2026-11-20
    Then the SINS at T6 is <sins> (stable)
    And the lesion at T6 does not get a surgical referral
    And the lesion at T6 gets 8 Gy in 1 fraction for pain

    Examples:
      | sins |
      | 0    |
      | 6    |

  @boundary
  Scenario Outline: SINS <sins> is indeterminate: surgical consultation before definitive RT
    Given a bone metastasis at T6
    And SINS <sins> at T6
    And pain of 6/10 at T6
    And Bilsky grade 0 at T6
    And no pathological fracture at T6
    When the patient is evaluated on 2026-11-20
    Then the SINS at T6 is <sins> (indeterminate)
    And the lesion at T6 gets a surgical consultation for spinal instability (preferred)
    And the recommendation rests on rule "sins.indeterminate-consultation"
    And the recommendation cites "Fisher 2010"
    And the lesion at T6 does not get 8 Gy in 1 fraction for pain
    And the lesion at T6 is not warned to avoid "before stabilisation"

    Examples:
      | sins |
      | 7    |
      | 12   |

  @boundary @safety
  Scenario Outline: SINS <sins> is unstable: urgent stabilisation before RT, never SBRT or SIB-IMRT
    Given a bone metastasis at T6
    And SINS <sins> at T6
    And pain of 6/10 at T6
    And Bilsky grade 0 at T6
    And no pathological fracture at T6
    When the patient is evaluated on 2026-11-20
    Then the SINS at T6 is <sins> (unstable)
    And the lesion at T6 gets an urgent surgical referral for spinal instability
    And the recommendation offers 30 Gy in 10 fractions as postoperative
    And the lesion at T6 is warned to avoid "SBRT or SIB-IMRT before stabilisation"
    And the recommendation cites "Sahgal 2021"
    And the lesion at T6 does not get ablative RT
    And SBRT is "ineligible" at T6 because "sins-below-12" is "not-met"
    And SIB-IMRT is "ineligible" at T6 because "stable-spine" is "not-met"

    Examples:
      | sins |
      | 13   |
      | 18   |

  @boundary
  Scenario Outline: SC24 enrolled SINS below 12: SBRT suitability at SINS <sins> is "<status>"
    Given a bone metastasis at T6
    And SINS <sins> at T6
    And pain of 6/10 at T6
    And Bilsky grade 0 at T6
    And no pathological fracture at T6
    When the patient is evaluated on 2026-11-20
    Then the SBRT criterion "sins-below-12" is "<status>" at T6

    Examples:
      | sins | status  |
      | 6    | met     |
      | 11   | met     |
      | 12   | not-met |
      | 13   | not-met |

  @safety @needs-clinical-review
  Scenario: With SINS 7–11, SBRT 24 Gy in 2 fractions only once a surgeon has judged the spine stable
    Given a bone metastasis at T6
    And SINS 9 at T6
    And pain of 6/10 at T6
    And Bilsky grade 0 at T6
    And no pathological fracture at T6
    When the patient is evaluated on 2026-11-20
    Then the lesion at T6 gets a surgical consultation for spinal instability (preferred)
    And the lesion at T6 does not get ablative RT
    And the lesion at T6 gets 20 Gy in 5 fractions for a complicated metastasis
    And SBRT is "undetermined" at T6 because "stable-spine" is "unknown"
    And "spine-stability-per-surgeon" is a data gap for T6

  Scenario: SINS 9 judged stable by the spine surgeon: SBRT 24 Gy in 2 fractions
    Given a bone metastasis at T6
    And SINS 9 at T6
    And pain of 6/10 at T6
    And Bilsky grade 0 at T6
    And no pathological fracture at T6
    And a spine surgeon judged T6 stable
    When the patient is evaluated on 2026-11-20
    Then the lesion at T6 gets SBRT for a painful spinal metastasis
    And the recommendation rests on rule "sbrt.spine-sc24"
    And the recommendation offers 24 Gy in 2 fractions with a BED10 of 52.8 Gy
    And the lesion at T6 does not get a surgical consultation for spinal instability

  Scenario: A partly documented SINS is a range: 8–18 spans indeterminate and unstable, and a surgeon is asked
    Location (junctional, 3) comes from the level; mechanical pain 3 and a lytic lesion 2 are known;
    alignment, collapse and posterolateral involvement are not documented.
    Given SINS components at L1: pain mechanical, bone lesion lytic
    And Bilsky grade 0 at L1
    And no pathological fracture at L1
    When the patient is evaluated on 2026-11-20
    Then the SINS at L1 ranges from 8 to 18, spanning "indeterminate / unstable"
    And "sins" is a data gap for L1
    And the lesion at L1 gets a surgical consultation for spinal instability (preferred)
    And the recommendation's rationale mentions "not documented: alignment, collapse, posterolateral"
    And the lesion at L1 does not get ablative RT
    And SBRT is "undetermined" at L1 because "sins-below-12" is "unknown"

  Scenario: A partly documented SINS that is certainly 13 or more is unstable
    Given SINS components at L1: pain mechanical, bone lesion lytic, alignment subluxation, collapse collapse-under-50
    And Bilsky grade 0 at L1
    When the patient is evaluated on 2026-11-20
    Then the SINS at L1 ranges from 14 to 17, spanning "unstable"
    And the lesion at L1 gets an urgent surgical referral for spinal instability

  Scenario: A partly documented SINS that cannot reach 7 is stable
    Given SINS components at T5: pain pain-free, bone lesion blastic, alignment normal, collapse none
    And pain of 4/10 at T5
    And Bilsky grade 0 at T5
    And no pathological fracture at T5
    When the patient is evaluated on 2026-11-20
    Then the SINS at T5 ranges from 1 to 4, spanning "stable"
    And the lesion at T5 does not get a surgical referral
    And the lesion at T5 gets 8 Gy in 1 fraction for pain

  Scenario: An undocumented SINS is a data gap, not a stable spine
    Given a bone metastasis at T9
    And pain of 6/10 at T9
    And Bilsky grade 0 at T9
    And no pathological fracture at T9
    When the patient is evaluated on 2026-11-20
    Then "sins" is a data gap for T9
    And SBRT is "undetermined" at T9 because "sins-below-12" is "unknown"
    And the lesion at T9 does not get 8 Gy in 1 fraction for pain
    And the lesion at T9 does not get SBRT

  Scenario: After stabilisation the spine is no longer treated as unstable: postoperative RT
    Given SINS 14 at L1
    And Bilsky grade 0 at L1
    And decompression and stabilisation at L1 4 weeks ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at L1 does not get a surgical referral
    And the lesion at L1 is not warned to avoid "before stabilisation"
    And the lesion at L1 gets 30 Gy in 10 fractions after surgery
    And the recommendation cites "Patchell 2005"

  @needs-clinical-review
  Scenario: After stabilisation of a radioresistant tumour, postoperative SBRT is preferred to 30 Gy/10
    Postoperative spine SBRT 35 Gy/5 within 16 weeks rests on the Redmond consensus (○).
    Given the primary cancer is renal cell carcinoma
    And decompression and stabilisation at L1 4 weeks ago
    And no cord compression at L1
    When the patient is evaluated on 2026-11-20
    Then the lesion at L1 gets SBRT after surgery (preferred)
    And the recommendation rests on rule "postop.spine-sbrt"
    And the recommendation offers 35 Gy in 5 fractions as postoperative with a BED10 of 59.5 Gy
    And the recommendation's rationale mentions "within 16 weeks"
    And the recommendation is marked as needing clinical review
    And the lesion at L1 gets 30 Gy in 10 fractions after surgery (alternative)
    And the recommendation's rationale mentions "Postoperative SBRT is also recommended"

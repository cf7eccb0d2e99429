Feature: Metastatic epidural spinal cord compression (MESCC)
  Clinical intent: the neurological emergency comes first (NOMS). A patient with cord compression
  who meets every Patchell criterion is referred urgently for decompressive surgery, followed by
  30 Gy in 10 fractions. Otherwise radiotherapy alone, fractionated by expected survival: 8 Gy × 1
  only for very short survival (SCORAD III did not show non-inferiority), 20 Gy/5 under 6 months
  (SCORE-2), 30 Gy/10 from 6 months. Dexamethasone with every course. High-grade ESCC (Bilsky 2–3)
  is decompressed before any ablative RT; Bilsky grades are labels ("1c" is not 1). A Patchell
  criterion that is not documented is named as a data gap and never read as "not a candidate".
  Sources: patchell2005, laufer2013, alcorn2024, rades2016, hoskin2019, thirion2020, bilsky2010

  Background:
    Given a 62-year-old woman with breast cancer
    And ECOG 1
    And medically operable
    And no previous radiotherapy anywhere
    And bone-only disease with 1 bone metastasis

  Scenario: A Patchell candidate is referred urgently for decompression, then 30 Gy in 10 fractions
    Given one-level cord compression at T8 with leg weakness for 12 hours
    And Bilsky grade 3 at T8
    And still walking
    And an expected survival of 8 months
    When the patient is evaluated on 2026-11-20
    Then the lesion at T8 gets an urgent surgical referral for MESCC decompression
    And the recommendation offers 30 Gy in 10 fractions as postoperative with a BED10 of 39.0 Gy
    And the recommendation cites "Patchell 2005"
    And the recommendation's rationale mentions "84% of patients ambulatory against 57%"
    And the recommendation's rationale mentions "dexamethasone"
    And decompressive surgery is "eligible" at T8
    And the decompressive surgery criterion "mescc-at-lesion" at T8 says "cord compression at T8 (Bilsky 3)"
    And the decompressive surgery criterion "not-paraplegic-over-48h" is "met" at T8
    And the decompressive surgery criterion "prior-rt-permits-30gy" is "met" at T8

  @safety
  Scenario: Cord compression takes precedence over ablative radiotherapy, and the output says why
    Given one-level cord compression at T8 with leg weakness for 12 hours
    And Bilsky grade 3 at T8
    And still walking
    And pain of 6/10 at T8
    And an expected survival of 18 months
    When the patient is evaluated on 2026-11-20
    Then the lesion at T8 gets an urgent surgical referral for MESCC decompression
    And the lesion at T8 does not get ablative RT
    And the lesion at T8 is warned to avoid "SBRT or SIB-IMRT before decompression"
    And the recommendation's rationale mentions "the cord is compressed"
    And SBRT is "ineligible" at T8 because "no-cord-compression" is "not-met"
    And SIB-IMRT is "ineligible" at T8 because "no-cord-compression" is "not-met"

  @boundary
  Scenario Outline: Without surgery, an expected survival of <months> months gives <regimen>
    Given cord compression at T10 with leg weakness for 24 hours
    And Bilsky grade 2 at T10
    And not medically operable
    And an expected survival of <months> months
    When the patient is evaluated on 2026-11-20
    Then the lesion at T10 gets <regimen> (urgent)
    And the recommendation's rationale mentions "dexamethasone"
    And the recommendation rests on caveat "caveat.dexamethasone-mescc"
    And the lesion at T10 does not get a surgical referral
    And decompressive surgery is "ineligible" at T10 because "medically-operable" is "not-met"

    Examples:
      | months | regimen                                    |
      | 2      | 20 Gy in 5 fractions for cord compression  |
      | 2.9    | 20 Gy in 5 fractions for cord compression  |
      | 3      | 20 Gy in 5 fractions for cord compression  |
      | 5.9    | 20 Gy in 5 fractions for cord compression  |
      | 6      | 30 Gy in 10 fractions for cord compression |
      | 18     | 30 Gy in 10 fractions for cord compression |

  @boundary
  Scenario Outline: A single 8 Gy fraction is the alternative only for a very short expected survival (<months> months)
    Given cord compression at T10 with leg weakness for 24 hours
    And not medically operable
    And an expected survival of <months> months
    When the patient is evaluated on 2026-11-20
    Then the lesion at T10 <verdict> 8 Gy in 1 fraction for cord compression

    Examples:
      | months | verdict      |
      | 2.9    | gets         |
      | 3      | does not get |

  Scenario: With a very short expected survival, 8 Gy in 1 fraction is the alternative to 20 Gy in 5 fractions
    Given cord compression at T10 with leg weakness for 24 hours
    And not medically operable
    And an expected survival of 6 weeks
    When the patient is evaluated on 2026-11-20
    Then the lesion at T10 gets 20 Gy in 5 fractions for cord compression (urgent)
    And the recommendation cites "Rades 2016"
    And the lesion at T10 gets 8 Gy in 1 fraction for cord compression (urgent)
    And the recommendation's rationale mentions "SCORAD III did not show non-inferiority"
    And the recommendation cites "Hoskin 2019"
    And the recommendation offers 8 Gy in 1 fraction with a BED10 of 14.4 Gy

  Scenario: With a longer expected survival, 30 Gy in 10 fractions keeps 20 Gy in 5 fractions as the alternative
    Given cord compression at T10 with leg weakness for 24 hours
    And not medically operable
    And an expected survival of 14 months
    When the patient is evaluated on 2026-11-20
    Then the lesion at T10 gets 30 Gy in 10 fractions for cord compression (urgent)
    And the recommendation offers 30 Gy in 10 fractions with a BED10 of 39.0 Gy
    And the recommendation offers 20 Gy in 5 fractions as alternative with a BED10 of 28.0 Gy

  @boundary
  Scenario Outline: A single 8 Gy fraction is advised against once expected survival exceeds 6 months (<months> months)
    Given cord compression at T10 with leg weakness for 24 hours
    And not medically operable
    And an expected survival of <months> months
    When the patient is evaluated on 2026-11-20
    Then the lesion at T10 <verdict> warned to avoid "8 Gy × 1 for cord compression"

    Examples:
      | months | verdict |
      | 6      | is not  |
      | 6.5    | is      |

  @boundary
  Scenario Outline: Paraplegia for <hours> hours <outcome> decompressive surgery
    Given cord compression at T8
    And Bilsky grade 3 at T8
    And paraplegic for <hours> hours
    And an expected survival of 8 months
    When the patient is evaluated on 2026-11-20
    Then decompressive surgery is "<verdict>" at T8 because "not-paraplegic-over-48h" is "<criterion>"
    And the lesion at T8 <referral> a surgical referral for MESCC decompression

    Examples:
      | hours | outcome         | verdict    | criterion | referral     |
      | 47    | still allows    | eligible   | met       | gets         |
      | 48    | still allows    | eligible   | met       | gets         |
      | 49    | rules out       | ineligible | not-met   | does not get |

  Scenario: Totally paraplegic for more than 48 hours: radiotherapy alone, fractionated by prognosis
    Given cord compression at T8
    And Bilsky grade 3 at T8
    And paraplegic for 72 hours
    And an expected survival of 8 months
    When the patient is evaluated on 2026-11-20
    Then the lesion at T8 gets 30 Gy in 10 fractions for cord compression (urgent)
    And the decompressive surgery criterion "not-paraplegic-over-48h" at T8 says "paraplegic for 72 h"

  @boundary
  Scenario Outline: Expected survival of <months> months <outcome> decompressive surgery (Patchell ≥ 3 months)
    Given one-level cord compression at T8 with leg weakness for 12 hours
    And still walking
    And an expected survival of <months> months
    When the patient is evaluated on 2026-11-20
    Then decompressive surgery is "<verdict>" at T8 because "survival-3-months" is "<criterion>"

    Examples:
      | months | outcome    | verdict    | criterion |
      | 2.9    | rules out  | ineligible | not-met   |
      | 3      | allows     | eligible   | met       |

  Scenario Outline: Patchell exclusion — <exclusion>
    Given one-level cord compression at <site> with leg weakness for 12 hours
    And still walking
    And an expected survival of 12 months
    And <finding>
    When the patient is evaluated on 2026-11-20
    Then decompressive surgery is "ineligible" at <site> because "<criterion>" is "not-met"
    And the lesion at <site> does not get a surgical referral for MESCC decompression
    And the lesion at <site> gets 30 Gy in 10 fractions for cord compression (urgent)

    Examples:
      | exclusion                              | site | finding                                                   | criterion                 |
      | highly radiosensitive myeloma          | T9   | the primary cancer is myeloma                             | not-highly-radiosensitive |
      | highly radiosensitive lymphoma         | T9   | the primary cancer is lymphoma                            | not-highly-radiosensitive |
      | not medically operable                 | T9   | not medically operable                                    | medically-operable        |

  Scenario: Compression at two separate areas is outside the Patchell trial
    Given cord compression at T4 with leg weakness for 12 hours
    And cord compression at T10
    And still walking
    And an expected survival of 12 months
    And bone-only disease with 2 bone metastases
    When the patient is evaluated on 2026-11-20
    Then decompressive surgery is "ineligible" at T4 because "single-area" is "not-met"
    And decompressive surgery is "ineligible" at T10 because "single-area" is "not-met"
    And the lesion at T4 gets 30 Gy in 10 fractions for cord compression (urgent)
    And the lesion at T10 gets 30 Gy in 10 fractions for cord compression (urgent)

  @needs-clinical-review
  Scenario: Cauda equina compression alone is not a Patchell indication, yet a surgeon sees it urgently (NICE NG234)
    Given cauda equina compression at L4
    And a neurological deficit
    And still walking
    And an expected survival of 12 months
    When the patient is evaluated on 2026-11-20
    Then decompressive surgery is "ineligible" at L4 because "not-cauda-equina-only" is "not-met"
    And the lesion at L4 gets an urgent surgical referral for MESCC decompression
    And the recommendation rests on rule "mescc.cauda-equina-surgical-opinion"
    And every recommendation at L4 is urgent

  Scenario: A Patchell criterion that is not documented calls for urgent surgical assessment, not a "no"
    Given one-level cord compression at T8 with leg weakness for 12 hours
    And still walking
    And an expected survival of 8 months
    And operability is not documented
    When the patient is evaluated on 2026-11-20
    Then decompressive surgery is "undetermined" at T8 because "medically-operable" is "unknown"
    And "medically-operable" is a data gap needed for "mescc-surgery"
    And the lesion at T8 gets an urgent surgical referral for MESCC decompression
    And the recommendation rests on rule "mescc.surgical-candidacy-undetermined"
    And the lesion at T8 gets 30 Gy in 10 fractions for cord compression (urgent)
    And the recommendation's rationale mentions "if the surgical assessment decides against it"

  @needs-clinical-review
  Scenario: NOMS — high-grade ESCC of a radioresistant tumour without a deficit: separation surgery, then SBRT
    Postoperative SBRT 35 Gy/5 within 16 weeks rests on the Redmond consensus (○).
    Given the primary cancer is non-small-cell lung cancer
    And Bilsky grade 2 at T9
    And no neurological deficit
    And an expected survival of 16 months
    When the patient is evaluated on 2026-11-20
    Then decompressive surgery is "ineligible" at T9 because "neurological-sign" is "not-met"
    And the lesion at T9 gets an urgent surgical referral for separation surgery
    And the recommendation rests on rule "escc.separation-surgery-radioresistant"
    And the recommendation is marked as needing clinical review
    And the recommendation offers 35 Gy in 5 fractions as postoperative with a BED10 of 59.5 Gy
    And the recommendation's rationale mentions "Redmond consensus"
    And the lesion at T9 does not get ablative RT
    And the lesion at T9 is warned to avoid "SBRT or SIB-IMRT before decompression"

  Scenario: A highly radiosensitive tumour with high-grade ESCC is not sent to separation surgery
    Given the primary cancer is myeloma
    And Bilsky grade 2 at T9
    And no neurological deficit
    And an expected survival of 24 months
    When the patient is evaluated on 2026-11-20
    Then the lesion at T9 does not get a surgical referral
    And the lesion at T9 gets 30 Gy in 10 fractions for cord compression (urgent)

  Scenario Outline: Bilsky grade <grade> is kept as a label in the <group> group; the cord is not compressed
    Given a bone metastasis at T7
    And pain of 5/10 at T7
    And SINS 4 at T7
    And no pathological fracture at T7
    And no neurological deficit
    And Bilsky grade <grade> at T7
    And an expected survival of 24 months
    When the patient is evaluated on 2026-11-20
    Then the Bilsky grade at T7 is the label "<grade>", a <group> grade
    And cord compression at T7 is absent, derived from the Bilsky grade
    And the SBRT criterion "no-cord-compression" is "met" at T7
    And the lesion at T7 is not warned to avoid "before decompression of high-grade ESCC"
    And the lesion at T7 does not get a surgical referral

    Examples:
      | grade | group     |
      | 0     | low       |
      | 1a    | low       |
      | 1b    | low       |
      | 1c    | grey-zone |

  @safety
  Scenario Outline: Bilsky grade <grade> is high-grade compression: decompress before any ablative RT
    Given a bone metastasis at T7
    And pain of 5/10 at T7
    And SINS 4 at T7
    And no pathological fracture at T7
    And no neurological deficit
    And Bilsky grade <grade> at T7
    And an expected survival of 24 months
    When the patient is evaluated on 2026-11-20
    Then the Bilsky grade at T7 is the label "<grade>", a high grade
    And cord compression at T7 is present, derived from the Bilsky grade
    And SBRT is "ineligible" at T7 because "no-cord-compression" is "not-met"
    And the lesion at T7 is warned to avoid "before decompression of high-grade ESCC"
    And the recommendation cites "Bilsky 2010"
    And the lesion at T7 does not get ablative RT

    Examples:
      | grade |
      | 2     |
      | 3     |

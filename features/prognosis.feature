Feature: Prognosis — documented and model-derived expected survival
  Clinical intent: the rules need the expected survival, in bands: < 3 months short, 3–12 months
  intermediate, ≥ 12 months long. A clinician-documented estimate always wins. Without one the
  engine applies a transparent model and labels the result as derived, with the model, its group
  and its inputs — never a bare number: TEACHH (Krishnan 2014: lung or other primary, ECOG 2–4,
  age > 60, prior palliative chemotherapy, hospitalisation in the last 3 months, hepatic
  metastases; 0–1 → 19.9, 2–4 → 5.0, 5–6 → 1.7 months; the chemotherapy cut-off is uncertain, ◐)
  and, when TEACHH cannot decide, Chow (non-breast primary, metastases beyond bone, KPS ≤ 60;
  medians about 35 / 10 / 3 months, ◐). For cord compression the Rades score (20–45; > 35
  favourable) is computed (per-factor points ◐). ECOG is derived from KPS when only KPS exists.
  Sources: krishnan2014, chow2008, rades2008, alcorn2024

  Background:
    Given a 55-year-old woman with breast cancer
    And no previous radiotherapy anywhere
    And a bone metastasis at the right rib
    And pain of 5/10 at the right rib
    And no pathological fracture at the right rib

  @boundary
  Scenario Outline: A documented expected survival of <value> <unit> is in the <band> band
    Given ECOG 1
    And an expected survival of <value> <unit>
    When the patient is evaluated on 2026-11-20
    Then the expected survival is about <months> months, documented
    And the expected survival band is "<band>"

    Examples:
      | value | unit   | months             | band         |
      | 2.9   | months | 2.9                | short        |
      | 3     | months | 3.0                | intermediate |
      | 6     | months | 6.0                | intermediate |
      | 11.9  | months | 11.9               | intermediate |
      | 12    | months | 12.0               | long         |
      | 1     | year   | 12.0               | long         |
      | 10    | weeks  | 2.3                | short        |

  Scenario: A documented estimate wins over the models
    Given ECOG 1
    And bone-only disease with 1 bone metastasis
    And 0 prior palliative chemotherapy courses
    And an expected survival of 4 months
    When the patient is evaluated on 2026-11-20
    Then the expected survival is 4.0 months, documented
    And the TEACHH score is 0, group "A"

  Scenario: TEACHH group A (0–1 points): about 19.9 months, labelled as derived
    Given ECOG 1
    And bone-only disease with 1 bone metastasis
    And 0 prior palliative chemotherapy courses
    When the patient is evaluated on 2026-11-20
    Then the TEACHH score is 0, group "A"
    And the expected survival is 19.9 months, derived from TEACHH group A
    And the expected survival band is "long"
    And the evaluation asks to confirm "no hospital admission in the last 3 months"

  Scenario: TEACHH group B (2–4 points): about 5 months
    Given the primary cancer is lung cancer
    And the patient is 70 years old
    And ECOG 2
    And bone-only disease with 1 bone metastasis
    And 0 prior palliative chemotherapy courses
    When the patient is evaluated on 2026-11-20
    Then the TEACHH score is 3, group "B"
    And the expected survival is 5.0 months, derived from TEACHH group B
    And the expected survival band is "intermediate"

  Scenario: TEACHH group C (5–6 points): about 1.7 months
    Given the primary cancer is lung cancer
    And the patient is 72 years old
    And ECOG 3
    And 4 prior palliative chemotherapy courses
    And admitted to hospital 20 days ago
    And liver metastases
    When the patient is evaluated on 2026-11-20
    Then the TEACHH score is 6, group "C"
    And the expected survival is 1.7 months, derived from TEACHH group C
    And the expected survival band is "short"

  @needs-clinical-review
  Scenario: Two prior chemotherapy courses sit on the uncertain TEACHH cut-off: the score is a range
    The abstract says ≥ 2 courses, a table says > 2 (◐): the point is counted as 0 or 1.
    Given ECOG 1
    And bone-only disease with 1 bone metastasis
    And 2 prior palliative chemotherapy courses
    When the patient is evaluated on 2026-11-20
    Then the TEACHH score is 0 to 1
    And the expected survival is 19.9 months, derived from TEACHH group A

  @needs-clinical-review
  @safety
  Scenario: Chow group C's median of about 3 months sits on the 3-month threshold: no estimate is derived from it
    The Chow medians are from secondary sources (◐). A median of ~3 months cannot say whether
    survival is under or over 3 months, so it must not pass a "≥ 3 months" check by rounding.
    Given the primary cancer is lung cancer
    And the patient is 70 years old
    And KPS 50
    And liver metastases
    When the patient is evaluated on 2026-11-20
    Then the TEACHH score is 4 to 5
    And the Chow score is 3, group "C"
    And the Chow estimate is a median of about 3 months
    And the expected survival is not determined
    And the output warns "lies on a survival decision threshold"

  Scenario: With nothing to compute from, the expected survival is not determined and is named as a gap
    Given the primary cancer is not documented
    And cord compression at T9
    When the patient is evaluated on 2026-11-20
    Then the expected survival is not determined
    And "expected-survival" is a data gap

  Scenario Outline: ECOG derived from KPS <kps> is <ecog>, and labelled as derived
    Given KPS <kps>
    When the patient is evaluated on 2026-11-20
    Then the state shows ECOG <ecog> derived from KPS <kps>

    Examples:
      | kps | ecog |
      | 100 | 0    |
      | 90  | 0    |
      | 80  | 1    |
      | 70  | 1    |
      | 60  | 2    |
      | 50  | 2    |
      | 40  | 3    |
      | 30  | 3    |
      | 20  | 4    |
      | 10  | 4    |

  Scenario: A documented ECOG wins over KPS
    Given ECOG 1
    And KPS 50
    When the patient is evaluated on 2026-11-20
    Then the state shows ECOG 1 as documented

  Scenario: A recommendation that rests on a derived survival says so
    Given ECOG 1
    And bone-only disease with 1 bone metastasis
    And 0 prior palliative chemotherapy courses
    And not medically operable
    And cord compression at T9 with leg weakness for 24 hours
    When the patient is evaluated on 2026-11-20
    Then the lesion at T9 gets 30 Gy in 10 fractions for cord compression (urgent)
    And the recommendation uses the derived fact "expected_survival_months"
    And the recommendation's rationale mentions "TEACHH group A"
    And the recommendation's rationale mentions "derived"

  @needs-clinical-review
  Scenario: Rades score for cord compression — favourable (> 35 points)
    Breast 8, interval > 15 months 7, other bone metastases 5, no visceral metastases 7, ambulatory 7,
    motor deficits over 1–7 days 3 = 37. The per-factor points are from secondary sources (◐).
    Given ECOG 1
    And an expected survival of 20 months
    And bone-only disease with 3 bone metastases
    And cord compression at T9 with leg weakness for 48 hours
    And still walking
    When the patient is evaluated on 2026-11-20
    Then the Rades score is 37, band "favourable"

  @needs-clinical-review
  Scenario: Rades score for cord compression — poor (≤ 35 points)
    Lung 3, interval ≤ 15 months 4, other bone metastases 5, visceral metastases 2, not ambulatory 3,
    motor deficits over 1–7 days 3 = 20.
    Given the primary cancer is lung cancer
    And the primary cancer was diagnosed 6 months ago
    And ECOG 3
    And 3 bone metastases and 6 metastatic lesions in total on the latest imaging
    And liver metastases
    And cord compression at T9 with leg weakness for 72 hours
    And not walking
    When the patient is evaluated on 2026-11-20
    Then the Rades score is 20, band "poor-intermediate"

Feature: Oligometastatic disease and the ESTRO/EORTC classification
  Clinical intent: oligometastatic disease (OMD) is 1–5 metastatic lesions, all safely treatable
  (ESTRO-ASTRO, Lievens 2020); more than 5 is polymetastatic. Only a documented count proves OMD:
  lesions counted from the record are a lower bound and can only rule it out. The ESTRO/EORTC
  classification (Guckenberger 2020; the decision tree is encoded from domain knowledge, ○) is
  shown in the clinical state with the path that led to it: a history of polymetastatic disease →
  induced OMD; OMD treated before → repeat OMD; otherwise de-novo OMD, synchronous within 6 months
  of the primary diagnosis, else metachronous; non-synchronous states are oligorecurrence (no active
  systemic therapy), oligoprogression (progressing on it) or oligopersistence (not progressing).
  Sources: lievens2020, guckenberger2020, palma2020, marazzi2025

  Background:
    Given a 64-year-old woman with breast cancer diagnosed 4 years ago
    And ECOG 1
    And an expected survival of 30 months
    And no previous radiotherapy anywhere
    And a bone metastasis at the right rib
    And pain of 4/10 at the right rib
    And no pathological fracture at the right rib

  @boundary
  Scenario Outline: <total> metastatic lesions: the patient is <kind>
    Given <bone> bone metastases and <total> metastatic lesions in total on the latest imaging
    When the patient is evaluated on 2026-11-20
    Then the patient is <kind>

    Examples:
      | bone | total | kind            |
      | 1    | 1     | oligometastatic |
      | 3    | 5     | oligometastatic |
      | 3    | 6     | polymetastatic  |
      | 9    | 14    | polymetastatic  |

  Scenario: Lesions counted from the record are only a lower bound: oligometastatic status is not assumed
    Given a bone metastasis at T9
    When the patient is evaluated on 2026-11-20
    Then the ESTRO/EORTC class is not determined
    And "metastatic-lesion-count" is a data gap

  @needs-clinical-review
  Scenario Outline: ESTRO/EORTC class: <class>
    Given 2 bone metastases and 3 metastatic lesions in total on the latest imaging
    And <history>
    And <therapy> active systemic therapy
    And disease <course> at the last evaluation
    When the patient is evaluated on 2026-11-20
    Then the patient is oligometastatic
    And the ESTRO/EORTC class is "<class>"

    Examples:
      | history                                                 | therapy | course      | class                            |
      | a history of polymetastatic disease                     | no      | stable      | induced oligorecurrence          |
      | a history of polymetastatic disease                     | on      | progressing | induced oligoprogression         |
      | oligometastatic disease treated before                  | no      | progressing | repeat oligorecurrence           |
      | oligometastatic disease treated before                  | on      | stable      | repeat oligopersistence          |
      | no history of polymetastatic or treated oligometastatic disease | no | progressing | de-novo metachronous oligorecurrence |
      | no history of polymetastatic or treated oligometastatic disease | on | progressing | de-novo metachronous oligoprogression |
      | no history of polymetastatic or treated oligometastatic disease | on | stable      | de-novo metachronous oligopersistence |

  @needs-clinical-review @boundary
  Scenario Outline: De-novo OMD diagnosed <months> months after the primary is <timing>
    Given the primary cancer was diagnosed <months> months ago
    And bone-only disease with 2 bone metastases
    And no history of polymetastatic or treated oligometastatic disease
    And on active systemic therapy
    And disease stable at the last evaluation
    When the patient is evaluated on 2026-11-20
    Then the ESTRO/EORTC class is "<class>"

    Examples:
      | months | timing       | class                                 |
      | 5      | synchronous  | de-novo synchronous OMD               |
      | 6      | synchronous  | de-novo synchronous OMD               |
      | 7      | metachronous | de-novo metachronous oligopersistence |

  @needs-clinical-review
  Scenario: De-novo OMD found with the primary stays synchronous: the interval ends at the diagnosis of the metastases
    Given the primary cancer was diagnosed 24 months ago
    And the metastasis at the right rib was diagnosed 23 months ago
    And bone-only disease with 1 bone metastasis
    And no history of polymetastatic or treated oligometastatic disease
    And on active systemic therapy
    And disease stable at the last evaluation
    When the patient is evaluated on 2026-11-20
    Then the ESTRO/EORTC class is "de-novo synchronous OMD"

  Scenario: A polymetastatic patient has no oligometastatic class
    Given 8 bone metastases and 12 metastatic lesions in total on the latest imaging
    And no history of polymetastatic or treated oligometastatic disease
    And no active systemic therapy
    When the patient is evaluated on 2026-11-20
    Then the patient is polymetastatic
    And the ESTRO/EORTC class is not determined

  @needs-clinical-review
  Scenario: The class cannot be given when systemic therapy is not documented
    Given 2 bone metastases and 3 metastatic lesions in total on the latest imaging
    And oligometastatic disease treated before
    When the patient is evaluated on 2026-11-20
    Then the patient is oligometastatic
    And the ESTRO/EORTC class is not determined

  @needs-clinical-review
  Scenario: The class is shown to the clinician in the SABR rationale
    Given the primary cancer is prostate cancer
    And the primary tumour is controlled
    And bone-only disease with 2 bone metastases
    And oligometastatic disease treated before
    And no active systemic therapy
    When the patient is evaluated on 2026-11-20
    Then the ESTRO/EORTC class is "repeat oligorecurrence"
    And the lesion at the right rib gets SBRT for oligometastatic disease
    And the recommendation's rationale mentions "repeat oligorecurrence"
    And the recommendation cites "Lievens 2020"

  Scenario: Polymetastatic disease is not offered SABR for oligometastatic disease
    Given the primary cancer is prostate cancer
    And the primary tumour is controlled
    And bone-only disease with 7 bone metastases
    When the patient is evaluated on 2026-11-20
    Then the patient is polymetastatic
    And the lesion at the right rib does not get SBRT for oligometastatic disease

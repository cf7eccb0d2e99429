Feature: SIB-IMRT eligibility (Marazzi 2025)
  Clinical intent: simultaneous integrated boost IMRT for oligometastatic breast cancer, the primary
  seed of the decision criteria. Inclusion: histologically confirmed metastatic breast cancer,
  ECOG 0–2, restaging CT, PET/CT or MRI within the last month, ≤ 5 bone lesions needing RT, no
  previous RT at the selected site. Exclusion: progressive plurimetastatic disease (> 5 sites),
  > 2 contiguous bone compartments, surgery scheduled at the site. Marazzi's ≥ 6 months of
  follow-up is read prospectively as an expected survival of ≥ 6 months (flagged for review).
  Safety: no cord compression and a stable bone first. Every criterion is reported per lesion as
  met, not met or unknown (naming the missing data) — never a silent "no". Schedules: A 35 Gy
  (30–40) boost / 20 Gy compartment in 5, B 30/21 Gy in 3, C 50/30 Gy in 10 fractions.
  Sources: marazzi2025, chmura2022, fisher2010, bilsky2010

  Background:
    Given a 55-year-old woman with breast cancer
    And ECOG 0
    And an expected survival of 36 months
    And bone-only disease with 2 bone metastases
    And restaging PET-CT 10 days ago
    And disease stable at the last evaluation
    And no previous radiotherapy anywhere
    And no neurological deficit
    And a bone metastasis at L3
    And pain of 6/10 at L3
    And SINS 4 at L3
    And Bilsky grade 0 at L3
    And no pathological fracture at L3
    And no surgery scheduled at L3

  @needs-clinical-review
  Scenario: Every Marazzi criterion is met: SIB-IMRT with schedules A, B and C
    The NRG-BR002 caveat in the rationale cites a reference without a registry id (◐).
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "eligible" at L3
    And the SIB-IMRT criterion "breast-cancer" is "met" at L3
    And the SIB-IMRT criterion "histologically-confirmed" is "met" at L3
    And the SIB-IMRT criterion "restaging-within-a-month" at L3 says "10 days ago"
    And the lesion at L3 gets SIB-IMRT for oligometastatic breast cancer
    And the recommendation offers 35 Gy in 5 fractions as schedule-a with a BED10 of 59.5 Gy and 20 Gy to the whole compartment
    And the recommendation offers 30 Gy in 3 fractions as schedule-b with a BED10 of 60.0 Gy and 21 Gy to the whole compartment
    And the recommendation offers 50 Gy in 10 fractions as schedule-c with a BED10 of 75.0 Gy and 30 Gy to the whole compartment
    And the recommendation cites "Marazzi 2025"
    And the recommendation's rationale mentions "local relapse 7%, no fractures, pain flare 37%"
    And the recommendation's rationale mentions "NRG-BR002"

  Scenario: Randomised SC24 evidence outranks a retrospective series: SBRT preferred, SIB-IMRT the alternative
    When the patient is evaluated on 2026-11-20
    Then the lesion at L3 gets SBRT for a painful spinal metastasis (preferred)
    And the lesion at L3 gets SIB-IMRT for oligometastatic breast cancer (alternative)
    And the recommendation's rationale mentions "choose one ablative approach"
    And the lesion at L3 gets 8 Gy in 1 fraction for pain (alternative)

  Scenario Outline: SIB-IMRT BED10 of the boost <dose> Gy in <fractions> fractions is <bed> Gy
    When the patient is evaluated on 2026-11-20
    Then <dose> Gy in <fractions> fractions has a BED10 of <bed> Gy <nominal>

    Examples:
      | dose | fractions | bed  | nominal   |
      | 35   | 5         | 59.5 |           |
      | 30   | 3         | 60.0 | (nominal) |
      | 50   | 10        | 75.0 |           |
      | 24   | 2         | 52.8 | (nominal) |
      | 8    | 1         | 14.4 |           |

  Scenario Outline: Inclusion — <criterion> not met: <finding>
    Given <finding>
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "ineligible" at L3 because "<criterion>" is "not-met"
    And the lesion at L3 does not get SIB-IMRT

    Examples:
      | criterion                | finding                                                           |
      | breast-cancer            | the primary cancer is prostate cancer                             |
      | no-prior-rt-at-site      | L3 was irradiated with 20 Gy in 5 fractions 20 months ago         |

  @boundary
  Scenario Outline: ECOG <ecog>: the SIB-IMRT criterion "ecog-0-2" is <status>
    Given ECOG <ecog>
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "<verdict>" at L3 because "ecog-0-2" is "<status>"

    Examples:
      | ecog | verdict    | status  |
      | 2    | eligible   | met     |
      | 3    | ineligible | not-met |

  @boundary
  Scenario Outline: Restaging imaging <days> days old: "restaging-within-a-month" is <status>
    Given restaging CT <days> days ago
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "<verdict>" at L3 because "restaging-within-a-month" is "<status>"
    And the SIB-IMRT criterion "restaging-within-a-month" at L3 says "<days> days ago"

    Examples:
      | days | verdict    | status  |
      | 30   | eligible   | met     |
      | 31   | ineligible | not-met |

  @boundary
  Scenario Outline: <bone> bone lesions in all: "at-most-5-bone-lesions-needing-rt" is <status>
    Marazzi counts the lesions requiring RT: with more than five bone lesions, how many need RT must
    be documented.
    Given bone-only disease with <bone> bone metastases
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "<verdict>" at L3 because "at-most-5-bone-lesions-needing-rt" is "<status>"

    Examples:
      | bone | verdict      | status  |
      | 5    | eligible     | met     |
      | 6    | undetermined | unknown |

  @boundary
  Scenario Outline: <n> contiguous bone compartments to irradiate: "at-most-2-contiguous-compartments" is <status>
    Given <n> contiguous bone compartments to treat at L3
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "<verdict>" at L3 because "at-most-2-contiguous-compartments" is "<status>"

    Examples:
      | n | verdict    | status  |
      | 2 | eligible   | met     |
      | 3 | ineligible | not-met |

  Scenario: Contiguous vertebral levels are counted as compartments when not documented
    Given a bone metastasis at T10–T12
    And pain of 5/10 at T10–T12
    And SINS 4 at T10–T12
    And Bilsky grade 0 at T10–T12
    And no pathological fracture at T10–T12
    And no surgery scheduled at T10–T12
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "ineligible" at T10–T12 because "at-most-2-contiguous-compartments" is "not-met"
    And the SIB-IMRT criterion "at-most-2-contiguous-compartments" at T10–T12 says "3 contiguous compartments"

  @boundary
  Scenario Outline: Progressive plurimetastatic disease excludes (<total> sites, <status>)
    Given 3 bone metastases and <total> metastatic lesions in total on the latest imaging
    And disease <status> at the last evaluation
    When the patient is evaluated on 2026-11-20
    Then the SIB-IMRT criterion "no-progressive-plurimetastatic-disease" is "<criterion>" at L3

    Examples:
      | total | status      | criterion |
      | 5     | progressing | met       |
      | 6     | progressing | not-met   |
      | 6     | stable      | met       |

  Scenario: Surgery scheduled at the site excludes SIB-IMRT
    Given surgery scheduled at L3
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "ineligible" at L3 because "no-surgery-scheduled" is "not-met"

  @needs-clinical-review @boundary
  Scenario Outline: Marazzi's ≥ 6 months of follow-up, read as expected survival: <months> months is <status>
    Given an expected survival of <months> months
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "<verdict>" at L3 because "expected-survival-6-months" is "<status>"

    Examples:
      | months | verdict    | status  |
      | 5.9    | ineligible | not-met |
      | 6      | eligible   | met     |

  @safety
  Scenario Outline: Safety — <problem> at the site: SIB-IMRT is not offered, and the verdict says why
    Given <finding>
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "ineligible" at L3 because "<criterion>" is "not-met"
    And the lesion at L3 does not get SIB-IMRT
    And the SIB-IMRT criterion "<criterion>" at L3 says "<detail>"

    Examples:
      | problem               | finding                       | criterion           | detail                           |
      | cord compression      | Bilsky grade 2 at L3          | no-cord-compression | surgical assessment first        |
      | SINS 12               | SINS 12 at L3                 | stable-spine        | not stable enough for ablative RT |
      | pathological fracture | a pathological fracture at L3 | no-fracture         | pathological fracture             |

  Scenario Outline: Unknown is not false — <missing> not in a partial extract: SIB-IMRT is undetermined and names the gap
    Given <missing> is not documented
    And the record is a partial extract: what it does not hold is unknown
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "undetermined" at L3 because "<criterion>" is "unknown"
    And "<gap>" is a data gap needed for "sib-imrt"
    And the lesion at L3 does not get SIB-IMRT

    Examples:
      | missing                | criterion                | gap                 |
      | restaging imaging      | restaging-within-a-month | restaging-imaging   |
      | the ECOG               | ecog-0-2                 | performance-status  |
      | previous radiotherapy  | no-prior-rt-at-site      | prior-radiotherapy  |
      | the lesion counts      | at-most-5-bone-lesions-needing-rt | bone-lesion-count   |

  Scenario: A provisional breast cancer diagnosis does not prove histological confirmation: undetermined, not ineligible
    Given the primary cancer is breast cancer, not histologically confirmed
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "undetermined" at L3 because "histologically-confirmed" is "unknown"
    And "histological-confirmation" is a data gap needed for "sib-imrt"

  Scenario: In a partial extract, unknown planned surgery at the site is named, not assumed absent
    Given planned surgery is not documented at L3
    And the record is a partial extract: what it does not hold is unknown
    When the patient is evaluated on 2026-11-20
    Then SIB-IMRT is "undetermined" at L3 because "no-surgery-scheduled" is "unknown"
    And "planned-surgery" is a data gap for L3

  Scenario: In a complete record, planned surgery that is not recorded is read as none and listed to confirm
    Given planned surgery is not documented at L3
    When the patient is evaluated on 2026-11-20
    Then the SIB-IMRT criterion "no-surgery-scheduled" is met because it is not recorded at L3
    And the lesion at L3 gets SIB-IMRT asking to confirm "no surgery planned at L3"

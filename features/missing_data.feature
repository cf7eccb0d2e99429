Feature: Missing data — unknown is not false
  Clinical intent: a fact the input does not cover is unknown, never "no" (not_recorded.feature
  shows how a silence in a complete record is read where the fact catalogue allows it; here the
  record is a partial extract, or the fact is one whose silence is never read). An eligibility criterion
  that cannot be checked is "unknown" and makes the verdict "undetermined" (never a silent
  "ineligible" or "eligible"), and the missing fact is named as a data gap with how to document
  it. Rules that cannot be decided recommend nothing rather than guess. Derived values are
  labelled as derived and show their inputs (ECOG from KPS; survival from TEACHH or Chow).
  Sources: marazzi2025, patchell2005, sahgal2021, fisher2010, krishnan2014, chow2008

  Scenario: A record with nothing but a bone metastasis: no recommendation, every verdict undetermined
    Given a patient whose record documents nothing but a bone metastasis
    And a bone metastasis at an unspecified site
    When the patient is evaluated on 2026-11-20
    Then the lesion at an unspecified site gets no radiotherapy or surgery recommendation
    And SBRT is "undetermined" at an unspecified site
    And SIB-IMRT is "undetermined" at an unspecified site
    And decompressive surgery is "undetermined" at an unspecified site
    And no eligibility criterion at an unspecified site is silently "not-met" for want of data
    And the output warns "bone metastasis without bodySite"

  Scenario Outline: A partial extract with nothing but a bone metastasis names "<gap>" as a data gap
    Given a patient whose record documents nothing but a bone metastasis
    And a bone metastasis at an unspecified site
    And the record is a partial extract: what it does not hold is unknown
    When the patient is evaluated on 2026-11-20
    Then "<gap>" is a data gap <where>

    Examples:
      | gap                 | where                         |
      | lesion-site         | for an unspecified site       |
      | histology           |                               |
      | performance-status  |                               |
      | expected-survival   |                               |
      | neurological-status |                               |
      | restaging-imaging   |                               |
      | sins                | for an unspecified site       |
      | cord-compression    | for an unspecified site       |
      | pain                | for an unspecified site       |
      | prior-radiotherapy  | for an unspecified site       |
      | planned-surgery     | for an unspecified site       |

  Scenario: Data gaps say what to document and where
    Given a 59-year-old woman with breast cancer
    And ECOG 1
    And a bone metastasis at T9
    And pain of 6/10 at T9
    And the record is a partial extract: what it does not hold is unknown
    When the patient is evaluated on 2026-11-20
    Then "sins" is a data gap for T9 saying "Document SINS for T9"
    And "bilsky-grade" is a data gap for T9 needed for "sbrt"
    And "pathological-fracture" is a data gap for T9 needed for "ebrt-8gy-1fx"

  Scenario Outline: SBRT with <missing> not documented is "undetermined", naming "<gap>", never "ineligible"
    Given a 60-year-old man with prostate cancer
    And ECOG 1
    And an expected survival of 30 months
    And bone-only disease with 3 bone metastases
    And no previous radiotherapy anywhere
    And no neurological deficit
    And a bone metastasis at T9
    And pain of 6/10 at T9
    And SINS 5 at T9
    And Bilsky grade 0 at T9
    And no pathological fracture at T9
    And <missing> is not documented <where>
    And the record is a partial extract: what it does not hold is unknown
    When the patient is evaluated on 2026-11-20
    Then SBRT is "undetermined" at T9 because "<criterion>" is "unknown"
    And "<gap>" is a data gap needed for "sbrt"
    And the lesion at T9 does not get SBRT
    And no eligibility criterion at T9 is silently "not-met" for want of data

    Examples:
      | missing                  | where    | criterion               | gap                   |
      | SINS                     | at T9    | sins-below-12           | sins                  |
      | the Bilsky grade         | at T9    | no-cord-compression     | cord-compression      |
      | a pathological fracture  | at T9    | no-fracture             | pathological-fracture |
      | the neurological status  |          | no-neurological-deficit | neurological-status   |
      | the ECOG                 |          | ecog-0-2                | performance-status    |

  Scenario: Only a KPS and a bone metastasis: ECOG is derived and labelled, the rest are gaps
    Given a patient whose record documents nothing but a bone metastasis
    And KPS 60
    And a bone metastasis at T5
    When the patient is evaluated on 2026-11-20
    Then the state shows ECOG 2 derived from KPS 60
    And the lesion at T5 gets no radiotherapy or surgery recommendation
    And SBRT is "undetermined" at T5
    And the SBRT criterion "ecog-0-2" is "met" at T5
    And the SBRT criterion "ecog-0-2" at T5 says "ECOG 2 (derived from KPS 60)"
    And "histology" is a data gap
    And "sins" is a data gap for T5
    And "pain" is a data gap for T5

  Scenario: A primary cancer code outside the code lists is "unknown" histology, with a warning
    Given a 63-year-old woman with cancer of unspecified primary site
    And a bone metastasis at T9
    When the patient is evaluated on 2026-11-20
    Then the output warns "histology unknown"

  Scenario: An unknown histology leaves Patchell candidacy undetermined, so the surgeon is still asked
    Given a 63-year-old woman with cancer of unspecified primary site
    And ECOG 1
    And medically operable
    And an expected survival of 12 months
    And no previous radiotherapy anywhere
    And one-level cord compression at T8 with leg weakness for 12 hours
    And still walking
    When the patient is evaluated on 2026-11-20
    Then decompressive surgery is "undetermined" at T8 because "not-highly-radiosensitive" is "unknown"
    And "histology" is a data gap needed for "mescc-surgery"
    And the lesion at T8 gets an urgent surgical referral for MESCC decompression

  Scenario: An unknown histology leaves the SIB-IMRT breast-cancer criterion unknown, not "not met"
    Given a 63-year-old woman with cancer of unspecified primary site
    And a bone metastasis at T9
    When the patient is evaluated on 2026-11-20
    Then the SIB-IMRT criterion "breast-cancer" is "unknown" at T9
    And "histology" is a data gap needed for "sib-imrt"

  Scenario: A record without any bone metastasis is reported, not silently evaluated
    Given a 59-year-old woman with breast cancer
    And ECOG 1
    When the patient is evaluated on 2026-11-20
    Then the output warns "no bone metastasis found in the record"

  Scenario: In a partial extract, previous radiotherapy that is not documented is a gap for SIB-IMRT, not "no previous RT"
    Given a 59-year-old woman with breast cancer
    And ECOG 0
    And a bone metastasis at L3
    And the record is a partial extract: what it does not hold is unknown
    When the patient is evaluated on 2026-11-20
    Then the SIB-IMRT criterion "no-prior-rt-at-site" is "unknown" at L3
    And "prior-radiotherapy" is a data gap for L3 needed for "sib-imrt"

  Scenario: A painful lesion whose site is unknown gets no site-specific recommendation
    Given a 59-year-old woman with breast cancer
    And ECOG 1
    And an expected survival of 12 months
    And a bone metastasis at an unspecified site
    And pain of 7/10 at an unspecified site
    When the patient is evaluated on 2026-11-20
    Then the lesion at an unspecified site gets no radiotherapy or surgery recommendation
    And "lesion-site" is a data gap for an unspecified site

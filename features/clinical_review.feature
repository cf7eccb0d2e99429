Feature: Clinical review — the decisions a radiation oncologist found unsafe or missing
  Clinical intent: a tumour board can trust the engine where decision support matters most. Cord
  compression at a previously irradiated level goes to a surgeon, and RT is offered only within the
  cumulative cord tolerance of every course at or next to the level. An indeterminate spine (SINS
  7–12) gets ablative RT only after a surgeon judges it stable, and always a conventional option.
  Cauda equina compression follows the cord-compression pathway. Every compression output is urgent
  and says when. SBRT and SIB-IMRT read neurology the same way. No re-irradiation within 4 weeks of
  the first course. Oligometastatic SABR is decided for the whole patient. A painful complicated
  lesion that is not operated gets RT alone. Highly radiosensitive tumours get conventional RT.
  Sources: nieder2006, patchell2005, nice2023, nice2014qs56, fisher2010, sahgal2021, chow2014,
  alcorn2024, palma2020, vandervelden2022, roos2005, laufer2013

  Background:
    Given a 62-year-old woman with breast cancer
    And ECOG 1
    And medically operable
    And no previous radiotherapy anywhere

  @safety @needs-clinical-review
  Scenario: 1a. Cord compression at a level irradiated 8 months ago goes to a surgeon, not to 30 Gy/10 again
    Given one-level cord compression at T8 with leg weakness for 12 hours
    And Bilsky grade 3 at T8
    And still walking
    And an expected survival of 8 months
    And bone-only disease with 1 bone metastasis
    And T8 was irradiated with 30 Gy in 10 fractions 8 months ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at T8 gets an urgent surgical referral for MESCC decompression
    And the recommendation's rationale mentions "previous radiotherapy to T8"
    And the recommendation's rationale mentions "does not add cord dose"
    And the recommendation is to be given "Refer today"
    And the lesion at T8 does not get 30 Gy in 10 fractions for cord compression
    And the lesion at T8 gets 20 Gy in 5 fractions for cord compression (urgent)
    And the recommendation's rationale mentions "30 Gy/10 (75 Gy)"
    And every recommendation at T8 is urgent

  @safety
  Scenario: 1b. Two months after 30 Gy/10 no RT course is offered beside "avoid", and the earlier course is named
    Given one-level cord compression at T8 with leg weakness for 12 hours
    And Bilsky grade 3 at T8
    And still walking
    And an expected survival of 8 months
    And bone-only disease with 1 bone metastasis
    And T8 was irradiated with 30 Gy in 10 fractions 2 months ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at T8 gets an urgent surgical referral for MESCC decompression
    And the lesion at T8 does not get conventional RT
    And the lesion at T8 is warned to avoid "a standard RT course for cord compression beyond the cumulative cord tolerance"
    And the recommendation's rationale mentions "previous radiotherapy to T8"

  @safety @needs-clinical-review
  Scenario: 1c. A course to the next vertebra counts: L4 irradiated, cord compression at L3
    Given cord compression at L2 with leg weakness for 12 hours
    And Bilsky grade 3 at L2
    And still walking
    And an expected survival of 8 months
    And bone-only disease with 1 bone metastasis
    And L3 was irradiated with 30 Gy in 10 fractions 8 months ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at L2 gets an urgent surgical referral for MESCC decompression
    And the recommendation's rationale mentions "next to L2"
    And the lesion at L2 does not get 30 Gy in 10 fractions for cord compression

  @safety @needs-clinical-review
  Scenario: 2. SINS 9 without a surgeon's opinion: consultation and conventional RT, no ablative RT yet
    Given a bone metastasis at T11
    And SINS 9 at T11
    And Bilsky grade 0 at T11
    And pain of 6/10 at T11
    And no neurological deficit
    And an expected survival of 18 months
    And bone-only disease with 1 bone metastasis
    And restaging PET-CT 10 days ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at T11 gets a surgical consultation for spinal instability
    And the lesion at T11 does not get ablative RT
    And the lesion at T11 gets 20 Gy in 5 fractions for a complicated metastasis
    And SBRT is "undetermined" at T11 because "stable-spine" is "unknown"
    And SIB-IMRT is "undetermined" at T11 because "stable-spine" is "unknown"

  Scenario: 2b. SINS 9 judged stable by the spine surgeon: SC24 SBRT
    Given a bone metastasis at T11
    And SINS 9 at T11
    And Bilsky grade 0 at T11
    And pain of 6/10 at T11
    And no neurological deficit
    And an expected survival of 18 months
    And bone-only disease with 1 bone metastasis
    And a spine surgeon judged T11 stable
    When the patient is evaluated on 2026-11-20
    Then the lesion at T11 gets SBRT for a painful spinal metastasis (preferred)
    And the recommendation's rationale mentions "judged stable by a spine surgeon"
    And SBRT is "eligible" at T11 because "stable-spine" is "met"

  @safety @needs-clinical-review
  Scenario: 3. Cauda equina compression at L3 follows the cord-compression pathway
    Given cord compression at L3 with leg weakness for 12 hours
    And Bilsky grade 3 at L3
    And still walking
    And an expected survival of 18 months
    And bone-only disease with 1 bone metastasis
    When the patient is evaluated on 2026-11-20
    Then the lesion at L3 gets an urgent surgical referral for MESCC decompression
    And the recommendation's rationale mentions "cauda equina compression at L3"
    And the recommendation rests on rule "mescc.cauda-equina-surgical-opinion"
    And every recommendation at L3 is urgent
    And decompressive surgery is "ineligible" at L3 because "not-cauda-equina-only" is "not-met"

  @safety
  Scenario: 4. Radiotherapy for cord compression without surgery starts within 24 hours, with dexamethasone and whole-spine MRI
    Given cord compression at T10 with leg weakness for 24 hours
    And Bilsky grade 2 at T10
    And not medically operable
    And an expected survival of 4 months
    And bone-only disease with 1 bone metastasis
    When the patient is evaluated on 2026-11-20
    Then the lesion at T10 gets urgent 20 Gy in 5 fractions for cord compression
    And the recommendation is to be given "within 24 hours of the decision to treat"
    And the recommendation cites "NICE QS56"
    And the recommendation's rationale mentions "dexamethasone 16 mg as soon as possible"
    And the recommendation's rationale mentions "MRI of the whole spine"
    And every recommendation at T10 is urgent

  Scenario: 4b. Without a clinician's survival estimate, RT alone for cord compression follows the Rades score, not TEACHH
    Given the primary cancer was diagnosed 24 months ago
    And one-level cord compression at T8 with leg weakness for 12 hours
    And Bilsky grade 3 at T8
    And still walking
    And not medically operable
    And bone-only disease with 1 bone metastasis
    When the patient is evaluated on 2026-11-20
    Then the Rades score is 39
    And the lesion at T8 gets 30 Gy in 10 fractions for cord compression (urgent)
    And the recommendation's rationale mentions "Rades survival group favourable"

  @safety
  Scenario: 5. No neurological exam recorded but Bilsky 1b documented: both techniques read "no deficit" and ask to confirm it
    Given a bone metastasis at L3
    And Bilsky grade 1b at L3
    And SINS 4 at L3
    And pain of 5/10 at L3
    And the neurological status is not documented
    And an expected survival of 24 months
    And bone-only disease with 1 bone metastasis
    And restaging PET-CT 10 days ago
    When the patient is evaluated on 2026-11-20
    Then the SBRT criterion "no-neurological-deficit" is "met" at L3
    And the SIB-IMRT criterion "no-neurological-deficit" is "met" at L3
    And the evaluation asks to confirm "no neurological deficit (examine before treating L3)"

  @safety
  Scenario: 5a. No neurological exam and no compression status: both techniques are undetermined, neither is offered
    Given a bone metastasis at L3
    And SINS 4 at L3
    And pain of 5/10 at L3
    And the neurological status is not documented
    And an expected survival of 24 months
    And bone-only disease with 1 bone metastasis
    And restaging PET-CT 10 days ago
    When the patient is evaluated on 2026-11-20
    Then the SBRT criterion "no-neurological-deficit" is "unknown" at L3
    And the SIB-IMRT criterion "no-neurological-deficit" is "unknown" at L3
    And the lesion at L3 does not get ablative RT

  Scenario: 5b. A documented neurological deficit excludes both ablative techniques
    Given a bone metastasis at L3
    And Bilsky grade 1b at L3
    And SINS 4 at L3
    And pain of 5/10 at L3
    And a neurological deficit
    And an expected survival of 24 months
    And bone-only disease with 1 bone metastasis
    And restaging PET-CT 10 days ago
    When the patient is evaluated on 2026-11-20
    Then SBRT is "ineligible" at L3 because "no-neurological-deficit" is "not-met"
    And SIB-IMRT is "ineligible" at L3 because "no-neurological-deficit" is "not-met"
    And the lesion at L3 does not get ablative RT

  @safety
  Scenario: 6. Pain 19 days after 8 Gy × 1 is not yet a failure: no re-irradiation within 4 weeks
    Given a bone metastasis at the left ilium
    And pain of 7/10 at the left ilium
    And no pathological fracture at the left ilium
    And an expected survival of 12 months
    And bone-only disease with 1 bone metastasis
    And the left ilium was irradiated with 8 Gy in 1 fraction 19 days ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left ilium does not get 8 Gy in 1 fraction as re-irradiation
    And the lesion at the left ilium is warned to avoid "re-irradiation within 4 weeks of the previous course"
    And the recommendation cites "Chow 2014"

  Scenario: 6b. Six weeks after 8 Gy × 1 the ASTRO re-irradiation regimens are offered
    Given a bone metastasis at the left ilium
    And pain of 7/10 at the left ilium
    And no pathological fracture at the left ilium
    And an expected survival of 12 months
    And bone-only disease with 1 bone metastasis
    And the left ilium was irradiated with 8 Gy in 1 fraction 42 days ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at the left ilium gets 8 Gy in 1 fraction as re-irradiation (preferred)
    And the recommendation offers 20 Gy in 5 fractions as alternative
    And the recommendation offers 24 Gy in 6 fractions as alternative

  @safety
  Scenario: 7. Oligometastatic SABR is a patient-level decision: a cord compression elsewhere rules it out
    Given a bone metastasis at the left ilium
    And pain of 5/10 at the left ilium
    And no pathological fracture at the left ilium
    And the lesion at the left ilium measures 2.5 cm
    And cord compression at T8 with leg weakness for 12 hours
    And Bilsky grade 3 at T8
    And still walking
    And the primary tumour is controlled
    And an expected survival of 24 months
    And bone-only disease with 2 bone metastases
    When the patient is evaluated on 2026-11-20
    Then oligometastatic SABR is "ineligible" for the patient because "every-lesion-amenable" is "not-met"
    And the lesion at the left ilium does not get SBRT for oligometastatic disease

  Scenario: 7b. ECOG 2 rules out oligometastatic SABR for every lesion
    Given ECOG 2
    And a bone metastasis at the left ilium
    And pain of 5/10 at the left ilium
    And no pathological fracture at the left ilium
    And the primary tumour is controlled
    And an expected survival of 24 months
    And bone-only disease with 1 bone metastasis
    When the patient is evaluated on 2026-11-20
    Then oligometastatic SABR is "ineligible" for the patient because "ecog-0-1" is "not-met"
    And the lesion at the left ilium does not get SBRT for oligometastatic disease

  @needs-clinical-review
  Scenario: 8. A painful, stable vertebral compression fracture with a 2-month prognosis gets 8 Gy × 1
    Given a bone metastasis at L1
    And a pathological fracture of L1
    And SINS 6 at L1
    And no cord compression at L1
    And pain of 7/10 at L1
    And an expected survival of 2 months
    And bone-only disease with 1 bone metastasis
    When the patient is evaluated on 2026-11-20
    Then the lesion at L1 gets 8 Gy in 1 fraction for a complicated metastasis

  @needs-clinical-review
  Scenario: 8b. Surgery declined for an unstable spine: RT alone, not a referral
    Given a bone metastasis at L1
    And SINS 14 at L1
    And no cord compression at L1
    And pain of 7/10 at L1
    And an expected survival of 12 months
    And bone-only disease with 1 bone metastasis
    And surgery at L1 was declined
    When the patient is evaluated on 2026-11-20
    Then the lesion at L1 does not get a surgical referral
    And the lesion at L1 gets 20 Gy in 5 fractions for a complicated metastasis (preferred)
    And the lesion at L1 is warned to avoid "SBRT or SIB-IMRT before stabilisation"

  @needs-clinical-review
  Scenario: 8c. Neuropathic pain makes a lesion complicated: 20 Gy/5 rather than 8 Gy × 1
    Given a bone metastasis at the right rib
    And pain of 6/10 at the right rib
    And neuropathic pain at the right rib
    And no pathological fracture at the right rib
    And an expected survival of 12 months
    And bone-only disease with 1 bone metastasis
    When the patient is evaluated on 2026-11-20
    Then the lesion at the right rib gets 20 Gy in 5 fractions for a complicated metastasis (preferred)
    And the recommendation cites "Roos 2005"
    And the lesion at the right rib gets 8 Gy in 1 fraction for pain (alternative)
    And the recommendation's rationale mentions "Neuropathic pain makes the metastasis complicated"

  @safety
  Scenario: 9. Myeloma gets conventional RT, never SBRT
    Given the primary cancer is myeloma
    And a bone metastasis at T6
    And SINS 4 at T6
    And Bilsky grade 0 at T6
    And no neurological deficit
    And pain of 6/10 at T6
    And an expected survival of 36 months
    And bone-only disease with 1 bone metastasis
    When the patient is evaluated on 2026-11-20
    Then the lesion at T6 gets 8 Gy in 1 fraction for pain (preferred)
    And the lesion at T6 does not get SBRT
    And SBRT is "ineligible" at T6 because "not-highly-radiosensitive" is "not-met"

  @safety
  Scenario: 1d. An unstable spine irradiated 4 months ago: stabilisation, and no postoperative course beyond the cord tolerance
    Given a bone metastasis at L1
    And SINS 14 at L1
    And no cord compression at L1
    And pain of 7/10 at L1
    And an expected survival of 12 months
    And bone-only disease with 1 bone metastasis
    And L1 was irradiated with 30 Gy in 10 fractions 4 months ago
    When the patient is evaluated on 2026-11-20
    Then the lesion at L1 gets an urgent surgical referral for spinal instability
    And the recommendation rests on rule "sins.unstable-stabilisation-previously-irradiated"
    And the recommendation's rationale mentions "only within the cumulative cord tolerance"
    And the lesion at L1 does not get 30 Gy in 10 fractions after surgery
    And the lesion at L1 does not get ablative RT

  @needs-clinical-review
  Scenario: 7c. Every SABR-COMET criterion met: ablative SBRT to each lesion, referring to the patient-level verdict
    Given a bone metastasis at the left ilium
    And pain of 5/10 at the left ilium
    And no pathological fracture at the left ilium
    And the lesion at the left ilium measures 2.5 cm
    And the primary tumour is controlled
    And an expected survival of 24 months
    And bone-only disease with 1 bone metastasis
    And restaging PET-CT 10 days ago
    When the patient is evaluated on 2026-11-20
    Then oligometastatic SABR is "eligible" for the patient because "primary-controlled" is "met"
    And oligometastatic SABR is "eligible" for the patient because "one-to-five-metastases" is "met"
    And oligometastatic SABR is "eligible" for the patient because "at-most-3-in-bone" is "met"
    And oligometastatic SABR is "eligible" for the patient because "life-expectancy-6-months" is "met"
    And oligometastatic SABR is "eligible" for the patient because "every-lesion-amenable" is "met"
    And the lesion at the left ilium gets SBRT for oligometastatic disease
    And the recommendation's rationale mentions "patient-level assessment"

"""The harness that runs the DfE's CIN census validator (``continuum_tools.testing.cin_validator``)
reports what the validator finds: a clean one-child file passes with no error, and the same file
with one planted mistake fails with that mistake's rule, on that child and that field."""

from __future__ import annotations

from pathlib import Path

from continuum.contracts.codes import upn_check_letter
from continuum_tools.testing.cin_validator import validate

UPN = upn_check_letter("201000000001") + "201000000001"

CENSUS = f"""<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2027</Year><ReferenceDate>2027-03-31</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>201</LEA><SoftwareCode>Continuum</SoftwareCode><Release>test</Release>
      <SerialNo>1</SerialNo><DateTime>2027-03-31T12:00:00</DateTime></Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>C0001</LAchildID><UPN>{UPN}</UPN><PersonBirthDate>2015-05-01</PersonBirthDate><Sex>M</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity><Disabilities><Disability>NONE</Disability></Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2026-06-01</CINreferralDate><ReferralSource>6</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>
        <ReferralNFA>0</ReferralNFA>
        <Assessments><AssessmentActualStartDate>2026-06-02</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2026-07-01</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment><AssessmentFactors>3B</AssessmentFactors></FactorsIdentifiedAtAssessment>
        </Assessments>
        <CINPlanDates><CINPlanStartDate>2026-07-02</CINPlanStartDate></CINPlanDates>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""


def test_a_clean_file_has_no_error(tmp_path: Path) -> None:
    census = tmp_path / "clean.xml"
    census.write_text(CENSUS)
    report = validate(census)
    assert report.rules > 100 and not report.crashed
    assert report.errors == []
    # The one query: a return-level one (no child) that a one-child file cannot avoid.
    assert report.codes("Query") == {"2887Q"}


def test_a_planted_error_is_reported_with_its_rule(tmp_path: Path) -> None:
    census = tmp_path / "planted.xml"
    census.write_text(CENSUS.replace("<ReferralSource>6</ReferralSource>", "<ReferralSource>11</ReferralSource>"))
    report = validate(census)
    assert report.codes("Error") == {"8866"}  # "Source of Referral is missing or an invalid code"
    assert ("C0001", "CINdetails", "ReferralSource") in {(e.child_id, e.table, e.columns) for e in report.errors}

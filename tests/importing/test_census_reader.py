"""The census reader: both layouts of the child's sex, every module of an episode, a namespaced
file, and bad children reported one line each and left out whole while the good ones are read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from continuum.contracts.codes import upn_check_letter
from continuum_tools.importing.census_reader import read_census, stream_census
from continuum_tools.importing.records import Child, Header, Problem

UPN = upn_check_letter("201000000001") + "201000000001"


def census(children: str, *, year: int = 2019, xmlns: str = "") -> bytes:
    """A return of ``year`` around ``children`` (``<Child>`` elements)."""
    root = f'<Message xmlns="{xmlns}">' if xmlns else "<Message>"
    return f"""<?xml version="1.0" encoding="utf-8"?>
{root}
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>{year}</Year><ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>201</LEA><SoftwareCode>Old MIS</SoftwareCode><Release>3.1</Release>
      <SerialNo>001</SerialNo><DateTime>{year}-05-01T09:00:00</DateTime></Source>
  </Header>
  <Children>{children}</Children>
</Message>
""".encode()


def child(la_child_id: str = "C1", *, sex: str = "<GenderCurrent>2</GenderCurrent>", episodes: str = "", ids: str = "") -> str:
    episodes = episodes or episode()
    return f"""<Child>
      <ChildIdentifiers><LAchildID>{la_child_id}</LAchildID><UPN>{UPN}</UPN><PersonBirthDate>2010-05-01</PersonBirthDate>
        {sex}{ids}</ChildIdentifiers>
      <ChildCharacteristics><Disabilities><Disability>MOB</Disability><Disability>LD</Disability></Disabilities>
        <Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
      {episodes}
    </Child>"""


def episode(referral: str = "2018-06-01", closure: str = "", extra: str = "") -> str:
    closed = f"<CINclosureDate>{closure}</CINclosureDate><ReasonForClosure>RC7</ReasonForClosure>" if closure else ""
    return f"""<CINdetails><ReferralNFA>false</ReferralNFA><CINreferralDate>{referral}</CINreferralDate>
      <ReferralSource>6</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>{closed}{extra}</CINdetails>"""


FULL_EPISODE = episode(
    "2018-06-01",
    "2019-02-20",
    """
    <Assessments><AssessmentActualStartDate>2018-06-02</AssessmentActualStartDate>
      <AssessmentInternalReviewDate>2018-06-20</AssessmentInternalReviewDate>
      <AssessmentAuthorisationDate>2018-07-01</AssessmentAuthorisationDate>
      <FactorsIdentifiedAtAssessment><AssessmentFactors>3B</AssessmentFactors><AssessmentFactors>2A</AssessmentFactors>
      </FactorsIdentifiedAtAssessment></Assessments>
    <Section47><S47ActualStartDate>2018-06-03</S47ActualStartDate><InitialCPCtarget>2018-06-22</InitialCPCtarget>
      <DateOfInitialCPC>2018-06-20</DateOfInitialCPC><ICPCnotRequired>false</ICPCnotRequired></Section47>
    <ChildProtectionPlans><CPPstartDate>2018-06-20</CPPstartDate><CPPendDate>2018-12-01</CPPendDate>
      <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><LatestCategoryOfAbuse>MUL</LatestCategoryOfAbuse>
      <NumberOfPreviousCPP>1</NumberOfPreviousCPP>
      <Reviews><CPPreviewDate>2018-11-10</CPPreviewDate><CPPreviewDate>2018-09-01</CPPreviewDate></Reviews></ChildProtectionPlans>
    <CINPlanDates><CINPlanStartDate>2018-12-02</CINPlanStartDate><CINPlanEndDate>2019-02-19</CINPlanEndDate></CINPlanDates>
    """,
)


def test_an_old_return_reads_gender_current_as_sex_and_every_module(tmp_path: Path) -> None:
    path = tmp_path / "cin2019.xml"
    path.write_bytes(census(child(episodes=FULL_EPISODE)))

    read = read_census(path)

    assert (read.header.year, read.header.reference_date, read.header.lea, read.header.serial_no) == (
        2019,
        date(2019, 3, 31),
        "201",
        "001",
    )
    assert read.problems == ()
    [one] = read.children
    assert (one.la_child_id, one.upn, one.sex, one.gender_current, one.ethnicity) == ("C1", UPN, "F", "2", "WBRI")
    assert one.disabilities == ("MOB", "LD")
    [ep] = one.episodes
    assert (ep.referral_date, ep.source, ep.primary_need, ep.closure, ep.reason_for_closure, ep.referral_nfa) == (
        date(2018, 6, 1), "6", "N1", date(2019, 2, 20), "RC7", False,
    )  # fmt: skip
    [assessment] = ep.assessments
    assert (assessment.internal_review, assessment.authorised, assessment.factors) == (
        date(2018, 6, 20),
        date(2018, 7, 1),
        ("3B", "2A"),
    )
    [s47] = ep.section47s
    assert (s47.icpc_target, s47.icpc, s47.icpc_not_required) == (date(2018, 6, 22), date(2018, 6, 20), False)
    [plan] = ep.cp_plans
    assert (plan.end, plan.initial_category, plan.latest_category, plan.previous_plans) == (date(2018, 12, 1), "NEG", "MUL", 1)
    assert plan.reviews == (date(2018, 9, 1), date(2018, 11, 10))
    assert [(p.start, p.end) for p in ep.cin_plans] == [(date(2018, 12, 2), date(2019, 2, 19))]


def test_a_new_return_reads_sex_and_an_unborn_child_and_section_5() -> None:
    unborn = (
        """<Child><ChildIdentifiers><LAchildID>U1</LAchildID><UPNunknown>UN1</UPNunknown>
        <ExpectedPersonBirthDate>2027-05-01</ExpectedPersonBirthDate><Sex>U</Sex></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>NOBT</Ethnicity></ChildCharacteristics>"""
        + episode(
            "2026-11-01",
            extra="""<PreProceedingsandFGDM><PPStartDate>2026-12-01</PPStartDate><LBPSentDate>2026-12-02</LBPSentDate>
          <FGDMMeetingOffer>1</FGDMMeetingOffer><FGDMMeetingFac>0</FGDMMeetingFac>
          <InitialPPMeetingDate>2026-12-15</InitialPPMeetingDate><ReviewMeetingsCount>2</ReviewMeetingsCount>
          <StepDecisionDate>2027-02-01</StepDecisionDate><PPOutcome>A</PPOutcome><CourtAppDate>2027-02-03</CourtAppDate>
          <LetterInitCPDate>2027-02-04</LetterInitCPDate></PreProceedingsandFGDM>""",
        )
        + "</Child>"
    )

    read = read_census(census(unborn + child("C2", sex="<Sex>M</Sex>"), year=2027))

    [u, c2] = read.children
    assert (u.sex, u.gender_current, u.expected_birth_date, u.upn, u.upn_unknown) == ("U", None, date(2027, 5, 1), None, "UN1")
    assert (c2.sex, c2.gender_current) == ("M", None)
    [block] = u.episodes[0].preproceedings
    assert (block.fgdm_offered, block.fgdm_held, block.review_meetings, block.outcome, block.letter_initiating) == (
        True, False, 2, "A", date(2027, 2, 4),
    )  # fmt: skip


def test_gender_current_not_known_reads_as_unborn_only_for_a_child_not_yet_born() -> None:
    expected = "<GenderCurrent>0</GenderCurrent><ExpectedPersonBirthDate>2019-06-01</ExpectedPersonBirthDate>"
    born_unknown = child("C2", sex="<GenderCurrent>9</GenderCurrent>")
    unborn = child("C1", sex=expected).replace("<PersonBirthDate>2010-05-01</PersonBirthDate>", "")

    read = read_census(census(unborn + born_unknown))

    assert [(c.sex, c.gender_current) for c in read.children] == [("U", "0"), (None, "9")]


def test_a_namespaced_return_reads_the_same() -> None:
    plain = read_census(census(child(episodes=FULL_EPISODE)))
    spaced = read_census(census(child(episodes=FULL_EPISODE), xmlns="http://www.example.org/cin"))

    assert spaced == plain


def test_bad_children_are_reported_one_line_each_and_left_out_whole() -> None:
    children = [
        child("GOOD1"),
        child("BADCODE", episodes=episode().replace("<ReferralSource>6</ReferralSource>", "<ReferralSource>Z9</ReferralSource>")),
        child("BADDATE", episodes=episode(closure="2019-02-30")),
        child("", episodes=episode()),
        child("OVERLAP", episodes=episode("2018-06-01") + episode("2018-09-01", "2018-12-01")),
        child("GOOD2", sex="<Sex>M</Sex>"),
    ]

    read = read_census(census("".join(children)))

    assert [c.la_child_id for c in read.children] == ["GOOD1", "GOOD2"]
    assert read.problems == (
        Problem("BADCODE", "CINdetails/ReferralSource", "'Z9' is not a code of the DfE list"),
        Problem("BADDATE", "CINdetails/CINclosureDate", "not a date (YYYY-MM-DD)"),
        Problem("", "ChildIdentifiers/LAchildID", "missing: child 4 of the file is left out"),
        Problem("OVERLAP", "CINdetails", "the child's episodes overlap"),
    )
    # One line each, with no personal value but the LA child id (no birth date, no UPN).
    assert all("\n" not in str(p) and UPN not in str(p) and "2010-05-01" not in str(p) for p in read.problems)


def test_values_are_checked_against_the_dfe_lists() -> None:
    cases = {
        "UPN": child("A", ids="").replace(UPN, "A201000000001"),
        "GENDER": child("B", sex="<GenderCurrent>3</GenderCurrent>"),
        "DISABILITY": child("C").replace("<Disability>LD</Disability>", "<Disability>NONE</Disability>"),
        "FACTOR": child("D", episodes=FULL_EPISODE.replace(">3B<", ">99<")),
        "CATEGORY": child("E", episodes=FULL_EPISODE.replace(">NEG<", ">XXX<")),
        "NFA": child("F", episodes=episode().replace(">false<", ">maybe<")),
    }

    read = read_census(census("".join(cases.values())))

    assert read.children == ()
    assert [p.element for p in read.problems] == [
        "ChildIdentifiers/UPN",
        "ChildIdentifiers/GenderCurrent",
        "ChildCharacteristics/Disabilities",
        "CINdetails/Assessments/FactorsIdentifiedAtAssessment",
        "CINdetails/ChildProtectionPlans/InitialCategoryOfAbuse",
        "CINdetails/ReferralNFA",
    ]


def test_the_reader_streams_the_header_then_one_child_at_a_time() -> None:
    items = stream_census(census(child("C1") + child("C2")))

    assert isinstance(next(items), Header)
    first = next(items)
    assert isinstance(first, Child) and first.la_child_id == "C1"
    assert [c.la_child_id for c in items if isinstance(c, Child)] == ["C2"]


def test_an_la_child_id_given_to_two_children_leaves_both_out() -> None:
    read = read_census(census(child("TWICE") + child("C2") + child("TWICE", episodes=episode("2018-08-01"))))

    assert [c.la_child_id for c in read.children] == ["C2"]
    assert read.problems == (Problem("TWICE", "ChildIdentifiers/LAchildID", "given to more than one child of the return"),)

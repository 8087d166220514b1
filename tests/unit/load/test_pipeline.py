"""The load pipeline: every validation code from a broken fixture each (the code, the file and the line
are asserted), and big cold loads parsed in parallel (`salesctl validate`: tests/cli/test_validate.py)."""

from __future__ import annotations

import time

import pytest

from helpers.records import CONTRACT, CUSTOMER, RECEIVABLE, VALID, with_change
from salesctl.model.problems import CODES
from salesctl.load.pipeline import load


def problems_of(root):
    return [(p.code, p.path, p.line) for p in load(root).problems]


def test_valid_workspace_has_no_problems(workspace):
    assert problems_of(workspace(VALID)) == []


CASES = {
    "yaml-syntax": (with_change(**{"customers/CUS-0002.yaml": "id: [CUS-0002\nname: x\n"}), "customers/CUS-0002.yaml", 2),
    "not-utf8": (with_change(**{"customers/CUS-0002.yaml": b"id: CUS-0002\nname: \xff\xfe\n"}), "customers/CUS-0002.yaml", 2),
    "duplicate-key": (with_change(**{"customers/CUS-0001.yaml": CUSTOMER + "name: again\n"}), "customers/CUS-0001.yaml", 6),
    "not-a-record": (with_change(**{"visits/2026-01.yaml": "- just text\n"}), "visits/2026-01.yaml", 1),
    "missing-field": (with_change(**{"customers/CUS-0001.yaml": CUSTOMER.replace("name: 华东机械\n", "")}), "customers/CUS-0001.yaml", 1),
    "bad-type": (with_change(**{"customers/CUS-0001.yaml": CUSTOMER + "key: yes\n"}), "customers/CUS-0001.yaml", 6),
    "bad-value": (with_change(**{"customers/CUS-0001.yaml": CUSTOMER.replace("tier: A", "tier: Z")}), "customers/CUS-0001.yaml", 4),
    "bad-date": (with_change(**{"customers/CUS-0001.yaml": CUSTOMER.replace("2026-01-05", "2026-02-30")}), "customers/CUS-0001.yaml", 5),
    "bad-amount": (with_change(**{"receivables/RCV-1.yaml": RECEIVABLE.replace("10000", "'10,000'")}), "receivables/RCV-1.yaml", 3),
    "unknown-field": (with_change(**{"customers/CUS-0001.yaml": CUSTOMER + "staus: lost\n"}), "customers/CUS-0001.yaml", 6),
    "duplicate-id": (with_change(**{"customers/dup.yaml": CUSTOMER}), "customers/dup.yaml", 1),
    "id-filename": (with_change(**{"customers/CUS-0001.yaml": None, "customers/other.yaml": CUSTOMER}), "customers/other.yaml", 1),
    "unknown-ref": (with_change(**{"customers/CUS-0001.yaml": CUSTOMER.replace("owner: zhang", "owner: nobody")}), "customers/CUS-0001.yaml", 3),
    "amount-mismatch": (with_change(**{"contracts/CT-1.yaml": CONTRACT.replace("amount: 10000", "amount: 9000"),
                                      "receivables/RCV-1.yaml": RECEIVABLE.replace("10000", "9000")}), "contracts/CT-1.yaml", 9),
    "over-scheduled": (with_change(**{"receivables/RCV-2.yaml": RECEIVABLE.replace("RCV-1", "RCV-2")}), "contracts/CT-1.yaml", 9),
    "under-scheduled": (with_change(**{"receivables/RCV-1.yaml": RECEIVABLE.replace("10000", "4000")}), "contracts/CT-1.yaml", 9),
    "overpaid": (with_change(**{"receivables/RCV-1.yaml": RECEIVABLE + "payments:\n  - {date: 2026-03-01, amount: 10000.01}\n"}),
                 "receivables/RCV-1.yaml", 5),
    "approval-order": (with_change(**{"contracts/CT-1.yaml": CONTRACT.replace("stage: manager", "stage: legal", 1)}),
                       "contracts/CT-1.yaml", 11),
    "approval-missing": (with_change(**{"contracts/CT-1.yaml": CONTRACT.split("approvals:")[0]}), "contracts/CT-1.yaml", 5),
    "owner-history": (with_change(**{"customers/CUS-0001.yaml": CUSTOMER + "assignments:\n"
                                     "  - {date: 2026-03-01, from: zhang, to: wang, by: lin}\n"}), "customers/CUS-0001.yaml", 3),
    "approval-stale": (with_change(**{"contracts/CT-1.yaml": CONTRACT.replace(
        "2026-02-02, decision: approved}", "2026-02-02, decision: approved, terms: 0123456789abcdef}")}),
        "contracts/CT-1.yaml", 11),
    "date-order": (with_change(**{"contracts/CT-1.yaml": CONTRACT + "start: 2026-03-01\nend: 2026-02-01\n"}), "contracts/CT-1.yaml", 15),
    "bad-config": ({**VALID, "salesctl.yaml": "company: {name: X}\nteam: [{id: zhang, name: 张伟, role: boss}]\n"}, "salesctl.yaml", 2),
    "bad-email": (with_change(**{"customers/CUS-0001.yaml": CUSTOMER + "contacts: [{name: 王, email: wang-at-example}]\n"}),
                  "customers/CUS-0001.yaml", 6),
    "bad-phone": (with_change(**{"customers/CUS-0001.yaml": CUSTOMER + "contacts:\n  - {name: 王, phone: 'ext. 12'}\n"}),
                  "customers/CUS-0001.yaml", 7),
    "approval-authority": (with_change(**{"contracts/CT-1.yaml": CONTRACT.replace("stage: manager, by: lin",
                                                                                  "stage: manager, by: chen")}),
                           "contracts/CT-1.yaml", 11),
    "future-date": (with_change(**{"receivables/RCV-1.yaml": RECEIVABLE + "payments:\n  - {date: 2999-12-31, amount: 100}\n"}),
                    "receivables/RCV-1.yaml", 6),
    "promise-before-action": (with_change(**{"receivables/RCV-1.yaml": RECEIVABLE + "collection:\n  - {date: 2026-03-10, "
                                                                      "by: zhang, channel: phone, promised: 2026-03-05}\n"}),
                              "receivables/RCV-1.yaml", 6),
    "duplicate-name": (with_change(**{"customers/CUS-0002.yaml": CUSTOMER.replace("CUS-0001", "CUS-0002")
                                      .replace("华东机械", "华东 机械")}), "customers/CUS-0002.yaml", 2),
    "duplicate-review": (with_change(**{"reviews/R-1.yaml": "id: R-1\nrep: zhang\nperiod: 2026-Q1\n",
                                        "reviews/R-2.yaml": "id: R-2\nrep: zhang\nperiod: 2026-Q1\n"}),
                         "reviews/R-2.yaml", 3),
}


def test_every_code_has_a_case():
    assert set(CASES) == set(CODES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_code(workspace, code):
    files, path, line = CASES[code]
    found = problems_of(workspace(files))
    assert (code, path, line) in found, found


def test_one_bad_file_never_hides_the_others(workspace):
    files = with_change(**{
        "customers/CUS-0002.yaml": "id: [broken\n",
        "customers/CUS-0003.yaml": b"\xff",
        "visits/2026-01.yaml": "- {id: V1, customer: CUS-0001, rep: zhang, date: 2026-01-10, channel: fax}\n",
    })
    codes = {p[0] for p in problems_of(workspace(files))}
    assert {"yaml-syntax", "not-utf8", "bad-value"} <= codes


def test_merge_conflict_marker_points_at_its_line(workspace):
    text = CUSTOMER + "<<<<<<< HEAD\nnotes: a\n=======\nnotes: b\n>>>>>>> other\n"
    found = problems_of(workspace(with_change(**{"customers/CUS-0001.yaml": text})))
    assert ("yaml-syntax", "customers/CUS-0001.yaml", 6) in found


def test_billion_laughs_is_a_syntax_error_within_a_second(workspace):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{','.join(['*' + prev] * 9)}]")
    root = workspace(with_change(**{"customers/bomb.yaml": "\n".join(lines) + "\n"}))
    start = time.perf_counter()
    found = load(root).problems
    assert time.perf_counter() - start < 1
    assert any(p.code == "yaml-syntax" and "alias" in p.message for p in found)


def test_object_tags_are_refused(workspace):
    files = with_change(**{"customers/CUS-0001.yaml": CUSTOMER + "notes: !!python/object/apply:os.system ['true']\n"})
    found = [(p.code, p.path, p.line) for p in load(workspace(files)).problems]
    assert ("yaml-syntax", "customers/CUS-0001.yaml", 6) in found
    assert ("unknown-ref", "contracts/CT-1.yaml", 2) in found  # the refused file adds no record


def test_empty_and_comment_only_files_hold_no_records(workspace):
    root = workspace(with_change(**{"visits/empty.yaml": "", "visits/comments.yaml": "# nothing yet\n"}))
    assert problems_of(root) == []


def test_dot_files_and_other_suffixes_are_ignored(workspace):
    root = workspace(with_change(**{"customers/.draft.yaml": "id: [", "customers/notes.txt": "id: ["}))
    assert problems_of(root) == []


def test_records_at_any_depth_and_grouped(workspace):
    visits = """\
    - {id: V1, customer: CUS-0001, rep: zhang, date: 2026-01-10, channel: onsite}
    - {id: V2, customer: CUS-0001, rep: zhang, date: 2026-01-12, channel: phone, satisfaction: 4}
    """
    ws = load(workspace(with_change(**{"visits/2026/01/week2.yml": visits})))
    assert [v.id for v in ws.records["visits"]] == ["V1", "V2"]
    assert ws.records["visits"][1].pos("satisfaction") == (2, 78)
    assert ws.problems == []


def test_unknown_field_in_nested_entry_suggests_the_right_name(workspace):
    files = with_change(**{"receivables/RCV-1.yaml": RECEIVABLE + "payments:\n  - {date: 2026-03-01, amout: 100}\n"})
    found = load(workspace(files)).problems
    messages = [p.message for p in found]
    assert "unknown field 'payments.0.amout'; did you mean 'amount'?" in messages
    assert "missing required field 'payments.0.amount'" in messages


def test_rejection_lets_the_chain_restart(workspace):
    contract = CONTRACT.split("approvals:")[0] + """\
approvals:
  - {stage: manager, by: lin, date: 2026-02-02, decision: approved}
  - {stage: legal, by: chen, date: 2026-02-03, decision: rejected}
  - {stage: manager, by: lin, date: 2026-02-04, decision: approved}
  - {stage: legal, by: chen, date: 2026-02-05, decision: approved}
  - {stage: finance, by: zhao, date: 2026-02-06, decision: approved}
"""
    assert problems_of(workspace(with_change(**{"contracts/CT-1.yaml": contract}))) == []


@pytest.mark.parametrize("approvals, message", [
    ("  - {stage: manager, by: lin, date: 2026-02-02, decision: approved}\n"
     "  - {stage: manager, by: lin, date: 2026-02-03, decision: approved}\n", "stage 'manager' is approved twice"),
    ("  - {stage: manager, by: lin, date: 2026-02-03, decision: approved}\n"
     "  - {stage: legal, by: chen, date: 2026-02-02, decision: approved}\n", "is before the previous entry"),
])
def test_approval_order_variants(workspace, approvals, message):
    contract = CONTRACT.split("approvals:")[0].replace("status: signed", "status: in_review") + "approvals:\n" + approvals
    found = load(workspace(with_change(**{"contracts/CT-1.yaml": contract}))).problems
    assert any(p.code == "approval-order" and message in p.message for p in found), found


def test_signed_contract_needs_a_signed_date(workspace):
    files = with_change(**{"contracts/CT-1.yaml": CONTRACT.replace("signed: 2026-02-10\n", "")})
    assert ("missing-field", "contracts/CT-1.yaml", 5) in problems_of(workspace(files))


def test_payment_before_signing_is_a_warning(workspace):
    files = with_change(**{"receivables/RCV-1.yaml": RECEIVABLE + "payments: [{date: 2026-02-01, amount: 100}]\n"})
    found = load(workspace(files)).problems
    assert [(p.code, p.severity) for p in found] == [("date-order", "warning")]


@pytest.mark.parametrize("amount", ["NaN", ".nan", ".inf", "1e309", "-5", "12.345", "'12000'", "true"])
def test_absurd_amounts(workspace, amount):
    files = with_change(**{"receivables/RCV-1.yaml": RECEIVABLE.replace("amount: 10000", f"amount: {amount}")})
    codes = [p.code for p in load(workspace(files)).problems]
    assert "bad-amount" in codes


def test_records_with_errors_are_left_out_of_the_usable_workspace(workspace):
    files = with_change(**{"customers/CUS-0002.yaml": CUSTOMER.replace("CUS-0001", "CUS-0002").replace("tier: A", "tier: Q")})
    ws = load(workspace(files))
    assert sorted(c.id for c in ws.records["customers"]) == ["CUS-0001", "CUS-0002"]
    assert [c.id for c in ws.usable().records["customers"]] == ["CUS-0001"]


def test_a_manager_written_as_a_number_is_that_member_id(workspace):
    team = ("company: {name: X}\nteam:\n  - {id: 7, name: 七号, role: manager}\n"
            "  - {id: zhang, name: 张伟, role: rep, manager: 7}\n  - {id: wang, name: 王芳, role: rep, manager: 8}\n"
            "  - {id: 9, name: 九号, role: rep, manager: nobody}\n")
    root = workspace({"salesctl.yaml": team, "customers/CUS-0001.yaml": CUSTOMER})
    ws = load(root)
    assert [(p.code, p.line, p.message) for p in ws.problems] == [
        ("bad-config", 5, "team member 'wang': manager '8' is not a team member"),
        ("bad-config", 6, "team member '9': manager 'nobody' is not a team member")]
    assert ws.member("zhang")["manager"] == "7"


def test_parallel_cold_parse_gives_the_same_workspace(monkeypatch, tmp_path):
    """Big cold loads are parsed by worker processes; the result is the same as one process's."""
    import shutil

    import salesctl.load.pipeline as workspace_module
    from helpers.workspaces import SAMPLE

    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    (root / "customers" / "broken.yaml").write_text("id: [oops\n", encoding="utf-8")
    sequential = load(root)
    monkeypatch.setattr(workspace_module, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(workspace_module, "CHUNK_FILES", 7)
    seen = []
    parallel = load(root, progress=lambda done, total: seen.append((done, total)))
    assert [p.format() for p in parallel.problems] == [p.format() for p in sequential.problems]
    assert {c: [r.data for r in rs] for c, rs in parallel.records.items()} == \
           {c: [r.data for r in rs] for c, rs in sequential.records.items()}
    assert seen[-1][0] == seen[-1][1] == parallel.files - 1  # every file but salesctl.yaml, reported


def test_a_worker_pool_that_breaks_half_way_leaves_the_rest_to_this_process(monkeypatch, tmp_path):
    """Files already taken from the workers are not parsed twice; the others are parsed here, and
    the records come in the listing's order all the same."""
    import concurrent.futures
    import shutil
    from concurrent.futures.process import BrokenProcessPool

    import salesctl.load.pipeline as workspace_module
    from helpers.workspaces import SAMPLE

    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    sequential = load(root)

    class BreaksAfterTwoChunks:
        def __init__(self, max_workers):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def map(self, function, *arguments):
            for number, args in enumerate(zip(*arguments)):
                if number == 2:
                    raise BrokenProcessPool("a worker was killed")
                yield function(*args)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", BreaksAfterTwoChunks)
    monkeypatch.setattr(workspace_module, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(workspace_module, "CHUNK_FILES", 7)
    parsed = []
    real = workspace_module._parse_chunk
    monkeypatch.setattr(workspace_module, "_parse_chunk", lambda source, rels: parsed.extend(rels) or real(source, rels))
    broken = load(root)
    assert sorted(parsed) == sorted(set(parsed))  # no file parsed twice
    assert [p.format() for p in broken.problems] == [p.format() for p in sequential.problems]
    assert {c: [(r.path, r.data) for r in rs] for c, rs in broken.records.items()} == \
           {c: [(r.path, r.data) for r in rs] for c, rs in sequential.records.items()}


def test_parsed_files_come_as_soon_as_their_chunk_is_parsed(monkeypatch, tmp_path):
    """A load types the first files while the rest are still being parsed."""
    import shutil

    import salesctl.load.pipeline as workspace_module
    from helpers.workspaces import SAMPLE

    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    source = workspace_module.FileSource(root)
    files = source.files()
    monkeypatch.setattr(workspace_module, "CHUNK_FILES", 5)
    chunks = []
    real = workspace_module._parse_chunk
    monkeypatch.setattr(workspace_module, "_parse_chunk", lambda source, rels: chunks.append(rels) or real(source, rels))
    each = workspace_module.parse_each(source, files)
    assert next(each)[0] == files[0][0]
    assert len(chunks) == 1
    assert [rel for rel, _ in each] == [rel for rel, _ in files[1:]]
    assert len(chunks) == -(-len(files) // 5)


def test_a_collection_folder_linked_outside_the_workspace_is_reported_not_read(tmp_path):
    import shutil

    from helpers.workspaces import SAMPLE

    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    elsewhere = tmp_path / "elsewhere"
    shutil.move(root / "reviews", elsewhere)
    (root / "reviews").symlink_to(elsewhere, target_is_directory=True)
    ws = load(root)
    assert [(p.path, p.code) for p in ws.problems if p.path == "reviews"] == [("reviews", "not-a-record")]
    assert ws.records["reviews"] == []

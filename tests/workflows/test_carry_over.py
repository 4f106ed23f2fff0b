"""carry_over_notes: notes follow their steps; orphans are listed, never dropped."""

from __future__ import annotations

from app.workflows.carry_over import carry_over_notes

NOTES = {
    "z:t:set:priority": {"note": "Urgent only for outages", "warning": ""},
    "z:t:click:apply-macro": {"note": "", "warning": "Check the amount"},
    "z:t:set:type": {"note": "Always Incident", "warning": ""},
}
TITLES = {"z:t:set:priority": "Set Priority", "z:t:click:apply-macro": "Click Apply macro",
          "z:t:set:type": "Set Type"}


class TestCarryOver:
    def test_notes_stay_move_or_become_orphans(self) -> None:
        carried = carry_over_notes(NOTES, ["z:t:set:priority", "z:t:click:use-macro"],
                                   {"z:t:click:apply-macro": "z:t:click:use-macro"}, TITLES)
        assert carried.notes == {
            "z:t:click:use-macro": {"note": "", "warning": "Check the amount"},
            "z:t:set:priority": {"note": "Urgent only for outages", "warning": ""},
        }
        assert carried.moved == (("z:t:click:apply-macro", "z:t:click:use-macro"),)
        (orphan,) = carried.orphaned
        assert (orphan.activity_key, orphan.title, orphan.note, orphan.reason) == (
            "z:t:set:type", "Set Type", "Always Incident", "its step is not in this version")

    def test_nothing_is_lost(self) -> None:
        carried = carry_over_notes(NOTES, [], {}, {})
        assert len(carried.orphaned) == 3 and carried.notes == {}
        assert carried.kept() == {k: {"note": v["note"], "warning": v["warning"]}
                                  for k, v in sorted(NOTES.items())}
        assert {o.reason for o in carried.orphaned} == {
            "its step was already missing from the previous version"}

    def test_a_moved_note_never_overwrites_the_note_on_its_new_step(self) -> None:
        notes = {"old": {"note": "moved"}, "new": {"note": "already here"}}
        carried = carry_over_notes(notes, ["new"], {"old": "new"}, {"old": "Click Old"})
        assert carried.notes == {"new": {"note": "already here", "warning": ""}}
        assert [(o.activity_key, o.reason) for o in carried.orphaned] == [
            ("old", "its step now has a note of its own")]

    def test_malformed_stored_notes_become_empty_pairs(self) -> None:
        carried = carry_over_notes({"k": "not a dict"}, ["k"], {}, {})
        assert carried.notes == {"k": {"note": "", "warning": ""}}

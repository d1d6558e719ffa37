"""Which hand-over a line uses, and how it learns from the network's refusals."""

from appliance.queue.connect_methods import ConnectKnowledge, ConnectMethod


def test_a_new_line_tries_explicit_call_transfer_first() -> None:
    assert ConnectKnowledge().best is ConnectMethod.ECT


def test_refusals_move_the_line_down_the_order_to_callback() -> None:
    knowledge = ConnectKnowledge()
    seen = []
    for method in (ConnectMethod.ECT, ConnectMethod.CONFERENCE, ConnectMethod.DEFLECT):
        knowledge = knowledge.after(method, ok=False)
        seen.append(knowledge.best)
    assert seen == [ConnectMethod.CONFERENCE, ConnectMethod.DEFLECT, ConnectMethod.CALLBACK]


def test_a_method_that_works_again_is_used_again() -> None:
    knowledge = ConnectKnowledge().after(ConnectMethod.ECT, ok=False)
    knowledge = knowledge.after(ConnectMethod.ECT, ok=True)
    assert knowledge.best is ConnectMethod.ECT
    assert knowledge.worked == {ConnectMethod.ECT}


def test_fallback_skips_what_the_line_already_knows_fails() -> None:
    knowledge = ConnectKnowledge(refused=frozenset({ConnectMethod.CONFERENCE}))
    assert knowledge.fallback(ConnectMethod.ECT) is ConnectMethod.DEFLECT


def test_knowledge_survives_a_round_trip_through_its_record() -> None:
    knowledge = ConnectKnowledge().after(ConnectMethod.ECT, False).after(
        ConnectMethod.CONFERENCE, True)
    record = knowledge.as_record()
    assert record == {"refused": ["ect"], "worked": ["conference"]}
    assert ConnectKnowledge.from_record(record) == knowledge
    assert ConnectKnowledge.from_record({"refused": ["telepathy"]}) == ConnectKnowledge()
    assert ConnectKnowledge.from_record(None) == ConnectKnowledge()

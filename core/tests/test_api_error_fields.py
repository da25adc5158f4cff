from core.api.errors import _field_messages


def test_nested_errors_become_flat_paths_to_what_to_fix():
    detail = {
        "title": ["Give it a title."],
        "sections": [{}, {"title": ["Section 2 needs a title."]}],
        "labels": {"1": ["Too long."]},
    }
    assert _field_messages(detail) == {
        "title": ["Give it a title."],
        "sections[1].title": ["Section 2 needs a title."],
        "labels[1]": ["Too long."],
    }


def test_a_bare_list_of_messages_is_non_field():
    assert _field_messages(["Say where the item goes."]) == {"non_field_errors": ["Say where the item goes."]}

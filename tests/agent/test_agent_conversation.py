"""The model input: history within the budget (oldest dropped first), quotes in the user's turn."""

from __future__ import annotations

from tutorgpt_asgi.agent.conversation import build_messages, history_messages, user_content
from tutorgpt_asgi.agent.titles import clean_title, shorten_question
from tutorgpt_asgi.chatkit.responder import HistoryMessage, Turn, TurnContext
from tutorgpt_asgi.sessions.context import PageContext


def test_quoted_text_is_part_of_the_users_turn() -> None:
    assert user_content("Why?", None) == "Why?"
    assert user_content("Why?", "line one\nline two") == (
        "The student quotes this passage:\n> line one\n> line two\n\nWhy?"
    )


def test_history_keeps_the_newest_messages_that_fit() -> None:
    history = [
        HistoryMessage("user", "a" * 40),
        HistoryMessage("assistant", "b" * 40),
        HistoryMessage("user", "c" * 30, quoted_text="q"),
        HistoryMessage("assistant", "d" * 30),
        HistoryMessage("assistant", "  "),
    ]
    kept = history_messages(history, budget_chars=150)
    assert [m["content"][0] for m in kept] == ["b", "T", "d"]
    assert sum(len(m["content"]) for m in kept) <= 150
    assert kept[1]["content"].endswith("c" * 30)
    assert history_messages(history, budget_chars=10) == []


def test_build_messages_orders_system_history_question() -> None:
    turn = Turn(
        thread_id="thr",
        user_text="And then?",
        quoted_text=None,
        context=TurnContext("s", "st", None, "beginner", PageContext()),
        history=(HistoryMessage("user", "first"), HistoryMessage("assistant", "answer")),
    )
    messages = build_messages(turn, "SYSTEM", 1000)
    assert messages == [
        {"role": "system", "content": "SYSTEM"},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "answer"},
        {"role": "user", "content": "And then?"},
    ]


def test_titles_are_short_single_lines() -> None:
    assert shorten_question("  What is the agent loop?  ") == "What is the agent loop?"
    long = shorten_question("Explain " + "very " * 30 + "slowly")
    assert len(long) <= 60 and long.endswith("…") and "  " not in long
    assert shorten_question("\n") == "New conversation"
    assert clean_title('"Title: The Agent Loop."\nextra') == "The Agent Loop"
    assert clean_title("") == ""

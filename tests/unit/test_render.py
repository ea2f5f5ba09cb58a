"""Rendering Markdown to sanitized HTML."""

from __future__ import annotations

from app.domain.render import render_inline, render_markdown


def test_script_tags_are_removed_with_their_content() -> None:
    html = render_markdown(
        "Hello <script>alert('x')</script> world\n\n<script>\nsteal()\n</script>\n"
    )
    assert "<script" not in html
    assert "alert" not in html
    assert "steal" not in html
    assert "Hello" in html and "world" in html


def test_javascript_links_are_neutralised() -> None:
    html = render_markdown(
        "[a](javascript:alert(1)) <a href='JavaScript:alert(2)'>b</a> [c](  javascript:x)"
    )
    # markdown-it refuses to make the links; the raw <a> loses its href in the sanitizer.
    assert "href" not in html
    assert html.count("<a ") == 1
    inline = render_inline("[click](javascript:alert(1))")
    assert "href" not in inline


def test_event_handlers_and_styles_are_removed() -> None:
    html = render_markdown(
        '<img src="x.png" onerror="alert(1)"> <p style="color:red" onclick="x()">t</p>'
    )
    assert "onerror" not in html
    assert "onclick" not in html
    assert "color" not in html
    assert '<img src="x.png">' in html


def test_safe_links_keep_their_target_and_get_rel() -> None:
    html = render_inline("[docs](https://example.com/a) [rel](/study) [mail](mailto:a@b.c)")
    assert '<a href="https://example.com/a" rel="noopener noreferrer">docs</a>' in html
    assert '<a href="/study" rel="noopener noreferrer">rel</a>' in html
    assert 'href="mailto:a@b.c"' in html


def test_inline_has_no_paragraph_and_keeps_code_and_breaks() -> None:
    html = render_inline("**O(n)** per call\\\nscans `fd`s")
    assert not html.startswith("<p>")
    assert html == "<strong>O(n)</strong> per call<br>\nscans <code>fd</code>s"


def test_tables_task_lists_and_strikethrough() -> None:
    html = render_markdown("| A | B |\n|--:|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~\n")
    assert '<th style="text-align:right">A</th>' in html
    assert 'class="task-list-item-checkbox" checked="checked" disabled="disabled"' in html
    assert html.count('type="checkbox"') == 2
    assert "<del>old</del>" in html or "<s>old</s>" in html


def test_inputs_other_than_checkboxes_lose_their_type() -> None:
    html = render_markdown('<input type="password" name="p" autofocus onfocus="x()">')
    assert "password" not in html
    assert "onfocus" not in html
    assert "name=" not in html


def test_cloze_blank_renders_literally() -> None:
    assert render_inline("Keep _____ per key.") == "Keep _____ per key."


def test_a_heading_anchor_becomes_its_id_not_text():
    html = render_markdown("## Why order per conversation? {#chat-ordering}\n\nBody {#kept}\n")
    assert '<h2 id="chat-ordering">Why order per conversation?</h2>' in html
    assert "{#kept}" in html  # only a heading's trailing anchor is one
    assert "{#" not in render_markdown("### Sharding {#shard-key}")
    assert 'id="' not in render_markdown('## Title {#"><script>}')  # not an anchor: left as text

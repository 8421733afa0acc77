"""A lesson as one self-contained HTML page, for students who work in files.

Everything is inside the file: the style, a few lines of script for the quick-check
progress (answered / total, kept in the browser's localStorage), and every picture as a
``data:`` URI. Nothing is loaded from anywhere, so the page works offline and from
``file://``. The page never says whether an answer is right: it only shows the line to
write into ``exercises/answers.yaml``.

Markdown is rendered by mistune (already installed with nbconvert, well kept, with
GitHub tables); raw HTML in a lesson is escaped, so a lesson is text, never markup.
"""
from __future__ import annotations

import html

import mistune

from ..course.model import Assignment, Course
from ..integrations.nbgrader.cells import _points
from ..integrations.nbgrader.notebooks import Sources
from .run import LessonRun
from .source import Lesson, Markdown, Place, Run

_markdown = mistune.create_markdown(escape=True, plugins=["table"])

STYLE = """
body{font-family:system-ui,sans-serif;max-width:52rem;margin:0 auto;padding:0 1rem 4rem;
line-height:1.55;color:#1d1d1f}
header.progress{position:sticky;top:0;background:#f4f1ff;border-bottom:1px solid #ccc;
padding:.4rem .8rem;margin:0 -1rem 1rem;font-size:.95rem}
pre{background:#f6f6f6;padding:.6rem;overflow-x:auto}
code{font-size:.92em}
table{border-collapse:collapse;margin:.6rem 0}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}
th{background:#fafafa}
img{max-width:100%}
section.exercise{border-left:4px solid #2b7a4b;padding:.2rem 1rem;background:#f3faf5;margin:1rem 0}
section.question{border-left:4px solid #6a4bc4;padding:.2rem 1rem;background:#f7f5fd;margin:1rem 0}
.answer-line{font-family:monospace;color:#444}
details.code summary{cursor:pointer;color:#555}
p.note{color:#7a4b00}
"""

SCRIPT = """
(function(){
  var key = document.body.dataset.storage;
  var saved = {};
  try { saved = JSON.parse(window.localStorage.getItem(key) || "{}"); } catch (e) {}
  var questions = document.querySelectorAll("section.question");
  function value(q){
    var kind = q.dataset.kind, inputs = q.querySelectorAll("input");
    if (kind === "numeric") { var t = inputs[0].value.trim(); return t === "" ? null : t; }
    var chosen = [];
    inputs.forEach(function(i){ if (i.checked) chosen.push(i.value); });
    if (!chosen.length) return null;
    return kind === "multiple" ? "[" + chosen.join(", ") + "]" : chosen[0];
  }
  function update(){
    var answered = 0;
    questions.forEach(function(q){
      var v = value(q), line = q.querySelector(".answer-line");
      saved[q.dataset.id] = v;
      if (v !== null) { answered++; line.textContent = "answers.yaml: " + q.dataset.id + ": " + v; }
      else { line.textContent = ""; }
    });
    document.getElementById("answered").textContent = answered;
    try { window.localStorage.setItem(key, JSON.stringify(saved)); } catch (e) {}
  }
  questions.forEach(function(q){
    var v = saved[q.dataset.id];
    if (v !== undefined && v !== null) {
      q.querySelectorAll("input").forEach(function(i){
        if (q.dataset.kind === "numeric") i.value = v;
        else if (v === i.value || v.replace(/[\\[\\] ]/g, "").split(",").indexOf(i.value) >= 0) i.checked = true;
      });
    }
    q.addEventListener("input", update);
  });
  update();
})();
"""


def _exercise(course: Course, assignment: Assignment, function: str, sources: Sources) -> str:
    exercise = next(e for e in assignment.exercises if e.function == function)
    stub = sources.module("exercises", exercise.file)
    head = "\n".join(stub.head(function)) if stub and function in stub.functions else ""
    return (f"<section class='exercise' id='exercise-{function}'>"
            f"<h3>Exercise: <code>{html.escape(function)}</code> "
            f"({_points(exercise.points)})</h3>"
            f"{_markdown(sources.summary(exercise))}"
            f"<p>Write it in <code>exercises/{html.escape(exercise.file)}</code>, in place "
            "of <code>raise NotImplementedError</code>, then run <code>autograder check"
            "</code> to test it on the public cases.</p>"
            f"<details><summary>The stub: signature and docstring</summary>"
            f"<pre><code>{html.escape(head)}</code></pre></details></section>")


def _question(question) -> str:
    if question.kind == "numeric":
        inputs = (f"<label>Your answer: <input type='text' inputmode='decimal' "
                  f"name='{html.escape(question.id)}'></label>")
    else:
        kind = "radio" if question.kind == "single" else "checkbox"
        inputs = "".join(
            f"<div><label><input type='{kind}' name='{html.escape(question.id)}' "
            f"value='{html.escape(choice)}'> <b>{html.escape(choice)}</b>: "
            f"{html.escape(text)}</label></div>"
            for choice, text in question.choices.items())
    return (f"<section class='question' data-id='{html.escape(question.id)}' "
            f"data-kind='{html.escape(question.kind)}'>"
            f"<h4>Quick check <code>{html.escape(question.id)}</code> "
            f"({_points(question.points)})</h4><p>{html.escape(question.prompt)}</p>"
            f"{inputs}<p class='answer-line'></p></section>")


def _run(block: Run, ran: LessonRun) -> str:
    output = ran.outputs[block.line]
    parts = [f"<details class='code'><summary>Code of this example</summary>"
             f"<pre><code>{html.escape(block.code)}</code></pre></details>"]
    parts += [s.html for s in output.shown]
    if output.printed:
        parts.append(f"<pre class='printed'>{html.escape(output.printed)}</pre>")
    return "<div class='example'>" + "".join(parts) + "</div>"


def render(course: Course, assignment: Assignment, lesson: Lesson, ran: LessonRun,
           sources: Sources) -> str:
    """The page of ``lesson``, computed on the references."""
    questions = {q.id: q for q in assignment.questions}
    body = []
    for block in lesson.blocks:
        if isinstance(block, Markdown):
            body.append(_markdown(block.text))
        elif isinstance(block, Run):
            body.append(_run(block, ran))
        elif isinstance(block, Place) and block.kind == "exercise":
            body.append(_exercise(course, assignment, block.name, sources))
        else:
            body.append(_question(questions[block.name]))
    storage = html.escape(f"{course.id}/{assignment.id}/answers", quote=True)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{html.escape(lesson.title)}</title><style>{STYLE}</style></head>
<body data-storage="{storage}">
<header class="progress">{html.escape(course.title)}, assignment
<code>{html.escape(assignment.id)}</code>. Quick checks answered:
<span id="answered">0</span> of {len(assignment.questions)}. Your answers go into
<code>exercises/answers.yaml</code>; this page never says whether one is right.</header>
<h1>{html.escape(lesson.title)}</h1>
{"".join(body)}
<script>{SCRIPT}</script>
</body></html>
"""

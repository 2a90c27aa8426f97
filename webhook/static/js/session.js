// One session: its live processing status, then the feedback (transcript with the
// examples highlighted in place, insights by severity, focus next, fluency figures).

import { api } from "./api.js";
import { formatClock, formatDate, h, replace } from "./dom.js";
import { exampleRanges } from "./highlight.js";

const STEPS = [
  ["UPLOADED", "Uploaded"],
  ["TRANSCRIBING", "Transcribing"],
  ["ANALYZING", "Analyzing"],
  ["DONE", "Done"],
];
const SEVERITY_RANK = { high: 0, medium: 1, low: 2 };
const POLL_MS = 1500;
// A session still waiting for a worker after this long is behind others in the queue: it is
// polled less often, so that a burst of learners waiting does not load the API they wait on.
const QUEUED_AFTER_MS = 6000;
const QUEUED_POLL_MS = 4500;

// Each figure with one line saying what it means for the learner (docs/fluency.md).
const FLUENCY = [
  ["speech_rate_wpm", "Speech rate", (v) => `${v.toFixed(0)} words/min`, "How many words you said per minute overall, pauses included. Fluent conversation is often 120–160."],
  ["articulation_rate_wpm", "Articulation rate", (v) => `${v.toFixed(0)} words/min`, "How fast you speak while actually speaking, pauses left out."],
  ["silent_pauses_per_min", "Pauses", (v) => `${v.toFixed(1)} per min`, "Silences of a quarter second or more. Fewer pauses mid-sentence sound more fluent."],
  ["mean_silent_pause_secs", "Average pause", (v) => `${v.toFixed(2)} s`, "How long your pauses last on average. Long pauses often mean searching for words."],
  ["filled_pauses_per_min", "Fillers", (v) => `${v.toFixed(1)} per min`, "“Um”, “uh”, “er” per minute. A short silence sounds more confident than a filler."],
  ["mean_length_of_run", "Length of run", (v) => `${v.toFixed(1)} words`, "Words you say between pauses. Longer runs mean smoother speech."],
  ["mattr", "Lexical diversity (MATTR)", (v) => v.toFixed(2), "Share of different words in every stretch of 50 (0–1). Higher means more varied vocabulary."],
  ["mtld", "Lexical diversity (MTLD)", (v) => v.toFixed(0), "Another measure of varied vocabulary that does not depend on length. Higher is more varied."],
];

// A FAILED session's errorMessage is already written for the learner, from a fixed set
// (speaking_pipeline/domain/failures.py); the technical cause stays with the operators.
function learnerFailure(message) {
  return message || "Something went wrong while processing your recording. Please try again.";
}

function statusSteps(status) {
  const current = STEPS.findIndex(([key]) => key === status);
  return h(
    "ol",
    { class: "steps", "aria-label": "Processing status" },
    STEPS.map(([key, label], i) => {
      const done = current > i || status === "DONE";
      const here = current === i && status !== "DONE";
      return h(
        "li",
        { class: done ? "done" : here ? "current" : "todo", "aria-current": here ? "step" : undefined, "data-step": key },
        h("span", { class: "mark", "aria-hidden": "true" }, done ? "✓" : here ? "…" : "○"),
        " ",
        label,
        h("span", { class: "visually-hidden" }, done ? " (finished)" : here ? " (in progress)" : " (waiting)"),
      );
    }),
  );
}

function transcriptView(text, insights) {
  const paragraph = h("p", { class: "transcript", id: "transcript" });
  let at = 0;
  for (const range of exampleRanges(text, insights)) {
    paragraph.append(text.slice(at, range.start));
    const numbers = range.indexes.map((i) => String(i + 1));
    const named = range.indexes.map((i) => `${i + 1}: ${insights[i].pattern}`).join("; ");
    paragraph.append(
      h(
        "mark",
        {
          // The most severe insight (insights are in severity order) sets the colour.
          class: `sev-${insights[range.indexes[0]].severity}`,
          "data-insight": numbers[0],
          "data-insights": numbers.join(" "),
          title: range.indexes.map((i) => insights[i].pattern).join(" / "),
        },
        text.slice(range.start, range.end),
        h("sup", { "aria-hidden": "true" }, numbers.join(",")),
        h("span", { class: "visually-hidden" }, ` (example of ${named})`),
      ),
    );
    at = range.end;
  }
  paragraph.append(text.slice(at));
  return paragraph;
}

function insightView(insight, index) {
  return h(
    "li",
    { class: `insight sev-${insight.severity}`, id: `insight-${index + 1}`, "data-severity": insight.severity },
    h("h3", {}, h("span", { class: "num" }, `${index + 1}. `), insight.pattern),
    h("p", { class: "meta" }, h("span", { class: `badge sev-${insight.severity}` }, `${insight.severity[0].toUpperCase()}${insight.severity.slice(1)} severity`), ` · heard ${insight.frequency} ${insight.frequency === 1 ? "time" : "times"} · ${insight.category}`),
    h("p", {}, insight.detail),
    insight.examples?.length ? h("ul", { class: "examples", "aria-label": "Examples from your speech" }, insight.examples.map((e) => h("li", {}, h("q", {}, e)))) : null,
    h("p", { class: "suggestion" }, h("strong", {}, "Try this: "), insight.suggestion),
  );
}

function fluencyView(fluency) {
  if (!fluency) return null;
  const rows = FLUENCY.filter(([key]) => typeof fluency[key] === "number");
  if (!rows.length) return null;
  return h(
    "section",
    { class: "card", "aria-labelledby": "fluency-heading" },
    h("h2", { id: "fluency-heading" }, "Fluency"),
    h("dl", { class: "figures", id: "fluency" }, rows.map(([key, label, format, meaning]) => h("div", { "data-figure": key }, h("dt", {}, label), h("dd", { class: "value" }, format(fluency[key])), h("dd", { class: "meaning" }, meaning)))),
  );
}

function feedback(session) {
  const insights = [...(session.insights || [])].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.frequency - a.frequency);
  return [
    session.focusNext ? h("section", { class: "card focus", "aria-labelledby": "focus-heading" }, h("h2", { id: "focus-heading" }, "Focus next"), h("p", { id: "focus-next" }, session.focusNext)) : null,
    session.summary ? h("p", { class: "summary" }, session.summary) : null,
    h(
      "section",
      { class: "card", "aria-labelledby": "insights-heading" },
      h("h2", { id: "insights-heading" }, "What we noticed"),
      insights.length ? h("ol", { class: "insights", id: "insights" }, insights.map(insightView)) : h("p", {}, "No recurring patterns this time. Well done!"),
    ),
    session.transcript
      ? h("section", { class: "card", "aria-labelledby": "transcript-heading" }, h("h2", { id: "transcript-heading" }, "Your transcript"), insights.length ? h("p", { class: "help" }, "Highlighted words are examples; the number says which pattern they belong to.") : null, transcriptView(session.transcript.text, insights))
      : null,
    fluencyView(session.fluency),
  ];
}

export function renderSession(el, ctx, id) {
  let timer = 0;
  let stopped = false;
  ctx.setCleanup(() => {
    stopped = true;
    clearTimeout(timer);
  });
  const heading = h("h1", { tabindex: "-1" }, "Session");
  const meta = h("p", { class: "meta", id: "session-meta" });
  const status = h("div", { id: "status", role: "status", "aria-live": "polite" }, "Loading…");
  const body = h("div", { id: "feedback" });
  replace(el, heading, meta, status, body);
  let shown = null;
  const started = Date.now();

  async function poll() {
    let session;
    try {
      session = await api.session(id);
    } catch (error) {
      if (stopped) return;
      if (error.status === 401) return ctx.onUnauthorized();
      if (error.status === 404) {
        replace(heading, "Session not found");
        replace(status, h("p", { class: "notice error", role: "alert" }, "This session does not exist or is not yours."), h("p", {}, h("a", { href: "/history", "data-link": "" }, "Back to your history")));
        return;
      }
      replace(status, h("p", { class: "notice error" }, `Could not load the session: ${error.message}. Retrying…`));
      timer = setTimeout(poll, POLL_MS * 4);
      return;
    }
    if (stopped) return;
    replace(heading, session.topic ? session.topic : "Untitled session");
    replace(meta, formatDate(session.createdAt), session.durationSecs ? ` · ${formatClock(session.durationSecs)}` : "");
    if (session.status !== shown) {
      shown = session.status;
      el.dataset.status = session.status;
      if (session.status === "FAILED") {
        replace(status, h("div", { class: "notice error", role: "alert", id: "failure" }, h("p", {}, h("strong", {}, "Processing failed. "), learnerFailure(session.errorMessage)), h("p", {}, h("a", { href: "/", "data-link": "" }, "Record again"))));
      } else {
        replace(status, statusSteps(session.status), h("p", { class: "visually-hidden", id: "status-text" }, `Status: ${session.status.toLowerCase()}`));
      }
      if (session.status === "DONE") replace(body, feedback(session));
    }
    if (session.status !== "DONE" && session.status !== "FAILED") {
      const queued = session.status === "UPLOADED" && Date.now() - started > QUEUED_AFTER_MS;
      timer = setTimeout(poll, queued ? QUEUED_POLL_MS : POLL_MS);
    }
  }
  poll();
}

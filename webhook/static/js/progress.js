// The learner's progress: focus areas and, per recurring pattern, a chart over sessions
// with its trend.

import { api } from "./api.js";
import { formatDate, h, replace } from "./dom.js";
import { patternChart } from "./chart.js";

const TREND = {
  improving: ["↓", "Improving", "happening less often"],
  steady: ["→", "Steady", "about as often as before"],
  worsening: ["↑", "Worsening", "happening more often"],
};

function trendView(trend) {
  if (!trend) return h("span", { class: "trend unknown" }, "Trend: not enough sessions yet (needs 3)");
  const [arrow, label, meaning] = TREND[trend];
  return h("span", { class: `trend ${trend}`, "data-trend": trend }, h("span", { "aria-hidden": "true" }, `${arrow} `), `Trend: ${label}`, h("span", { class: "help" }, ` — ${meaning}`));
}

export function renderProgress(el, ctx) {
  const body = h("div", { id: "progress" }, "Loading…");
  replace(el, h("h1", { tabindex: "-1" }, "Your progress"), body);
  api.profile().then(
    (profile) => {
      const entries = Object.entries(profile.patterns).sort((a, b) => b[1].sessions - a[1].sessions || b[1].count - a[1].count || a[0].localeCompare(b[0]));
      if (!entries.length) {
        replace(body, h("p", {}, "No analysed sessions yet. ", h("a", { href: "/", "data-link": "" }, "Record one"), " and your recurring patterns will appear here."));
        return;
      }
      const analysed = entries[0][1].history.length;
      replace(
        body,
        h("p", { class: "meta" }, `Based on ${analysed} analysed ${analysed === 1 ? "session" : "sessions"}`, profile.lastUpdated ? ` · updated ${formatDate(profile.lastUpdated)}` : ""),
        profile.focusAreas.length
          ? h(
              "section",
              { class: "card focus", "aria-labelledby": "focus-areas-heading" },
              h("h2", { id: "focus-areas-heading" }, "Focus areas"),
              h("ol", { id: "focus-areas" }, profile.focusAreas.map((f) => h("li", {}, h("strong", {}, f.pattern), ` — in ${f.sessions} of ${analysed} sessions, ${f.count} times in all. `, trendView(f.trend)))),
            )
          : null,
        h(
          "section",
          { "aria-labelledby": "patterns-heading" },
          h("h2", { id: "patterns-heading" }, "Patterns over time"),
          h("p", { class: "help" }, "Each bar is one session, oldest on the left; its height and number are how often the pattern came up per minute of speech."),
          h(
            "div",
            { class: "patterns" },
            entries.map(([code, p]) =>
              h(
                "article",
                { class: "card pattern", "data-code": code },
                h("h3", {}, p.pattern),
                h("p", { class: "meta" }, `${p.category} · ${p.count} times in ${p.sessions} ${p.sessions === 1 ? "session" : "sessions"}`),
                trendView(p.trend),
                patternChart(p.pattern, p.history),
              ),
            ),
          ),
        ),
      );
    },
    (error) => {
      if (error.status === 401) return ctx.onUnauthorized();
      replace(body, h("p", { class: "notice error", role: "alert" }, `Could not load your progress: ${error.message}.`));
    },
  );
}

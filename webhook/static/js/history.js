// The learner's sessions, newest first, a page at a time, with delete after confirmation.

import { api } from "./api.js";
import { formatClock, formatDate, h, replace } from "./dom.js";

const LIMIT = 10;
const STATUS_TEXT = { CREATED: "Uploading", UPLOADED: "Waiting", TRANSCRIBING: "Transcribing", ANALYZING: "Analyzing", DONE: "Done", FAILED: "Failed" };

export function renderHistory(el, ctx) {
  const params = new URLSearchParams(location.search);
  const page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
  const notice = h("p", { id: "history-notice", class: "notice", role: "status", "aria-live": "polite" });
  const list = h("div", { id: "history" }, "Loading…");
  const pager = h("nav", { class: "pager", "aria-label": "Pages" });
  const dialog = h("dialog", { id: "confirm-delete", "aria-labelledby": "confirm-title" });
  replace(el, h("h1", { tabindex: "-1" }, "Your sessions"), notice, list, pager, dialog);

  function confirmDelete(session) {
    return new Promise((resolve) => {
      const yes = h("button", { type: "button", class: "danger", id: "confirm-yes" }, "Delete");
      const no = h("button", { type: "button", id: "confirm-no" }, "Keep it");
      replace(
        dialog,
        h("h2", { id: "confirm-title" }, "Delete this session?"),
        h("p", {}, "“", session.topic || "Untitled session", "” from ", formatDate(session.createdAt), " will be deleted with its transcript and feedback, and your progress will be recalculated without it. This cannot be undone."),
        h("div", { class: "actions" }, yes, no),
      );
      const finish = (answer) => {
        dialog.close();
        resolve(answer);
      };
      yes.addEventListener("click", () => finish(true));
      no.addEventListener("click", () => finish(false));
      dialog.addEventListener("cancel", () => resolve(false), { once: true });
      dialog.showModal();
      no.focus();
    });
  }

  async function load() {
    let data;
    try {
      data = await api.sessions(page, LIMIT);
    } catch (error) {
      if (error.status === 401) return ctx.onUnauthorized();
      replace(list, h("p", { class: "notice error", role: "alert" }, `Could not load your sessions: ${error.message}.`));
      return;
    }
    if (!data.sessions.length) {
      replace(list, h("p", {}, page > 1 ? "No sessions on this page. " : "No sessions yet. ", h("a", { href: "/", "data-link": "" }, "Record your first one")));
    } else {
      replace(
        list,
        h(
          "table",
          { class: "sessions" },
          h("caption", { class: "visually-hidden" }, "Your sessions, newest first"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Date"), h("th", { scope: "col" }, "Topic"), h("th", { scope: "col" }, "Length"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
          h(
            "tbody",
            {},
            data.sessions.map((session) => {
              const remove = h("button", { type: "button", class: "danger small", "aria-label": `Delete session “${session.topic || "Untitled session"}” from ${formatDate(session.createdAt)}` }, "Delete");
              remove.addEventListener("click", async () => {
                if (!(await confirmDelete(session))) return remove.focus();
                try {
                  await api.remove(session.id);
                } catch (error) {
                  if (error.status === 401) return ctx.onUnauthorized();
                  replace(notice, `Could not delete the session: ${error.message}.`);
                  return;
                }
                replace(notice, "Session deleted. Your progress has been updated.");
                load();
              });
              return h(
                "tr",
                { "data-session": session.id },
                h("td", { "data-label": "Date" }, formatDate(session.createdAt)),
                h("td", { "data-label": "Topic" }, h("a", { href: `/sessions/${encodeURIComponent(session.id)}`, "data-link": "" }, session.topic || "Untitled session")),
                h("td", { "data-label": "Length" }, session.durationSecs ? formatClock(session.durationSecs) : "–"),
                h("td", { "data-label": "Status" }, h("span", { class: `status st-${session.status.toLowerCase()}` }, STATUS_TEXT[session.status] || session.status)),
                h("td", {}, remove),
              );
            }),
          ),
        ),
      );
    }
    const pages = Math.max(1, Math.ceil(data.total / LIMIT));
    replace(
      pager,
      page > 1 ? h("a", { href: `/history?page=${page - 1}`, "data-link": "", rel: "prev" }, "← Newer") : null,
      h("span", {}, ` Page ${page} of ${pages} (${data.total} ${data.total === 1 ? "session" : "sessions"}) `),
      page < pages ? h("a", { href: `/history?page=${page + 1}`, "data-link": "", rel: "next" }, "Older →") : null,
    );
  }
  load();
}

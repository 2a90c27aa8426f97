// Entry point: sign-in, the navigation bar, and a small router over the page paths that
// the server answers with this same shell (/, /history, /progress, /sessions/{id}).

import { api } from "./api.js";
import { clearToken, getToken, setToken, takeTokenFromFragment, tokenSubject } from "./auth.js";
import { h, replace } from "./dom.js";
import { renderHistory } from "./history.js";
import { renderProgress } from "./progress.js";
import { renderRecord } from "./record.js";
import { renderSession } from "./session.js";

const main = document.getElementById("main");
let cleanup = null;

function route(path) {
  const session = path.match(/^\/sessions\/([^/]+)$/);
  if (session) return (el, ctx) => renderSession(el, ctx, decodeURIComponent(session[1]));
  if (path === "/history") return renderHistory;
  if (path === "/progress") return renderProgress;
  if (path === "/") return renderRecord;
  return (el) => replace(el, h("h1", { tabindex: "-1" }, "Page not found"), h("p", {}, h("a", { href: "/", "data-link": "" }, "Go to recording")));
}

export function navigate(path, { replaceEntry = false } = {}) {
  if (replaceEntry) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  render();
}

function markCurrent() {
  for (const link of document.querySelectorAll("#nav a[data-link]")) {
    if (link.getAttribute("href") === location.pathname) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function signedOut(message) {
  clearToken();
  render(message);
}

function render(notice) {
  if (cleanup) cleanup();
  cleanup = null;
  const token = getToken();
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  if (!token) {
    nav.hidden = true;
    who.hidden = true;
    renderSignIn(main, notice);
    return;
  }
  nav.hidden = false;
  const subject = tokenSubject(token);
  who.hidden = !subject;
  replace(who, "Signed in as ", h("strong", {}, subject || ""));
  markCurrent();
  const ctx = {
    navigate,
    onUnauthorized: () => signedOut("Your sign-in has expired or is not valid. Please sign in again."),
    setCleanup: (fn) => {
      cleanup = fn;
    },
  };
  main.replaceChildren();
  route(location.pathname)(main, ctx);
  const heading = main.querySelector("h1");
  if (heading && document.activeElement !== document.body) heading.focus();
}

function renderSignIn(el, notice) {
  const status = h("p", { id: "signin-status", role: "alert", class: notice ? "notice error" : "notice" }, notice || "");
  const field = h("textarea", {
    id: "token",
    name: "token",
    rows: "4",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "token-help",
  });
  const form = h(
    "form",
    { class: "card", id: "signin-form" },
    h("label", { for: "token" }, "Access token"),
    field,
    h(
      "p",
      { id: "token-help", class: "help" },
      "Paste the access token from your sign-in provider. On a local install, run ",
      h("code", {}, "speaking-pipeline token --user YOUR_NAME --link"),
      " and open the link it prints instead.",
    ),
    h("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = field.value.trim();
    if (!token) return;
    replace(status, "Checking your token…");
    status.className = "notice";
    try {
      await api.profile(token);
    } catch (error) {
      replace(status, error.status === 401 ? `That token was not accepted: ${error.message}.` : `Could not sign in: ${error.message}.`);
      status.className = "notice error";
      return;
    }
    setToken(token);
    render();
  });
  replace(el, h("h1", { tabindex: "-1" }, "Sign in"), h("p", {}, "Sign in to record your speaking and see your feedback."), status, form);
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-link]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
});

document.getElementById("sign-out").addEventListener("click", () => {
  clearToken();
  navigate("/");
});

window.addEventListener("popstate", () => render());
// A sign-in link opened in a tab already showing the app only changes the fragment.
window.addEventListener("hashchange", () => {
  if (takeTokenFromFragment()) render();
});

takeTokenFromFragment();
render();

// The learner's bearer token: kept in sessionStorage (this tab only, gone when it closes).
// A sign-in link carries it in the URL fragment, which browsers never send to a server;
// it is read once and then removed from the address bar and the history entry.

const KEY = "speaking.token";

export function takeTokenFromFragment() {
  if (!location.hash || location.hash.length < 2) return false;
  const params = new URLSearchParams(location.hash.slice(1));
  // `access_token` is how an OAuth 2 / OIDC provider hands a token back in a fragment.
  const token = params.get("token") || params.get("access_token");
  if (!token) return false;
  sessionStorage.setItem(KEY, token);
  history.replaceState(history.state, "", location.pathname + location.search);
  return true;
}

export function getToken() {
  return sessionStorage.getItem(KEY);
}

export function setToken(token) {
  sessionStorage.setItem(KEY, token.trim());
}

export function clearToken() {
  sessionStorage.removeItem(KEY);
}

// The `sub` claim, for showing who is signed in; the server verifies the token, not this.
export function tokenSubject(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "="));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
    return typeof claims.sub === "string" ? claims.sub : null;
  } catch {
    return null;
  }
}

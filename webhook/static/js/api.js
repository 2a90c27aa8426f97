// Calls to the JSON API with the learner's token; errors become ApiError with the
// server's `{error, code}`.

import { getToken } from "./auth.js";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function authHeaders() {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function toError(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: a proxy or the network said no
  }
  return new ApiError(
    response.status,
    body?.code || "HTTP_" + response.status,
    body?.error || `the server answered ${response.status}`,
  );
}

export async function request(method, path, token) {
  const headers = token ? { Authorization: `Bearer ${token}` } : authHeaders();
  let response;
  try {
    response = await fetch(path, { method, headers, cache: "no-store" });
  } catch {
    throw new ApiError(0, "NETWORK", "the server could not be reached; check your connection");
  }
  if (!response.ok) throw await toError(response);
  return response.json();
}

export const api = {
  profile: (token) => request("GET", "/api/profile", token),
  sessions: (page, limit) => request("GET", `/api/sessions?page=${page}&limit=${limit}`),
  session: (id) => request("GET", `/api/sessions/${encodeURIComponent(id)}`),
  remove: (id) => request("DELETE", `/api/sessions/${encodeURIComponent(id)}`),
};

// XMLHttpRequest rather than fetch: fetch cannot report upload progress.
export function uploadSession(form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/sessions");
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      const body = xhr.response;
      if (xhr.status === 201) resolve(body);
      else
        reject(
          new ApiError(xhr.status, body?.code || "HTTP_" + xhr.status, body?.error || "the upload failed"),
        );
    });
    xhr.addEventListener("error", () =>
      reject(new ApiError(0, "NETWORK", "the upload was interrupted; check your connection and retry")),
    );
    xhr.send(form);
  });
}

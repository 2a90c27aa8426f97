// Renders /openapi.json for reading: every route with its parameters, body fields and
// responses (with their error codes). Written here rather than vendoring Swagger UI: no CDN
// is reachable, and this page keeps to the same strict Content-Security-Policy as the app.

import { h, replace } from "./dom.js";

const METHODS = ["get", "post", "put", "patch", "delete"];

function resolve(doc, schema) {
  let current = schema;
  while (current && current.$ref) current = current.$ref.split("/").slice(1).reduce((node, key) => node[key], doc);
  return current || {};
}

function typeText(doc, schema) {
  if (!schema) return "";
  if (schema.$ref) return schema.$ref.split("/").pop();
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.allOf) return schema.allOf.map((s) => typeText(doc, s)).join(" & ");
  if (schema.oneOf) return schema.oneOf.map((s) => typeText(doc, s)).join(" | ");
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type || "any";
  if (schema.items) return `${type} of ${typeText(doc, schema.items)}`;
  if (schema.additionalProperties && typeof schema.additionalProperties === "object") return `map of ${typeText(doc, schema.additionalProperties)}`;
  return schema.format ? `${type} (${schema.format})` : type;
}

function fieldsTable(doc, schema) {
  const resolved = resolve(doc, schema);
  const parts = resolved.allOf ? resolved.allOf.map((s) => resolve(doc, s)) : [resolved];
  const rows = [];
  for (const part of parts) {
    const required = new Set(part.required || []);
    for (const [name, field] of Object.entries(part.properties || {})) {
      rows.push(h("tr", {}, h("td", {}, h("code", {}, name)), h("td", {}, typeText(doc, field)), h("td", {}, required.has(name) ? "yes" : ""), h("td", {}, field.description || "")));
    }
  }
  if (!rows.length) return h("p", {}, typeText(doc, schema));
  return h("table", { class: "fields" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "field"), h("th", { scope: "col" }, "type"), h("th", { scope: "col" }, "required"), h("th", { scope: "col" }, "description"))), h("tbody", {}, rows));
}

function operationView(doc, path, method, op, shared) {
  const params = [...(shared || []), ...(op.parameters || [])];
  const body = op.requestBody?.content || {};
  return h(
    "section",
    { class: "card op", id: `${method}-${path}` },
    h("h3", {}, h("span", { class: `method m-${method}` }, method.toUpperCase()), " ", h("code", {}, path)),
    h("p", {}, op.summary || ""),
    op.description ? h("p", { class: "help" }, op.description) : null,
    op.security ? h("p", { class: "help" }, "Needs a bearer token.") : null,
    params.length ? [h("h4", {}, "Parameters"), h("table", { class: "fields" }, h("tbody", {}, params.map((p) => h("tr", {}, h("td", {}, h("code", {}, p.name)), h("td", {}, p.in), h("td", {}, typeText(doc, p.schema)), h("td", {}, p.required ? "required" : ""), h("td", {}, p.description || "")))))] : null,
    Object.entries(body).map(([type, media]) => [h("h4", {}, `Body (${type})`), fieldsTable(doc, media.schema)]),
    h("h4", {}, "Responses"),
    h(
      "dl",
      { class: "responses" },
      Object.entries(op.responses || {}).map(([status, response]) => [h("dt", {}, status), h("dd", {}, response.description || "", Object.values(response.content || {}).map((media) => (media.schema ? h("details", {}, h("summary", {}, "Fields"), fieldsTable(doc, media.schema)) : null)))]),
    ),
  );
}

async function main() {
  const root = document.getElementById("main");
  const status = document.getElementById("docs-status");
  let doc;
  try {
    const response = await fetch("/openapi.json");
    doc = await response.json();
  } catch {
    replace(status, "Could not load /openapi.json.");
    return;
  }
  status.remove();
  const sections = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) if (item[method]) sections.push(operationView(doc, path, method, item[method], item.parameters));
  }
  root.append(h("p", {}, doc.info.description), h("p", { class: "help" }, `Version ${doc.info.version} · OpenAPI ${doc.openapi}`), ...sections);
}

main();

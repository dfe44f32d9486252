// The query page: editor, named-query examples, result table, meeting network, timeline.
// No framework and no network access beyond this server.
"use strict";

const PREFIXES = `PREFIX kgo: <https://w3id.org/kg-meetings/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
`;
const NETWORK_QUERY = PREFIXES + `SELECT ?a ?b (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?m kgo:participant ?a , ?b . FILTER(STR(?a) < STR(?b))
} GROUP BY ?a ?b ORDER BY DESC(?n) LIMIT 150`;
const LABEL_QUERY = PREFIXES + `SELECT ?x (SAMPLE(?l) AS ?label) WHERE {
  { SELECT DISTINCT ?x WHERE { ?m kgo:participant ?x } }
  ?x rdfs:label ?l . FILTER(LANG(?l) = "en" || LANG(?l) = "ar")
} GROUP BY ?x`;
const TIMELINE_QUERY = PREFIXES + `SELECT ?month (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?m a kgo:Meeting ; schema:startDate ?date . BIND(SUBSTR(STR(?date), 1, 7) AS ?month)
} GROUP BY ?month ORDER BY ?month`;
const SVG = "http://www.w3.org/2000/svg";

const editor = CodeMirror.fromTextArea(document.getElementById("query"), {mode: "application/sparql-query", lineNumbers: true});
const statusLine = document.getElementById("status");

async function sparql(query) {
  const response = await fetch("sparql", {
    method: "POST",
    headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
    body: new URLSearchParams({query}),
  });
  return readResponse(response);
}

async function readResponse(response) {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status}: ${text}`);
  const truncated = response.headers.get("X-KG-Truncated") === "true";
  const type = response.headers.get("Content-Type") || "";
  return {truncated, json: type.includes("json") ? JSON.parse(text) : null, text};
}

function showStatus(message, isError = false) {
  statusLine.textContent = message;
  statusLine.className = isError ? "error" : "";
}

function cell(term) {
  const td = document.createElement("td");
  td.dir = "auto";
  if (!term) return td;
  if (term.type === "uri" && /^https?:\/\//i.test(term.value)) {
    // Only web addresses become links: a javascript: or data: IRI in a result stays text.
    const link = document.createElement("a");
    link.href = term.value;
    link.textContent = term.value;
    td.appendChild(link);
  } else if (term.type === "uri") {
    td.textContent = term.value;
  } else {
    td.textContent = term.value;
    if (term["xml:lang"]) td.lang = term["xml:lang"];
  }
  return td;
}

function showResult(result) {
  const box = document.getElementById("results");
  box.replaceChildren();
  if (!result.json) {
    const pre = document.createElement("pre");
    pre.dir = "auto";
    pre.textContent = result.text;
    box.appendChild(pre);
    showStatus("graph result");
    return;
  }
  if ("boolean" in result.json) {
    box.textContent = String(result.json.boolean);
    showStatus("ASK result");
    return;
  }
  const vars = result.json.head.vars;
  const rows = result.json.results.bindings;
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const name of vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const name of vars) tr.appendChild(cell(row[name]));
  }
  box.appendChild(table);
  showStatus(`${rows.length} rows` + (result.truncated ? " (truncated: the server's row limit was reached)" : ""));
}

async function run() {
  showStatus("running…");
  try {
    showResult(await sparql(editor.getValue()));
  } catch (error) {
    showStatus(error.message, true);
  }
}

async function runNamed(query) {
  editor.setValue(query.text);
  showStatus("running…");
  try {
    const response = await fetch(`queries/${encodeURIComponent(query.name)}?${query.example || ""}`,
                                 {headers: {"Accept": "application/sparql-results+json"}});
    showResult(await readResponse(response));
  } catch (error) {
    showStatus(error.message, true);
  }
}

async function loadExamples() {
  const response = await fetch("queries");
  const list = document.getElementById("examples");
  for (const query of await response.json()) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.dataset.name = query.name;
    button.textContent = query.title;
    const params = query.params.map(p => p.name).join(", ");
    const note = document.createElement("small");
    note.textContent = query.description + (params ? ` Parameters: ${params}.` : "");
    button.appendChild(note);
    button.addEventListener("click", () => runNamed(query));
    item.appendChild(button);
    list.appendChild(item);
  }
}

function svgElement(name, attributes, parent) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  parent.appendChild(element);
  return element;
}

async function drawNetwork() {
  const svg = document.getElementById("network");
  const [edges, labels] = await Promise.all([sparql(NETWORK_QUERY), sparql(LABEL_QUERY)]);
  const names = new Map(labels.json.results.bindings.map(b => [b.x.value, b.label.value]));
  const links = edges.json.results.bindings.map(b => ({a: b.a.value, b: b.b.value, n: Number(b.n.value)}));
  const nodes = [...new Set(links.flatMap(l => [l.a, l.b]))];
  const position = new Map();
  const [cx, cy, radius] = [300, 210, 160];  // a circle: stable, and every name stays readable
  nodes.forEach((node, i) => {
    const angle = 2 * Math.PI * i / Math.max(nodes.length, 1);
    position.set(node, [cx + radius * Math.cos(angle), cy + radius * Math.sin(angle), angle]);
  });
  const strongest = Math.max(1, ...links.map(l => l.n));
  for (const link of links) {
    const [x1, y1] = position.get(link.a), [x2, y2] = position.get(link.b);
    const line = svgElement("line", {x1, y1, x2, y2, stroke: "#1f3a5f", "stroke-opacity": 0.15 + 0.6 * link.n / strongest,
                                     "stroke-width": 0.5 + 3 * link.n / strongest}, svg);
    svgElement("title", {}, line).textContent = `${names.get(link.a) || link.a} – ${names.get(link.b) || link.b}: ${link.n}`;
  }
  for (const node of nodes) {
    const [x, y, angle] = position.get(node);
    svgElement("circle", {cx: x, cy: y, r: 4, fill: "#c2410c", class: "node"}, svg);
    const label = svgElement("text", {x: cx + (radius + 8) * Math.cos(angle), y: cy + (radius + 8) * Math.sin(angle) + 3,
                                      "text-anchor": Math.cos(angle) < 0 ? "end" : "start", direction: "ltr"}, svg);
    label.textContent = names.get(node) || node.split("/").pop();
  }
}

async function drawTimeline() {
  const svg = document.getElementById("timeline");
  const result = await sparql(TIMELINE_QUERY);
  const months = result.json.results.bindings.map(b => ({month: b.month.value, n: Number(b.n.value)}));
  const most = Math.max(1, ...months.map(m => m.n));
  const width = 560 / Math.max(months.length, 1);
  months.forEach((m, i) => {
    const height = 150 * m.n / most;
    const bar = svgElement("rect", {x: 30 + i * width, y: 170 - height, width: Math.max(width - 1, 1), height, fill: "#1f3a5f", class: "bar"}, svg);
    svgElement("title", {}, bar).textContent = `${m.month}: ${m.n} meetings`;
  });
  if (months.length) {
    svgElement("text", {x: 30, y: 190}, svg).textContent = months[0].month;
    svgElement("text", {x: 590, y: 190, "text-anchor": "end"}, svg).textContent = months[months.length - 1].month;
    svgElement("text", {x: 2, y: 25}, svg).textContent = String(most);
  }
}

document.getElementById("run").addEventListener("click", run);
editor.setOption("extraKeys", {"Ctrl-Enter": run, "Cmd-Enter": run});
loadExamples();
drawNetwork().catch(error => showStatus(`network: ${error.message}`, true));
drawTimeline().catch(error => showStatus(`timeline: ${error.message}`, true));

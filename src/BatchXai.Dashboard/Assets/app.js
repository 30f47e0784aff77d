// BatchXai dashboard: a small hash-routed app over the JSON API (/openapi.json describes it).
// Credentials: the browser's basic-auth prompt; nothing secret is kept in the page.
"use strict";

const view = document.getElementById("view");
let pollTimer = null;
let charts = [];

const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
// A signed method's maps keep their sign: drawn red where they speak for the class, blue where against it.
const signedMark = signed => signed ? ` <span class="signed" title="signed map: red for the class, blue against it">signed: red for, blue against</span>` : "";
// What a result's pictures show: the method, and on a multi-label run the finding its map is for.
// A multi-label result names its finding, marked ✓/✗ when labelled (predicted presence = labelled presence).
const resultLabel = r => `${esc(r.method)}${r.findingName ? ` · ${esc(r.findingName)}` : ""}${r.findingCorrect == null ? "" : r.findingCorrect ? " ✓" : " ✗"}`;
// An image's results by the folder their pictures lie in (a multi-label run's: one per method and finding).
const resultsByFolder = img => Object.fromEntries(img.results.map(r => [r.folder, r]));
const pct = x => (100 * x).toFixed(1) + "%";
const num = (x, d = 3) => x == null ? "" : Number(x).toFixed(d);
// Run ids are time-ordered: their first digits repeat between runs made close together, so the last ones are shown too.
const shortId = id => `${id.slice(0, 8)}…${id.slice(-4)}`;

// The content security policy allows no inline style: markup carries bar widths as data-width,
// set here through the DOM (which the policy allows) once the markup is in place.
function render(el, html) {
  el.innerHTML = html;
  el.querySelectorAll("[data-width]").forEach(e => { e.style.width = e.dataset.width; });
}

async function api(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${(await response.text()).slice(0, 200)}`);
  return response.json();
}

function progressBar(run) {
  const done = run.expected ? (run.explained / run.expected) : 0, failed = run.expected ? run.failed / run.expected : 0;
  return `<span class="bar" title="${run.explained} explained, ${run.failed} failed of ${run.expected}"><span data-width="${100 * done}%"></span></span>`
    + (run.failed ? ` <span class="bar failed" data-width="${Math.max(4, 160 * failed)}px"><span data-width="100%"></span></span>` : "")
    + ` <span class="counts">${run.explained + run.failed}/${run.expected}</span>`;
}

const isLive = run => run.status === "running" || run.status === "aggregating";

function schedule(fn, ms = 2000) {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(fn, ms);
}

// ---- runs list -------------------------------------------------------------------------------

async function showRuns() {
  const runs = await api("/api/runs");
  render(view, `<h1>Runs</h1>` + (runs.length === 0 ? `<p class="muted">No runs yet: <code>batchxai run ...</code> stores them here.</p>` :
    `<table id="runs"><thead><tr><th>run</th><th>model</th><th>methods</th><th>status</th><th>progress</th><th class="num">explained</th><th class="num">failed</th><th>started</th></tr></thead><tbody>` +
    runs.map(r => `<tr data-run="${r.id}"><td><a href="#/run/${r.id}">${shortId(r.id)}</a></td><td>${esc(r.modelName)}</td><td>${esc(r.methods.join(", "))}</td>
      <td class="status ${esc(r.status)}">${esc(r.status)}</td><td>${progressBar(r)}</td><td class="num">${r.explained}</td><td class="num">${r.failed}</td>
      <td>${new Date(r.createdAt).toLocaleString()}</td></tr>`).join("") + `</tbody></table>`));
  // Live progress: poll while the page is open (any run may start or move).
  schedule(() => route(true), runs.some(isLive) ? 1000 : 5000);
}

// ---- run page --------------------------------------------------------------------------------

function runHeader(detail, active) {
  const r = detail.run, base = `#/run/${r.id}`;
  return `<h1>Run ${shortId(r.id)} · ${esc(r.modelName)}</h1>
    <p><span class="status ${esc(r.status)}" id="run-status">${esc(r.status)}</span> ${progressBar(r)} · methods ${esc(r.methods.join(", "))} · target ${esc(r.target)}
      · dataset <code>${esc(r.datasetUri)}</code>${r.error ? ` · <span class="error">${esc(r.error)}</span>` : ""}</p>
    <p class="tabs">${[["", "Overview"], ["/images", "Images"], ["/failures", `Failures (${r.failed})`]]
      .map(([p, t]) => `<a href="${base}${p}" ${active === p ? 'class="active"' : ""}>${t}</a>`).join("")}
      · export CSV: <a href="/api/runs/${r.id}/export/images.csv">per image</a>, <a href="/api/runs/${r.id}/export/classes.csv">class aggregates</a>,
      <a href="/api/runs/${r.id}/export/failures.csv">failures</a>
      · <a id="report-link" href="/api/runs/${r.id}/report.html" target="_blank" rel="noopener">audit report (HTML)</a>
      (<a href="/api/runs/${r.id}/report.html?download=true">save</a>)
      · <label>compare with <select id="compare-with"><option value="">another run…</option></select></label></p>`;
}

async function showRun(id, quiet) {
  const detail = await api(`/api/runs/${id}`);
  if (quiet && isLive(detail.run)) { // only the header moves while the run is going
    render(view.querySelector("#run-header"), runHeader(detail, ""));
    return schedule(() => showRun(id, true), 1000);
  }
  const [classes, table, distributions, audit, verdicts, clusters, metrics, runs] = await Promise.all([
    api(`/api/runs/${id}/classes`), api(`/api/runs/${id}/roi-table`), api(`/api/runs/${id}/distributions`), api(`/api/runs/${id}/audit`),
    api(`/api/runs/${id}/verdicts`), api(`/api/runs/${id}/clusters?members=8`), api(`/api/runs/${id}/metrics`), api(`/api/runs`)]);
  destroyCharts();
  render(view, `<div id="run-header">${runHeader(detail, "")}</div>
    <h2>Verdict per class</h2><p class="muted">Clean: no finding above info · review: a warning (e.g. a SpRAy candidate cluster) · shortcut suspected: a critical finding. The finding shown is the one that drove the verdict.</p>
    ${verdictTable(verdicts)}
    <h2>SpRAy clusters</h2><p class="muted">Spectral clusters of each class's maps, side by side: mean map, size, members nearest the mean first. A red frame marks a candidate shortcut (small, tight, far from the main cluster).</p>
    <div id="clusters">${clusterGroups(clusters, id)}</div>
    <h2>Model metrics</h2><div id="model-metrics">${modelMetrics(metrics.model, detail.classNames)}</div>
    <h2>Faithfulness ranking</h2><div id="faithfulness">${rankings(metrics.rankings)}</div>
    <h2>Class-level maps</h2><p class="muted">Mean of the max-normalised maps of each class's correctly classified images; dashed box: the 70% ROI.</p>
    <div id="class-maps">${classMaps(classes, detail.run.methods)}</div>
    ${detail.runPictureUrls.length ? `<h3>Run pictures</h3><div class="grid" id="run-pictures">${detail.runPictureUrls.map(u => `<figure><a href="${u}" target="_blank" rel="noopener"><img class="run-picture" src="${u}" alt="run picture"></a>
      <figcaption>${esc(decodeURIComponent(u.split("/files/")[1] ?? u))}</figcaption></figure>`).join("")}</div>` : ""}
    <h2>ROI ratio per class and method</h2><p class="muted">Class ROI: share of the image where the class-average map is ≥ 70% of its maximum.
      Image ROI: per-image share ≥ 20% of the map's maximum, mean ± std.</p>${roiTable(table)}
    <h2>Score distributions</h2><p class="muted">Normalised map scores over every pixel of the class's images: histogram (density) and the normal curve of their mean and standard deviation.</p>
    <div class="charts" id="distributions">${distributions.map((d, i) => `<div class="chart"><h3>${esc(d.method)} · ${d.classIndex} ${esc(d.className)}${signedMark(d.signed)}
      <span class="muted">(${d.imageCount} images, μ=${num(d.scores.mean)}, σ=${num(d.scores.std)})</span></h3><canvas class="distribution" id="dist-${i}" width="300" height="200"></canvas></div>`).join("")
      || `<p class="muted">No class aggregates yet.</p>`}</div>
    <details id="all-findings"><summary><h2 class="inline">All audit findings (${audit.length})</h2></summary>
    <p class="muted">Clever Hans checks: attribution outside the field of view, in corners, class ROI outside the field of view, peaks clustering at one position, SpRAy clusters.</p>
    ${auditTable(audit, id)}</details>`);
  placeRoiBoxes();
  sizeRunPictures();
  drawDistributions(distributions);
  offerComparison(detail.run, runs);
  if (isLive(detail.run)) schedule(() => showRun(id, true), 1000);
}

const verdictClass = v => v.replace(/ /g, "-");

function verdictTable(verdicts) {
  if (verdicts.length === 0) return `<p class="muted">No classes.</p>`;
  return `<table id="verdicts"><thead><tr><th>class</th><th>verdict</th><th>the finding that drove it</th><th class="num">warnings</th><th class="num">critical</th></tr></thead><tbody>` +
    verdicts.map(v => `<tr data-class="${v.classIndex}"><td>${v.classIndex} ${esc(v.className)}</td><td><span class="verdict-badge ${verdictClass(v.verdict)}">${esc(v.verdict)}</span></td>
      <td>${v.drivenBy ? `<b>${esc(v.drivenBy.method)} · ${esc(v.drivenBy.kind)}</b> <span class="sev ${esc(v.drivenBy.severity)}">${esc(v.drivenBy.severity)}</span> ${esc(v.drivenBy.message)}` : `<span class="muted">no finding</span>`}</td>
      <td class="num">${v.warnings}</td><td class="num">${v.criticals}</td></tr>`).join("") + `</tbody></table>`;
}

function clusterGroups(clusters, runId) {
  if (clusters.length === 0) return `<p class="muted">No SpRAy clusters stored for this run (they are built when the run completes).</p>`;
  const groups = new Map();
  clusters.forEach(c => { const k = `${c.method}|${c.classIndex}`; if (!groups.has(k)) groups.set(k, []); groups.get(k).push(c); });
  return [...groups.values()].map(g => `<div class="cluster-group"><h3>${esc(g[0].method)} · ${g[0].classIndex} ${esc(g[0].className)}
      <span class="muted">(${g[0].classImageCount} images, k=${g[0].clusterCount}, eigengap ${num(g[0].eigengap)})</span></h3><div class="cluster-row">` +
    g.map(c => `<div class="cluster-card${c.candidate ? " candidate" : ""}" data-cluster="${c.clusterIndex}">
      <img class="cluster-map" src="${c.meanMapUrl}" alt="cluster ${c.clusterIndex} mean map">
      <div class="cluster-facts"><b>cluster ${c.clusterIndex}</b>${c.candidate ? ` <span class="sev warning">candidate shortcut</span>` : ""}<br>
        ${c.size} of ${c.classImageCount} images · spread ${num(c.spread, 2)} · distance to main ${num(c.distanceToMain, 2)}</div>
      <div class="strip">${c.members.map(m => `<a href="#/run/${runId}/image/${encodeURIComponent(m.imageKey)}?class=${c.classIndex}" title="${esc(m.imageKey)}"><img loading="lazy" src="${m.overlayUrl}" alt="${esc(m.imageKey)}"></a>`).join("")}
        ${c.memberCount > c.members.length ? `<span class="muted">+${c.memberCount - c.members.length}</span>` : ""}</div>
      ${c.findings.map(f => `<p class="cluster-finding"><span class="sev ${esc(f.severity)}">${esc(f.severity)}</span> ${esc(f.kind)}: ${esc(f.message)}</p>`).join("")}
    </div>`).join("") + `</div></div>`).join("");
}

function modelMetrics(m, classNames) {
  if (!m) return `<p class="muted">No model metrics: the run has no labelled images.</p>`;
  if (m.findings) return findingMetrics(m.images, m.findings);
  const bad = m.accuracy != null && m.accuracy < 0.5;
  return `<p id="model-headline">${m.images} labelled images · accuracy <b>${m.accuracy == null ? "–" : pct(m.accuracy)}</b> · quadratic-weighted κ <b>${num(m.qwk)}</b>
      · macro F1 <b>${num(m.macroF1)}</b> · macro AUC <b>${num(m.macroAuc)}</b>${bad ? ` <span class="error">— the model does not work on these data: read its maps with care</span>` : ""}</p>
    <div class="grid"><table id="class-metrics"><thead><tr><th>class</th><th class="num">support</th><th class="num">precision</th><th class="num">recall</th><th class="num">F1</th><th class="num">AUC</th></tr></thead><tbody>` +
    m.classes.map(c => `<tr><td>${c.classIndex} ${esc(c.className)}</td><td class="num">${c.support ?? ""}</td><td class="num">${num(c.precision)}</td><td class="num">${num(c.recall)}</td>
      <td class="num">${num(c.f1)}</td><td class="num">${num(c.auc)}</td></tr>`).join("") + `</tbody></table>
    <table id="confusion"><thead><tr><th>true \\ predicted</th>${classNames.map((n, k) => `<th>${k} ${esc(n)}</th>`).join("")}</tr></thead><tbody>` +
    m.confusion.map((row, i) => { const total = row.reduce((a, b) => a + b, 0) || 1;
      return `<tr><th>${i} ${esc(classNames[i])}</th>${row.map((n, j) => `<td class="num cell${i === j ? " diag" : n > 0 ? " off" : ""}" title="${pct(n / total)} of the row">${n}</td>`).join("")}</tr>`; }).join("") +
    `</tbody></table></div>`;
}

// A multi-label run: each finding a classifier of its own (no accuracy or confusion matrix across findings).
function findingMetrics(images, f) {
  return `<p id="model-headline">${images} labelled images · findings present at probability ≥ <b>${num(f.threshold, 2)}</b> · macro AUC <b>${num(f.macroAuc)}</b>
      · macro sensitivity <b>${num(f.macroSensitivity)}</b> · macro specificity <b>${num(f.macroSpecificity)}</b></p>
    <table id="finding-metrics"><thead><tr><th>finding</th><th class="num">positive</th><th class="num">prevalence</th><th class="num">AUC</th><th class="num">sensitivity</th><th class="num">specificity</th></tr></thead><tbody>` +
    f.findings.map(c => `<tr><td>${c.classIndex} ${esc(c.className)}</td><td class="num">${c.positives ?? ""}</td><td class="num">${num(c.prevalence)}</td><td class="num">${num(c.auc)}</td>
      <td class="num">${num(c.sensitivity)}</td><td class="num">${num(c.specificity)}</td></tr>`).join("") + `</tbody></table>`;
}

function rankings(all) {
  const overall = all.filter(r => r.classIndex === -1);
  if (overall.length === 0) return `<p class="muted">The run computed no faithfulness metrics (run with <code>--metrics deletion,insertion,road,pointing</code>).</p>`;
  return `<table id="ranking"><thead><tr><th>metric (all images)</th><th>better</th><th>methods, best first: mean ± std (images)</th></tr></thead><tbody>` +
    overall.map(r => `<tr><td>${esc(r.metric)}</td><td>${r.lowerIsBetter ? "lower" : "higher"}</td><td>${r.methods.map(m =>
      `<span class="ranked${m.rank === 1 ? " best" : ""}">${m.rank ? m.rank + "." : "–"} <b>${esc(m.method)}</b> ${num(m.mean)} ± ${num(m.std)} (${m.images})</span>`).join(" · ")}</td></tr>`).join("") +
    `</tbody></table>`;
}

// Run-level pictures (legends, palettes) are often a few pixels wide: show them at a readable size, sharp.
function sizeRunPictures() {
  view.querySelectorAll("img.run-picture").forEach(img => {
    const size = () => { if (img.naturalWidth && img.naturalWidth < 160) img.classList.add("upscaled"); };
    img.complete ? size() : img.addEventListener("load", size);
  });
}

// Other runs to compare with: those of the same dataset first.
function offerComparison(run, runs) {
  const select = document.getElementById("compare-with");
  if (!select) return;
  const others = runs.filter(r => r.id !== run.id).sort((a, b) => (b.datasetUri === run.datasetUri) - (a.datasetUri === run.datasetUri));
  others.forEach(r => select.insertAdjacentHTML("beforeend", `<option value="${r.id}">${shortId(r.id)} · ${esc(r.modelName)} · ${esc(r.methods.join(","))}${r.datasetUri === run.datasetUri ? "" : " (other dataset)"}</option>`));
  select.onchange = () => { if (select.value) location.hash = `#/compare/${run.id}/${select.value}`; };
}

function classMaps(classes, methods) {
  if (classes.length === 0) return `<p class="muted">No class views yet (they are built when the run completes).</p>`;
  return methods.map(m => {
    const views = classes.filter(c => c.method === m);
    return `<h3>${esc(m)}${signedMark(views.some(c => c.signed))}</h3><div class="grid">` + views.map(c => `<figure><div class="map"><img class="class-map" src="${c.mapUrl}" alt="${esc(m)} class ${c.classIndex}"
      data-box="${c.roiBox.x0},${c.roiBox.y0},${c.roiBox.x1},${c.roiBox.y1}"><div class="roi-box"></div></div>
      <figcaption>${c.classIndex} ${esc(c.className)} · ${c.imageCount} images · ROI ${pct(c.roiRatio)}</figcaption></figure>`).join("") + `</div>`;
  }).join("");
}

// The ROI box is in model-input pixels; the picture is that size, so place it in shares of the picture.
function placeRoiBoxes() {
  view.querySelectorAll("img.class-map").forEach(img => {
    const place = () => {
      const [x0, y0, x1, y1] = img.dataset.box.split(",").map(Number), w = img.naturalWidth, h = img.naturalHeight, box = img.nextElementSibling;
      if (!w || x1 < x0) { box.style.display = "none"; return; }
      Object.assign(box.style, { left: `${100 * x0 / w}%`, top: `${100 * y0 / h}%`, width: `${100 * (x1 - x0 + 1) / w}%`, height: `${100 * (y1 - y0 + 1) / h}%` });
    };
    img.complete ? place() : img.addEventListener("load", place);
  });
}

function roiTable(table) {
  if (table.rows.length === 0) return `<p class="muted">No class aggregates yet.</p>`;
  return `<table id="roi-table"><thead><tr><th rowspan="2">class</th>${table.methods.map(m => `<th colspan="3">${esc(m)}</th>`).join("")}</tr>
    <tr>${table.methods.map(() => `<th>images</th><th>class ROI</th><th>image ROI</th>`).join("")}</tr></thead><tbody>` +
    table.rows.map(r => `<tr><td>${r.classIndex} ${esc(r.className)}</td>` + table.methods.map(m => {
      const c = r.methods[m];
      return c ? `<td class="num">${c.imageCount}</td><td class="num">${pct(c.classRoiRatio)}</td><td class="num">${pct(c.imageRoiRatioMean)} ± ${pct(c.imageRoiRatioStd)}</td>`
        : `<td></td><td></td><td></td>`;
    }).join("") + `</tr>`).join("") + `</tbody></table>`;
}

function destroyCharts() {
  charts.forEach(c => c.destroy());
  charts = [];
}

function drawDistributions(distributions) {
  if (typeof Chart === "undefined") {
    const el = document.getElementById("distributions");
    if (el && distributions.length) el.insertAdjacentHTML("afterbegin", `<p class="error">chart.js is missing: run infra/setup.sh and rebuild.</p>`);
    return;
  }
  distributions.forEach((d, i) => {
    const h = d.scores, bins = h.counts.length, width = (h.max - h.min) / bins, total = h.counts.reduce((a, b) => a + b, 0) || 1;
    const centres = h.counts.map((_, k) => h.min + (k + 0.5) * width);
    const density = h.counts.map(c => c / (total * width));
    const normal = centres.map(x => h.std > 0 ? Math.exp(-0.5 * ((x - h.mean) / h.std) ** 2) / (h.std * Math.sqrt(2 * Math.PI)) : 0);
    charts.push(new Chart(document.getElementById(`dist-${i}`), {
      data: {
        labels: centres.map(x => x.toFixed(2)),
        datasets: [
          { type: "bar", label: "scores (density)", data: density, backgroundColor: "rgba(11,98,196,0.55)", barPercentage: 1, categoryPercentage: 1 },
          { type: "line", label: `normal μ=${num(h.mean, 2)} σ=${num(h.std, 2)}`, data: normal, borderColor: "#cf222e", pointRadius: 0, tension: 0.4 },
        ],
      },
      options: { animation: false, responsive: false, plugins: { legend: { labels: { boxWidth: 12, font: { size: 10 } } } },
        scales: { x: { title: { display: true, text: `normalised score, ${h.min} to ${h.max}${d.signed ? " (signed)" : ""}` }, ticks: { maxTicksLimit: 6 } }, y: { title: { display: true, text: "density" } } } },
    }));
  });
}

function auditTable(findings, runId) {
  if (findings.length === 0) return `<p class="muted">No audit findings (the audit runs when the run completes).</p>`;
  return `<table id="audit"><thead><tr><th>severity</th><th>method</th><th>class</th><th>check</th><th>finding</th><th>value</th><th>example images (most outside the field of view)</th></tr></thead><tbody>` +
    findings.map(f => `<tr class="finding ${esc(f.severity)}"><td><span class="sev ${esc(f.severity)}">${esc(f.severity)}</span></td><td>${esc(f.method)}</td>
      <td>${f.classIndex} ${esc(f.className)}</td><td>${esc(f.kind)}</td><td>${esc(f.message)}</td><td class="num">${num(f.evidence.value)}</td>
      <td class="examples">${f.examples.slice(0, 4).map(e => `<a href="#/run/${runId}/image/${encodeURIComponent(e.imageKey)}?class=${f.classIndex}" title="${esc(e.imageKey)} ${num(e.value)}"><img loading="lazy" src="${e.overlayUrl}" alt="${esc(e.imageKey)}"></a>`).join("")}</td></tr>`).join("") +
    `</tbody></table>`;
}

// ---- image browser ---------------------------------------------------------------------------

function imageCard(img, classNames, viewQuery = "") {
  if (img.failureStage) return `<div class="card image-card failed"><b>${esc(img.imageKey)}</b> · <span class="error">failed at ${esc(img.failureStage)}</span>: ${esc(img.failureReason)}</div>`;
  const verdict = img.correct == null ? `<span class="muted">unlabelled</span>` : img.correct ? `<span class="verdict correct">correct</span>` : `<span class="verdict wrong">wrong</span>`;
  const probs = img.probabilities.map((p, k) => `<span>${k} ${esc(classNames[k] ?? "")}</span><span class="bar"><span data-width="${100 * p}%"></span></span><span>${(100 * p).toFixed(1)}%</span>`).join("");
  const results = resultsByFolder(img);
  const pictures = img.pictures.map(p => {
    const r = p.kind === "overlay" ? results[p.folder] : null, label = results[p.folder] ? resultLabel(results[p.folder]) : esc(p.folder);
    return `<figure><img loading="lazy" src="${p.url}" alt="${label} ${esc(p.kind)}"><figcaption>${label}${p.kind === "overlay" ? signedMark(r?.signed) : " " + esc(p.kind)}
      ${r ? ` · ROI ${pct(r.roiRatio)}${r.completenessDelta != null ? ` · Δ ${num(r.completenessDelta, 4)}` : ""}` : ""}</figcaption></figure>`;
  }).join("");
  const title = `<a class="image-link" href="#/run/${currentRun}/image/${encodeURIComponent(img.imageKey)}${viewQuery}">${esc(img.imageKey)}</a>`;
  return `<div class="card image-card" data-key="${esc(img.imageKey)}"><b>${title}</b> · label ${img.label == null ? "–" : `${img.label} ${esc(img.labelName)}`}
    · predicted ${img.predicted} ${esc(img.predictedName)} · ${verdict}
    <div class="card-body"><div class="pictures"><figure><img loading="lazy" src="${img.originalUrl}" alt="original"><figcaption>original</figcaption></figure>${pictures}</div>
    <div class="probs">${probs}</div></div></div>`;
}

async function showImages(id, params) {
  currentRun = id;
  const detail = await api(`/api/runs/${id}`);
  const cls = params.get("class") ?? "", outcome = params.get("filter") ?? "all", offset = Number(params.get("offset") ?? 0), limit = 24;
  const query = new URLSearchParams({ filter: outcome, offset, limit });
  if (cls !== "") query.set("class", cls);
  const page = await api(`/api/runs/${id}/images?${query}`);
  const go = changes => {
    const next = new URLSearchParams({ class: cls, filter: outcome, offset: 0, ...changes });
    location.hash = `#/run/${id}/images?${next}`;
  };
  render(view, `<div id="run-header">${runHeader(detail, "/images")}</div>
    <div class="filters">
      <label>class <select id="image-filter-class"><option value="">all classes</option>${detail.classNames.map((n, k) => `<option value="${k}" ${String(k) === cls ? "selected" : ""}>${k} ${esc(n)}</option>`).join("")}</select></label>
      <label>outcome <select id="image-filter-outcome">${["all", "correct", "wrong", "failed"].map(o => `<option ${o === outcome ? "selected" : ""}>${o}</option>`).join("")}</select></label>
      <span id="image-total">${page.total} images</span>
      <button id="prev" ${offset === 0 ? "disabled" : ""}>previous</button> <span>${page.total ? offset + 1 : 0}–${Math.min(offset + limit, page.total)}</span>
      <button id="next" ${offset + limit >= page.total ? "disabled" : ""}>next</button>
    </div>
    <div id="images">${page.items.map(i => imageCard(i, detail.classNames, "?" + viewFilter(cls, outcome))).join("") || `<p class="muted">No images match.</p>`}</div>`);
  document.getElementById("image-filter-class").onchange = e => go({ class: e.target.value });
  document.getElementById("image-filter-outcome").onchange = e => go({ filter: e.target.value });
  document.getElementById("prev").onclick = () => go({ offset: Math.max(0, offset - limit) });
  document.getElementById("next").onclick = () => go({ offset: offset + limit });
}

// ---- image view: one image at full size, every method side by side, ←/→ through a filtered list -----

let currentRun = null;
let navigation = null; // { prev, next } hashes of the image view, for the arrow keys

const viewFilter = (cls, outcome) => new URLSearchParams({ ...(cls !== "" && cls != null ? { class: cls } : {}), ...(outcome && outcome !== "all" ? { filter: outcome } : {}) }).toString();

// The field of view in model-input pixels, drawn over a picture of that frame (SVG: no inline style needed).
function fovOverlay(fov) {
  if (!fov || fov.kind === "frame") return "";
  return `<svg class="fov" viewBox="0 0 ${fov.width} ${fov.height}" preserveAspectRatio="none" aria-label="field of view">
    <circle cx="${fov.centerX}" cy="${fov.centerY}" r="${fov.radius}" fill="none" stroke="#00e5ff" stroke-width="${Math.max(1, fov.width / 160)}" stroke-dasharray="${fov.width / 40}"/></svg>`;
}

async function showImage(id, key, params) {
  currentRun = id;
  const cls = params.get("class") ?? "", outcome = params.get("filter") ?? "all", zoom = Number(params.get("zoom") ?? 1);
  const keyQuery = new URLSearchParams({ filter: outcome });
  if (cls !== "") keyQuery.set("class", cls);
  const [detail, img, list] = await Promise.all([api(`/api/runs/${id}`), api(`/api/runs/${id}/image?key=${encodeURIComponent(key)}`),
    api(`/api/runs/${id}/image-keys?${keyQuery}`)]);
  const at = list.keys.indexOf(key), filter = viewFilter(cls, outcome);
  const hashOf = (k, z = zoom) => {
    const q = new URLSearchParams(filter);
    if (z !== 1) q.set("zoom", z);
    return `#/run/${id}/image/${encodeURIComponent(k)}?${q}`;
  };
  navigation = { prev: at > 0 ? hashOf(list.keys[at - 1]) : null, next: at >= 0 && at < list.keys.length - 1 ? hashOf(list.keys[at + 1]) : null };
  const results = resultsByFolder(img);
  const panels = [{ label: "original", url: img.originalUrl }, ...img.pictures.map(p => {
    const label = results[p.folder] ? resultLabel(results[p.folder]) : esc(p.folder);
    return { label: p.kind === "overlay" ? label : `${label} ${esc(p.kind)}`, url: p.url, result: p.kind === "overlay" ? results[p.folder] : null };
  })];
  const zoomLink = z => `<a href="${hashOf(key, z)}" class="${z === zoom ? "active" : ""}">${z}×</a>`;
  render(view, `<div id="run-header">${runHeader(detail, "")}</div>
    <div class="filters" id="image-nav">
      <a id="nav-prev" class="${navigation.prev ? "" : "disabled"}" href="${navigation.prev ?? "#"}">← previous</a>
      <span id="nav-position">${at >= 0 ? at + 1 : "–"} of ${list.total}</span> <span class="muted">${filter ? `(${esc(filter.replace(/&/g, ", "))})` : "(all images)"} · use ← and →</span>
      <a id="nav-next" class="${navigation.next ? "" : "disabled"}" href="${navigation.next ?? "#"}">next →</a>
      <span class="tabs">zoom ${[1, 2, 3].map(zoomLink).join("")}</span>
      <a href="#/run/${id}/images?${filter}">back to the list</a>
    </div>
    <h2 id="image-title">${esc(img.imageKey)}</h2>
    <p>label ${img.label == null ? "–" : `${img.label} ${esc(img.labelName)}`} · predicted ${img.predicted ?? "–"} ${esc(img.predictedName)}
      · ${img.correct == null ? `<span class="muted">unlabelled</span>` : img.correct ? `<span class="verdict correct">correct</span>` : `<span class="verdict wrong">wrong</span>`}
      ${img.fieldOfView ? ` · field of view: ${esc(img.fieldOfView.kind)} (${pct(img.fieldOfView.insideFraction)} of the frame), dashed circle` : ""}
      ${img.failureStage ? ` · <span class="error">failed at ${esc(img.failureStage)}: ${esc(img.failureReason)}</span>` : ""}</p>
    <div class="panels zoom-${zoom}" id="image-panels">${panels.map(p => `<figure class="panel"><div class="panel-picture"><img src="${p.url}" alt="${p.label}">${fovOverlay(img.fieldOfView)}</div>
      <figcaption>${p.label}${signedMark(p.result?.signed)}${p.result ? ` · ROI ${pct(p.result.roiRatio)} · max ${num(p.result.mapMax)}${p.result.completenessDelta != null ? ` · Δ ${num(p.result.completenessDelta, 4)}` : ""}` : ""}</figcaption></figure>`).join("")}</div>
    <div class="probs" id="image-probs">${img.probabilities.map((p, k) => `<span>${k} ${esc(detail.classNames[k] ?? "")}</span><span class="bar"><span data-width="${100 * p}%"></span></span><span>${(100 * p).toFixed(1)}%</span>`).join("")}</div>`);
}

window.addEventListener("keydown", e => {
  if (!navigation || !location.hash.includes("/image/") || e.target.closest?.("input, select, textarea")) return;
  if (e.key === "ArrowRight" && navigation.next) location.hash = navigation.next;
  if (e.key === "ArrowLeft" && navigation.prev) location.hash = navigation.prev;
});

// ---- two runs of one dataset compared -------------------------------------------------------

async function showCompare(a, b) {
  const c = await api(`/api/compare?a=${a}&b=${b}`);
  const run = r => `<a href="#/run/${r.id}">${shortId(r.id)}</a> · ${esc(r.modelName)} · ${esc(r.methods.join(", "))}`;
  const delta = d => d == null ? "" : `<span class="${d > 0 ? "up" : d < 0 ? "down" : ""}">${d > 0 ? "+" : ""}${num(d)}</span>`;
  render(view, `<h1>Comparison</h1><p>A: ${run(c.a)}<br>B: ${run(c.b)}</p>
    ${c.sameDataset ? "" : `<p class="error">The runs read different datasets (${esc(c.a.datasetUri)} vs ${esc(c.b.datasetUri)}): differences mix the models and the data.</p>`}
    <h2>Verdicts that changed</h2>${c.verdicts.length ? `<table id="verdict-deltas"><thead><tr><th>class</th><th>A</th><th>B</th></tr></thead><tbody>${c.verdicts.map(v =>
      `<tr><td>${v.classIndex} ${esc(v.className)}</td><td><span class="verdict-badge ${verdictClass(v.a)}">${esc(v.a)}</span></td><td><span class="verdict-badge ${verdictClass(v.b)}">${esc(v.b)}</span></td></tr>`).join("")}</tbody></table>`
      : `<p class="muted" id="verdict-deltas">No verdict changed.</p>`}
    <h2>Metric deltas (B − A)</h2>${c.metrics.length ? `<table id="metric-deltas"><thead><tr><th>scope</th><th>metric</th><th>class</th><th class="num">A</th><th class="num">B</th><th class="num">B − A</th></tr></thead><tbody>${c.metrics.map(m =>
      `<tr><td>${esc(m.scope)}</td><td>${esc(m.metric)}</td><td>${m.classIndex < 0 ? "all" : `${m.classIndex} ${esc(m.className)}`}</td><td class="num">${num(m.a)}</td><td class="num">${num(m.b)}</td><td class="num">${delta(m.delta)}</td></tr>`).join("")}</tbody></table>`
      : `<p class="muted">Neither run has metrics.</p>`}
    <h2>Class-level map differences</h2><p class="muted">Each map divided by its maximum; difference A − B: red where A attends more, blue where B does.</p>
    <table id="map-deltas"><thead><tr><th>method · class</th><th>A</th><th>B</th><th>A − B</th><th class="num">mean |A − B|</th><th class="num">correlation</th><th class="num">class ROI A → B</th><th class="num">images A / B</th></tr></thead><tbody>` +
    c.maps.map(m => `<tr><td>${esc(m.delta.method)} · ${m.delta.classIndex} ${esc(m.delta.className)}</td><td><img class="compare-map" src="${m.mapUrlA}" alt="A"></td><td><img class="compare-map" src="${m.mapUrlB}" alt="B"></td>
      <td>${m.differenceUrl ? `<img class="compare-map difference" src="${m.differenceUrl}" alt="A − B">` : esc(m.delta.problem ?? "")}</td>
      <td class="num">${m.delta.difference ? num(m.delta.difference.meanAbsDifference) : ""}</td><td class="num">${m.delta.difference ? num(m.delta.difference.correlation) : ""}</td>
      <td class="num">${pct(m.delta.roiRatioA)} → ${pct(m.delta.roiRatioB)}</td><td class="num">${m.delta.imagesA} / ${m.delta.imagesB}</td></tr>`).join("") + `</tbody></table>`);
}

async function showFailures(id) {
  const [detail, failures] = await Promise.all([api(`/api/runs/${id}`), api(`/api/runs/${id}/failures`)]);
  render(view, `<div id="run-header">${runHeader(detail, "/failures")}</div>` + (failures.length === 0 ? `<p class="muted">No image failed.</p>` :
    `<table id="failures"><thead><tr><th>image</th><th>stage</th><th>reason</th></tr></thead><tbody>` +
    failures.map(f => `<tr><td>${esc(f.imageKey)}</td><td>${esc(f.stage)}</td><td>${esc(f.error)}</td></tr>`).join("") + `</tbody></table>`));
}

// ---- routing ---------------------------------------------------------------------------------

async function route(quiet) {
  clearTimeout(pollTimer);
  navigation = null;
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query ?? "");
  const parts = path.split("/").filter(Boolean);
  try {
    if (parts[0] === "run" && parts[1]) {
      if (parts[2] === "images") await showImages(parts[1], params);
      else if (parts[2] === "failures") await showFailures(parts[1]);
      else if (parts[2] === "image") await showImage(parts[1], decodeURIComponent(parts.slice(3).join("/")), params);
      else await showRun(parts[1], false);
    } else if (parts[0] === "compare" && parts[1] && parts[2]) await showCompare(parts[1], parts[2]);
    else await showRuns();
    view.dataset.route = location.hash; // which view is on screen (the browser test waits on it)
  } catch (e) {
    view.innerHTML = `<p class="error">${esc(e.message)}</p>`;
    if (quiet) schedule(() => route(true), 5000);
  }
}

window.addEventListener("hashchange", () => route(false));
route(false);

// BatchXai dashboard: a small hash-routed app over the JSON API (/openapi.json describes it).
// Credentials: the browser's basic-auth prompt; nothing secret is kept in the page.
"use strict";

const view = document.getElementById("view");
let pollTimer = null;
let charts = [];

const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const pct = x => (100 * x).toFixed(1) + "%";
const num = (x, d = 3) => x == null ? "" : Number(x).toFixed(d);
const shortId = id => id.slice(0, 8);

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
      <a href="/api/runs/${r.id}/export/failures.csv">failures</a></p>`;
}

async function showRun(id, quiet) {
  const detail = await api(`/api/runs/${id}`);
  if (quiet && isLive(detail.run)) { // only the header moves while the run is going
    render(view.querySelector("#run-header"), runHeader(detail, ""));
    return schedule(() => showRun(id, true), 1000);
  }
  const [classes, table, distributions, audit] = await Promise.all([
    api(`/api/runs/${id}/classes`), api(`/api/runs/${id}/roi-table`), api(`/api/runs/${id}/distributions`), api(`/api/runs/${id}/audit`)]);
  destroyCharts();
  render(view, `<div id="run-header">${runHeader(detail, "")}</div>
    <h2>Class-level maps</h2><p class="muted">Mean of the max-normalised maps of each class's correctly classified images; dashed box: the 70% ROI.</p>
    <div id="class-maps">${classMaps(classes, detail.run.methods)}</div>
    ${detail.runPictureUrls.length ? `<h3>Run pictures</h3><div class="grid">${detail.runPictureUrls.map(u => `<img class="run-picture" src="${u}" alt="run picture">`).join("")}</div>` : ""}
    <h2>ROI ratio per class and method</h2><p class="muted">Class ROI: share of the image where the class-average map is ≥ 70% of its maximum.
      Image ROI: per-image share ≥ 20% of the map's maximum, mean ± std.</p>${roiTable(table)}
    <h2>Score distributions</h2><p class="muted">Normalised map scores over every pixel of the class's images: histogram (density) and the normal curve of their mean and standard deviation.</p>
    <div class="charts" id="distributions">${distributions.map((d, i) => `<div class="chart"><h3>${esc(d.method)} · ${d.classIndex} ${esc(d.className)}
      <span class="muted">(${d.imageCount} images, μ=${num(d.scores.mean)}, σ=${num(d.scores.std)})</span></h3><canvas class="distribution" id="dist-${i}" width="300" height="200"></canvas></div>`).join("")
      || `<p class="muted">No class aggregates yet.</p>`}</div>
    <h2>Audit findings</h2><p class="muted">Clever Hans checks: attribution outside the field of view, in corners, class ROI outside the field of view, peaks clustering at one position.</p>
    ${auditTable(audit, id)}`);
  placeRoiBoxes();
  drawDistributions(distributions);
  if (isLive(detail.run)) schedule(() => showRun(id, true), 1000);
}

function classMaps(classes, methods) {
  if (classes.length === 0) return `<p class="muted">No class views yet (they are built when the run completes).</p>`;
  return methods.map(m => {
    const views = classes.filter(c => c.method === m);
    return `<h3>${esc(m)}</h3><div class="grid">` + views.map(c => `<figure><div class="map"><img class="class-map" src="${c.mapUrl}" alt="${esc(m)} class ${c.classIndex}"
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
        scales: { x: { title: { display: true, text: "normalised score" }, ticks: { maxTicksLimit: 6 } }, y: { title: { display: true, text: "density" } } } },
    }));
  });
}

function auditTable(findings, runId) {
  if (findings.length === 0) return `<p class="muted">No audit findings (the audit runs when the run completes).</p>`;
  return `<table id="audit"><thead><tr><th>severity</th><th>method</th><th>class</th><th>check</th><th>finding</th><th>value</th><th>example images (most outside the field of view)</th></tr></thead><tbody>` +
    findings.map(f => `<tr class="finding ${esc(f.severity)}"><td><span class="sev ${esc(f.severity)}">${esc(f.severity)}</span></td><td>${esc(f.method)}</td>
      <td>${f.classIndex} ${esc(f.className)}</td><td>${esc(f.kind)}</td><td>${esc(f.message)}</td><td class="num">${num(f.evidence.value)}</td>
      <td class="examples">${f.examples.slice(0, 4).map(e => `<a href="#/run/${runId}/image/${encodeURIComponent(e.imageKey)}" title="${esc(e.imageKey)} ${num(e.value)}"><img loading="lazy" src="${e.overlayUrl}" alt="${esc(e.imageKey)}"></a>`).join("")}</td></tr>`).join("") +
    `</tbody></table>`;
}

// ---- image browser ---------------------------------------------------------------------------

function imageCard(img, classNames) {
  if (img.failureStage) return `<div class="card image-card failed"><b>${esc(img.imageKey)}</b> · <span class="error">failed at ${esc(img.failureStage)}</span>: ${esc(img.failureReason)}</div>`;
  const verdict = img.correct == null ? `<span class="muted">unlabelled</span>` : img.correct ? `<span class="verdict correct">correct</span>` : `<span class="verdict wrong">wrong</span>`;
  const probs = img.probabilities.map((p, k) => `<span>${k} ${esc(classNames[k] ?? "")}</span><span class="bar"><span data-width="${100 * p}%"></span></span><span>${(100 * p).toFixed(1)}%</span>`).join("");
  const results = Object.fromEntries(img.results.map(r => [r.method, r]));
  const pictures = img.pictures.map(p => {
    const r = p.kind === "overlay" ? results[p.folder] : null;
    return `<figure><img loading="lazy" src="${p.url}" alt="${esc(p.folder)} ${esc(p.kind)}"><figcaption>${esc(p.folder)}${p.kind === "overlay" ? "" : " " + esc(p.kind)}
      ${r ? ` · ROI ${pct(r.roiRatio)}${r.completenessDelta != null ? ` · Δ ${num(r.completenessDelta, 4)}` : ""}` : ""}</figcaption></figure>`;
  }).join("");
  return `<div class="card image-card" data-key="${esc(img.imageKey)}"><b>${esc(img.imageKey)}</b> · label ${img.label == null ? "–" : `${img.label} ${esc(img.labelName)}`}
    · predicted ${img.predicted} ${esc(img.predictedName)} · ${verdict}
    <div class="card-body"><div class="pictures"><figure><img loading="lazy" src="${img.originalUrl}" alt="original"><figcaption>original</figcaption></figure>${pictures}</div>
    <div class="probs">${probs}</div></div></div>`;
}

async function showImages(id, params) {
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
    <div id="images">${page.items.map(i => imageCard(i, detail.classNames)).join("") || `<p class="muted">No images match.</p>`}</div>`);
  document.getElementById("image-filter-class").onchange = e => go({ class: e.target.value });
  document.getElementById("image-filter-outcome").onchange = e => go({ filter: e.target.value });
  document.getElementById("prev").onclick = () => go({ offset: Math.max(0, offset - limit) });
  document.getElementById("next").onclick = () => go({ offset: offset + limit });
}

async function showImage(id, key) {
  const [detail, img] = await Promise.all([api(`/api/runs/${id}`), api(`/api/runs/${id}/image?key=${encodeURIComponent(key)}`)]);
  render(view, `<div id="run-header">${runHeader(detail, "")}</div>${imageCard(img, detail.classNames)}`);
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
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query ?? "");
  const parts = path.split("/").filter(Boolean);
  try {
    if (parts[0] === "run" && parts[1]) {
      if (parts[2] === "images") await showImages(parts[1], params);
      else if (parts[2] === "failures") await showFailures(parts[1]);
      else if (parts[2] === "image") await showImage(parts[1], decodeURIComponent(parts.slice(3).join("/")));
      else await showRun(parts[1], false);
    } else await showRuns();
    view.dataset.route = location.hash; // which view is on screen (the browser test waits on it)
  } catch (e) {
    view.innerHTML = `<p class="error">${esc(e.message)}</p>`;
    if (quiet) schedule(() => route(true), 5000);
  }
}

window.addEventListener("hashchange", () => route(false));
route(false);

// Drives headless Debian chromium through the dashboard with playwright-core (installed by
// infra/setup.sh --test). Called by DashboardBrowserTests; prints one JSON line of what it saw,
// which the test checks against the database. Usage:
//   node dashboard-e2e.cjs <playwright-core dir> <chromium> <base url> <run id> <user> <password> <artefact dir> <class to filter> <run to compare with>
"use strict";
const [playwrightDir, chromiumPath, baseUrl, runId, user, password, artefacts, filterClass, otherRunId] = process.argv.slice(2);
const { chromium } = require(playwrightDir);
const path = require("path");


// The app marks the view it finished rendering with its route: wait for the one holding this text.
const rendered = (page, text) => page.waitForFunction(t => location.hash.includes(t) && document.getElementById("view").dataset.route === location.hash, text, { timeout: 30000 });

(async () => {
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  const seen = {};
  try {
    const context = await browser.newContext({ httpCredentials: { username: user, password }, viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", e => errors.push(String(e)));
    // What the content security policy blocked (an inline style or script, another origin): Chromium reports it on the console.
    const blocked = [];
    page.on("console", m => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });

    // Runs list -> the run.
    await page.goto(`${baseUrl}/#/`);
    await page.waitForSelector(`tr[data-run="${runId}"]`, { timeout: 30000 });
    seen.listedStatus = await page.textContent(`tr[data-run="${runId}"] td.status`);
    await page.click(`a[href="#/run/${runId}"]`);

    // Class maps loaded (every picture decoded) with their ROI boxes placed; distribution charts drawn.
    await page.waitForSelector("img.class-map", { timeout: 30000 });
    await page.waitForFunction(() => [...document.querySelectorAll("img.class-map")].every(i => i.complete && i.naturalWidth > 0), null, { timeout: 30000 });
    seen.classMaps = await page.$$eval("img.class-map", imgs => imgs.map(i => ({ width: i.naturalWidth, height: i.naturalHeight })));
    seen.roiBoxesPlaced = await page.$$eval(".roi-box", boxes => boxes.filter(b => b.style.width && b.style.display !== "none").length);
    await page.waitForSelector("canvas.distribution", { timeout: 30000 });
    // Share of a canvas's pixels that are drawn (not fully transparent): a rendered chart is far from 0.
    seen.distributionDrawnShares = await page.$$eval("canvas.distribution", canvases => canvases.map(canvas => {
      const { width, height } = canvas, data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
      let drawn = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
      return drawn / (width * height);
    }));
    // Bar widths are set through the DOM, not inline styles: the image cards' probability bars must have them.
    seen.barsWithWidth = await page.$$eval("#run-header .bar > span", bars => bars.filter(b => b.style.width !== "").length);
    seen.roiTableRows = await page.$$eval("#roi-table tbody tr", rows => rows.length);
    seen.auditRows = await page.$$eval("#audit tbody tr", rows => rows.length);
    // Reviewer's overview: verdicts on top, the findings table collapsed below.
    seen.verdicts = await page.$$eval("#verdicts tbody tr", rows => rows.map(r => ({ cls: Number(r.dataset.class), verdict: r.querySelector(".verdict-badge").textContent,
      driver: r.children[2].textContent.trim() })));
    seen.firstSectionIsVerdicts = await page.evaluate(() => document.querySelector("#view h2").textContent.startsWith("Verdict"));
    seen.findingsCollapsed = await page.$eval("#all-findings", d => !d.open && !d.querySelector("#audit").checkVisibility());
    // Clusters side by side: each card's mean map decoded, members shown; the cards of a class on one row.
    await page.waitForFunction(() => [...document.querySelectorAll("img.cluster-map, .strip img")].every(i => i.complete && i.naturalWidth > 0), null, { timeout: 30000 });
    seen.clusterCards = await page.$$eval(".cluster-card", cards => cards.map(c => ({ map: c.querySelector("img.cluster-map").naturalWidth, members: c.querySelectorAll(".strip img").length,
      candidate: c.classList.contains("candidate"), top: Math.round(c.getBoundingClientRect().top), group: c.closest(".cluster-group").querySelector("h3").textContent })));
    seen.confusion = await page.$$eval("#confusion tbody tr", rows => rows.map(r => [...r.querySelectorAll("td")].map(td => Number(td.textContent))));
    seen.accuracyShown = await page.textContent("#model-headline");
    seen.ranking = await page.$$eval("#ranking tbody tr", rows => rows.map(r => ({ metric: r.children[0].textContent, best: r.querySelector(".ranked.best b").textContent })));
    // Run pictures: a legend a few pixels wide shown at a readable size, named.
    seen.runPictures = await page.$$eval("#run-pictures figure", figs => figs.map(f => ({ natural: f.querySelector("img").naturalWidth, shown: Math.round(f.querySelector("img").getBoundingClientRect().width),
      caption: f.querySelector("figcaption").textContent })));
    await page.screenshot({ path: path.join(artefacts, "run.png"), fullPage: true });
    await page.screenshot({ path: path.join(artefacts, "overview-top.png") });
    await (await page.$("#clusters")).screenshot({ path: path.join(artefacts, "clusters.png") });
    await (await page.$("#model-metrics")).screenshot({ path: path.join(artefacts, "metrics.png") });
    await page.click("#all-findings summary");
    seen.findingsOpened = await page.$eval("#audit", t => t.checkVisibility());

    // The audit report opens from the run page in a new tab: self-contained (data: pictures only), no CSP complaint.
    const [report] = await Promise.all([context.waitForEvent("page"), page.click("#report-link")]);
    await report.waitForLoadState("load");
    seen.reportVerdicts = await report.$$eval("#verdicts tr", rows => rows.length - 1);
    seen.reportPictures = await report.$$eval("img", imgs => imgs.map(i => ({ data: i.src.startsWith("data:image/png"), decoded: i.naturalWidth > 0 })));
    await report.screenshot({ path: path.join(artefacts, "report.png"), fullPage: true });
    await report.close();

    // Image browser: all, then filtered to wrong predictions, then to one class.
    await page.click(`a[href="#/run/${runId}/images"]`);
    await page.waitForSelector("#image-total");
    seen.totalAll = parseInt(await page.textContent("#image-total"), 10);
    seen.picturesPerCard = await page.$$eval(".image-card", cards => cards.map(c => c.querySelectorAll(".pictures img").length));
    await page.selectOption("#image-filter-outcome", "wrong");
    await rendered(page, "filter=wrong");
    seen.totalWrong = parseInt(await page.textContent("#image-total"), 10);
    seen.wrongVerdicts = await page.$$eval(".image-card .verdict", v => v.map(x => x.textContent));
    await page.selectOption("#image-filter-class", filterClass);
    await rendered(page, `class=${filterClass}`);
    seen.wrongClassKeys = await page.$$eval(".image-card", cards => cards.map(c => c.dataset.key));
    await page.screenshot({ path: path.join(artefacts, "images.png"), fullPage: true });

    // Image view from the filtered list: every picture at full size side by side, the field of view drawn, ←/→ through the list, zoom.
    await page.selectOption("#image-filter-class", "");
    await rendered(page, "class=&");
    seen.wrongKeys = await page.$$eval(".image-card", cards => cards.map(c => c.dataset.key));
    await page.click(".image-card a.image-link");
    await page.waitForFunction(() => location.hash.includes("/image/") && document.getElementById("view").dataset.route === location.hash, null, { timeout: 30000 });
    await page.waitForFunction(() => [...document.querySelectorAll("#image-panels img")].every(i => i.complete && i.naturalWidth > 0), null, { timeout: 30000 });
    const imageView = async () => ({ title: await page.textContent("#image-title"), position: await page.textContent("#nav-position"),
      panels: await page.$$eval("#image-panels .panel", ps => ps.map(p => ({ width: Math.round(p.querySelector("img").getBoundingClientRect().width), fov: !!p.querySelector("svg.fov circle"),
        top: Math.round(p.getBoundingClientRect().top) }))) });
    seen.imageView = [await imageView()];
    await page.screenshot({ path: path.join(artefacts, "image-view.png"), fullPage: true });
    for (const key of ["ArrowRight", "ArrowRight", "ArrowLeft"]) {
      const before = await page.evaluate(() => location.hash);
      await page.keyboard.press(key);
      await page.waitForFunction(b => location.hash !== b && document.getElementById("view").dataset.route === location.hash, before, { timeout: 30000 });
      seen.imageView.push(await imageView());
    }
    await page.click("#image-nav .tabs a:nth-child(2)");
    await rendered(page, "zoom=2");
    seen.zoomedWidth = await page.$eval("#image-panels img", i => Math.round(i.getBoundingClientRect().width));

    // Two runs of the dataset compared, chosen from the run page.
    await page.goto(`${baseUrl}/#/run/${runId}`);
    await page.waitForSelector("#compare-with option:nth-child(2)", { state: "attached", timeout: 30000 });
    await page.selectOption("#compare-with", otherRunId);
    await rendered(page, `/compare/${runId}/${otherRunId}`);
    await page.waitForFunction(() => [...document.querySelectorAll("img.compare-map")].every(i => i.complete && i.naturalWidth > 0), null, { timeout: 30000 });
    seen.compareMaps = await page.$$eval("#map-deltas tbody tr", rows => rows.map(r => ({ pictures: r.querySelectorAll("img.compare-map").length, meanAbs: Number(r.children[4].textContent) })));
    seen.compareMetrics = await page.$$eval("#metric-deltas tbody tr", rows => rows.length);
    await page.screenshot({ path: path.join(artefacts, "compare.png"), fullPage: true });
    await page.goto(`${baseUrl}/#/run/${runId}/images?filter=wrong`);
    await rendered(page, "filter=wrong");
    await page.selectOption("#image-filter-outcome", "failed");
    await rendered(page, "filter=failed");
    seen.failedCards = await page.$$eval(".image-card.failed", cards => cards.length);
    seen.pageErrors = errors;
    seen.cspViolations = blocked;
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(seen));
})().catch(e => { console.error(e.stack || String(e)); process.exit(1); });

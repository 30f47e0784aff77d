// Drives headless Debian chromium through the dashboard with playwright-core (installed by
// infra/setup.sh --test). Called by DashboardBrowserTests; prints one JSON line of what it saw,
// which the test checks against the database. Usage:
//   node dashboard-e2e.cjs <playwright-core dir> <chromium> <base url> <run id> <user> <password> <artefact dir> <class to filter>
"use strict";
const [playwrightDir, chromiumPath, baseUrl, runId, user, password, artefacts, filterClass] = process.argv.slice(2);
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
    await page.screenshot({ path: path.join(artefacts, "run.png"), fullPage: true });

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

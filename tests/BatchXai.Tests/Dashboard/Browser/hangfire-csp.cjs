// Opens Hangfire's dashboard under the coordinator in headless Debian chromium (playwright-core, installed by
// infra/setup.sh --test), with the API key on every request, and reports per page what the content security policy
// blocked and whether Hangfire's own stylesheets and scripts took effect. Called by HangfireDashboardBrowserTests;
// prints one JSON line. Usage:
//   node hangfire-csp.cjs <playwright-core dir> <chromium> <base url> <api key header> <api key> <artefact dir>
"use strict";
const [playwrightDir, chromiumPath, baseUrl, keyHeader, apiKey, artefacts] = process.argv.slice(2);
const { chromium } = require(playwrightDir);
const path = require("path");

(async () => {
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  const seen = { pages: [] };
  try {
    const context = await browser.newContext({ extraHTTPHeaders: { [keyHeader]: apiKey }, viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    let blocked = [], errors = [], failed = [];
    page.on("console", m => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });
    page.on("pageerror", e => errors.push(String(e)));
    // A request the page itself cancelled (net::ERR_ABORTED: Hangfire's stats poll superseded by the next one
    // on a loaded machine) is not a failure of the server or of the policy; every other failure is.
    page.on("requestfailed", r => {
      const reason = r.failure() && r.failure().errorText;
      if (reason !== "net::ERR_ABORTED") failed.push(`${r.url()} ${reason}`);
    });
    page.on("response", r => { if (r.status() >= 400) failed.push(`${r.url()} ${r.status()}`); });
    for (const [name, route] of [["overview", "/hangfire"], ["recurring", "/hangfire/recurring"], ["servers", "/hangfire/servers"],
                                 ["succeeded", "/hangfire/jobs/succeeded"]]) {
      blocked = []; errors = []; failed = [];
      const response = await page.goto(`${baseUrl}${route}`, { waitUntil: "load" });
      await page.waitForTimeout(1500); // Hangfire's script polls and draws its charts after load
      const facts = await page.evaluate(() => ({
        title: document.title,
        // Hangfire's stylesheet took effect: the bootstrap navbar is fixed at the top.
        navbarPosition: getComputedStyle(document.querySelector(".navbar")).position,
        stylesheets: [...document.styleSheets].filter(s => s.href).length,
        // Its scripts ran: jQuery and the Hangfire object are defined.
        jquery: typeof window.jQuery === "function",
        hangfire: typeof window.Hangfire === "object",
        charts: document.querySelectorAll("canvas").length,
      }));
      const policy = response.headers()["content-security-policy"];
      if (name === "overview" || name === "recurring") await page.screenshot({ path: path.join(artefacts, `hangfire-${name}.png`), fullPage: true });
      seen.pages.push({ name, route, status: response.status(), policy, blocked, errors, failed, ...facts });
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(seen));
})().catch(e => { console.error(e); process.exit(1); });

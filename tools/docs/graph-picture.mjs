// Draws docs/graph.png, the README's picture of the project graph: the image projects (images/, services/)
// and the internal libraries they bundle (packages/common, packages/common-py), as Nx's own graph app shows them.
//
// Run from anywhere, with playwright-core installed in a scratch directory (not in this repository):
//   mkdir -p /tmp/shot && (cd /tmp/shot && npm init -y && npm install playwright-core)
//   PLAYWRIGHT_DIR=/tmp/shot node tools/docs/graph-picture.mjs [out.png]
// CHROMIUM names the browser (default /usr/bin/chromium); RANK_DIR the app's layout direction (default Left-Right:
// GitHub shrinks a README picture to about 880 px, which leaves the wide Top-Bottom layout's names too small to read).
// It runs `nx graph --file=…html` in this workspace, opens the static app, switches it to the flat layout and
// RANK_DIR, hides every other project, and screenshots the drawn part about WIDTH pixels wide.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WIDTH = 1600;
const VIEWPORT = { width: 1600, height: 1000 };
const MARGIN = 24; // CSS pixels of white around the drawing
const RANK_DIR = process.env.RANK_DIR ?? 'Left-Right';
const SHOWN_ROOTS = [/^images\//, /^services\//, /^packages\/common(-py)?$/];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = resolve(process.argv[2] ?? join(root, 'docs/graph.png'));
if (!process.env.PLAYWRIGHT_DIR) throw new Error('set PLAYWRIGHT_DIR to a directory where playwright-core is installed (see the top of this file)');
const { chromium } = createRequire(join(resolve(process.env.PLAYWRIGHT_DIR), 'package.json'))('playwright-core');

const html = writeGraphApp();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
try {
  // First pass at scale 1 measures the drawing; the second renders it at the scale that makes it WIDTH wide,
  // so text is drawn sharp rather than resized afterwards.
  const measured = await render(1, async () => {});
  const scale = WIDTH / (measured.width + 2 * MARGIN);
  await render(scale, async (page, box) => {
    const clip = { x: box.x - MARGIN, y: box.y - MARGIN, width: box.width + 2 * MARGIN, height: box.height + 2 * MARGIN };
    await page.screenshot({ path: out, clip });
  });
  const png = readFileSync(out);
  console.log(`wrote ${out} (${png.readUInt32BE(16)}×${png.readUInt32BE(20)} px)`);
} finally {
  await browser.close();
  rmSync(dirname(html), { recursive: true });
}

function writeGraphApp() {
  const dir = mkdtempSync(join(tmpdir(), 'graph-picture-'));
  const file = join(dir, 'graph.html');
  // Nx sometimes truncates piped stdout: keep its output in a file to show on failure.
  const log = join(dir, 'nx.log');
  const fd = openSync(log, 'w');
  const run = spawnSync('npx', ['nx', 'graph', `--file=${file}`], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    stdio: ['ignore', fd, fd],
  });
  // On failure the directory stays, with the log.
  if (run.status !== 0) throw new Error(`nx graph failed (exit ${run.status}); see ${log}`);
  return file;
}

async function render(deviceScaleFactor, use) {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor });
  try {
    const page = await context.newPage();
    // The app routes itself to #/projects?graph=…; older deep links such as #/projects/all draw nothing.
    await page.goto(pathToFileURL(html).href);
    await page.click('button[title^="Choose how projects are displayed"]');
    await page.getByRole('button', { name: 'Flat', exact: true }).click();
    await page.keyboard.press('Escape');
    await page.click('button[title^="Select rank direction"]');
    await page.getByRole('button', { name: RANK_DIR, exact: true }).click();
    await page.keyboard.press('Escape');
    const hidden = await page.evaluate(
      (sources) => {
        const shown = sources.map((s) => new RegExp(s));
        return window.projectGraphResponse.projects.filter((p) => !shown.some((r) => r.test(p.data.root))).map((p) => p.name);
      },
      SHOWN_ROOTS.map((r) => r.source),
    );
    for (const name of hidden) await page.click(`button[title="Hide ${name}"]`);
    await page.click('button[title="Reset graph pan and zoom to center"]');
    const box = await settledDrawing(page);
    // The side panel and tool bar float over the canvas; the clip must show only the graph.
    await page.addStyleTag({
      content: '#app * { visibility: hidden } #app .__________cytoscape_container, #app .__________cytoscape_container * { visibility: visible }',
    });
    await use(page, box);
    return box;
  } finally {
    await context.close();
  }
}

// The bounding box (CSS pixels) of what the graph canvas has drawn, once it stops changing (layout and zoom animate).
async function settledDrawing(page) {
  let last = '';
  for (let tries = 0; tries < 50; tries++) {
    await page.waitForTimeout(300);
    const box = await page.evaluate(drawnBox);
    const key = JSON.stringify(box);
    if (box && key === last) return box;
    last = key;
  }
  throw new Error('the graph did not settle within 15 s');
}

function drawnBox() {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -1,
    y1 = -1,
    ratio = 1,
    left = 0,
    top = 0;
  for (const canvas of document.querySelectorAll('.__________cytoscape_container canvas')) {
    const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const rect = canvas.getBoundingClientRect();
    ({ left, top } = rect);
    ratio = width / rect.width;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (!data[(y * width + x) * 4 + 3]) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  return { x: left + x0 / ratio, y: top + y0 / ratio, width: (x1 - x0 + 1) / ratio, height: (y1 - y0 + 1) / ratio };
}

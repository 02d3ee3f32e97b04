// Drives VS Code (code-server) in a Chromium started by vscode_e2e.py, through the DevTools protocol.
// Usage: node driver.mjs '{"cdp": ..., "url": ..., "scenario": ..., "artifacts": ..., "timeout": ms,
//                          "settled": {"workspace": ..., "exists": [...], "gone": [...]}}'
// Prints one JSON line per step; exits 1 (after a screenshot) when a step fails or times out.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const request = JSON.parse(process.argv[2]);
const started = Date.now();
const say = (event, details = {}) =>
  console.log(JSON.stringify({ s: ((Date.now() - started) / 1000).toFixed(1), event, ...details }));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const artifact = (name) => path.join(request.artifacts, `${request.scenario}-${name}.png`);

// Command palette labels: VS Code writes "..." in some versions and "…" in others.
const exactly = (label) => new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\.\\\.\\\.$/, '(\\.\\.\\.|…)')}$`);

async function load(page) {
  await page.goto(request.url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  say('workbench loaded');
}

// F1, the label, Enter once the highlighted entry is exactly that command. The palette is
// retried: a key press can be lost while a dialog closes or the extension host starts, and its
// list is re-sorted while extensions register commands (a mouse click there misses).
async function runCommand(page, label) {
  const widget = page.locator('.quick-input-widget');
  const focused = page.locator('.quick-input-list .monaco-list-row.focused .label-name');
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    try {
      await widget.waitFor({ state: 'visible', timeout: 5_000 });
      await widget.locator('input').fill(`>${label}`);
      await focused.filter({ hasText: exactly(label) }).waitFor({ timeout: 5_000 });
      await page.keyboard.press('Enter');
      await widget.waitFor({ state: 'hidden', timeout: 5_000 });
      return say('command', { label, attempt });
    } catch (error) {
      say('command retried', { label, attempt, error: String(error).split('\n')[0] });
    }
  }
  throw new Error(`the command palette did not run ${label}`);
}

async function openFile(page, name) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row.focused .label-name', { hasText: exactly(name) }).waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab.active[data-resource-name="${name}"]`).waitFor();
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  say('opened', { name });
}

const ORGANIZE = /Organize backend: move \d+ modules into \d+ packages/;

// The extension starts the server lazily: until it has the document, "Source Action..." offers
// nothing. Ask again until the organize action is listed; then choose it, or (choose false)
// close the menu: the server is up.
async function chooseSourceAction(page, wanted, deadline, choose = true) {
  while (Date.now() < deadline) {
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await runCommand(page, 'Source Action...');
    const entry = page.locator('.action-widget .monaco-list-row', { hasText: wanted });
    try {
      await entry.first().waitFor({ timeout: 5_000 });
      const offered = await page.locator('.action-widget .monaco-list-row').allInnerTexts();
      say('source actions', { offered });
      if (choose) await entry.first().click();
      else await page.keyboard.press('Escape');
      return;
    } catch {
      const menu = await page.locator('.action-widget .monaco-list-row').allInnerTexts();
      const message = await page.locator('.monaco-editor-overlaymessage').allInnerTexts();
      say('source actions not ready', { menu, message });
      await page.keyboard.press('Escape');
      await sleep(2_000);
    }
  }
  throw new Error(`no source action matching ${wanted} before the deadline`);
}

// The preview's tree renders only the rows in view: scroll through it, ticking every unchecked
// box, until a whole pass from the top finds none (ticking a group ticks its entries).
async function tickAll(page, panel) {
  const unchecked = panel.locator('.monaco-list-row .monaco-checkbox:not(.checked)');
  let total = 0;
  for (let pass = 0; pass < 4; pass++) {
    let ticked = 0;
    let seen = '';
    const list = panel.locator('.monaco-list').first();
    const wheelStep = Math.max(100, Math.floor((await list.boundingBox()).height * 0.8));
    await list.hover();
    await page.mouse.wheel(0, -100_000);
    await sleep(200);
    for (let step = 0; step < 300; step++) {
      // A DOM click on the first unchecked box, if any: the list scrolls itself, so a row at its
      // edge may be cut off for the mouse, and the tree re-renders rows as boxes change (a
      // locator that waits for "the first one" can outlive it).
      while (await unchecked.evaluateAll((boxes) => (boxes[0]?.click(), boxes.length > 0))) {
        await sleep(50);
        if (++ticked > 1000) throw new Error('a box in the Refactor Preview does not stay ticked');
      }
      const rows = (await panel.locator('.monaco-list-row').allInnerTexts()).join('\n');
      if (rows === seen) break; // the wheel moved nothing: the end of the tree
      seen = rows;
      await page.mouse.wheel(0, wheelStep);
      await sleep(100);
    }
    total += ticked;
    if (ticked === 0) return total;
  }
  throw new Error('boxes in the Refactor Preview are still unchecked after four passes');
}

// Shows the changes by kind (packages, moves, imports, strings, ...) in a maximized panel.
async function groupByType(page) {
  const actions = page.locator('.part.panel .title-actions .action-label, .part.panel .global-actions .action-label');
  const labels = await actions.evaluateAll((items) => items.map((item) => item.getAttribute('aria-label')));
  say('panel actions', { labels });
  for (const wanted of [/Group Changes By Type/, /^Maximize Panel/]) {
    const index = labels.findIndex((label) => label && wanted.test(label));
    if (index >= 0) await actions.nth(index).click();
  }
}

// The Refactor Preview: screenshot it, tick what needs confirmation, Apply, wait until it is gone.
async function applyPreview(page) {
  const panel = page.locator('.bulk-edit-panel');
  await panel.waitFor({ timeout: 90_000 });
  await panel.locator('.monaco-list-row').first().waitFor();
  await groupByType(page);
  await sleep(500); // the tree renders its rows in a second pass
  const rows = await panel.locator('.monaco-list-row').allInnerTexts();
  const unchecked = await panel.locator('.monaco-list-row .monaco-checkbox:not(.checked)').count();
  say('preview', { rows, unchecked });
  await page.screenshot({ path: artifact('preview') });
  say('screenshot', { path: artifact('preview') });
  say('ticked', { boxes: await tickAll(page, panel) });
  await panel.locator('.monaco-button', { hasText: /^Apply$/ }).click();
  await panel.waitFor({ state: 'hidden', timeout: 60_000 });
  say('applied');
}

// The preview closes before the edit is through; closing the page then would cut it short.
// The moves come last in the edit, so the edit is through once they are all on disk.
function settled() {
  const { workspace, exists, gone } = request.settled;
  const missing = exists.filter((name) => !fs.existsSync(path.join(workspace, name)));
  const left = gone.filter((name) => fs.existsSync(path.join(workspace, name)));
  return missing.length + left.length === 0 ? null : { missing, left };
}

async function waitSettled(timeout = 60_000) {
  const end = Date.now() + timeout;
  while (settled() !== null) {
    if (Date.now() > end) throw new Error(`the edit did not reach the disk: ${JSON.stringify(settled())}`);
    await sleep(200);
  }
  say('on disk');
}

// Save All once the set of dirty editors has not changed for 1.5 s, then wait until none is
// dirty. Why the wait: VS Code moves a dirty file on disk first and gives its new editor the
// unsaved text a moment later; a Save All in between misses it (seen in about a third of the
// runs, agent_tools.py). A second Save All stays as a backstop.
async function saveAll(page) {
  const dirty = page.locator('.tabs-container .tab.dirty');
  const names = () => dirty.evaluateAll((tabs) => tabs.map((tab) => tab.getAttribute('data-resource-name')).join(','));
  for (let attempt = 1; attempt <= 2; attempt++) {
    let last = await names();
    for (let quiet = 0, i = 0; quiet < 1500 && i < 150; i++, quiet += 100) {
      await sleep(100);
      const now = await names();
      if (now !== last) [last, quiet] = [now, -100];
    }
    await runCommand(page, 'File: Save All Files');
    for (let i = 0; i < 200 && (await dirty.count()) > 0; i++) await sleep(100);
    const left = await names();
    if (left === '') return say('saved', { attempt });
    say('still unsaved', { attempt, left });
  }
  throw new Error('editors still unsaved after two Save All');
}

async function organizeBySourceAction(page) {
  await openFile(page, 'agent.py');
  await chooseSourceAction(page, ORGANIZE, Date.now() + 90_000);
  await applyPreview(page);
  await waitSettled();
  await saveAll(page);
}

// Right-click on the empty part of the explorer: the context menu of the workspace folder itself.
async function organizeByFolderMenu(page) {
  await openFile(page, 'agent.py'); // wakes the extension up: it activates on Python files
  const list = page.locator('.explorer-folders-view .monaco-list');
  const box = await list.boundingBox();
  await list.click({ button: 'right', position: { x: box.width / 2, y: box.height - 10 } });
  const item = page.locator('.context-view .monaco-menu .action-label', { hasText: /Organize This Folder/ });
  await item.first().waitFor({ timeout: 10_000 });
  say('context menu', { items: await page.locator('.context-view .monaco-menu .action-label').allInnerTexts() });
  await item.first().click();
  await applyPreview(page);
  await waitSettled();
  await saveAll(page);
}

// F2 on a module in the explorer, a path as the new name: VS Code moves it into a new folder,
// and the extension's willRenameFiles answer rewrites the importers.
async function moveInExplorer(page, from, to) {
  await openFile(page, 'agent.py'); // an importer, open: its edit goes to the buffer
  await chooseSourceAction(page, ORGANIZE, Date.now() + 90_000, false); // the server is up
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: exactly(from) }).click();
  await page.keyboard.press('F2');
  const input = page.locator('.explorer-folders-view .monaco-inputbox input');
  await input.waitFor();
  await input.fill(to);
  await input.press('Enter');
  say('renamed', { from, to });
  await answerRenameQuestions(page, Date.now() + 60_000);
  await saveAll(page);
}

// VS Code may ask before it applies an extension's rename edit, or open the preview: answer
// either until the move is on disk (the importers' edits come before it).
async function answerRenameQuestions(page, deadline) {
  const dialog = page.locator('.monaco-dialog-box');
  const panel = page.locator('.bulk-edit-panel');
  while (settled() !== null) {
    if (Date.now() > deadline) throw new Error(`the move did not reach the disk: ${JSON.stringify(settled())}`);
    if (await dialog.isVisible()) {
      say('dialog', { text: await dialog.innerText() });
      await page.screenshot({ path: artifact('dialog') });
      await dialog.locator('.monaco-button', { hasText: /^OK$/ }).click();
    } else if (await panel.isVisible()) {
      await applyPreview(page);
    }
    await sleep(250);
  }
  say('on disk');
}

const scenarios = {
  'source-action': organizeBySourceAction,
  'folder-menu': organizeByFolderMenu,
  'explorer-move': (page) => moveInExplorer(page, 'vector_store.py', 'data/vector_store.py'),
};

async function main() {
  const browser = await chromium.connectOverCDP(request.cdp);
  const context = browser.contexts()[0];
  const page = await context.newPage();
  await page.setViewportSize({ width: 1600, height: 1300 }); // room below the explorer's rows
  page.setDefaultTimeout(30_000);
  const watchdog = setTimeout(() => fail(page, new Error('overall timeout')), request.timeout);
  try {
    await load(page);
    await scenarios[request.scenario](page);
    await page.screenshot({ path: artifact('done') });
    say('done', { screenshot: artifact('done') });
  } catch (error) {
    await fail(page, error);
  } finally {
    clearTimeout(watchdog);
  }
  await page.close();
  await browser.close(); // closes the DevTools connection only; the browser belongs to the test
}

async function fail(page, error) {
  const shot = artifact('failure');
  await page.screenshot({ path: shot }).catch(() => {});
  say('failed', { error: String(error?.stack || error), screenshot: shot });
  process.exit(1);
}

await main();

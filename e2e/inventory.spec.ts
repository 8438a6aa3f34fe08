import { expect, Page, test } from '@playwright/test';

/** The ID cells of the data rows on the current page of the resource table. */
function idCells(page: Page) {
  return page.locator('tbody tr td:nth-child(2)');
}

test('the inventory pages, filters and opens a resource on the server side', async ({
  page,
}, testInfo) => {
  // a first sync of the demo cloud's medium scenario can take a while
  test.setTimeout(420_000);

  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('link', { name: 'PF9 Ops' }).click({ timeout: 60_000 });
  await expect(page).toHaveURL(/\/pf9$/);

  await page.getByRole('tab', { name: 'Compute' }).click({ timeout: 60_000 });
  await expect(page).toHaveURL(/\/pf9\/compute$/);
  // the table's pagination caption (material-table renders a second, hidden copy)
  const pagination = page
    .getByText(/^\d+-\d+ of \d+$/)
    .filter({ visible: true });
  const empty = page.getByText(/No server resources match/);
  const firstPage = page.getByText(/^1-\d+ of \d+$/).filter({ visible: true });
  await expect(firstPage.or(empty).first()).toBeVisible();

  if (await empty.isVisible()) {
    // guest is superadmin, so Sync now is offered; the table reloads when the run ends
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(
      page.getByText(/Sync started \(run |already running/),
    ).toBeVisible();
    await expect(
      page.getByText(/Sync (succeeded|partial|failed|interrupted) \(run /),
    ).toBeVisible({
      timeout: 360_000,
    });
  }

  // ~200 servers, 50 per page: the server says how many there are, the browser holds one page
  await expect(pagination).toHaveText(/^1-50 of \d+$/, { timeout: 30_000 });
  const total = Number((await pagination.innerText()).split(' of ')[1]);
  expect(total).toBeGreaterThan(100);
  await expect(idCells(page)).toHaveCount(50);
  const firstPageIds = await idCells(page).allInnerTexts();

  await page.getByRole('button', { name: /next page/i }).click();
  await expect(pagination).toHaveText(`51-100 of ${total}`);
  await expect(idCells(page).first()).not.toHaveText(firstPageIds[0]);
  const secondPageIds = await idCells(page).allInnerTexts();
  expect(secondPageIds).toHaveLength(50);
  expect(secondPageIds.filter(id => firstPageIds.includes(id))).toEqual([]);

  // filter by the name of a server on page 2: the search goes to the server and paging starts again
  const nameCell = page.locator('tbody tr').first().locator('td').first();
  const name = (await nameCell.innerText()).trim();
  const id = secondPageIds[0].trim();
  await page.getByRole('textbox', { name: 'Search' }).fill(name);
  await expect(pagination).toHaveText(/^1-\d+ of \d+$/);
  await expect(pagination).not.toHaveText(`1-50 of ${total}`);
  const filteredIds = (await idCells(page).allInnerTexts()).map(t => t.trim());
  expect(filteredIds).toContain(id);
  expect(filteredIds.length).toBeLessThan(50);

  // the drawer shows the resource, fetched by id, and its history
  await page.locator('tbody tr', { hasText: id }).first().click();
  const drawer = page.getByRole('region', { name: 'Resource details' });
  await expect(drawer.getByTestId('resource-id')).toHaveText(id);
  await expect(drawer.getByText('flavor_name')).toBeVisible();
  await drawer.getByRole('tab', { name: 'History' }).click();
  await expect(drawer.getByText(/^v1 · (discovered|created)$/)).toBeVisible();

  await page.screenshot({
    path: testInfo.outputPath('inventory.png'),
    fullPage: true,
  });
});

test('Sync now starts a run that the Runs tab lists with its per-type outcomes', async ({
  page,
}, testInfo) => {
  test.setTimeout(420_000);

  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('link', { name: 'PF9 Ops' }).click({ timeout: 60_000 });
  await page.getByRole('tab', { name: 'Runs' }).click({ timeout: 60_000 });
  await expect(page).toHaveURL(/\/pf9\/runs$/);

  await page.getByRole('button', { name: 'Sync now' }).click();
  // 202 → "Sync started (run …)"; a scheduled sync still running → 409 → "already running (run …)"
  const started = page.getByText(
    /Sync started \(run [0-9a-f-]+\)|already running \(run [0-9a-f-]+\); following it/,
  );
  await expect(started).toBeVisible();
  const runId = (await started.innerText()).match(/run ([0-9a-f-]+)/)![1];
  await expect(page.getByRole('button', { name: 'Syncing…' })).toBeDisabled();

  const finished = page.getByText(
    new RegExp(
      `Sync (succeeded|partial|failed|interrupted) \\(run ${runId}\\)`,
    ),
  );
  await expect(finished).toBeVisible({ timeout: 360_000 });
  await expect(page.getByRole('button', { name: 'Sync now' })).toBeEnabled();

  // the runs table reloads when the run ends; the run's row opens its per-type outcomes
  await page.getByRole('cell', { name: runId }).click();
  await expect(page.getByText(`Run ${runId}: per-type outcomes`)).toBeVisible();
  const serverRow = page.getByRole('row', { name: /^Server \d/ });
  await expect(serverRow).toContainText('complete');

  await page.screenshot({
    path: testInfo.outputPath('inventory-runs.png'),
    fullPage: true,
  });
});

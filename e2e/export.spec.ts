import { expect, Page, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';

/** Opens PF9 Ops → Compute and, when the inventory is still empty, syncs it first (an export needs a run). */
async function openComputeWithData(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('link', { name: 'PF9 Ops' }).click({ timeout: 60_000 });
  await page.getByRole('tab', { name: 'Compute' }).click({ timeout: 60_000 });
  await expect(page).toHaveURL(/\/pf9\/compute$/);

  const firstPage = page.getByText(/^1-\d+ of \d+$/).filter({ visible: true });
  const empty = page.getByText(/No server resources match/);
  await expect(firstPage.or(empty).first()).toBeVisible();
  if (await empty.isVisible()) {
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(
      page.getByText(/Sync started \(run |already running/),
    ).toBeVisible();
    await expect(
      page.getByText(/Sync (succeeded|partial|failed|interrupted) \(run /),
    ).toBeVisible({ timeout: 360_000 });
    await expect(firstPage).toBeVisible({ timeout: 30_000 });
  }
}

test('Export: a masked export needs a scope; an unmasked XLSX is built and downloaded', async ({
  page,
}, testInfo) => {
  test.setTimeout(540_000);
  await openComputeWithData(page);

  // guest is superadmin: /access/me lists pf9.inventory.export and .unmasked
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: /Export inventory of demo/ });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('XLSX')).toBeChecked();
  await expect(dialog.getByLabel('None (unmasked)')).toBeChecked();

  // a masked export without a scope is refused in the dialog, before any request
  await dialog.getByLabel(/^Partial/).check();
  await dialog.getByRole('button', { name: 'Start export' }).click();
  await expect(dialog.getByText(/A masked export needs a scope/)).toBeVisible();

  await page.screenshot({ path: testInfo.outputPath('export-dialog.png') });

  await dialog.getByLabel('None (unmasked)').check();
  await dialog.getByRole('button', { name: 'Start export' }).click();
  const done = dialog.getByText(
    /Export [0-9a-f-]+ is done: pf9_inventory_demo_\S+\.xlsx/,
  );
  await expect(done).toBeVisible({ timeout: 180_000 });
  await page.screenshot({ path: testInfo.outputPath('export-done.png') });

  const downloadEvent = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Download' }).click();
  const download = await downloadEvent;
  expect(download.suggestedFilename()).toMatch(
    /^pf9_inventory_demo_\d{4}-\d{2}-\d{2}_\d{6}Z\.xlsx$/,
  );
  const file = await readFile((await download.path())!);
  expect(file.length).toBeGreaterThan(1000);
  // an XLSX file is a zip archive: it starts with the local file header 'PK\x03\x04'
  expect(file.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
  await download.saveAs(testInfo.outputPath(download.suggestedFilename()));
});

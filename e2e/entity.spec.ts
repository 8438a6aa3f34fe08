import { expect, Page, test } from '@playwright/test';

/** Signs in, opens PF9 Ops → Compute, syncs when the inventory is empty, and returns a listed server's id. */
async function aServerId(page: Page): Promise<string> {
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
  const idCell = page.locator('tbody tr td:nth-child(2)').first();
  return (await idCell.innerText()).trim();
}

test('a server entity of the catalog shows its OpenStack fields, history and related resources', async ({
  page,
}, testInfo) => {
  // a first sync, then the catalog module's mirror (every 2 minutes)
  test.setTimeout(720_000);
  const id = await aServerId(page);

  // wait until the catalog module has mirrored the server into the catalog
  const openStackTab = page
    .getByRole('tab', { name: 'OpenStack' })
    .or(page.getByRole('link', { name: 'OpenStack', exact: true }))
    .first();
  await expect(async () => {
    await page.goto(`/catalog/demo/resource/${id}`);
    await expect(openStackTab).toBeVisible({ timeout: 10_000 });
  }).toPass({ timeout: 300_000, intervals: [5_000, 10_000, 15_000] });

  // the overview carries the OpenStack summary card
  await expect(
    page.getByRole('link', { name: /Fields, history and related resources/ }),
  ).toBeVisible();
  await expect(page.getByText('last_seen')).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('entity-overview.png'),
    fullPage: true,
  });

  await openStackTab.click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/demo/resource/${id}/openstack$`),
  );
  await expect(page.getByTestId('resource-id')).toHaveText(id);
  await expect(page.getByText('flavor_name')).toBeVisible();
  await expect(page.getByText(/^v1 · (discovered|created)$/)).toBeVisible();
  const related = page.getByRole('table', { name: 'Related resources' });
  await expect(related.getByText('Project', { exact: true })).toBeVisible();

  await page.screenshot({
    path: testInfo.outputPath('entity-openstack.png'),
    fullPage: true,
  });
});

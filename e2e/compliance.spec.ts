import { expect, test } from '@playwright/test';

const PAIR_STATUSES = [
  'compliant',
  'pending',
  'missing',
  'quota_blocked',
  'misconfigured',
] as const;

test('the Compliance tab shows the latest evaluation as the API returns it and drills down', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(300_000);

  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('link', { name: 'PF9 Ops' }).click({ timeout: 60_000 });
  await expect(page).toHaveURL(/\/pf9$/);

  await page
    .getByRole('tab', { name: 'Compliance' })
    .click({ timeout: 60_000 });
  await expect(page).toHaveURL(/\/pf9\/compliance$/);

  const pct = page.getByTestId('compliance-pct');
  const none = page.getByText(/No compliance evaluation yet/);
  await expect(pct.or(none).first()).toBeVisible({ timeout: 60_000 });
  if (await none.isVisible()) {
    // guest is superadmin, so "Evaluate now" is offered (pairs may read "pending" right after start: CMP-1)
    await page.getByRole('button', { name: 'Evaluate now' }).click();
    await expect(page.getByText(/^Evaluated at /)).toBeVisible({
      timeout: 120_000,
    });
  }
  await expect(pct).toBeVisible();

  // the figures shown are the API's (the page and this request share the guest's session token)
  const { backstageIdentity } = await (
    await request.get('http://localhost:7007/api/auth/guest/refresh', {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    })
  ).json();
  const summaryResponse = await request.get(
    'http://localhost:7007/api/pf9/compliance/summary?groupBy=domain',
    { headers: { Authorization: `Bearer ${backstageIdentity.token}` } },
  );
  expect(summaryResponse.ok()).toBe(true);
  const summary = await summaryResponse.json();
  expect(summary.evaluatedAt).toEqual(expect.any(String));
  const overall = summary.overall;
  await expect(pct).toHaveText(
    overall.compliancePct === null ? 'n/a' : `${overall.compliancePct}%`,
  );
  for (const status of PAIR_STATUSES) {
    await expect(page.getByTestId(`compliance-pairs-${status}`)).toHaveText(
      String(overall.pairs[status]),
    );
  }
  for (const key of ['compliant', 'nonCompliant', 'pending', 'unprotected']) {
    await expect(page.getByTestId(`compliance-volumes-${key}`)).toHaveText(
      String(overall.volumes[key]),
    );
  }
  await expect(page.getByText(/^Data as of /)).toBeVisible();

  // drill down into the first domain that has pairs: the rows table asks the server with its filter
  const group = summary.groups.find(
    (g: any) =>
      g.key &&
      (Object.values(g.pairs) as number[]).reduce((a, b) => a + b, 0) > 0,
  );
  expect(group).toBeDefined();
  const label = group.name ?? group.key;
  const rowsRequest = page.waitForRequest(
    r =>
      r.url().includes('/api/pf9/compliance?') &&
      r.url().includes(`domainId=${encodeURIComponent(group.key)}`),
  );
  await page
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: label, exact: true }) })
    .first()
    .click();
  await rowsRequest;
  await expect(page).toHaveURL(/[?&]domainId=/);
  await expect(page.getByTestId('compliance-drill')).toHaveText(
    `Domain: ${label}`,
  );
  const rowsTitle = page.getByText(`Rows of domain ${label}`);
  await expect(rowsTitle).toBeVisible();
  // each row links to its volume in the inventory's storage tab
  const volumeLink = page.locator('a[href*="/pf9/storage?type=volume&id="]');
  await expect(volumeLink.first()).toBeVisible();

  await page.screenshot({
    path: testInfo.outputPath('compliance.png'),
    fullPage: true,
  });
});

test('the Snapshots tab lists the policies, the runs and the orphaned snapshots', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('link', { name: 'PF9 Ops' }).click({ timeout: 60_000 });
  await page.getByRole('tab', { name: 'Snapshots' }).click({ timeout: 60_000 });
  await expect(page).toHaveURL(/\/pf9\/snapshots$/);
  await expect(page.getByText('Snapshot policies')).toBeVisible();
  // the policies table comes first (orphans below may name the policy too)
  await expect(
    page.getByRole('cell', { name: 'daily_5', exact: true }).first(),
  ).toBeVisible();
  await expect(page.getByText('Snapshot runs')).toBeVisible();
  // SNAP-20: what it lists depends on whether the assignment job has stored the demo's pairs yet
  await expect(
    page.getByText('Orphaned snapshots', { exact: true }),
  ).toBeVisible();
  // guest is superadmin: both buttons are offered
  await expect(page.getByRole('button', { name: 'Run now' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Dry-run' })).toBeVisible();
});
